"""Numbers and dates as people read them: money, counts, ratios, percentages, commission rates,
dates, months and moments.

One implementation for every place a figure is written out: invoice line descriptions, the
printed invoice, emails, the manager pages, the portal and the charts. Money is half-up to
2 places and grouped by thousands ("1,016.13"), as the printed invoice and Chinese bookkeeping
write amounts (千分位). The template filters of the manager app and the portal are thin
wrappers over these functions.

The ``*_text`` functions that take ``Any`` accept numbers or numeric text and write a dash
("–") for nothing to show: ``None``, empty or non-numeric text, NaN and infinity.

Dates follow one rule per language, kept in the format modules (``agency/formats``): dates
``2026-11-30`` in both languages, months ``November 2026`` / ``2026年11月``, moments (in Shanghai
time) ``2026-11-30 17:05``, days on a chart's axis ``11-30``. The functions below are the one way
Python code writes them; templates' ``|date`` (no argument) and ``{{ a_date }}`` read the same
modules.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import formats, timezone

from agency.money import round_money

DASH = "–"


def as_decimal(value: Any) -> Decimal | None:
    """``value`` as a finite ``Decimal``, or None when there is no number to show."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def localise(text: str) -> str:
    """Swap Python's "," and "." in ``text`` for the active language's separators.

    Django's Chinese formats define no thousands separator, so a comma stands in for it there;
    in English and Chinese alike the text is unchanged.
    """
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR") or "."
    thousand_sep = formats.get_format("THOUSAND_SEPARATOR") or ","
    return text.replace(",", "\0").replace(".", decimal_sep).replace("\0", thousand_sep)


def money_text(value: Decimal) -> str:
    """An amount in CNY, half-up to 2 places, thousands grouped: 1016.125 -> "1,016.13"."""
    return format(round_money(value), ",.2f")


def money_or_dash(value: Any) -> str:
    """``money_text`` of any number or numeric text; "–" when there is none."""
    amount = as_decimal(value)
    return DASH if amount is None else money_text(amount)


def fixed_text(value: Any, places: int) -> str:
    """A number half-up to ``places`` decimals, thousands grouped: (1234.567, 2) -> "1,234.57"."""
    number = as_decimal(value)
    if number is None:
        return DASH
    return format(number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP), f",.{places}f")


def count_text(value: Any) -> str:
    """A whole number, half-up, thousands grouped: 12345 -> "12,345"."""
    number = as_decimal(value)
    if number is None:
        return DASH
    return format(int(number.to_integral_value(ROUND_HALF_UP)), ",")


def ratio_text(value: Any) -> str:
    """A plain ratio to 2 places (an answer/question ratio of 1.25, a DSR score of 4.81)."""
    return fixed_text(value, 2)


def percent_text(value: Any, places: int = 1) -> str:
    """A ratio as a percentage: 0.7234 -> "72.3%"; no ratio (nothing to divide by) -> "–"."""
    number = as_decimal(value)
    if number is None:
        return DASH
    return f"{fixed_text(number * 100, places)}%"


def rate_text(value: Any) -> str:
    """A commission rate as a percentage without needless zeros: 0.0300 -> "3%", 0.025 -> "2.5%"."""
    number = as_decimal(value)
    if number is None:
        return DASH
    return f"{format((number * 100).normalize(), 'f')}%"


# --- Dates ------------------------------------------------------------------------------------


def _local(value: date | datetime) -> date | datetime:
    """A moment in Shanghai time (00:30 on the 2nd there is still the 1st in UTC)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def date_text(value: date | datetime | None) -> str:
    """A date by the language's rule: 2026-11-30; a moment's Shanghai date; None -> "–"."""
    if not value:
        return DASH
    return formats.date_format(_local(value), "DATE_FORMAT")


def month_text(value: date | None) -> str:
    """A month by the language's rule: November 2026, 2026年11月; None -> "–"."""
    if not value:
        return DASH
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


def moment_text(value: datetime | None) -> str:
    """A date and time in Shanghai time by the language's rule: 2026-11-30 17:05."""
    if not value:
        return DASH
    return formats.date_format(_local(value), "DATETIME_FORMAT")


def short_day_text(value: date) -> str:
    """A day where room is short (a chart's axis, a week's column): 11-30."""
    return formats.date_format(value, "MONTH_DAY_FORMAT")
