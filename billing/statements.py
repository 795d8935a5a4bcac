"""The statement of account (对账单) of one shop over a period, and the agency's payment details.

A statement answers "what do we owe, and how did we get there?": the balance at the start of the
period, every movement of the period in date order with the running balance, and the balance at
its end. The balance is what the shop owes the agency::

    balance = invoices issued - money received - credit notes

* **Invoices** (debit) count from their issue date (Shanghai), issued and paid ones only: a void
  invoice counts for nothing (it was never paid or credited, ``invoice_void``), so it is not on
  any statement, not even one of a period before its void.
* **Payments** (credit) count on the day the money was received (``received_on``), for their
  whole amount: an overpayment lowers the balance below what the invoice asked, and the balance
  goes negative when the shop is in credit. A payment made with the shop's credit balance
  (``method = credit``) is no money received and no line here: the overpayment or credit note
  that made the credit already lowered the balance once; listing its use again would count it
  twice.
* **Credit notes** (credit) count from their issue date, for their whole amount (the part beyond
  the invoice's balance is the shop's credit, already in the running balance).

A negative balance means the shop is in credit (预付 / 账户余额): the agency owes it, and its next
invoice uses the credit first.

The whole statement costs three queries (invoices, payments, credit notes up to the end of the
period, whatever the period or the shop's history); money is added in Python, as Decimals.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from agency import branding, clock
from agency.exports import (
    CONTENT_TYPES,
    Column,
    ExportFormat,
    Kind,
    attachment_header,
    filename_part,
    table_xlsx,
)
from agency.formatting import month_text
from agency.pdf import render_pdf
from billing.choices import PaymentMethod
from billing.models import CreditNote, Invoice, Payment

if TYPE_CHECKING:
    from shops.models import Shop

ZERO = Decimal("0.00")
MAX_SPAN_YEARS = 3
"""A statement covers at most three years: longer ones are read as several."""


# --- The agency's payment details -------------------------------------------------------------


@dataclass(frozen=True)
class PaymentDetails:
    """Where owners pay (from ``AGENCY_LEGAL`` and ``AGENCY_PAYMENTS``); empty when not set."""

    account_name: str
    bank_name: str
    bank_account: str
    alipay_account: str
    wechat_pay_account: str

    def __bool__(self) -> bool:
        return bool(
            self.bank_account or self.bank_name or self.alipay_account or self.wechat_pay_account
        )


def payment_details(language: str | None = None) -> PaymentDetails:
    """The agency's bank account and Alipay / WeChat Pay collection accounts, in ``language``
    (the account holder is the agency's legal name)."""
    seller = branding.seller(language)
    payments = getattr(settings, "AGENCY_PAYMENTS", {})
    return PaymentDetails(
        account_name=seller.name,
        bank_name=seller.bank_name,
        bank_account=seller.bank_account,
        alipay_account=payments.get("ALIPAY_ACCOUNT") or "",
        wechat_pay_account=payments.get("WECHAT_PAY_ACCOUNT") or "",
    )


# --- The period -------------------------------------------------------------------------------


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def statement_period(
    *, date_from: dt.date | None, date_to: dt.date | None, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The period of a statement: missing dates default to this month so far (``date_from`` the
    first of ``date_to``'s month, ``date_to`` today). ``ValidationError`` by field for a period
    that ends before it starts, lies in the future or is longer than three years."""
    today = today or clock.today()
    date_to = date_to or today
    date_from = date_from or date_to.replace(day=1)
    errors: dict[str, list[str]] = {}
    if date_to > today:
        errors["date_to"] = [
            _("The statement cannot end in the future (today is %(today)s).")
            % {"today": f"{today:%Y-%m-%d}"}
        ]
    if date_from > today:
        errors["date_from"] = [_("The statement cannot start in the future.")]
    elif date_from > date_to:
        errors["date_from"] = [_("The start date must be on or before the end date.")]
    elif _add_years(date_from, MAX_SPAN_YEARS) <= date_to:
        errors["date_to"] = [
            _("A statement covers at most %(years)d years: choose a shorter period.")
            % {"years": MAX_SPAN_YEARS}
        ]
    if errors:
        raise ValidationError(errors)
    return date_from, date_to


# --- The statement ----------------------------------------------------------------------------


class LineKind:
    INVOICE = "invoice"
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"


@dataclass(frozen=True)
class StatementLine:
    day: dt.date
    kind: str
    number: str
    """The invoice's or the credit note's number; a payment's reference (may be empty)."""
    invoice_number: str
    month: dt.date | None
    """The billed month (invoices and credit notes: their invoice's)."""
    method: str
    """A payment's method (``PaymentMethod``), else empty."""
    reason: str
    """A credit note's reason, else empty."""
    debit: Decimal | None
    credit: Decimal | None
    balance: Decimal

    @property
    def description(self) -> str:
        """The line in words, in the active language (read when shown, so a statement made
        once prints in the language of each reader)."""
        if self.kind == LineKind.INVOICE:
            return _invoice_text(self.number, self.month)
        if self.kind == LineKind.CREDIT_NOTE:
            return _("Credit note %(number)s on %(invoice)s: %(reason)s") % {
                "number": self.number,
                "invoice": self.invoice_number,
                "reason": self.reason,
            }
        text = _("Payment received (%(method)s) for %(number)s") % {
            "method": PaymentMethod(self.method).label,
            "number": self.invoice_number,
        }
        if self.number:
            text += _(", reference %(reference)s") % {"reference": self.number}
        return text

    @property
    def kind_label(self) -> str:
        """The entry's kind in the active language."""
        return line_kind_labels()[self.kind]


@dataclass(frozen=True)
class Statement:
    shop: "Shop"
    date_from: dt.date
    date_to: dt.date
    opening_balance: Decimal
    lines: tuple[StatementLine, ...]
    closing_balance: Decimal
    total_debit: Decimal
    total_credit: Decimal

    @property
    def in_credit(self) -> bool:
        """The agency owes the shop (its credit balance, 预付/余额)."""
        return self.closing_balance < 0

    @property
    def credit_amount(self) -> Decimal:
        return -self.closing_balance if self.in_credit else ZERO


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in the business time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def _invoice_text(number: str, month: dt.date) -> str:
    return _("Invoice %(number)s (%(month)s)") % {"number": number, "month": month_text(month)}


def shop_statement(*, shop: "Shop", date_from: dt.date, date_to: dt.date) -> Statement:
    """``shop``'s statement of account from ``date_from`` to ``date_to`` (both included; check
    them with ``statement_period``). Three queries."""
    end = _end_of(date_to)
    invoices = list(
        Invoice.objects.final()
        .filter(shop=shop, issued_at__lt=end)
        .only("id", "number", "month", "total", "issued_at", "status")
    )
    payments = list(
        Payment.objects.filter(shop=shop, received_on__lte=date_to)
        .exclude(method=PaymentMethod.CREDIT)
        .select_related("invoice")
        .only(
            "id",
            "amount",
            "method",
            "reference",
            "received_on",
            "invoice__number",
            "invoice__month",
        )
    )
    notes = list(
        CreditNote.objects.filter(shop=shop, issued_at__lt=end)
        .select_related("invoice")
        .only("id", "number", "amount", "reason", "issued_at", "invoice__number", "invoice__month")
    )
    # (day, order within a day: invoices, then credit notes, then payments, id, line fields)
    movements = []
    for invoice in invoices:
        day = timezone.localdate(invoice.issued_at)
        movements.append(
            (
                day,
                0,
                invoice.id,
                dict(
                    kind=LineKind.INVOICE,
                    number=invoice.number or "",
                    invoice_number=invoice.number or "",
                    month=invoice.month,
                    method="",
                    reason="",
                    debit=invoice.total,
                    credit=None,
                ),
            )
        )
    for note in notes:
        day = timezone.localdate(note.issued_at)
        movements.append(
            (
                day,
                1,
                note.id,
                dict(
                    kind=LineKind.CREDIT_NOTE,
                    number=note.number,
                    invoice_number=note.invoice.number or "",
                    month=note.invoice.month,
                    method="",
                    reason=note.reason,
                    debit=None,
                    credit=note.amount,
                ),
            )
        )
    for payment in payments:
        movements.append(
            (
                payment.received_on,
                2,
                payment.id,
                dict(
                    kind=LineKind.PAYMENT,
                    number=payment.reference,
                    invoice_number=payment.invoice.number or "",
                    month=payment.invoice.month,
                    method=payment.method,
                    reason="",
                    debit=None,
                    credit=payment.amount,
                ),
            )
        )
    movements.sort(key=lambda item: item[:3])
    opening = ZERO
    balance = ZERO
    lines = []
    total_debit = total_credit = ZERO
    for day, _order, _pk, fields in movements:
        change = (fields["debit"] or ZERO) - (fields["credit"] or ZERO)
        if day < date_from:
            opening += change
            balance = opening
            continue
        balance += change
        total_debit += fields["debit"] or ZERO
        total_credit += fields["credit"] or ZERO
        lines.append(StatementLine(day=day, balance=balance, **fields))
    return Statement(
        shop=shop,
        date_from=date_from,
        date_to=date_to,
        opening_balance=opening,
        lines=tuple(lines),
        closing_balance=balance,
        total_debit=total_debit,
        total_credit=total_credit,
    )


# --- As a table (XLSX) ------------------------------------------------------------------------


def statement_columns() -> tuple[Column, ...]:
    return (
        Column("day", _("Date"), Kind.DATE),
        Column("kind", _("Entry"), Kind.CHOICE, line_kind_labels()),
        Column("number", _("Number or reference")),
        Column("invoice_number", _("Invoice number")),
        Column("month", _("Month"), Kind.MONTH),
        Column("description", _("Description")),
        Column("debit", _("Invoiced (CNY)"), Kind.MONEY),
        Column("credit", _("Paid or credited (CNY)"), Kind.MONEY),
        Column("balance", _("Balance (CNY)"), Kind.MONEY),
    )


def line_kind_labels() -> dict[str, str]:
    return {
        LineKind.INVOICE: _("Invoice"),
        LineKind.PAYMENT: _("Payment received"),
        LineKind.CREDIT_NOTE: _("Credit note"),
    }


def balance_words(balance: Decimal) -> str:
    """What a balance means, in words: owed by the shop, or the shop's credit (预付/余额)."""
    if balance < 0:
        return _("In credit: the agency owes the shop (prepaid balance)")
    if balance > 0:
        return _("Owed by the shop")
    return _("Settled")


def statement_rows(statement: Statement) -> list[dict]:
    """The statement as table rows: the opening balance, each line, the closing balance."""
    rows: list[dict] = [
        {
            "day": statement.date_from,
            "description": _("Opening balance") + " · " + balance_words(statement.opening_balance),
            "balance": statement.opening_balance,
        }
    ]
    rows += [
        {
            "day": line.day,
            "kind": line.kind,
            "number": line.number,
            "invoice_number": line.invoice_number,
            "month": line.month,
            "description": line.description,
            "debit": line.debit,
            "credit": line.credit,
            "balance": line.balance,
        }
        for line in statement.lines
    ]
    rows.append(
        {
            "day": statement.date_to,
            "description": _("Closing balance") + " · " + balance_words(statement.closing_balance),
            "debit": statement.total_debit,
            "credit": statement.total_credit,
            "balance": statement.closing_balance,
        }
    )
    return rows


def statement_filename(statement: Statement, extension: str) -> str:
    return (
        f"statement-{filename_part(statement.shop.name)}-"
        f"{statement.date_from:%Y-%m-%d}-{statement.date_to:%Y-%m-%d}.{extension}"
    )


def statement_xlsx_response(statement: Statement) -> HttpResponse:
    """The workbook as a download (also the manager and portal pages' link)."""
    body = table_xlsx(
        statement_columns(),
        statement_rows(statement),
        sheet_title=f"{statement.date_from:%Y-%m-%d} {statement.date_to:%Y-%m-%d}",
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[ExportFormat.XLSX])
    response["Content-Disposition"] = attachment_header(statement_filename(statement, "xlsx"))
    response["Cache-Control"] = "private"
    return response


# --- As a PDF ---------------------------------------------------------------------------------

STATEMENT_PDF_TEMPLATE = "billing/statement_pdf.html"


def render_statement_html(statement: Statement, language: str) -> str:
    """The statement as the HTML its PDF is made from, every figure formatted in ``language``."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from agency.formatting import date_text, localise, money_text
    from billing.documents import Buyer, agency_name

    def money(value: Decimal | None) -> str:
        return "" if value is None else localise(money_text(value))

    shop = statement.shop
    with translation.override(language):
        kinds = line_kind_labels()
        lines = [
            {
                "day": date_text(line.day),
                "kind": kinds[line.kind],
                "description": line.description,
                "debit": money(line.debit),
                "credit": money(line.credit),
                "balance": money(line.balance),
            }
            for line in statement.lines
        ]
        return render_to_string(
            STATEMENT_PDF_TEMPLATE,
            {
                "statement": statement,
                "language": language,
                "agency_name": agency_name(),
                "parties": {
                    "seller": branding.seller(),
                    "buyer": Buyer(
                        name=shop.billing_name or shop.name,
                        tax_id=shop.tax_id,
                        address=shop.billing_address,
                    ),
                },
                "payment": payment_details(),
                "period_from": date_text(statement.date_from),
                "period_to": date_text(statement.date_to),
                "lines": lines,
                "opening": money(statement.opening_balance),
                "closing": money(statement.closing_balance),
                "total_debit": money(statement.total_debit),
                "total_credit": money(statement.total_credit),
                "opening_words": balance_words(statement.opening_balance),
                "closing_words": balance_words(statement.closing_balance),
                "generated_on": date_text(clock.today()),
            },
        )


def render_statement_pdf(statement: Statement, language: str) -> bytes:
    """The statement as a PDF in ``language``; ``agency.pdf.PdfUnavailable`` when WeasyPrint
    cannot be loaded."""
    return render_pdf(render_statement_html(statement, language))


# --- For the pages (manager app and portal) ---------------------------------------------------


@dataclass(frozen=True)
class StatementPage:
    """What a statement page shows: the period form, and the statement once the period is
    valid (``None`` with the form's errors otherwise)."""

    form: object
    statement: Statement | None
    query: str
    """``date_from=…&date_to=…`` of the statement shown, for its PDF and XLSX links."""


def statement_for_page(*, shop: "Shop", form) -> StatementPage:
    """Read ``form`` (``agency.forms.PeriodForm``, bound to the query), check the period and
    make the statement; a refused period comes back as the form's errors."""
    from agency.forms import add_service_error

    if not form.is_valid():
        return StatementPage(form=form, statement=None, query="")
    try:
        date_from, date_to = statement_period(
            date_from=form.cleaned_data.get("date_from"),
            date_to=form.cleaned_data.get("date_to"),
        )
    except ValidationError as error:
        add_service_error(form, error)
        return StatementPage(form=form, statement=None, query="")
    statement = shop_statement(shop=shop, date_from=date_from, date_to=date_to)
    # The form shows the period the statement covers, defaults filled in.
    shown = type(form)(data={"date_from": date_from, "date_to": date_to})
    shown.is_valid()
    return StatementPage(
        form=shown,
        statement=statement,
        query=f"date_from={date_from:%Y-%m-%d}&date_to={date_to:%Y-%m-%d}",
    )


def statement_pdf_response(statement: Statement, language: str) -> HttpResponse:
    """The PDF as a download; ``billing.documents.PdfUnavailable`` when it cannot be made."""
    response = HttpResponse(
        render_statement_pdf(statement, language), content_type="application/pdf"
    )
    response["Content-Disposition"] = attachment_header(statement_filename(statement, "pdf"))
    response["Cache-Control"] = "private"
    return response
