"""Reads that compose the manager pages from the apps' models and selectors.

Rules live in the apps (load bands and KPI ratios in ``seats.calculations``, seat load and
capacity in ``seats.selectors``, DSR in ``shops.selectors``, seat profitability in
``billing.reports``); this module only gathers what one page shows, each in a fixed number of
queries whatever the number of seats, agents, shops or invoices.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Sum

from agency import clock
from agency.choices import Shift
from billing.selectors import (
    drafts_awaiting_turnover,
    month_revenue,
    revenue_by_month,
)
from seats import calculations
from seats.models import Agent, HandoverNote, Seat, SeatAssignment, WorkloadRecord
from seats.selectors import (
    AgentDayLoad,
    SeatLoad,
    agent_daily_load,
    overloaded_agents,
    seat_utilisation,
)
from shops.models import Contract, Shop
from shops.selectors import covered_shifts

if TYPE_CHECKING:
    from billing.models import Invoice

ZERO = Decimal("0.00")


# --- Coverage board -----------------------------------------------------------------------------


@dataclass
class ShiftCell:
    """Who covers one shift of a seat on a date, for which shops, and how loaded they are."""

    shift: str
    assignment: SeatAssignment | None = None
    shops: list[Shop] = field(default_factory=list)
    inquiries: int = 0

    @property
    def agent(self) -> Agent | None:
        return self.assignment.agent if self.assignment else None

    @property
    def band(self) -> str | None:
        return calculations.load_band(self.inquiries) if self.assignment else None

    @property
    def uncovered(self) -> bool:
        """Shops to serve in this shift and nobody to serve them."""
        return self.assignment is None and bool(self.shops)


@dataclass
class SeatRow:
    seat: Seat
    day: ShiftCell
    night: ShiftCell
    load: SeatLoad | None = None

    @property
    def cells(self) -> tuple[ShiftCell, ShiftCell]:
        return (self.day, self.night)

    @property
    def shops(self) -> list[Shop]:
        seen: dict[int, Shop] = {}
        for cell in self.cells:
            for shop in cell.shops:
                seen.setdefault(shop.pk, shop)
        return sorted(seen.values(), key=lambda shop: (shop.name, shop.pk))

    @property
    def over_peak(self) -> bool:
        return self.load is not None and self.load.load > self.load.peak


def _serves_shift(contract: Contract, shift: str) -> bool:
    return shift in covered_shifts(contract)


def coverage_board(*, day: date, seats: Iterable[Seat] | None = None) -> list[SeatRow]:
    """Every seat x shift on ``day``: agent, shops (contracts on the seat active that day), and
    the agent's live load band from the day's workloads, and the seat's expected load against its
    peak (``seats.selectors.seat_utilisation``). Six queries, five when ``seats`` is given.
    """
    seats = list(Seat.objects.order_by("code") if seats is None else seats)
    seat_ids = [seat.pk for seat in seats]
    rows = {seat.pk: SeatRow(seat, ShiftCell(Shift.DAY), ShiftCell(Shift.NIGHT)) for seat in seats}
    for assignment in (
        SeatAssignment.objects.active_on(day).filter(seat_id__in=seat_ids).select_related("agent")
    ):
        row = rows[assignment.seat_id]
        (row.day if assignment.shift == Shift.DAY else row.night).assignment = assignment
    for contract in (
        Contract.objects.active_on(day)
        .filter(seat_id__in=seat_ids)
        .select_related("shop")
        .order_by("shop__name", "shop_id", "id")
    ):
        for cell in rows[contract.seat_id].cells:
            if _serves_shift(contract, cell.shift) and contract.shop not in cell.shops:
                cell.shops.append(contract.shop)
    inquiries = {
        agent_id: load.inquiries
        for (agent_id, _), load in agent_daily_load(date_from=day, date_to=day).items()
    }
    for row in rows.values():
        for cell in row.cells:
            if cell.assignment is not None:
                cell.inquiries = inquiries.get(cell.assignment.agent_id, 0)
    loads = seat_utilisation(seats=seats, day=day)
    for seat_id, load in loads.items():
        rows[seat_id].load = load
    return [rows[seat.pk] for seat in seats]


# --- Dashboard ----------------------------------------------------------------------------------


def daily_inquiries(
    *, date_from: date, date_to: date, shop_id: int | None = None
) -> list[tuple[date, int]]:
    """Inquiries per date over ``[date_from, date_to]`` (all agents), zero-filled. One query."""
    records = WorkloadRecord.objects.filter(date__gte=date_from, date__lte=date_to)
    if shop_id is not None:
        records = records.filter(shop_id=shop_id)
    totals = dict(
        records.values("date")
        .annotate(total=Sum("inquiries"))
        .order_by()
        .values_list("date", "total")
    )
    days = (date_to - date_from).days + 1
    return [
        (
            date_from + timedelta(days=offset),
            int(totals.get(date_from + timedelta(days=offset)) or 0),
        )
        for offset in range(days)
    ]


def unacknowledged_handover_notes(limit: int = 10) -> tuple[int, list[HandoverNote]]:
    notes = HandoverNote.objects.filter(acknowledged_at__isnull=True)
    latest = list(
        notes.select_related("seat", "shop", "from_agent", "to_agent").order_by(
            "-date", "seat__code", "shop__name"
        )[:limit]
    )
    return notes.count(), latest


@dataclass
class Dashboard:
    today: date
    board: list[SeatRow]
    overloaded: list[AgentDayLoad]
    seats_over_peak: list[SeatRow]
    uncovered: list[tuple[SeatRow, ShiftCell]]
    handover_count: int
    handover_notes: list[HandoverNote]
    awaiting_count: int
    awaiting_invoices: list["Invoice"]
    revenue_month_to_date: Decimal
    inquiries_30_days: list[tuple[date, int]]

    @property
    def alert_count(self) -> int:
        return (
            len(self.overloaded)
            + len(self.seats_over_peak)
            + len(self.uncovered)
            + self.handover_count
            + self.awaiting_count
        )


def dashboard(*, today: date) -> Dashboard:
    """Everything the dashboard shows for ``today``, in a fixed number of queries."""
    board = coverage_board(day=today)
    handover_count, handover_notes = unacknowledged_handover_notes()
    awaiting_count, awaiting_invoices = drafts_awaiting_turnover(limit=10)
    return Dashboard(
        today=today,
        board=board,
        overloaded=overloaded_agents(date_from=today - timedelta(days=1), date_to=today),
        seats_over_peak=[row for row in board if row.over_peak],
        uncovered=[(row, cell) for row in board for cell in row.cells if cell.uncovered],
        handover_count=handover_count,
        handover_notes=handover_notes,
        awaiting_count=awaiting_count,
        awaiting_invoices=awaiting_invoices,
        revenue_month_to_date=month_revenue(month=today),
        inquiries_30_days=daily_inquiries(date_from=today - timedelta(days=29), date_to=today),
    )


# --- Agents -------------------------------------------------------------------------------------


@dataclass
class Kpis:
    """An agent's (or a shop's) workload figures over a period, with the derived KPIs."""

    inquiries: int = 0
    conversions: int = 0
    buyer_messages: int = 0
    agent_messages: int = 0
    records: int = 0
    first_response_misses: int = 0
    sales: Decimal = ZERO

    def add(self, row: dict) -> None:
        self.inquiries += row["inquiries"]
        self.conversions += row["conversions"]
        self.buyer_messages += row["buyer_messages"]
        self.agent_messages += row["agent_messages"]
        self.sales += row["sales_amount"]
        self.records += 1
        if calculations.is_first_response_miss(row["first_response_seconds"]):
            self.first_response_misses += 1

    @property
    def conversion_rate(self) -> Decimal | None:
        return calculations.conversion_rate(self.conversions, self.inquiries)

    @property
    def answer_ratio(self) -> Decimal | None:
        return calculations.answer_ratio(self.agent_messages, self.buyer_messages)


@dataclass
class ShopKpis:
    shop_id: int
    shop_name: str
    kpis: Kpis


def agent_kpis(*, agent_id: int, date_from: date, date_to: date) -> tuple[Kpis, list[ShopKpis]]:
    """An agent's KPIs over the period, in total and per shop. One query.

    A first-response miss is a workload record (one shop, date and shift) whose average first
    response is over the limit (120 s).
    """
    total = Kpis()
    by_shop: dict[int, ShopKpis] = {}
    rows = (
        WorkloadRecord.objects.filter(agent_id=agent_id, date__gte=date_from, date__lte=date_to)
        .order_by("shop__name", "date")
        .values(
            "shop_id",
            "shop__name",
            "inquiries",
            "conversions",
            "buyer_messages",
            "agent_messages",
            "first_response_seconds",
            "sales_amount",
        )
    )
    for row in rows:
        total.add(row)
        entry = by_shop.setdefault(
            row["shop_id"], ShopKpis(row["shop_id"], row["shop__name"], Kpis())
        )
        entry.kpis.add(row)
    return total, list(by_shop.values())


def current_assignments(*, agent_ids: Iterable[int], day: date) -> dict[int, SeatAssignment]:
    """{agent id: the seat-shift the agent holds on ``day``}. One query."""
    return {
        assignment.agent_id: assignment
        for assignment in SeatAssignment.objects.active_on(day)
        .filter(agent_id__in=list(agent_ids))
        .select_related("seat")
    }


# --- Reports ------------------------------------------------------------------------------------


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
        first = clock.previous_month(first)
    totals = list(revenue_by_month(first=first, last=last_month).items())
    return [
        MonthRevenue(month, amount, previous)
        for (_, previous), (month, amount) in zip(totals, totals[1:], strict=False)
    ]


# --- Shops and thresholds shown on the pages ---------------------------------------------------


def shops_with_active_contracts(*, shop_ids: Iterable[int], day: date) -> set[int]:
    """Those of ``shop_ids`` with a contract active on ``day``. One query."""
    return set(
        Contract.objects.active_on(day)
        .filter(shop_id__in=list(shop_ids))
        .values_list("shop_id", flat=True)
        .distinct()
    )


def peak_inquiries() -> int:
    return settings.AGENCY["SEAT_PEAK_INQUIRIES"]


def first_response_limit() -> int:
    return settings.AGENCY["FIRST_RESPONSE_MISS_SECONDS"]


def band_legend() -> list[tuple[str, str]]:
    """(band, daily inquiries it spans) for the legend under load charts, from the settings."""
    bounds = settings.AGENCY
    normal, busy = bounds["LOAD_NORMAL_FROM"], bounds["LOAD_BUSY_FROM"]
    strained, above = bounds["LOAD_STRAINED_FROM"], bounds["LOAD_OVERLOADED_ABOVE"]
    Band = calculations.LoadBand
    return [
        (Band.IDLE, f"< {normal}"),
        (Band.NORMAL, f"{normal}–{busy - 1}"),
        (Band.BUSY, f"{busy}–{strained - 1}"),
        (Band.STRAINED, f"{strained}–{above}"),
        (Band.OVERLOADED, f"> {above}"),
    ]
