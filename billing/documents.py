"""Invoice documents: the PDF a shop owner downloads (the accountant's CSV and Excel files are
``billing.exports``).

It only reads invoices and never changes a figure. Every amount printed here is the amount
stored on the invoice line, and the explanation under it is read from the line's ``details``
(written by the billing run), so the document and the invoice cannot disagree. Details are read
defensively: a line whose details are missing or malformed shows its description only, never a
wrong calculation. The owner's commission statement (``commission_statement``) is read from the
same details by the same readers.

WeasyPrint is imported lazily, on the first PDF, because it needs system libraries (Pango,
HarfBuzz) that a worker or a developer machine may lack; without them the rest of the site keeps
working and a PDF request says exactly what is missing (``PdfUnavailable``).
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import import_module
from types import ModuleType
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agency.formatting import money_text, month_text, rate_text
from agency.money import round_money
from agency.months import days_in_month
from billing.models import Invoice, InvoiceLine

PDF_TEMPLATE = "billing/invoice_pdf.html"
DEFAULT_AGENCY_NAME = "Customer Service Agency"
"""Printed at the top of every invoice unless ``settings.AGENCY["NAME"]`` names the agency."""

SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk"


# --- Loading WeasyPrint -----------------------------------------------------------------------


class PdfUnavailable(Exception):
    """WeasyPrint or one of the system libraries it needs cannot be loaded on this machine."""

    def __init__(self, missing: str) -> None:
        self.missing = missing
        super().__init__(f"PDF rendering is unavailable: {missing}")


_LIBRARY_NAME = re.compile(r"cannot load library '([^']+)'")


def _load_weasyprint() -> ModuleType:
    try:
        return import_module("weasyprint")
    except ImportError as exc:
        package = exc.name or "weasyprint"
        raise PdfUnavailable(f"the Python package {package!r} is not installed") from exc
    except OSError as exc:
        # cffi reports a missing shared library as "cannot load library 'libpango-1.0-0': ..."
        match = _LIBRARY_NAME.search(str(exc))
        library = match.group(1) if match else str(exc).splitlines()[0]
        raise PdfUnavailable(
            f"the system library {library!r} cannot be loaded (install {SYSTEM_PACKAGES})"
        ) from exc


def pdf_rendering_unavailable() -> str | None:
    """Return what is missing for PDF rendering on this machine, or ``None`` when it works."""
    try:
        _load_weasyprint()
    except PdfUnavailable as exc:
        return exc.missing
    return None


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    # The template is self-contained (styles inline, no images); refusing every fetch keeps a
    # document from ever reaching the network or the file system, whatever ends up in it.
    raise ValueError(f"Invoice documents load no external resources ({url}).")


# --- Reading a line's details -----------------------------------------------------------------


def detail_decimal(value: Any) -> Decimal | None:
    """A number from a line's ``details`` JSON, or None when it is missing or not a number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def detail_whole(value: Any) -> int | None:
    number = detail_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _days_fraction(details: dict) -> tuple[int, int] | None:
    active, total = (
        detail_whole(details.get("active_days")),
        detail_whole(details.get("days_in_month")),
    )
    if active is None or total is None or not 0 <= active <= total or total <= 0:
        return None
    return active, total


@dataclass(frozen=True)
class CommissionSlice:
    """One tier slice of a commission: ``amount`` of turnover between ``lower`` and ``upper``
    (None: no upper bound) at ``rate`` earned ``commission``."""

    lower: Decimal
    upper: Decimal | None
    rate: Decimal
    amount: Decimal
    commission: Decimal


def _read_slice(entry: Any) -> CommissionSlice | None:
    """A slice of ``details["slices"]`` (or ``month_slices``), or None when it is malformed."""
    if not isinstance(entry, dict):
        return None
    lower = detail_decimal(entry.get("from"))
    rate = detail_decimal(entry.get("rate"))
    amount = detail_decimal(entry.get("amount"))
    commission = detail_decimal(entry.get("commission"))
    upper_raw = entry.get("to")
    upper = None if upper_raw is None else detail_decimal(upper_raw)
    if None in (lower, rate, amount, commission) or (upper_raw is not None and upper is None):
        return None
    return CommissionSlice(
        lower=lower, upper=upper, rate=rate, amount=amount, commission=commission
    )


def _count(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


# --- Explaining a line ------------------------------------------------------------------------


@dataclass(frozen=True)
class LineExplanation:
    """How a line's amount was reached: one summary, then any steps (e.g. tier slices)."""

    summary: str
    steps: tuple[str, ...] = ()


def _explain_day_rate(line: InvoiceLine) -> LineExplanation:
    days = line.quantity
    text = ngettext(
        "%(days)s day x %(rate)s", "%(days)s days x %(rate)s", 1 if days == 1 else 2
    ) % {"days": _count(days), "rate": money_text(line.unit_price)}
    return LineExplanation(summary=text)


def _explain_base_fee(line: InvoiceLine) -> LineExplanation | None:
    details = line.details if isinstance(line.details, dict) else {}
    fee = detail_decimal(details.get("monthly_fee"))
    fraction = _days_fraction(details)
    if fee is None or fraction is None:
        return None
    active, total = fraction
    if active == total:
        return LineExplanation(summary=_("full month: %(fee)s") % {"fee": money_text(fee)})
    return LineExplanation(
        summary=_("prorated fee: %(fee)s x %(active)s/%(days)s")
        % {"fee": money_text(fee), "active": active, "days": total}
    )


def _explain_slice(entry: Any) -> str | None:
    item = _read_slice(entry)
    if item is None:
        return None
    values = {
        "lower": money_text(item.lower),
        "upper": money_text(item.upper) if item.upper is not None else "",
        "amount": money_text(item.amount),
        "rate": rate_text(item.rate),
        "commission": money_text(item.commission),
    }
    if item.upper is None:
        return _("above %(lower)s: %(amount)s x %(rate)s = %(commission)s") % values
    return _("%(lower)s to %(upper)s: %(amount)s x %(rate)s = %(commission)s") % values


def _explain_commission(line: InvoiceLine) -> LineExplanation | None:
    details = line.details if isinstance(line.details, dict) else {}
    attributed = detail_decimal(details.get("attributed_turnover"))
    if attributed is None:
        return None
    mode = {"graduated": _("graduated"), "flat": _("flat")}.get(details.get("mode"))
    # Several commission contracts sharing the month: the month's attributed turnover went
    # through the tiers once and this line carries its share of that commission.
    month_turnover = detail_decimal(details.get("month_attributed_turnover"))
    month_commission = detail_decimal(details.get("month_commission"))
    shares_month = month_turnover is not None and month_commission is not None
    if shares_month:
        summary = _(
            "%(amount)s of the month's commission %(month_commission)s, for %(turnover)s of "
            "the month's turnover %(month_turnover)s"
        ) % {
            "amount": money_text(line.amount),
            "month_commission": money_text(month_commission),
            "turnover": money_text(attributed),
            "month_turnover": money_text(month_turnover),
        }
    elif mode:
        summary = _("turnover x tiers (%(mode)s): %(turnover)s") % {
            "mode": mode,
            "turnover": money_text(attributed),
        }
    else:
        summary = _("turnover x tiers: %(turnover)s") % {"turnover": money_text(attributed)}

    steps: list[str] = []
    turnover = detail_decimal(details.get("turnover"))
    fraction = _days_fraction(details)
    if (
        turnover is not None
        and turnover != attributed
        and fraction is not None
        # Days shared with another contract are not active days / days in month.
        and "shared_days" not in details
    ):
        steps.append(
            _("attributed turnover: %(turnover)s x %(active)s/%(days)s = %(attributed)s")
            % {
                "turnover": money_text(turnover),
                "active": fraction[0],
                "days": fraction[1],
                "attributed": money_text(attributed),
            }
        )
    if shares_month:
        month_values = {"mode": mode, "turnover": money_text(month_turnover)}
        steps.append(
            _("the month's turnover x tiers (%(mode)s): %(turnover)s") % month_values
            if mode
            else _("the month's turnover x tiers: %(turnover)s") % month_values
        )
    slices = details.get("month_slices" if shares_month else "slices")
    if isinstance(slices, list) and slices:
        explained = [_explain_slice(entry) for entry in slices]
        # Half an explanation would mislead: show the slices only when every one is readable.
        if all(explained):
            steps.extend(explained)
    return LineExplanation(summary=summary, steps=tuple(steps))


def explain_line(line: InvoiceLine) -> LineExplanation | None:
    """Explain how ``line``'s amount was reached, or ``None`` when its details do not say.

    * service days: "20 days x 100.00" (quantity = service days, unit price = day rate);
    * base fee: "prorated fee: 1,500.00 x 21/31", or "full month: 1,500.00";
    * commission: "turnover x tiers (graduated): 203,225.81", then the attributed-turnover step
      when the contract covered part of the month, then one step per tier slice; a line of
      several commission contracts sharing the month: its share of the month's commission,
      then the month's turnover through the tiers and their slices.
    """
    if line.kind == InvoiceLine.Kind.DAY_RATE:
        return _explain_day_rate(line)
    if line.kind == InvoiceLine.Kind.BASE_FEE:
        return _explain_base_fee(line)
    if line.kind == InvoiceLine.Kind.COMMISSION:
        return _explain_commission(line)
    return None


# --- The commission statement -------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionStatement:
    """How a commission line was reached, figure by figure, for the owner to check.

    ``turnover`` is the confirmed turnover of the month; ``attributed_turnover`` its share for
    the days the contract was active (turnover x active days / days in month, rounded to cents);
    each slice is that share's part in one tier x the tier's rate; ``total`` is the sum of the
    slices rounded half-up to cents, which is the invoice line's amount.
    """

    month: date
    turnover: Decimal
    active_days: int
    days_in_month: int
    attributed_turnover: Decimal
    mode: str
    slices: tuple[CommissionSlice, ...]
    total: Decimal
    exact_total: Decimal = field(default=Decimal("0"))

    @property
    def prorated(self) -> bool:
        return self.active_days != self.days_in_month


def commission_statement(line: InvoiceLine, month: date) -> CommissionStatement | None:
    """Read a commission line's ``details`` (as the billing run writes them) into a statement.

    Returns None unless the line is a commission line whose details are complete and add up to
    its amount: a statement that disagreed with the invoice would mislead more than none. A line
    sharing the month's commission with other contracts has no slices of its own, so no
    statement (``explain_line`` explains it).
    """
    if line.kind != InvoiceLine.Kind.COMMISSION or not isinstance(line.details, dict):
        return None
    details = line.details
    turnover = detail_decimal(details.get("turnover"))
    attributed = detail_decimal(details.get("attributed_turnover"))
    fraction = _days_fraction(details)
    mode = details.get("mode")
    raw_slices = details.get("slices")
    if (
        turnover is None
        or attributed is None
        or fraction is None
        or fraction[1] != days_in_month(month)
        or mode not in ("graduated", "flat")
        or not isinstance(raw_slices, list)
        or not raw_slices
    ):
        return None
    slices = [_read_slice(entry) for entry in raw_slices]
    if None in slices:
        return None
    exact = sum((item.commission for item in slices), Decimal("0"))
    if round_money(exact) != line.amount:
        return None
    return CommissionStatement(
        month=month,
        turnover=turnover,
        active_days=fraction[0],
        days_in_month=fraction[1],
        attributed_turnover=attributed,
        mode=mode,
        slices=tuple(slices),
        total=line.amount,
        exact_total=exact,
    )


# --- The PDF ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentLine:
    kind: str
    description: str
    explanation: LineExplanation | None
    amount: str


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything the invoice template prints, already formatted."""

    agency_name: str
    title: str
    is_draft: bool
    status: str
    status_label: str
    shop_name: str
    platform: str
    month: str
    issued_on: date | None
    paid_on: date | None
    voided_on: date | None
    void_reason: str
    awaiting_turnover: bool
    month_in_progress: bool
    lines: tuple[DocumentLine, ...]
    total: str


def agency_name() -> str:
    return getattr(settings, "AGENCY", {}).get("NAME") or DEFAULT_AGENCY_NAME


def _local_date(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def invoice_document(invoice: Invoice) -> InvoiceDocument:
    """Describe ``invoice`` for printing; reads ``invoice.lines`` (prefetch it for lists)."""
    lines = tuple(
        DocumentLine(
            kind=line.get_kind_display(),
            description=line.description,
            explanation=explain_line(line),
            amount=money_text(line.amount),
        )
        for line in sorted(invoice.lines.all(), key=lambda line: (line.position, line.id))
    )
    return InvoiceDocument(
        agency_name=agency_name(),
        title=invoice.number or _("DRAFT"),
        is_draft=invoice.status == Invoice.Status.DRAFT,
        status=invoice.status,
        status_label=invoice.get_status_display(),
        shop_name=invoice.shop.name,
        platform=invoice.shop.get_platform_display(),
        month=month_text(invoice.month),
        issued_on=_local_date(invoice.issued_at),
        paid_on=_local_date(invoice.paid_at),
        voided_on=_local_date(invoice.voided_at),
        void_reason=invoice.void_reason if invoice.status == Invoice.Status.VOID else "",
        awaiting_turnover=invoice.awaiting_turnover,
        month_in_progress=invoice.status == Invoice.Status.DRAFT and invoice.month_in_progress,
        lines=lines,
        total=money_text(invoice.total),
    )


def render_invoice_html(invoice: Invoice) -> str:
    """Render the invoice as the HTML the PDF is made from (also handy for previews)."""
    return render_to_string(PDF_TEMPLATE, {"invoice": invoice_document(invoice)})


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """Render ``invoice`` as a PDF; raise ``PdfUnavailable`` when WeasyPrint cannot be loaded."""
    weasyprint = _load_weasyprint()
    html = weasyprint.HTML(string=render_invoice_html(invoice), url_fetcher=_refuse_fetch)
    return html.write_pdf()


def invoice_pdf_filename(invoice: Invoice) -> str:
    """``INV-2026-000123.pdf`` once issued, ``draft-<id>.pdf`` before."""
    return f"{invoice.number}.pdf" if invoice.number else f"draft-{invoice.pk}.pdf"
