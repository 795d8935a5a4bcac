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

Each read costs four queries whatever the range (seats' contracts, assignments, covers, leave).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from agency.choices import Shift
from agency.dates import active_on_q, overlapping_q
from seats.choices import LeaveStatus, RosterKind
from seats.models import CoverAssignment, Leave, Seat, SeatAssignment


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
        return self.agent_id is not None


def _days(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]


def _in(day: date, start: date, end: date | None) -> bool:
    return start <= day and (end is None or day <= end)


def roster_slots(
    *,
    date_from: date,
    date_to: date,
    seat_ids: Iterable[int] | None = None,
    agent_id: int | None = None,
) -> list[RosterSlot]:
    """Every date x seat x shift of [date_from, date_to], by date, seat code and shift.

    ``seat_ids`` limits the seats; ``agent_id`` keeps the slots the agent works or would work
    (their regular seat-shifts, on leave or covered by someone else, and their covers).
    """
    seats = Seat.objects.order_by("code", "id")
    if seat_ids is not None:
        seats = seats.filter(pk__in=list(seat_ids))
    seat_list = list(seats.values_list("pk", flat=True))
    if not seat_list:
        return []
    span = overlapping_q(date_from, date_to)
    assignments = list(
        SeatAssignment.objects.filter(span, seat_id__in=seat_list)
        .order_by("start_date", "id")
        .values_list("seat_id", "shift", "agent_id", "start_date", "end_date")
    )
    covers = list(
        CoverAssignment.objects.filter(span, seat_id__in=seat_list)
        .order_by("start_date", "id")
        .values_list("seat_id", "shift", "agent_id", "start_date", "end_date")
    )
    leaves: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for leave_agent, start, end in Leave.objects.filter(
        span, status=LeaveStatus.APPROVED
    ).values_list("agent_id", "start_date", "end_date"):
        leaves[leave_agent].append((start, end))
    contracts = list(
        Seat.objects.filter(
            overlapping_q(date_from, date_to, prefix="contracts__"), pk__in=seat_list
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
    for day in _days(date_from, date_to):
        for seat_id in seat_list:
            for shift in Shift.values:
                regular = None
                for _, _, holder, start, end in by_seat_shift.get((seat_id, shift), ()):
                    if _in(day, start, end):
                        regular = holder
                on_leave = regular is not None and any(
                    _in(day, start, end) for start, end in leaves.get(regular, ())
                )
                cover = None
                for _, _, holder, start, end in covers_by.get((seat_id, shift), ()):
                    if _in(day, start, end):
                        cover = holder
                if cover is not None:
                    worker, kind = cover, RosterKind.COVER
                elif regular is not None and not on_leave:
                    worker, kind = regular, RosterKind.REGULAR
                else:
                    worker, kind = None, None
                if agent_id is not None and agent_id not in (worker, regular):
                    continue
                needed = any(
                    _in(day, start, end) and contract_shift in (None, shift)
                    for _, contract_shift, start, end in contracts_by.get(seat_id, ())
                )
                slots.append(
                    RosterSlot(
                        date=day,
                        seat_id=seat_id,
                        shift=shift,
                        agent_id=worker,
                        kind=kind,
                        regular_agent_id=regular,
                        on_leave=on_leave,
                        needed=needed,
                    )
                )
    return slots


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
