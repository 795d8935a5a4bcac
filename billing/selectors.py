"""Reads of the billing app: invoices within the caller's rights and billing runs.

Invoices hang off shops, so every list starts from ``agency.access.scoped_to_shops``: an owner
sees only the invoices of their shops, and any other id is simply absent (404). Lists prefetch
their lines, so a page costs the same few queries whatever its length.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Round

from agency.access import scoped_to_shops
from agency.choices import Plan
from agency.clock import previous_month
from agency.models import User
from agency.months import month_last_day
from billing.choices import BankLineStatus
from billing.models import (
    BankStatement,
    BankStatementLine,
    BillingRun,
    CreditNote,
    FapiaoRequest,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentReminder,
)
from billing.services.payments import shop_credit_balance as _shop_credit_balance

if TYPE_CHECKING:
    from shops.models import Shop


def invoice_list(*, user: User) -> QuerySet[Invoice]:
    """The invoices ``user`` may see, each with its lines (in invoice order) and its shop."""
    return (
        scoped_to_shops(Invoice.objects.all(), user, money=True)
        .select_related("shop__owner")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "id"))
        )
    )


INVOICE_COLUMNS = (
    "id",
    "number",
    "shop_id",
    "shop__name",
    "month",
    "status",
    "awaiting_turnover",
    "total",
    "amount_paid",
    "amount_credited",
    "due_date",
    "issued_at",
    "paid_at",
    "voided_at",
    "void_reason",
    "created_at",
    "updated_at",
)
INVOICE_LINE_COLUMNS = (
    "id",
    "invoice_id",
    "kind",
    "contract_id",
    "description",
    "quantity",
    "unit_price",
    "amount",
    "details",
)


def invoice_rows(queryset: QuerySet[Invoice]) -> QuerySet:
    """``queryset``'s invoices (``invoice_list``, filtered) as ``INVOICE_COLUMNS`` dicts, the
    shop's name joined, in its order (one query; their lines: ``invoice_line_rows``)."""
    return queryset.select_related(None).prefetch_related(None).values(*INVOICE_COLUMNS)


def invoice_line_rows(invoice_ids: list[int]) -> QuerySet:
    """The lines of these invoices as ``INVOICE_LINE_COLUMNS`` dicts, each invoice's in invoice
    order (one query)."""
    return (
        InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
        .order_by("invoice_id", "position", "id")
        .values(*INVOICE_LINE_COLUMNS)
    )


def shop_invoices(*, shop: "Shop", user: User) -> QuerySet[Invoice]:
    """A shop's invoices ``user`` may see, newest month first, void ones last (one query)."""
    return (
        scoped_to_shops(Invoice.objects.filter(shop=shop), user, money=True)
        .annotate(
            void_last=Case(
                When(status=Invoice.Status.VOID, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("void_last", "-month", "-id")
    )


def fapiao_request_list(*, user: User) -> QuerySet[FapiaoRequest]:
    """The fapiao requests ``user`` may see (managers all, owners their shops'), waiting ones
    first, then newest first; each with its invoice and shop (one query)."""
    return (
        scoped_to_shops(FapiaoRequest.objects.all(), user, shop_field="invoice__shop", money=True)
        .select_related("invoice__shop", "requested_by", "issued_by")
        .annotate(
            waiting_first=Case(
                When(status=FapiaoRequest.Status.REQUESTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting_first", "-created_at", "-id")
    )


def credit_note_list(*, user: User) -> QuerySet[CreditNote]:
    """The credit notes ``user`` may see (managers all, owners their shops'; agents none),
    newest first, each with its invoice and shop (one query)."""
    return (
        scoped_to_shops(CreditNote.objects.all(), user, money=True)
        .select_related("invoice", "shop__owner")
        .order_by("-issued_at", "-id")
    )


def invoice_credit_notes(*, invoice_id: int) -> list[CreditNote]:
    """The credit notes of an invoice, oldest first; the caller has already checked that the
    user may see the invoice."""
    return list(
        CreditNote.objects.filter(invoice_id=invoice_id)
        .select_related("invoice")
        .order_by("issued_at", "id")
    )


def red_letter_invoice_ids(*, invoice_ids) -> set[int]:
    """Which of ``invoice_ids`` have a credit note that needs a red-letter fapiao (红字发票)."""
    return set(
        CreditNote.objects.filter(invoice_id__in=list(invoice_ids), red_letter_fapiao_needed=True)
        .values_list("invoice_id", flat=True)
        .distinct()
    )


def invoice_fapiao_request(*, invoice_id: int) -> FapiaoRequest | None:
    """The invoice's live fapiao request (requested or issued), if any; the caller has already
    checked that the user may see the invoice."""
    return (
        FapiaoRequest.objects.filter(invoice_id=invoice_id)
        .live()
        .select_related("invoice__shop")
        .first()
    )


def invoice_reminders(*, invoice_id: int) -> list[PaymentReminder]:
    """The payment reminders sent about an invoice, in the order of the schedule; the caller
    has already checked that the user may see the invoice."""
    return list(PaymentReminder.objects.filter(invoice_id=invoice_id).order_by("days", "id"))


def payment_list(*, user: User) -> QuerySet[Payment]:
    """The payments ``user`` may see (managers all, owners their shops'), newest received first;
    each with its invoice, shop and who recorded it (one query)."""
    return (
        scoped_to_shops(Payment.objects.all(), user, money=True)
        .select_related("invoice", "shop", "recorded_by")
        .order_by("-received_on", "-id")
    )


def shop_credit_balance(*, shop_id: int) -> Decimal:
    """The shop's credit balance (余额) now: what its next issued invoice uses. The caller has
    checked that the user may see the shop."""
    return _shop_credit_balance(shop_id=shop_id)


def open_invoices() -> QuerySet[Invoice]:
    """Issued, unpaid invoices, oldest due first, with their shops (managers: what a bank line
    may pay)."""
    return (
        Invoice.objects.filter(status=Invoice.Status.ISSUED)
        .select_related("shop")
        .order_by("due_date", "id")
    )


def bank_statement_list() -> QuerySet[BankStatement]:
    """Imported bank statements, newest first, each with its count of lines and of lines still
    to confirm (managers only: the caller checks the role). One query."""
    return (
        BankStatement.objects.select_related("uploaded_by")
        .annotate(
            line_count=Count("lines"),
            open_count=Count("lines", filter=Q(lines__status=BankLineStatus.OPEN)),
        )
        .order_by("-created_at", "-id")
    )


def bank_statement_lines(*, statement_id: int) -> QuerySet[BankStatementLine]:
    """A statement's lines in file order, with the proposed invoice, the payment of a confirmed
    line, and ``duplicate``: a confirmed line of another statement has the same date, payer,
    amount and memo (money already recorded). One query."""
    twins = BankStatementLine.objects.filter(
        status=BankLineStatus.CONFIRMED,
        received_on=OuterRef("received_on"),
        payer=OuterRef("payer"),
        amount=OuterRef("amount"),
        memo=OuterRef("memo"),
    ).exclude(statement_id=OuterRef("statement_id"))
    return (
        BankStatementLine.objects.filter(statement_id=statement_id)
        .select_related("proposed_invoice__shop", "payment__invoice")
        .annotate(duplicate=Exists(twins))
        .order_by("position")
    )


def billing_run_list() -> QuerySet[BillingRun]:
    """Billing runs, newest first (managers only: the API checks the role first)."""
    return BillingRun.objects.select_related("requested_by")


# --- Revenue ------------------------------------------------------------------------------------
#
# Revenue is the total of the live invoices (draft, issued, paid; a void one is replaced by its
# re-bill, so counting it would count the month twice). Amounts are added in Python: SQLite
# would add decimals in floating point.

ZERO = Decimal("0.00")


def _cents_sum(field: str) -> Sum:
    """The sum of a money column in whole cents, added up by the database: exact on
    PostgreSQL and on SQLite alike (SQLite adds decimals as floating point; each amount is
    turned into its whole number of cents first, which is exact for any amount of money)."""
    return Sum(Cast(Round(F(field) * 100), output_field=BigIntegerField()))


def _from_cents(cents: int | None) -> Decimal:
    return Decimal(cents or 0).scaleb(-2) + ZERO


def revenue_by_month(*, first: date, last: date) -> dict[date, Decimal]:
    """{first day of each month of ``first .. last``: its revenue}, months in order, zero-filled.

    ``first`` and ``last`` may be any day of their months. One query.
    """
    months = [first.replace(day=1)]
    while months[-1] < last.replace(day=1):
        months.append(month_last_day(months[-1]) + timedelta(days=1))
    totals = dict.fromkeys(months, ZERO)
    for month, cents in (
        Invoice.objects.filter(month__gte=months[0], month__lte=months[-1])
        .live()
        .order_by()
        .values("month")
        .annotate(cents=_cents_sum("total"))
        .values_list("month", "cents")
    ):
        totals[month] = _from_cents(cents)
    return totals


def month_revenue(*, month: date) -> Decimal:
    """The revenue of ``month`` (any day of it): one entry of ``revenue_by_month``. One query."""
    return revenue_by_month(first=month, last=month)[month.replace(day=1)]


@dataclass(frozen=True)
class PlanRevenue:
    plan: str
    label: str
    amount: Decimal


def revenue_by_plan(*, month: date) -> list[PlanRevenue]:
    """The month's live invoice lines added up by the plan of their contract, every plan listed
    in ``Plan`` order. One query."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for plan, cents in (
        InvoiceLine.objects.filter(invoice__month=month.replace(day=1))
        .of_live_invoices()
        .order_by()
        .values("contract__plan")
        .annotate(cents=_cents_sum("amount"))
        .values_list("contract__plan", "cents")
    ):
        totals[plan] = _from_cents(cents)
    return [PlanRevenue(plan, label, totals[plan]) for plan, label in Plan.choices]


@dataclass(frozen=True)
class MonthRevenue:
    month: date
    amount: Decimal
    previous: Decimal | None

    @property
    def change(self) -> Decimal | None:
        """Change against the month before, as a ratio (0.1 = +10 %); None without a base."""
        if not self.previous:
            return None
        return ((self.amount - self.previous) / self.previous).quantize(Decimal("0.0001"))


def month_over_month(*, last_month: date, months: int = 12) -> list[MonthRevenue]:
    """Revenue of the ``months`` months ending with ``last_month``, each with the month before
    (``billing.selectors.revenue_by_month``). One query."""
    first = last_month.replace(day=1)
    for _ in range(months):  # one more than shown: the first month's change needs its base
        first = previous_month(first)
    totals = list(revenue_by_month(first=first, last=last_month).items())
    return [
        MonthRevenue(month, amount, previous)
        for (_, previous), (month, amount) in zip(totals, totals[1:], strict=False)
    ]


def drafts_awaiting_turnover(*, limit: int, before: date) -> tuple[int, list[Invoice]]:
    """(how many drafts of months before ``before`` wait for their shop's turnover, the ``limit``
    latest with their shop). Two queries.

    A preview of the month in progress always awaits turnover (no owner can report a month that
    has not ended), so only ended months are something to chase.
    """
    drafts = Invoice.objects.filter(
        status=Invoice.Status.DRAFT, awaiting_turnover=True, month__lt=before
    )
    latest = list(drafts.select_related("shop").order_by("-month", "shop__name")[:limit])
    return drafts.count(), latest
