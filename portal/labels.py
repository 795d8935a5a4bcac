"""The words the portal uses for the product's choices, in the trade's terms.

The models' own labels are written for managers ("Long-term, one shift (monthly)"); owners read
the names their own trade uses (长期早晚班, 白班, 提成), so the portal keeps its own, translated in
portal/locale. Unknown values fall back to the raw value rather than failing a page.
"""

from django.utils.translation import gettext_lazy as _

from agency.choices import Plan, Shift
from billing.models import Invoice, InvoiceLine
from shops.models import Shop, TurnoverReport

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
    Shop.Platform.TAOBAO: _("Taobao"),
    Shop.Platform.TMALL: _("Tmall"),
    Shop.Platform.PINDUODUO: _("Pinduoduo"),
    Shop.Platform.JD: _("JD"),
    Shop.Platform.DOUYIN: _("Douyin"),
    Shop.Platform.OTHER: _("Other platform"),
}

SHOP_STATUS_LABELS = {
    Shop.Status.PROSPECT: _("Not started yet"),
    Shop.Status.ACTIVE: _("In service"),
    Shop.Status.PAUSED: _("Paused"),
    Shop.Status.ENDED: _("Ended"),
}

INVOICE_STATUS_LABELS = {
    Invoice.Status.DRAFT: _("Draft"),
    Invoice.Status.ISSUED: _("Issued"),
    Invoice.Status.PAID: _("Paid"),
    Invoice.Status.VOID: _("Void"),
}

TURNOVER_STATUS_LABELS = {
    TurnoverReport.Status.SUBMITTED: _("Submitted, awaiting confirmation"),
    TurnoverReport.Status.CONFIRMED: _("Confirmed"),
}

LINE_KIND_LABELS = {
    InvoiceLine.Kind.DAY_RATE: _("Service days"),
    InvoiceLine.Kind.BASE_FEE: _("Base fee"),
    InvoiceLine.Kind.COMMISSION: _("Commission"),
}

COMMISSION_MODE_LABELS = {
    "graduated": _("graduated: each slice of turnover at its own rate"),
    "flat": _("flat: the whole turnover at the rate of the tier it falls in"),
}


def label(mapping: dict, value: str | None) -> str:
    if value is None:
        return ""
    return str(mapping.get(value, value))
