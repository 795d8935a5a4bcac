"""Formatting for the portal: money, counts, ratios, deltas, dates and the portal's labels.

Numbers use the active language's decimal separator. Money and counts are always grouped by
thousands ("1,016.13"), as Chinese invoices and bank statements write them; Django's Chinese
formats define no thousands separator, so a comma stands in for it there. Money always shows
2 places. The number filters are ``agency.formatting``'s functions, localised. Dates, months and
moments follow the one rule per language of ``agency/formats``, as in the manager app: dates
2026-10-05, months 2026年10月 / October 2026, moments 2026-10-05 17:05 (Shanghai time).
"""

from datetime import date, datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from agency.choices import SHIFT_HOURS, hours_text
from agency.formatting import (
    DASH,
    as_decimal,
    count_text,
    fixed_text,
    localise,
    money_or_dash,
    money_text,
    percent_text,
    rate_text,
    ratio_text,
)
from portal import labels

register = template.Library()


@register.filter
def money(value) -> str:
    """An amount in CNY: 2 places, half-up, grouped ("1,016.13"); nothing -> "–"."""
    return localise(money_or_dash(value))


@register.filter
def count(value) -> str:
    """A whole number, grouped ("12,345")."""
    return localise(count_text(value))


@register.filter
def percent(value, places: int = 1) -> str:
    """A ratio as a percentage: 0.7234 -> "72.3%"; no ratio (nothing to divide by) -> "–"."""
    return localise(percent_text(value, int(places)))


@register.filter
def rate(value) -> str:
    """A commission rate as a percentage with no needless zeros: 0.0300 -> "3%", 0.025 -> 2.5%."""
    return localise(rate_text(value))


@register.filter
def ratio(value) -> str:
    """A plain ratio to 2 places (an answer/question ratio of 1.25, a DSR score of 4.81)."""
    return localise(ratio_text(value))


def _signed(value, write) -> str:
    """``write(abs(value))`` with a sign: "+3", "−3" (a real minus sign), "0"; or "–"."""
    number = as_decimal(value)
    if number is None:
        return DASH
    text = localise(write(abs(number)))
    if number > 0:
        return f"+{text}"
    if number < 0:
        return f"−{text}"  # a real minus sign reads better than a hyphen in a figure
    return text


@register.filter
def delta_count(value) -> str:
    return _signed(value, count_text)


@register.filter
def delta_money(value) -> str:
    return _signed(value, money_text)


@register.filter
def delta_points(value) -> str:
    """A change of a ratio in percentage points: 0.031 -> "+3.1"."""
    return _signed(value, lambda number: fixed_text(number * 100, 1))


@register.filter
def delta_ratio(value) -> str:
    return _signed(value, ratio_text)


@register.filter
def trend(value) -> str:
    """``up``, ``down`` or ``flat``: a CSS hook and the word read out with a delta."""
    number = as_decimal(value)
    if number is None or number == 0:
        return "flat"
    return "up" if number > 0 else "down"


@register.filter
def day(value: date | datetime | None) -> str:
    """A date by the language's rule (``agency/formats``): 2026-10-05.

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
    """A date and time (in Shanghai time) by the language's rule: 2026-10-05 17:05."""
    if not value:
        return DASH
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


@register.filter
def month_name(value: date | None) -> str:
    """A month by the language's rule: 2026年10月, October 2026."""
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
    """A shift's hours, "09:00-17:00"; nothing for an unknown value."""
    return hours_text(value) if value in SHIFT_HOURS else ""


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
