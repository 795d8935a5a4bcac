"""The roster (排班表): who works which seat-shift on each date.

One reading of the roster for the whole app: the coverage board, the agents' desk, what an agent's
account may see, workload attribution and the warnings of uncovered seat-shifts all ask here.

For a seat, a shift and a date:
- the **regular** agent is the one whose seat assignment is active that date (should two overlap,
  the one that started last holds it);
- a **cover** assignment for that seat-shift and date gives the shift to the cover agent, whoever
  the regular agent is;
- otherwise the regular agent works it, unless on **approved leave** that date;
- otherwise nobody works it. The seat-shift is *needed* when a contract on the seat active that
  date covers the shift (a one-shift contract covers its shift, every other plan both).

Each read costs four queries whatever the range (seats, their contracts, assignments and covers,
leave); three when the caller knows the seats. Ranges are bounded by the callers
(``MAX_ROSTER_DAYS`` for the API and the pages): the roster is computed, not stored, so a range
of dates x seats x 2 shifts is built in memory.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value

from agency.access import agent_id_of, is_manager
from agency.choices import Shift
from agency.dates import active_on_q, overlapping_q
from agency.models import User
from seats.choices import LeaveStatus, RosterKind
from seats.models import Agent, CoverAssignment, Leave, Seat, SeatAssignment

MAX_ROSTER_DAYS = 62
"""The longest range the roster API and pages compute at once: two months, any two."""

UPCOMING_DAYS = 14
"""How far ahead the dashboard and the daily email look for uncovered seat-shifts: today and the
14 days after it (a gap two weeks ahead is warned of from its first day in the window)."""


@dataclass(frozen=True)
class RosterSlot:
    """One seat-shift on one date: who works it, and why."""

    date: date
    seat_id: int
    shift: str
    agent_id: int | None
    kind: str | None
    regular_agent_id: int | None
    on_leave: bool
    needed: bool

    @property
    def covered(self) -> bool:
        """Somebody works it (its regular agent, or a cover)."""
        return self.agent_id is not None

    @property
    def uncovered(self) -> bool:
        """Shops to serve in this seat-shift that date, and nobody to serve them."""
        return self.needed and not self.covered


def _days(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]


def roster_slots(
    *,
    date_from: date,
    date_to: date,
    seat_ids: Iterable[int] | None = None,
    agent_id: int | None = None,
    seats_known: bool = False,
    every_seat: bool = False,
) -> list[RosterSlot]:
    """Every date x seat x shift of [date_from, date_to], by date, seat code and shift.

    ``seat_ids`` limits the seats; ``agent_id`` keeps the slots the agent works or would work
    (their regular seat-shifts, on leave or covered by someone else, and their covers).
    ``seats_known``: ``seat_ids`` are seats the caller has read, in the order wanted, which saves
    the seats' query (three queries then, four otherwise); ``every_seat``: they are all the
    seats, so the queries need not name them.
    """
    if seats_known and seat_ids is not None:
        seat_list = list(seat_ids)
    else:
        seats = Seat.objects.order_by("code", "id")
        if seat_ids is not None:
            seats = seats.filter(pk__in=list(seat_ids))
        seat_list = list(seats.values_list("pk", flat=True))
    if not seat_list:
        return []
    span = overlapping_q(date_from, date_to)
    of_seats = Q() if every_seat else Q(seat_id__any=seat_list)
    columns = ("seat_id", "shift", "agent_id", "start_date", "end_date", "is_cover")
    # One query for both: a seat-shift's own agents and its covers.
    rows = sorted(
        SeatAssignment.objects.filter(span, of_seats)
        .annotate(is_cover=Value(False, output_field=BooleanField()))
        .order_by()
        .values_list(*columns)
        .union(
            CoverAssignment.objects.filter(span, of_seats)
            .annotate(is_cover=Value(True, output_field=BooleanField()))
            .order_by()
            .values_list(*columns),
            all=True,
        ),
        key=lambda row: row[3],
    )
    assignments = [row[:5] for row in rows if not row[5]]
    covers = [row[:5] for row in rows if row[5]]
    leaves: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for leave_agent, start, end in Leave.objects.filter(
        span, status=LeaveStatus.APPROVED
    ).values_list("agent_id", "start_date", "end_date"):
        leaves[leave_agent].append((start, end))
    contracts = list(
        Seat.objects.filter(
            overlapping_q(date_from, date_to, prefix="contracts__"),
            Q() if every_seat else Q(pk__any=seat_list),
        )
        .values_list("pk", "contracts__shift", "contracts__start_date", "contracts__end_date")
        .distinct()
    )
    by_seat_shift: dict[tuple[int, str], list] = defaultdict(list)
    for row in assignments:
        by_seat_shift[(row[0], row[1])].append(row)
    covers_by: dict[tuple[int, str], list] = defaultdict(list)
    for row in covers:
        covers_by[(row[0], row[1])].append(row)
    contracts_by: dict[int, list] = defaultdict(list)
    for row in contracts:
        contracts_by[row[0]].append(row)

    slots = []
    shifts = tuple(Shift.values)
    append = slots.append
    for day in _days(date_from, date_to):
        for seat_id in seat_list:
            # The shifts the seat's contracts active that date cover (None: both).
            needed_shifts = {
                contract_shift
                for _, contract_shift, start, end in contracts_by.get(seat_id, ())
                if start <= day and (end is None or day <= end)
            }
            for shift in shifts:
                key = (seat_id, shift)
                regular = None
                for _, _, holder, start, end in by_seat_shift.get(key, ()):
                    if start <= day and (end is None or day <= end):
                        regular = holder
                on_leave = regular is not None and any(
                    start <= day and (end is None or day <= end)
                    for start, end in leaves.get(regular, ())
                )
                cover = None
                for _, _, holder, start, end in covers_by.get(key, ()):
                    if start <= day and (end is None or day <= end):
                        cover = holder
                if cover is not None:
                    worker, kind = cover, RosterKind.COVER
                elif regular is not None and not on_leave:
                    worker, kind = regular, RosterKind.REGULAR
                else:
                    worker, kind = None, None
                if agent_id is not None and agent_id not in (worker, regular):
                    continue
                append(
                    RosterSlot(
                        day,
                        seat_id,
                        shift,
                        worker,
                        kind,
                        regular,
                        on_leave,
                        None in needed_shifts or shift in needed_shifts,
                    )
                )
    return slots


def seats_that_may_go_uncovered(
    *, date_from: date, date_to: date, seat_ids: Iterable[int], every_seat: bool = False
) -> list[int]:
    """Those of ``seat_ids`` (in their order) of which a shift may lack a worker on some date of
    [date_from, date_to]: a shift that no single assignment holds over the whole range, or one
    whose holder has approved leave in it. On every other seat both shifts have their own
    agent every day of the range, so ``roster_slots`` of these seats alone finds every
    uncovered slot of the range (covers only ever fill a slot). Two queries; ``every_seat``:
    ``seat_ids`` are all the seats, so the queries need not name them.
    """
    seat_list = list(seat_ids)
    holders: dict[tuple[int, str], int] = {}
    whole_range = SeatAssignment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=date_to),
        Q() if every_seat else Q(seat_id__any=seat_list),
        start_date__lte=date_from,
    )
    for seat_id, shift, agent_id in whole_range.values_list("seat_id", "shift", "agent_id"):
        holders[(seat_id, shift)] = agent_id
    leave = Leave.objects.filter(overlapping_q(date_from, date_to), status=LeaveStatus.APPROVED)
    if not every_seat:  # for every seat, the range's leave of anybody is as short a read
        leave = leave.filter(agent_id__any={agent for agent in holders.values() if agent})
    # A shift without a holder over the whole range counts as away too (``None``).
    away: set[int | None] = {None, *leave.values_list("agent_id", flat=True)}
    shifts = tuple(Shift.values)
    return [
        seat_id
        for seat_id in seat_list
        if any(holders.get((seat_id, shift)) in away for shift in shifts)
    ]


def seat_shifts_worked(*, agent_id: int, day: date) -> list[tuple[int, str]]:
    """The (seat id, shift) pairs ``agent_id`` works on ``day``: their own, unless on leave or
    covered by someone else, and their covers."""
    return [
        (slot.seat_id, slot.shift)
        for slot in roster_slots(date_from=day, date_to=day, agent_id=agent_id)
        if slot.agent_id == agent_id
    ]


def shop_ids_served_by(*, agent_id: int, day: date) -> set[int]:
    """The shops ``agent_id`` serves on ``day``: those whose contract active that date sits on a
    seat-shift the agent works that date (a one-shift contract only on its shift)."""
    worked = seat_shifts_worked(agent_id=agent_id, day=day)
    if not worked:
        return set()
    # One filter() call: the conditions must meet the same contract row of the seat.
    active = active_on_q(day, prefix="contracts__")
    condition = Q()
    for seat_id, shift in worked:
        condition |= Q(pk=seat_id) & (Q(contracts__shift__isnull=True) | Q(contracts__shift=shift))
    rows = Seat.objects.filter(condition & active).values_list("contracts__shop_id", flat=True)
    return set(rows)


def uncovered_slots(
    *,
    date_from: date,
    date_to: date,
    seat_ids: Iterable[int] | None = None,
    seats_known: bool = False,
) -> list[RosterSlot]:
    """The seat-shifts of the range that are needed (a contract covers them) and that nobody
    works: the regular agent is missing or on leave, and no cover fills the gap."""
    return [
        slot
        for slot in roster_slots(
            date_from=date_from, date_to=date_to, seat_ids=seat_ids, seats_known=seats_known
        )
        if slot.uncovered
    ]


def free_agents(*, date_from: date, date_to: date) -> list[Agent]:
    """Active agents free on every date of [date_from, date_to]: no seat-shift of their own, no
    approved leave, no cover on any of those dates (who may cover a seat-shift then). One query.

    The cover service applies the same rule date by date (``seats.services.covers``), naming the
    first date that clashes.
    """
    span = overlapping_q(date_from, date_to)
    busy = (
        Exists(SeatAssignment.objects.filter(span, agent=OuterRef("pk"))),
        Exists(Leave.objects.filter(span, agent=OuterRef("pk"), status=LeaveStatus.APPROVED)),
        Exists(CoverAssignment.objects.filter(span, agent=OuterRef("pk"))),
    )
    agents = Agent.objects.filter(status=Agent.Status.ACTIVE)
    for condition in busy:
        agents = agents.exclude(condition)
    return list(agents.order_by("name", "id"))


def shifts_worked(*, agent_days: Iterable[tuple[int, date]]) -> dict[tuple[int, date], str]:
    """{(agent id, date): shift} for those of ``agent_days`` on which the agent has a seat-shift
    on the roster: a cover first (work goes to whoever really worked the shift), else their own
    seat-shift. Two queries per call, over the dates' span.

    An agent on leave keeps their own shift here: a workload recorded for them that date says
    they worked after all, and the shift is the one they hold.
    """
    wanted = set(agent_days)
    if not wanted:
        return {}
    agent_ids = sorted({agent_id for agent_id, _ in wanted})
    days = [day for _, day in wanted]
    first, last = min(days), max(days)
    found: dict[tuple[int, date], str] = {}
    for model in (SeatAssignment, CoverAssignment):  # covers last: they win
        rows = (
            model.objects.filter(overlapping_q(first, last), agent_id__in=agent_ids)
            .order_by("start_date", "id")
            .values_list("agent_id", "shift", "start_date", "end_date")
        )
        for agent_id, shift, start, end in rows:
            for day in _days(max(start, first), min(end or last, last)):
                if (agent_id, day) in wanted:
                    found[(agent_id, day)] = shift
    return found


def leave_list(*, user: User) -> QuerySet[Leave]:
    """Leave requests ``user`` may see: managers all, an agent their own, anybody else none."""
    leave = Leave.objects.select_related("agent").order_by("-start_date", "agent_id", "-id")
    if is_manager(user):
        return leave
    agent_id = agent_id_of(user)
    if agent_id is None:
        return leave.none()
    return leave.filter(agent_id=agent_id)


def cover_list() -> QuerySet[CoverAssignment]:
    """Every cover assignment, with its seat and agent (managers' reads)."""
    return CoverAssignment.objects.select_related("seat", "agent").order_by(
        "start_date", "seat__code", "shift", "id"
    )


def approved_leave_days(
    *, date_from: date, date_to: date, unpaid: bool | None = None
) -> set[tuple[int, date]]:
    """{(agent id, date)} of every approved leave day in [date_from, date_to] (one query): the
    agent view of the roster marks them, floaters without a seat-shift included. ``unpaid``:
    only unpaid (True) or only paid (False) leave; None, both."""
    days: set[tuple[int, date]] = set()
    leave = Leave.objects.filter(overlapping_q(date_from, date_to), status=LeaveStatus.APPROVED)
    if unpaid is not None:
        leave = leave.filter(unpaid=unpaid)
    rows = leave.values_list("agent_id", "start_date", "end_date")
    for agent_id, start, end in rows:
        for day in _days(max(start, date_from), min(end, date_to)):
            days.add((agent_id, day))
    return days


def agents_by_id(ids: Iterable[int | None]) -> dict[int, Agent]:
    """{agent id: agent} for the ids the roster names (one query; ``None`` skipped)."""
    wanted = {agent_id for agent_id in ids if agent_id is not None}
    return Agent.objects.in_bulk(wanted) if wanted else {}


class AgentName(NamedTuple):
    """What a board shows of an agent: their id (for links) and name."""

    pk: int
    name: str


def agent_names_by_id(ids: Iterable[int | None]) -> dict[int, AgentName]:
    """{agent id: (id, name)} for the ids the roster names, without model instances (one
    query; ``None`` skipped)."""
    wanted = {agent_id for agent_id in ids if agent_id is not None}
    if not wanted:
        return {}
    rows = Agent.objects.filter(pk__any=wanted).values_list("pk", "name")
    return {pk: AgentName(pk, name) for pk, name in rows}


def agent_covers(*, agent_id: int, limit: int) -> list[CoverAssignment]:
    """An agent's latest ``limit`` covers, newest first, with the seat (one query)."""
    return list(
        CoverAssignment.objects.filter(agent_id=agent_id)
        .select_related("seat")
        .order_by("-start_date", "-id")[:limit]
    )


def covers_on(*, day: date, agent_ids: Iterable[int]) -> dict[int, CoverAssignment]:
    """{agent id: the cover the agent works on ``day``}, with the seat (one query)."""
    return {
        cover.agent_id: cover
        for cover in CoverAssignment.objects.filter(
            agent_id__in=list(agent_ids), start_date__lte=day, end_date__gte=day
        ).select_related("seat")
    }
