"""A calendar month written "YYYY-MM", held as the date of its first day.

One definition for every app and interface: parsing and month lengths, DRF fields and filters
for the API, a form field for the manager app and the portal.
"""

import calendar
import datetime as dt
from functools import lru_cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agency.input_rules import YEAR_MAX, YEAR_MIN


def parse_month(value: str) -> dt.date:
    """Turn "YYYY-MM" into the first day of that month.

    The format is strict (two-digit month, four-digit year) because the value arrives from URLs,
    forms and ``manage.py run_billing --month``; accepting "2026-1" in one place and not another
    would make runs for the same month look like different months. The year lies in 2000-2100
    (``agency.input_rules``).
    """
    if not isinstance(value, str):
        raise ValueError(gettext("Enter a month as YYYY-MM, for example 2026-10."))
    text = value.strip()
    year_part, dash, month_part = text[:4], text[4:5], text[5:]
    if (
        len(text) != 7
        or dash != "-"
        or not (year_part.isascii() and year_part.isdigit())
        or not (month_part.isascii() and month_part.isdigit())
    ):
        raise ValueError(
            gettext("Enter a month as YYYY-MM, for example 2026-10 (got %(value)r).")
            % {"value": value}
        )
    year, month = int(year_part), int(month_part)
    if not 1 <= month <= 12:
        raise ValueError(
            gettext("The month must be between 01 and 12 (got %(value)r).") % {"value": value}
        )
    if not YEAR_MIN <= year <= YEAR_MAX:
        # 0001-01 or 9999-12 is a typing mistake, never a month to bill or report.
        raise ValueError(
            gettext("The year must be between %(min)d and %(max)d (got %(value)r).")
            % {"min": YEAR_MIN, "max": YEAR_MAX, "value": value}
        )
    return dt.date(year, month, 1)


def days_in_month(month: dt.date) -> int:
    """Return how many days the calendar month containing ``month`` has (28 to 31)."""
    return _days_in((month.year, month.month))


@lru_cache(maxsize=2048)
def _days_in(year_month: tuple[int, int]) -> int:
    # Asked for every contract and assignment of a billing run or a report: once a month.
    return calendar.monthrange(*year_month)[1]


def month_last_day(month: dt.date) -> dt.date:
    """Return the last date of the calendar month containing ``month``."""
    return month.replace(day=days_in_month(month))


def format_month(value: dt.date) -> str:
    """ "YYYY-MM" with a four-digit year (strftime drops leading zeros of years before 1000)."""
    return f"{value.year:04d}-{value.month:02d}"


# Months of the years 2000-2100, as parse_month takes them.
MONTH_PATTERN = r"^(?:20\d{2}|2100)-(?:0[1-9]|1[0-2])$"
MONTH_SCHEMA = {"type": "string", "pattern": MONTH_PATTERN, "example": "2026-10"}


class MonthFormField(forms.CharField):
    """A month typed as YYYY-MM (browsers with a month picker send exactly that)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "maxlength": 7})
    default_error_messages = {"invalid": _("Enter the month as YYYY-MM, for example 2026-10.")}

    def to_python(self, value: Any) -> dt.date | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_month(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return format_month(value)
        return value


_AS_GIVEN = "%(message)s"
"""A message already written (and translated) by the parser, passed as a parameter."""


class _FilterMonthFormField(forms.CharField):
    """For query filters: the parser's own message says what is wrong with the value."""

    def clean(self, value: Any) -> dt.date | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as error:
            # The message quotes the user's value: it goes in as a parameter, never as the
            # format string that django-filter interpolates (a "%s" would break it).
            raise forms.ValidationError(_AS_GIVEN, params={"message": str(error)}) from None


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.Field):
    """A month in the API: "YYYY-MM" in and out."""

    default_error_messages = {"invalid": "{message}"}

    def to_internal_value(self, data: Any) -> dt.date:
        try:
            return parse_month(data)
        except ValueError as error:
            self.fail("invalid", message=str(error))

    def to_representation(self, value: dt.date) -> str:
        return format_month(value)


@extend_schema_field(MONTH_SCHEMA)
class MonthFilter(filters.Filter):
    field_class = _FilterMonthFormField
