"""Reads that compose the manager pages from the apps' selectors (never their models).

Rules live in the apps (load bands and KPI ratios in ``seats.calculations``, seat load and
capacity in ``seats.selectors``, DSR in ``shops.selectors``, seat profitability in
``billing.reports``); this module only gathers what one page shows, each in a fixed number of
queries whatever the number of seats, agents, shops or invoices.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings

from agency import clock, limits
from agency.choices import Shift
from billing.selectors import (
    drafts_awaiting_turnover,
    month_revenue,
)
from billing.selectors import month_over_month as billing_month_over_month
from payroll.selectors import appeals_awaiting_count
from seats import calculations
from seats.roster import (
    UPCOMING_DAYS,
    RosterSlot,
    agent_names_by_id,
    agents_by_id,
    roster_slots,
    seats_that_may_go_uncovered,
)
from seats.selectors import (
    AgentOverload,
    SeatLoad,
    agency_daily_inquiries,
    agent_daily_load,
    agents_overloaded_often,
    handover_notes_pending,
    handover_notes_to_acknowledge,
    seat_utilisation,
    seats_by_code,
    sub_accounts_to_revoke_first,
)
from shops.selectors import covered_shifts, seat_contract_rows_on

if TYPE_CHECKING:
    from billing.models import Invoice
    from seats.models import Agent, HandoverNote, Seat, SubAccount
    from seats.roster import AgentName
    from shops.selectors import ShopName


# --- Coverage board -----------------------------------------------------------------------------


@dataclass
class ShiftCell:
    """Who covers one shift of a seat on a date, for which shops, and how loaded they are."""

    shift: str
    # Who works the shift (``agent_id``), and their name when the board shows people.
    agent_id: int | None = None
    agent: "AgentName | None" = None
    shops: "list[ShopName]" = field(default_factory=list)
    inquiries: int = 0
    # ``cover`` when a cover assignment gives the shift to ``agent`` (see ``seats.roster``).
    kind: str | None = None
    # The seat-shift's own agent when somebody else works it or nobody does (leave, a cover).
    regular: "AgentName | None" = None
    on_leave: bool = False

    @property
    def band(self) -> str | None:
        return calculations.load_band(self.inquiries) if self.agent_id is not None else None

    @property
    def uncovered(self) -> bool:
        """Shops to serve in this shift and nobody to serve them."""
        return self.agent_id is None and bool(self.shops)


@dataclass
class SeatRow:
    seat: "Seat"
    day: ShiftCell
    night: ShiftCell
    load: SeatLoad | None = None

    @property
    def cells(self) -> tuple[ShiftCell, ShiftCell]:
        return (self.day, self.night)

    @property
    def shops(self) -> "list[ShopName]":
        seen: dict[int, ShopName] = {}
        for cell in self.cells:
            for shop in cell.shops:
                seen.setdefault(shop.pk, shop)
        return sorted(seen.values(), key=lambda shop: (shop.name, shop.pk))

    @property
    def over_peak(self) -> bool:
        return self.load is not None and self.load.load > self.load.peak


def coverage_board(
    *,
    day: date,
    seats: "Iterable[Seat] | None" = None,
    slots: "list[RosterSlot] | None" = None,
    every_seat: bool = False,
    people: bool = True,
) -> list[SeatRow]:
    """Every seat x shift on ``day``: who really works it by the roster (a cover, or the
    seat-shift's own agent unless on leave), shops (contracts on the seat active that day), the
    agent's live load band from the day's workloads, and the seat's expected load against its
    peak (``seats.selectors.seat_utilisation``). Nine queries, eight when ``seats`` is given,
    five when the roster's ``slots`` of ``day`` are given too. ``every_seat``: the ``seats``
    given are all the seats (the dashboard's), so none of them is named in the queries.
    ``people=False``: the states only, for counting and filtering rows (the dashboard, the
    board's filters): who works a shift is known by id, without names or load (two queries
    fewer).
    """
    every_seat = every_seat or seats is None
    seats = list(seats_by_code() if seats is None else seats)
    seat_ids = [seat.pk for seat in seats]
    rows = {seat.pk: SeatRow(seat, ShiftCell(Shift.DAY), ShiftCell(Shift.NIGHT)) for seat in seats}
    if slots is None:
        slots = (
            roster_slots(date_from=day, date_to=day, seat_ids=seat_ids, seats_known=True)
            if seat_ids
            else []
        )
    # Names and ids are all a board shows of its agents and shops: rows, not model instances.
    agents = (
        agent_names_by_id([s.agent_id for s in slots] + [s.regular_agent_id for s in slots])
        if people
        else {}
    )
    for slot in slots:
        cell = rows[slot.seat_id].day if slot.shift == Shift.DAY else rows[slot.seat_id].night
        cell.agent_id = slot.agent_id
        cell.agent = agents.get(slot.agent_id)
        cell.kind = slot.kind
        cell.on_leave = slot.on_leave
        if people and slot.regular_agent_id is not None and slot.regular_agent_id != slot.agent_id:
            cell.regular = agents[slot.regular_agent_id]
    contracts = seat_contract_rows_on(day=day, seat_ids=None if every_seat else seat_ids)
    for contract in contracts:
        for cell in rows[contract.seat_id].cells:
            if cell.shift in covered_shifts(contract) and contract.shop not in cell.shops:
                cell.shops.append(contract.shop)
    if people:
        # The day's load of the agents working these seats (of every agent for every seat).
        workers = None if every_seat else {slot.agent_id for slot in slots} - {None}
        inquiries = {
            agent_id: load.inquiries
            for (agent_id, _), load in agent_daily_load(
                date_from=day, date_to=day, agent_ids=workers
            ).items()
        }
        for row in rows.values():
            for cell in row.cells:
                if cell.agent_id is not None:
                    cell.inquiries = inquiries.get(cell.agent_id, 0)
    loads = seat_utilisation(seats=seats, day=day, every_seat=every_seat)
    for seat_id, load in loads.items():
        rows[seat_id].load = load
    return [rows[seat.pk] for seat in seats]


# The states the seats board filters its rows by (``?state=``) and the dashboard counts.
BOARD_STATES = ("uncovered", "cover", "on_leave", "over_peak")


def row_in_state(row: SeatRow, state: str) -> bool:
    """Whether a seat's row of the board is in ``state``: a shift with shops and nobody to serve
    them (``uncovered``), a shift worked by a cover (``cover``), a shift whose own agent is on
    leave (``on_leave``), or the seat expected above its peak (``over_peak``)."""
    if state == "over_peak":
        return row.over_peak
    if state == "uncovered":
        return any(cell.uncovered for cell in row.cells)
    if state == "cover":
        return any(cell.kind == "cover" for cell in row.cells)
    if state == "on_leave":
        return any(cell.on_leave for cell in row.cells)
    return True


@dataclass(frozen=True)
class CoverageSummary:
    """Today's seat-shifts counted by state, for the dashboard (the board is on the seats page)."""

    seats: int
    shifts: int
    # Seat-shifts with shops to serve today: worked by their own agent, by a cover, or by
    # nobody (uncovered). The rest have no shop to serve (``idle``).
    worked: int
    covered: int
    uncovered: int
    on_leave: int  # seat-shifts whose own agent is on leave (covered or not)
    over_peak: int  # seats expected above the peak

    @property
    def idle(self) -> int:
        return self.shifts - self.worked - self.covered - self.uncovered


def coverage_summary(rows: "Iterable[SeatRow]") -> CoverageSummary:
    """Count the board's seats and seat-shifts by state (no query)."""
    rows = list(rows)
    cells = [cell for row in rows for cell in row.cells]
    with_agent = [cell for cell in cells if cell.agent_id is not None]
    return CoverageSummary(
        seats=len(rows),
        shifts=len(cells),
        worked=sum(1 for cell in with_agent if cell.shops and cell.kind != "cover"),
        covered=sum(1 for cell in with_agent if cell.shops and cell.kind == "cover"),
        uncovered=sum(1 for cell in cells if cell.uncovered),
        on_leave=sum(1 for cell in cells if cell.on_leave),
        over_peak=sum(1 for row in rows if row.over_peak),
    )


# --- Dashboard ----------------------------------------------------------------------------------


@dataclass
class Dashboard:
    today: date
    # Every seat's row today: the alerts read it; the page shows its ``coverage`` counts and
    # links to the seats board, paginated, for the rows themselves.
    board: list[SeatRow]
    overloaded: list[AgentOverload]
    seats_over_peak: list[SeatRow]
    uncovered: list[tuple[SeatRow, ShiftCell]]
    handover_count: int
    handover_notes: "list[HandoverNote]"
    handover_overdue: int
    awaiting_count: int
    awaiting_invoices: list["Invoice"]
    revenue_month_to_date: Decimal
    inquiries_30_days: tuple[tuple[date, int], ...]
    revoke_count: int = 0
    revoke_sub_accounts: "list[SubAccount]" = field(default_factory=list)
    # Needed seat-shifts nobody works in the next 14 days (``UPCOMING_DAYS``), after today.
    upcoming_uncovered: "list[UpcomingGap]" = field(default_factory=list)
    # Quality reviews appealed by their agent and not decided yet.
    appeals_awaiting: int = 0

    @property
    def coverage(self) -> CoverageSummary:
        return coverage_summary(self.board)

    @property
    def alert_count(self) -> int:
        return (
            len(self.overloaded)
            + len(self.seats_over_peak)
            + len(self.uncovered)
            + self.handover_count
            + self.awaiting_count
            + self.revoke_count
            + len(self.upcoming_uncovered)
            + self.appeals_awaiting
        )


@dataclass(frozen=True)
class UpcomingGap:
    """A needed seat-shift that nobody works on a coming date, and whose it is."""

    date: date
    seat: "Seat"
    shift: str
    regular: "Agent | None"
    on_leave: bool


def upcoming_uncovered(*, slots: "list[RosterSlot]", seats: "Iterable[Seat]") -> list[UpcomingGap]:
    """The needed seat-shifts nobody works among the roster's ``slots`` (the dashboard reads the
    ``UPCOMING_DAYS`` after today, to warn of them before they happen). One query."""
    by_id = {seat.pk: seat for seat in seats}
    gaps = [slot for slot in slots if slot.uncovered]
    agents = agents_by_id(slot.regular_agent_id for slot in gaps)
    return [
        UpcomingGap(
            date=slot.date,
            seat=by_id[slot.seat_id],
            shift=slot.shift,
            regular=agents.get(slot.regular_agent_id),
            on_leave=slot.on_leave,
        )
        for slot in gaps
    ]


def dashboard(*, today: date, now: datetime | None = None) -> Dashboard:
    """Everything the dashboard shows for ``today``, in a fixed number of queries."""
    # Every seat, with what the page shows of one; the queries below need not name them.
    seats = list(seats_by_code().only("id", "code", "name"))
    seat_ids = [seat.pk for seat in seats]
    # Today's roster for the board; for the warnings of the days ahead, the roster of the seats
    # that may lack a worker then (the others have their own agents every day): the work
    # follows the gaps, not the number of seats.
    today_slots = roster_slots(
        date_from=today, date_to=today, seat_ids=seat_ids, seats_known=True, every_seat=True
    )
    ahead = (today + timedelta(days=1), today + timedelta(days=UPCOMING_DAYS))
    maybe = seats_that_may_go_uncovered(
        date_from=ahead[0], date_to=ahead[1], seat_ids=seat_ids, every_seat=True
    )
    ahead_slots = roster_slots(
        date_from=ahead[0], date_to=ahead[1], seat_ids=maybe, seats_known=True
    )
    # The page counts the board's states and lists the alerts: no agent is named on it.
    board = coverage_board(day=today, seats=seats, slots=today_slots, every_seat=True, people=False)
    handovers = handover_notes_pending(limit=10, now=now or clock.now())
    awaiting_count, awaiting_invoices = drafts_awaiting_turnover(
        limit=10, before=clock.current_month(today)
    )
    revoke_count, revoke_sub_accounts = sub_accounts_to_revoke_first(today=today, limit=10)
    return Dashboard(
        today=today,
        board=board,
        overloaded=agents_overloaded_often(day=today),
        seats_over_peak=[row for row in board if row.over_peak],
        uncovered=[(row, cell) for row in board for cell in row.cells if cell.uncovered],
        handover_count=handovers.count,
        handover_notes=handovers.latest,
        handover_overdue=handovers.overdue,
        awaiting_count=awaiting_count,
        awaiting_invoices=awaiting_invoices,
        revenue_month_to_date=month_revenue(month=today),
        inquiries_30_days=agency_daily_inquiries(
            date_from=today - timedelta(days=29), date_to=today
        ),
        revoke_count=revoke_count,
        revoke_sub_accounts=revoke_sub_accounts,
        upcoming_uncovered=upcoming_uncovered(slots=ahead_slots, seats=seats),
        appeals_awaiting=appeals_awaiting_count(),
    )


def handovers_to_acknowledge(*, now: datetime):
    """Every handover note waiting for acknowledgement, overdue ones marked (the list page)."""
    return handover_notes_to_acknowledge(now=now)


# --- Reports ------------------------------------------------------------------------------------


# Revenue month over month is billing's (``billing.selectors.month_over_month``): the reports
# page and the report's export read the same figures.
month_over_month = billing_month_over_month


# --- Shops and thresholds shown on the pages ---------------------------------------------------


def peak_inquiries() -> int:
    return limits.seat_peak_inquiries()


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
