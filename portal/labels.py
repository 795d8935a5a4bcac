"""The words the portal uses for the product's choices, in the trade's terms.

The models' own labels are written for managers ("Long-term, one shift (monthly)"); owners read
the names their own trade uses (长期早晚班, 白班, 提成), so the portal keeps its own, translated in
portal/locale. Unknown values fall back to the raw value rather than failing a page.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.choices import Plan, Shift
from billing.choices import InvoiceLineKind, InvoiceStatus
from shops.choices import ShopPlatform, ShopStatus, TurnoverStatus

PLAN_LABELS = {
    Plan.TEMPORARY: _("Temporary service (per day)"),
    Plan.PROMOTION: _("Promotion service (per event day)"),
    Plan.SHIFT: _("Long-term, one shift (monthly)"),
    Plan.FULL_DAY: _("Long-term, full day (monthly)"),
}

SHIFT_LABELS = {
    Shift.DAY: _("Day shift"),
    Shift.NIGHT: _("Night shift"),
}

PLATFORM_LABELS = {
    ShopPlatform.TAOBAO: _("Taobao"),
    ShopPlatform.TMALL: _("Tmall"),
    ShopPlatform.PINDUODUO: _("Pinduoduo"),
    ShopPlatform.JD: _("JD"),
    ShopPlatform.DOUYIN: _("Douyin"),
    ShopPlatform.OTHER: _("Other platform"),
}

SHOP_STATUS_LABELS = {
    ShopStatus.PROSPECT: _("Not started yet"),
    ShopStatus.ACTIVE: _("In service"),
    ShopStatus.PAUSED: pgettext_lazy("shop status", "Paused"),
    ShopStatus.ENDED: pgettext_lazy("shop status", "Ended"),
}

INVOICE_STATUS_LABELS = {
    InvoiceStatus.DRAFT: pgettext_lazy("invoice status", "Draft"),
    InvoiceStatus.ISSUED: pgettext_lazy("invoice status", "Issued"),
    InvoiceStatus.PAID: pgettext_lazy("invoice status", "Paid"),
    InvoiceStatus.VOID: pgettext_lazy("invoice status", "Void"),
}

TURNOVER_STATUS_LABELS = {
    TurnoverStatus.SUBMITTED: _("Submitted, awaiting confirmation"),
    TurnoverStatus.CONFIRMED: _("Confirmed"),
}

LINE_KIND_LABELS = {
    InvoiceLineKind.DAY_RATE: _("Service days"),
    InvoiceLineKind.BASE_FEE: _("Base fee"),
    InvoiceLineKind.COMMISSION: _("Commission"),
}

COMMISSION_MODE_LABELS = {
    "graduated": _("graduated: each slice of turnover at its own rate"),
    "flat": _("flat: the whole turnover at the rate of the tier it falls in"),
}


def label(mapping: dict, value: str | None) -> str:
    if value is None:
        return ""
    return str(mapping.get(value, value))
