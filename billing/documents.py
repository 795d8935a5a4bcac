"""Invoice documents: the PDF a shop owner downloads (the accountant's CSV and Excel files are
``billing.exports``), and the PDF of a credit note (红冲单) on an invoice.

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

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agency import branding
from agency.formatting import date_text, localise, money_text, month_text
from agency.money import round_money
from agency.months import days_in_month
from agency.pdf import (  # noqa: F401  (re-exported: the APIs and pages catch it from here)
    PdfUnavailable,
    pdf_rendering_unavailable,
    render_pdf,
)
from billing.line_text import (
    CommissionSlice,
    days_fraction,
    detail_decimal,
    line_description,
    line_steps,
    read_slice,
)
from billing.models import CreditNote, Invoice, InvoiceLine
from billing.statements import payment_details

PDF_TEMPLATE = "billing/invoice_pdf.html"
CREDIT_NOTE_PDF_TEMPLATE = "billing/credit_note_pdf.html"
DEFAULT_AGENCY_NAME = branding.DEFAULT_AGENCY_NAME
"""Printed at the top of every invoice unless ``settings.AGENCY`` names the agency."""


# --- PDF rendering: agency.pdf --------------------------------------------------------------


# --- Explaining a line ------------------------------------------------------------------------


@dataclass(frozen=True)
class LineExplanation:
    """A line in the reader's language: its description, then any steps (the tier slices)."""

    summary: str
    steps: tuple[str, ...] = ()


def explain_line(line: InvoiceLine) -> LineExplanation:
    """``line`` in the active language: its description (``billing.line_text``) and the tier
    arithmetic of a commission line, each figure once.

    * service days: "20 service days (2026-10-10 to 2026-10-29) x 100.00";
    * base fee: "21 of 31 days x 1,500.00";
    * commission: "Turnover 300,000.00 x 21/31 = 203,225.81, graduated tiers", then one step per
      tier slice; a line of several commission contracts sharing the month: its part of the
      month's turnover and the month's commission, then the month's slices.

    A line whose figures are missing or unreadable shows its stored description and no steps.
    """
    return LineExplanation(summary=line_description(line), steps=line_steps(line))


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
    fraction = days_fraction(details)
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
    slices = [read_slice(entry) for entry in raw_slices]
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
    explanation: LineExplanation
    amount: str


@dataclass(frozen=True)
class Buyer:
    """The shop as the buyer on its invoice (购买方): its billing name, else the shop's."""

    name: str
    tax_id: str
    address: str


@dataclass(frozen=True)
class InvoiceParties:
    seller: branding.Seller
    buyer: Buyer


def invoice_parties(invoice: Invoice) -> InvoiceParties:
    """Who sells and who buys, in the active language (the seller's legal name)."""
    shop = invoice.shop
    return InvoiceParties(
        seller=branding.seller(),
        buyer=Buyer(
            name=shop.billing_name or shop.name,
            tax_id=shop.tax_id,
            address=shop.billing_address,
        ),
    )


@dataclass(frozen=True)
class Settlement:
    """Where an issued invoice stands, every figure formatted in the active language: its due
    date, what was paid (the shop's credit used included) and credited, what is left, and
    whether it is overdue (Shanghai date)."""

    due_on: str
    total: str
    paid: str
    credited: str
    balance: str
    overdue: bool
    settled: bool


def invoice_settlement(invoice: Invoice, today: date | None = None) -> Settlement | None:
    """``invoice``'s settlement, or None before it is issued (and for a void one)."""
    if invoice.status not in (Invoice.Status.ISSUED, Invoice.Status.PAID) or not invoice.due_date:
        return None
    return Settlement(
        due_on=date_text(invoice.due_date),
        total=localise(money_text(invoice.total)),
        paid=localise(money_text(invoice.amount_paid)),
        credited=localise(money_text(invoice.amount_credited)),
        balance=localise(money_text(invoice.balance)),
        overdue=invoice.is_overdue(today),
        settled=invoice.balance == 0,
    )


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything the invoice template prints, already formatted, in one language."""

    language: str
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
    parties: InvoiceParties
    lines: tuple[DocumentLine, ...]
    total: str
    settlement: Settlement | None = None
    payment: Any = None
    """The agency's payment details (``billing.statements.PaymentDetails``)."""


def agency_name() -> str:
    """The brand in the active language (``agency.branding.agency_name``)."""
    return branding.agency_name()


def _local_date(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def invoice_language(invoice: Invoice) -> str:
    """The language an invoice's owner reads: the one they chose, else the site's default."""
    return invoice.shop.owner.email_language


def document_language(invoice: Invoice, requested: str | None) -> str:
    """The language to print ``invoice`` in: ``requested`` (a code of ``settings.LANGUAGES``,
    any case, e.g. ``?lang=zh-hans``), else the owner's language. ``ValueError`` naming the
    choices for any other code."""
    if requested is None or requested == "":
        return invoice_language(invoice)
    codes = {code.lower(): code for code, _name in settings.LANGUAGES}
    code = codes.get(requested.strip().lower())
    if code is None:
        raise ValueError(
            _("Unknown language %(lang)s: choose one of %(choices)s.")
            % {"lang": requested, "choices": ", ".join(codes.values())}
        )
    return code


def invoice_document(invoice: Invoice) -> InvoiceDocument:
    """Describe ``invoice`` for printing in the active language; reads ``invoice.lines``
    (prefetch it for lists) and ``invoice.shop``."""
    lines = tuple(
        DocumentLine(
            kind=line.get_kind_display(),
            explanation=explain_line(line),
            amount=money_text(line.amount),
        )
        for line in sorted(invoice.lines.all(), key=lambda line: (line.position, line.id))
    )
    return InvoiceDocument(
        language=translation.get_language() or settings.LANGUAGE_CODE,
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
        parties=invoice_parties(invoice),
        lines=lines,
        total=money_text(invoice.total),
        settlement=invoice_settlement(invoice),
        payment=payment_details(),
    )


def render_invoice_html(invoice: Invoice, language: str | None = None) -> str:
    """Render the invoice as the HTML the PDF is made from, in ``language`` (default: the
    active language)."""
    with translation.override(language or translation.get_language()):
        return render_to_string(PDF_TEMPLATE, {"invoice": invoice_document(invoice)})


def render_invoice_pdf(invoice: Invoice, language: str | None = None) -> bytes:
    """Render ``invoice`` as a PDF in ``language`` (default: the active language); raise
    ``PdfUnavailable`` when WeasyPrint cannot be loaded."""
    return render_pdf(render_invoice_html(invoice, language))


def invoice_pdf_filename(invoice: Invoice) -> str:
    """``INV-2026-000123.pdf`` once issued, ``draft-<id>.pdf`` before."""
    return f"{invoice.number}.pdf" if invoice.number else f"draft-{invoice.pk}.pdf"


# --- Credit notes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditNoteDocument:
    """Everything the credit-note template prints, already formatted, in one language."""

    language: str
    agency_name: str
    number: str
    issued_on: date
    invoice_number: str
    invoice_issued_on: date | None
    invoice_total: str
    shop_name: str
    month: str
    parties: InvoiceParties
    amount: str
    applied: str
    excess: str
    reason: str
    red_letter_fapiao_needed: bool


def credit_note_document(note: CreditNote) -> CreditNoteDocument:
    """Describe ``note`` for printing in the active language; reads its invoice and shop."""
    invoice = note.invoice
    return CreditNoteDocument(
        language=translation.get_language() or settings.LANGUAGE_CODE,
        agency_name=agency_name(),
        number=note.number,
        issued_on=timezone.localdate(note.issued_at),
        invoice_number=invoice.number or "",
        invoice_issued_on=_local_date(invoice.issued_at),
        invoice_total=money_text(invoice.total),
        shop_name=note.shop.name,
        month=month_text(invoice.month),
        parties=invoice_parties(invoice),
        amount=money_text(note.amount),
        applied=money_text(note.applied),
        excess=money_text(note.excess),
        reason=note.reason,
        red_letter_fapiao_needed=note.red_letter_fapiao_needed,
    )


def credit_note_language(note: CreditNote, requested: str | None) -> str:
    """The language to print ``note`` in: ``requested`` or its shop owner's (as invoices)."""
    return document_language(note.invoice, requested)


def render_credit_note_html(note: CreditNote, language: str | None = None) -> str:
    with translation.override(language or translation.get_language()):
        return render_to_string(CREDIT_NOTE_PDF_TEMPLATE, {"note": credit_note_document(note)})


def render_credit_note_pdf(note: CreditNote, language: str | None = None) -> bytes:
    """Render ``note`` as a PDF in ``language``; ``PdfUnavailable`` without WeasyPrint."""
    return render_pdf(render_credit_note_html(note, language))


def credit_note_pdf_filename(note: CreditNote) -> str:
    """``CN-2026-000001.pdf``."""
    return f"{note.number}.pdf"
