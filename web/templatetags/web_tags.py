"""Formatting for the manager pages: money, counts, ratios, badges, the agency's name.

Numbers read the same in English and Chinese: thousands grouped with commas and a decimal
point, money half-up to 2 places ("1,016.13"), as on the printed invoice and as Chinese
bookkeeping writes amounts (千分位). The number filters wrap ``agency.formatting``, which does not
use the locale's separators: Django's own ``zh_Hans`` format would drop the grouping.
Dates, months and moments follow the one rule per language of ``agency/formats``
(``day``: 2026-10-15; ``month``: October 2026 / 2026年10月; ``moment``: 2026-10-15 17:05, Shanghai
time). ``isodate`` and ``isomonth`` are the machine forms for form values and links (2026-10-15,
2026-10), whatever the language.
"""

from datetime import date, datetime

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from agency import branding
from agency.choices import SHIFT_HOURS, hours_text
from agency.formatting import (
    count_text,
    date_text,
    moment_text,
    money_or_dash,
    month_text,
    percent_text,
    rate_text,
    ratio_text,
    short_day_text,
)
from agency.history import change_reason_text
from billing.choices import BillingRunStatus, InvoiceStatus
from payroll.choices import Grade
from payroll.formatting import kpi_text
from seats.calculations import LoadBand
from shops.choices import ShopStatus, TurnoverStatus

register = template.Library()

_INVOICE_LABELS = dict(InvoiceStatus.choices)
_BAND_LABELS = dict(LoadBand.choices)
_RUN_LABELS = dict(BillingRunStatus.choices)
_TURNOVER_LABELS = dict(TurnoverStatus.choices)
_SHOP_LABELS = dict(ShopStatus.choices)
_GRADE_LABELS = dict(Grade.choices)


@register.filter
def money(value) -> str:
    """An amount in CNY, half-up to 2 places, thousands grouped: "1,016.13"."""
    return money_or_dash(value)


@register.filter
def count(value) -> str:
    """A whole number with thousands grouped: "12,345"."""
    return count_text(value)


@register.filter
def percent(value, places: int = 1) -> str:
    """A ratio as a percentage: 0.7234 -> "72.3%"; no ratio (nothing to divide by) -> "–"."""
    return percent_text(value, int(places))


@register.filter
def ratio(value) -> str:
    """A plain ratio to 2 places (the answer/question ratio 1.25)."""
    return ratio_text(value)


@register.filter
def shift_hours(value: str) -> str:
    """A shift's hours, "09:00-17:00"; nothing for an unknown value."""
    return hours_text(value) if value in SHIFT_HOURS else ""


@register.filter
def month(value: date | None) -> str:
    """A month as people read it: October 2026, 2026年10月."""
    return month_text(value)


@register.filter
def day(value: date | datetime | None) -> str:
    """A date as people read it (a moment: its Shanghai date): 2026-10-15."""
    return date_text(value)


@register.filter
def short_day(value: date | None) -> str:
    """A day where room is short (a week's column): 10-15."""
    return short_day_text(value) if value else "–"


@register.filter
def moment(value: datetime | None) -> str:
    """A date and time in Shanghai time: 2026-10-15 17:05."""
    return moment_text(value)


@register.filter
def isodate(value: date | None) -> str:
    """A date as a form value or in a link: YYYY-MM-DD in every language."""
    return f"{value:%Y-%m-%d}" if value else ""


@register.filter
def isomonth(value: date | None) -> str:
    """A month as a form value or in a link (``?month=``): YYYY-MM in every language."""
    return f"{value:%Y-%m}" if value else ""


def _badge(css: str, label: str):
    return format_html('<span class="badge {}">{}</span>', css, label)


@register.simple_tag
def band_badge(band: str | None):
    """A load band as a coloured badge with its name (colour is never the only signal)."""
    if not band:
        return _badge("band-none", _("no data"))
    return _badge(f"band-{band}", _BAND_LABELS.get(band, band))


@register.simple_tag
def invoice_badge(status: str):
    return _badge(f"inv-{status}", _INVOICE_LABELS.get(status, status))


@register.simple_tag
def run_badge(status: str):
    return _badge(f"run-{status}", _RUN_LABELS.get(status, status))


@register.simple_tag
def turnover_badge(status: str):
    return _badge(f"turnover-{status}", _TURNOVER_LABELS.get(status, status))


@register.simple_tag
def shop_badge(status: str):
    return _badge(f"shop-{status}", _SHOP_LABELS.get(status, status))


@register.simple_tag
def agency_name() -> str:
    """The brand in the active language (``AGENCY_NAME`` / ``AGENCY_NAME_ZH``)."""
    return branding.agency_name()


@register.filter
def rate(value) -> str:
    """A commission rate as a percentage: 0.0020 -> "0.2%"."""
    return rate_text(value)


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def change_reason(reason: str | None) -> str:
    """Why a history row was written, in the page's language (``agency.history``)."""
    return change_reason_text(reason)


@register.simple_tag
def grade_badge(grade: str | None):
    """A scorecard's grade as a badge with its name; no score: "not scored"."""
    if not grade:
        return _badge("grade-none", _("not scored"))
    return _badge(f"grade-{grade}", _GRADE_LABELS.get(grade, grade))


@register.filter
def kpi_value(value, kpi: str) -> str:
    """A KPI's actual or target as people read it (``payroll.formatting.kpi_text``)."""
    return kpi_text(value, kpi)
