"""Receivables (应收账款) by age (账龄) as of a date, and the invoices overdue today.

**Outstanding as of a date** (``as_of``, a Shanghai date), per invoice: its total, less the
payments received on or before ``as_of`` (the part applied to the invoice; an overpayment is the
shop's credit, not the invoice's) and the credit notes issued on or before it, never below 0
(like ``Invoice.balance``: a credit note larger than what was left makes no negative row). The
invoices counted are those issued on or before ``as_of``: issued and paid ones, and void ones
voided after ``as_of`` (they were owed then; an invoice is voided only when nothing was paid
or credited). Drafts are owed by nobody.

**Age**: days past the due date as of ``as_of``: *current* (not yet due, the due date itself
included), *1-30*, *31-60*, *61-90*, *over 90*. One row per shop with something outstanding,
by shop name; the totals row adds them up.

The report costs three queries whatever the number of shops, invoices and payments; money is
added in Python (SQLite's ``Sum`` over decimals is floating point).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency.access import scoped_to_shops
from agency.models import User
from billing.models import CreditNote, Invoice, Payment

ZERO = Decimal("0.00")

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
BUCKET_LABELS = {
    "current": pgettext_lazy("receivables age", "Current"),
    "days_1_30": _("1–30 days"),
    "days_31_60": _("31–60 days"),
    "days_61_90": _("61–90 days"),
    "days_over_90": _("Over 90 days"),
}
OVERDUE_BUCKETS = BUCKETS[1:]


def age_bucket(days_past_due: int) -> str:
    """The bucket of an amount ``days_past_due`` days after its due date (0 or less: current)."""
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "days_1_30"
    if days_past_due <= 60:
        return "days_31_60"
    if days_past_due <= 90:
        return "days_61_90"
    return "days_over_90"


@dataclass
class ReceivableRow:
    shop_id: int | None
    shop_name: str
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))
    invoices: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)

    @property
    def overdue(self) -> Decimal:
        return sum((self.amounts[key] for key in OVERDUE_BUCKETS), ZERO)

    @property
    def cells(self) -> list[tuple[str, Decimal]]:
        """(bucket, amount) in the order of ``BUCKETS``, for tables."""
        return [(key, self.amounts[key]) for key in BUCKETS]


@dataclass(frozen=True)
class ReceivablesReport:
    as_of: dt.date
    rows: list[ReceivableRow]
    totals: ReceivableRow


def _owed_on(as_of: dt.date) -> Q:
    return Q(issued_at__date__lte=as_of) & (
        Q(status__in=[Invoice.Status.ISSUED, Invoice.Status.PAID])
        | Q(status=Invoice.Status.VOID, voided_at__date__gt=as_of)
    )


def receivables(*, as_of: dt.date, user: User | None = None) -> ReceivablesReport:
    """What each shop owed on ``as_of`` by age; ``user``: only the shops they may see (owners
    their own; ``None``: every shop)."""
    invoices = Invoice.objects.filter(_owed_on(as_of), due_date__isnull=False)
    if user is not None:
        invoices = scoped_to_shops(invoices, user, money=True)
    listed = list(
        invoices.values_list("id", "shop_id", "shop__name", "total", "due_date").order_by(
            "shop__name", "shop_id", "due_date", "id"
        )
    )
    settled: dict[int, Decimal] = defaultdict(lambda: ZERO)
    ids = invoices.values("id")
    for invoice_id, applied in Payment.objects.filter(
        invoice_id__in=ids, received_on__lte=as_of
    ).values_list("invoice_id", "applied"):
        settled[invoice_id] += applied
    for invoice_id, amount in CreditNote.objects.filter(
        invoice_id__in=ids, issued_at__date__lte=as_of
    ).values_list("invoice_id", "amount"):
        settled[invoice_id] += amount

    rows: dict[int, ReceivableRow] = {}
    totals = ReceivableRow(shop_id=None, shop_name=str(_("All shops")))
    for invoice_id, shop_id, shop_name, total, due_date in listed:
        outstanding = max(total - settled[invoice_id], ZERO)
        if outstanding <= 0:
            continue
        bucket = age_bucket((as_of - due_date).days)
        row = rows.setdefault(shop_id, ReceivableRow(shop_id=shop_id, shop_name=shop_name))
        for target in (row, totals):
            target.amounts[bucket] += outstanding
            target.invoices += 1
    return ReceivablesReport(as_of=as_of, rows=list(rows.values()), totals=totals)


# --- Overdue today ------------------------------------------------------------------------------


def overdue_invoices(*, today: dt.date, user: User | None = None) -> QuerySet[Invoice]:
    """Issued invoices with a balance past their due date, the oldest due first (one query);
    ``user``: only those of the shops they may see."""
    queryset = (
        Invoice.objects.filter(status=Invoice.Status.ISSUED, due_date__lt=today)
        .exclude(total__lte=0)
        .select_related("shop")
        .order_by("due_date", "id")
    )
    if user is not None:
        queryset = scoped_to_shops(queryset, user, money=True)
    # The balance as the database sees it; ``Invoice.balance`` says the same per row.
    return queryset.annotate(
        open_amount=F("total") - F("amount_paid") - F("amount_credited")
    ).filter(open_amount__gt=0)


@dataclass(frozen=True)
class OverdueSummary:
    count: int
    amount: Decimal
    oldest: list[Invoice]


def overdue_summary(*, today: dt.date, user: User | None = None, limit: int = 5) -> OverdueSummary:
    """How many invoices are overdue today, their balances' sum, and the ``limit`` oldest (one
    query: the overdue invoices are few next to all invoices, and read whole)."""
    invoices = list(overdue_invoices(today=today, user=user))
    amount = sum((invoice.balance for invoice in invoices), ZERO)
    oldest = invoices[:limit]
    for invoice in oldest:
        invoice.days_overdue = (today - invoice.due_date).days
    return OverdueSummary(count=len(invoices), amount=amount, oldest=oldest)
