"""Formatting for the portal: money, counts, ratios, deltas, dates and the portal's labels.

Numbers use the active language's decimal separator. Money and counts are always grouped by
thousands ("1,016.13"), as Chinese invoices and bank statements write them; Django's Chinese
formats define no thousands separator, so a comma stands in for it there. Money always shows
2 places. Dates and months follow the language's own formats (2026年10月5日 / Oct. 5, 2026).
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from agency.money import round_money
from portal import labels

register = template.Library()

DASH = "–"


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _localise(text: str) -> str:
    """Swap Python's "," and "." for the active language's separators."""
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR") or "."
    thousand_sep = formats.get_format("THOUSAND_SEPARATOR") or ","
    return text.replace(",", "\0").replace(".", decimal_sep).replace("\0", thousand_sep)


def format_money(value) -> str:
    amount = _decimal(value)
    if amount is None:
        return DASH
    return _localise(format(round_money(amount), ",.2f"))


def format_count(value) -> str:
    number = _decimal(value)
    if number is None:
        return DASH
    return _localise(format(int(number.to_integral_value(ROUND_HALF_UP)), ","))


def _fixed(number: Decimal, places: int) -> str:
    step = Decimal(1).scaleb(-places)
    return _localise(format(number.quantize(step, ROUND_HALF_UP), f",.{places}f"))


@register.filter
def money(value) -> str:
    """An amount in CNY: 2 places, half-up, grouped ("1,016.13"); nothing -> "–"."""
    return format_money(value)


@register.filter
def count(value) -> str:
    """A whole number, grouped ("12,345")."""
    return format_count(value)


@register.filter
def percent(value, places: int = 1) -> str:
    """A ratio as a percentage: 0.7234 -> "72.3%"; no ratio (nothing to divide by) -> "–"."""
    number = _decimal(value)
    if number is None:
        return DASH
    return f"{_fixed(number * 100, int(places))}%"


@register.filter
def rate(value) -> str:
    """A commission rate as a percentage with no needless zeros: 0.0300 -> "3%", 0.025 -> 2.5%."""
    number = _decimal(value)
    if number is None:
        return DASH
    shown = format((number * 100).normalize(), "f")
    return f"{_localise(shown)}%"


@register.filter
def ratio(value) -> str:
    """A plain ratio to 2 places (an answer/question ratio of 1.25, a DSR score of 4.81)."""
    number = _decimal(value)
    if number is None:
        return DASH
    return _fixed(number, 2)


def _signed(text: str, number: Decimal) -> str:
    if number > 0:
        return f"+{text}"
    if number < 0:
        return f"−{text}"  # a real minus sign reads better than a hyphen in a figure
    return text


@register.filter
def delta_count(value) -> str:
    number = _decimal(value)
    if number is None:
        return DASH
    return _signed(format_count(abs(number)), number)


@register.filter
def delta_money(value) -> str:
    number = _decimal(value)
    if number is None:
        return DASH
    return _signed(format_money(abs(number)), number)


@register.filter
def delta_points(value) -> str:
    """A change of a ratio in percentage points: 0.031 -> "+3.1"."""
    number = _decimal(value)
    if number is None:
        return DASH
    return _signed(_fixed(abs(number) * 100, 1), number)


@register.filter
def delta_ratio(value) -> str:
    number = _decimal(value)
    if number is None:
        return DASH
    return _signed(_fixed(abs(number), 2), number)


@register.filter
def trend(value) -> str:
    """``up``, ``down`` or ``flat``: a CSS hook and the word read out with a delta."""
    number = _decimal(value)
    if number is None or number == 0:
        return "flat"
    return "up" if number > 0 else "down"


@register.filter
def day(value: date | datetime | None) -> str:
    """A date in the language's own format: 2026年10月5日, Oct. 5, 2026.

    A moment (issued at, confirmed at) is first put in Shanghai time: 00:30 on the 2nd there is
    still the 1st in UTC, and the owner's date is the Shanghai one.
    """
    if not value:
        return DASH
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def moment(value: datetime | None) -> str:
    """A date and time (in Shanghai time) in the language's own format."""
    if not value:
        return DASH
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


@register.filter
def month_name(value: date | None) -> str:
    """A month in the language's own format: 2026年10月, October 2026."""
    if not value:
        return DASH
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


@register.filter
def plan_label(value: str) -> str:
    return labels.label(labels.PLAN_LABELS, value)


@register.filter
def shift_label(value: str) -> str:
    return labels.label(labels.SHIFT_LABELS, value)


@register.filter
def shift_hours(value: str) -> str:
    return labels.SHIFT_HOURS.get(value, "")


@register.filter
def platform_label(value: str) -> str:
    return labels.label(labels.PLATFORM_LABELS, value)


@register.filter
def kind_label(value: str) -> str:
    return labels.label(labels.LINE_KIND_LABELS, value)


@register.filter
def mode_label(value: str) -> str:
    return labels.label(labels.COMMISSION_MODE_LABELS, value)


def _badge(css: str, text: str):
    return format_html('<span class="badge {}">{}</span>', css, text)


@register.simple_tag
def invoice_status(status: str):
    return _badge(f"inv-{status}", labels.label(labels.INVOICE_STATUS_LABELS, status))


@register.simple_tag
def turnover_status(status: str):
    return _badge(f"turnover-{status}", labels.label(labels.TURNOVER_STATUS_LABELS, status))


@register.simple_tag
def shop_status(status: str):
    return _badge(f"shop-{status}", labels.label(labels.SHOP_STATUS_LABELS, status))


@register.simple_tag(takes_context=True)
def changed_by(context, user) -> str:
    """Who made a change, as the owner reads it: you, the agency, or an earlier owner.

    A shop can move between owners; the one reading never learns who owned it before.
    """
    if user is None:
        return _("the agency (automatic)")
    request = context.get("request")
    if request is not None and user.pk == request.user.pk:
        return _("you")
    if user.is_staff:
        return _("the agency")
    return _("an earlier owner of this shop")
