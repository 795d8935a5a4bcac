"""Reads of the client portal. Each costs a constant number of queries, whatever the data.

Every read starts from a shop the caller was allowed to open (``shops.selectors.shops_for_user``)
or from ``scoped_to_shops``, so nothing here can reach another owner's shop. What owners see of
an agent is the given name only (``Agent.first_name``); the selectors hand templates plain
strings, never the agent rows, so a template cannot print more.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Round
from django.utils import timezone

from agency import clock
from agency.access import scoped_to_shops
from agency.choices import Plan, Shift
from agency.models import User
from agency.money import round_money
from agency.months import days_in_month, month_last_day
from billing.documents import detail_decimal, detail_whole
from billing.models import Invoice, InvoiceLine
from seats.calculations import answer_ratio, conversion_rate
from seats.models import HandoverNote, SeatAssignment, WorkloadRecord
from shops.models import Contract, Shop, TurnoverReport
from shops.selectors import shops_for_user

# --- Shops --------------------------------------------------------------------------------------


def portal_shop_list(*, user: User, day: dt.date | None = None) -> QuerySet[Shop]:
    """The shops ``user`` may open, each with ``active_contracts`` on ``day`` (2 queries)."""
    day = day or timezone.localdate()
    return shops_for_user(user).prefetch_related(
        Prefetch(
            "contracts",
            queryset=Contract.objects.active_on(day).order_by("start_date", "id"),
            to_attr="active_contracts",
        )
    )


def previewing(*, user: User, shop: Shop) -> bool:
    """A manager looking at someone else's shop sees the owner's portal read-only."""
    return shop.owner_id != user.pk


# --- Coverage -----------------------------------------------------------------------------------


def covered_shifts(contract: Contract) -> tuple[str, ...]:
    """The shifts a contract's plan covers: one for the one-shift plan, both for the others.

    Full-day and day plans (temporary, promotion) all cover 09:00-24:00, i.e. both shifts.
    """
    if contract.plan == Plan.SHIFT and contract.shift:
        return (contract.shift,)
    return (Shift.DAY, Shift.NIGHT)


@dataclass(frozen=True)
class ShiftCover:
    shift: str
    agent_first_name: str | None
    """The given name of the agent on this shift today; None when no agent is assigned."""


@dataclass(frozen=True)
class ContractCover:
    contract: Contract
    shifts: tuple[ShiftCover, ...]
    has_seat: bool


@dataclass(frozen=True)
class HandoverView:
    from_first_name: str
    to_first_name: str | None
    open_cases: str
    promises: str
    acknowledged_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Coverage:
    day: dt.date
    contracts: tuple[ContractCover, ...]
    handovers: tuple[HandoverView, ...]

    @property
    def shifts_covered(self) -> tuple[str, ...]:
        """Every shift covered by at least one active contract, day first."""
        covered = {cover.shift for item in self.contracts for cover in item.shifts}
        return tuple(shift for shift in Shift.values if shift in covered)


def shop_coverage(*, shop: Shop, day: dt.date | None = None) -> Coverage:
    """What covers the shop on ``day`` (default today): plans, shifts, agents, handover notes.

    Three queries: the active contracts, the assignments of their seats that day, and the day's
    handover notes for this shop.
    """
    day = day or timezone.localdate()
    contracts = list(Contract.objects.filter(shop=shop).active_on(day).order_by("start_date", "id"))
    seat_ids = {contract.seat_id for contract in contracts if contract.seat_id}
    holders: dict[tuple[int, str], str] = {}
    if seat_ids:
        for assignment in (
            SeatAssignment.objects.active_on(day)
            .filter(seat_id__in=seat_ids)
            .select_related("agent")
            .order_by("seat_id", "shift", "-start_date")
        ):
            holders.setdefault((assignment.seat_id, assignment.shift), assignment.agent.first_name)
    covers = tuple(
        ContractCover(
            contract=contract,
            shifts=tuple(
                ShiftCover(
                    shift=shift,
                    agent_first_name=(
                        holders.get((contract.seat_id, shift)) if contract.seat_id else None
                    ),
                )
                for shift in covered_shifts(contract)
            ),
            has_seat=contract.seat_id is not None,
        )
        for contract in contracts
    )
    notes = (
        HandoverNote.objects.filter(shop=shop, date=day)
        .select_related("from_agent", "to_agent")
        .order_by("created_at", "id")
    )
    handovers = tuple(
        HandoverView(
            from_first_name=note.from_agent.first_name,
            to_first_name=note.to_agent.first_name if note.to_agent else None,
            open_cases=note.open_cases,
            promises=note.promises,
            acknowledged_at=note.acknowledged_at,
            created_at=note.created_at,
        )
        for note in notes
    )
    return Coverage(day=day, contracts=covers, handovers=handovers)


def shop_contracts(*, shop: Shop) -> QuerySet[Contract]:
    """All of a shop's contracts, newest first (one query)."""
    return Contract.objects.filter(shop=shop).order_by("-start_date", "-id")


# --- Service: workload figures ------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceMonth:
    """A shop's workload figures over ``first .. last`` (both inclusive)."""

    month: dt.date
    first: dt.date
    last: dt.date
    records: int = 0
    inquiries: int = 0
    conversions: int = 0
    buyer_messages: int = 0
    agent_messages: int = 0
    first_response_misses: int = 0
    sales: Decimal = Decimal("0.00")

    @property
    def conversion_rate(self) -> Decimal | None:
        return conversion_rate(self.conversions, self.inquiries)

    @property
    def answer_ratio(self) -> Decimal | None:
        return answer_ratio(self.agent_messages, self.buyer_messages)


def _difference(current, previous):
    if current is None or previous is None:
        return None
    return current - previous


@dataclass(frozen=True)
class ServiceComparison:
    this_month: ServiceMonth
    last_month: ServiceMonth
    daily_inquiries: tuple[tuple[dt.date, int], ...]
    """Inquiries per day from the first day of last month to today, zero-filled."""
    miss_seconds: int

    @property
    def deltas(self) -> dict[str, Any]:
        """This month minus last month, per figure (None when either side has no ratio)."""
        now, then = self.this_month, self.last_month
        return {
            "inquiries": now.inquiries - then.inquiries,
            "conversions": now.conversions - then.conversions,
            "conversion_rate": _difference(now.conversion_rate, then.conversion_rate),
            "answer_ratio": _difference(now.answer_ratio, then.answer_ratio),
            "first_response_misses": now.first_response_misses - then.first_response_misses,
            "sales": now.sales - then.sales,
        }


def shop_service(*, shop: Shop, today: dt.date | None = None) -> ServiceComparison:
    """This month so far and all of last month, from one aggregate query grouped by date.

    The query returns at most one row per day of the two months, whatever the number of
    records. Sales are summed as whole cents so the sum is exact on every database (SQLite adds
    decimals as floating point). A first-response miss is a record whose average first
    response is over ``AGENCY["FIRST_RESPONSE_MISS_SECONDS"]`` (120 s).
    """
    today = today or timezone.localdate()
    this_start = today.replace(day=1)
    last_start = clock.previous_month(this_start)
    limit = settings.AGENCY["FIRST_RESPONSE_MISS_SECONDS"]
    rows = (
        WorkloadRecord.objects.filter(shop=shop, date__gte=last_start, date__lte=today)
        .values("date")
        .annotate(
            records=Count("id"),
            inquiries_sum=Sum("inquiries"),
            conversions_sum=Sum("conversions"),
            buyer_messages_sum=Sum("buyer_messages"),
            agent_messages_sum=Sum("agent_messages"),
            misses=Count("id", filter=Q(first_response_seconds__gt=limit)),
            sales_cents=Sum(Cast(Round(F("sales_amount") * 100), BigIntegerField())),
        )
        .order_by("date")
    )
    totals: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_day: dict[dt.date, int] = {}
    for row in rows:
        month = row["date"].replace(day=1)
        bucket = totals[month]
        bucket["records"] += row["records"]
        bucket["inquiries"] += row["inquiries_sum"] or 0
        bucket["conversions"] += row["conversions_sum"] or 0
        bucket["buyer_messages"] += row["buyer_messages_sum"] or 0
        bucket["agent_messages"] += row["agent_messages_sum"] or 0
        bucket["first_response_misses"] += row["misses"]
        bucket["sales_cents"] += row["sales_cents"] or 0
        per_day[row["date"]] = row["inquiries_sum"] or 0

    def month_figures(month: dt.date, last: dt.date) -> ServiceMonth:
        bucket = dict(totals.get(month, {}))
        cents = bucket.pop("sales_cents", 0)
        return ServiceMonth(
            month=month,
            first=month,
            last=last,
            sales=(Decimal(cents) / 100).quantize(Decimal("0.01")),
            **bucket,
        )

    days = (today - last_start).days + 1
    dates = [last_start + dt.timedelta(days=offset) for offset in range(days)]
    daily = tuple((day, per_day.get(day, 0)) for day in dates)
    return ServiceComparison(
        this_month=month_figures(this_start, today),
        last_month=month_figures(last_start, month_last_day(last_start)),
        daily_inquiries=daily,
        miss_seconds=limit,
    )


# --- Invoices -----------------------------------------------------------------------------------


def shop_invoices(*, shop: Shop, user: User) -> QuerySet[Invoice]:
    """A shop's invoices, newest month first, void ones last (one query)."""
    return (
        scoped_to_shops(Invoice.objects.filter(shop=shop), user)
        .annotate(
            void_last=Case(
                When(status=Invoice.Status.VOID, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("void_last", "-month", "-id")
    )


def portal_invoice_queryset(*, user: User) -> QuerySet[Invoice]:
    """Invoices ``user`` may open, with shop and lines (in invoice order) loaded."""
    return (
        scoped_to_shops(Invoice.objects.all(), user)
        .select_related("shop")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "id"))
        )
    )


@dataclass(frozen=True)
class CommissionSlice:
    lower: Decimal
    upper: Decimal | None
    rate: Decimal
    amount: Decimal
    commission: Decimal


@dataclass(frozen=True)
class CommissionStatement:
    """How a commission line was reached, figure by figure, for the owner to check.

    ``turnover`` is the confirmed turnover of the month; ``attributed_turnover`` its share for
    the days the contract was active (turnover x active days / days in month, rounded to cents);
    each slice is that share's part in one tier x the tier's rate; ``total`` is the sum of the
    slices rounded half-up to cents, which is the invoice line's amount.
    """

    month: dt.date
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


def commission_statement(line: InvoiceLine, month: dt.date) -> CommissionStatement | None:
    """Read a commission line's ``details`` (as the billing run writes them) into a statement.

    Returns None unless the line is a commission line whose details are complete and add up to
    its amount: a statement that disagreed with the invoice would mislead more than none.
    """
    if line.kind != InvoiceLine.Kind.COMMISSION or not isinstance(line.details, dict):
        return None
    details = line.details
    turnover = detail_decimal(details.get("turnover"))
    attributed = detail_decimal(details.get("attributed_turnover"))
    active = detail_whole(details.get("active_days"))
    total_days = detail_whole(details.get("days_in_month"))
    mode = details.get("mode")
    raw_slices = details.get("slices")
    if (
        turnover is None
        or attributed is None
        or active is None
        or total_days is None
        or not 0 < total_days == days_in_month(month)
        or not 0 <= active <= total_days
        or mode not in ("graduated", "flat")
        or not isinstance(raw_slices, list)
        or not raw_slices
    ):
        return None
    slices = []
    for entry in raw_slices:
        if not isinstance(entry, dict):
            return None
        lower, rate = detail_decimal(entry.get("from")), detail_decimal(entry.get("rate"))
        amount, earned = (
            detail_decimal(entry.get("amount")),
            detail_decimal(entry.get("commission")),
        )
        upper = None if entry.get("to") is None else detail_decimal(entry.get("to"))
        if None in (lower, rate, amount, earned) or (entry.get("to") is not None and upper is None):
            return None
        slices.append(
            CommissionSlice(lower=lower, upper=upper, rate=rate, amount=amount, commission=earned)
        )
    exact = sum((item.commission for item in slices), Decimal("0"))
    if round_money(exact) != line.amount:
        return None
    return CommissionStatement(
        month=month,
        turnover=turnover,
        active_days=active,
        days_in_month=total_days,
        attributed_turnover=attributed,
        mode=mode,
        slices=tuple(slices),
        total=line.amount,
        exact_total=exact,
    )


# --- Turnover -----------------------------------------------------------------------------------


def shop_turnover_reports(*, shop: Shop, user: User) -> QuerySet[TurnoverReport]:
    """A shop's turnover reports, newest month first (one query)."""
    return scoped_to_shops(TurnoverReport.objects.filter(shop=shop), user).order_by("-month")


def portal_turnover_queryset(*, user: User) -> QuerySet[TurnoverReport]:
    return scoped_to_shops(TurnoverReport.objects.select_related("shop"), user)


# --- Briefing history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefingChange:
    when: dt.datetime
    user: User | None
    briefing: str
    created: bool


BRIEFING_HISTORY_ROWS = 50
"""How many of the shop's latest history rows are searched for briefing changes."""


def briefing_changes(*, shop: Shop, limit: int = 5) -> list[BriefingChange]:
    """The latest changes of a shop's briefing, newest first, with who made them (one query).

    The shop's history holds a row per save of any field; a row changed the briefing when its
    briefing differs from the row before it (or it created the shop with one). Only the latest
    ``BRIEFING_HISTORY_ROWS`` rows are read, which keeps the page's cost fixed.
    """
    rows = list(
        shop.history.select_related("history_user").order_by("-history_date", "-history_id")[
            :BRIEFING_HISTORY_ROWS
        ]
    )
    rows.reverse()  # oldest first, to compare each row with the one before it
    changes = []
    for index, row in enumerate(rows):
        if index == 0:
            if row.history_type != "+" or not row.briefing:
                continue
        elif row.briefing == rows[index - 1].briefing:
            continue
        changes.append(
            BriefingChange(
                when=row.history_date,
                user=row.history_user,
                briefing=row.briefing,
                created=row.history_type == "+",
            )
        )
    changes.reverse()
    return changes[:limit]
