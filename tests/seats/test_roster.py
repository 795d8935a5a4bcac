"""The roster (seats/roster.py): who works each seat-shift on each date, with leave and covers."""

import datetime as dt

import pytest

from agency.choices import Plan, Shift
from seats.choices import LeaveStatus, RosterKind
from seats.models import CoverAssignment, Leave
from seats.roster import (
    free_agents,
    roster_slots,
    seat_shifts_worked,
    seats_that_may_go_uncovered,
    shifts_worked,
    shop_ids_served_by,
    uncovered_slots,
)
from seats.selectors import roster_shifts
from tests.factories import AgentFactory, ContractFactory, SeatAssignmentFactory, SeatFactory

D = dt.date(2026, 10, 20)


def _leave(agent, start, end, status=LeaveStatus.APPROVED):
    return Leave.objects.create(agent=agent, start_date=start, end_date=end, status=status)


def _cover(seat, shift, agent, start, end):
    return CoverAssignment.objects.create(
        seat=seat, shift=shift, agent=agent, start_date=start, end_date=end
    )


def _slot(slots, day, seat, shift):
    (slot,) = [s for s in slots if s.date == day and s.seat_id == seat.pk and s.shift == shift]
    return slot


def test_every_date_seat_and_shift_has_one_slot_in_order(staffed_seat, day_agent, night_agent):
    other = SeatFactory(code="S002")
    slots = roster_slots(date_from=D, date_to=D + dt.timedelta(days=1))
    assert [(s.date, s.seat_id, s.shift) for s in slots] == [
        (D, staffed_seat.pk, Shift.DAY),
        (D, staffed_seat.pk, Shift.NIGHT),
        (D, other.pk, Shift.DAY),
        (D, other.pk, Shift.NIGHT),
        (D + dt.timedelta(days=1), staffed_seat.pk, Shift.DAY),
        (D + dt.timedelta(days=1), staffed_seat.pk, Shift.NIGHT),
        (D + dt.timedelta(days=1), other.pk, Shift.DAY),
        (D + dt.timedelta(days=1), other.pk, Shift.NIGHT),
    ]
    day = _slot(slots, D, staffed_seat, Shift.DAY)
    assert (day.agent_id, day.kind, day.regular_agent_id) == (
        day_agent.pk,
        RosterKind.REGULAR,
        day_agent.pk,
    )
    assert day.covered and not day.on_leave
    empty = _slot(slots, D, other, Shift.NIGHT)
    assert (empty.agent_id, empty.kind, empty.covered) == (None, None, False)


def test_the_regular_agent_is_the_one_whose_assignment_is_active_that_date(seat):
    first, second = AgentFactory(), AgentFactory()
    SeatAssignmentFactory(
        seat=seat, agent=first, start_date=dt.date(2026, 1, 1), end_date=D - dt.timedelta(days=1)
    )
    SeatAssignmentFactory(seat=seat, agent=second, start_date=D)
    before, on = roster_slots(date_from=D - dt.timedelta(days=1), date_to=D, seat_ids=[seat.pk])[
        ::2
    ]
    assert (before.agent_id, on.agent_id) == (first.pk, second.pk)


def test_approved_leave_takes_the_regular_agent_off_and_leaves_the_slot_uncovered(
    contract_a, staffed_seat, day_agent
):
    _leave(day_agent, D, D)
    _leave(day_agent, D + dt.timedelta(days=1), D + dt.timedelta(days=1), LeaveStatus.REQUESTED)
    slots = roster_slots(date_from=D, date_to=D + dt.timedelta(days=1))
    off = _slot(slots, D, staffed_seat, Shift.DAY)
    assert (off.agent_id, off.regular_agent_id, off.on_leave) == (None, day_agent.pk, True)
    assert off.needed and off.uncovered
    requested_only = _slot(slots, D + dt.timedelta(days=1), staffed_seat, Shift.DAY)
    assert requested_only.agent_id == day_agent.pk and not requested_only.on_leave


def test_a_cover_takes_the_seat_shift_whoever_the_regular_agent_is(staffed_seat, day_agent):
    floater = AgentFactory()
    _leave(day_agent, D, D)
    _cover(staffed_seat, Shift.DAY, floater, D, D)
    slot = _slot(roster_slots(date_from=D, date_to=D), D, staffed_seat, Shift.DAY)
    assert (slot.agent_id, slot.kind, slot.on_leave, slot.covered) == (
        floater.pk,
        RosterKind.COVER,
        True,
        True,
    )
    assert not slot.uncovered


def test_a_seat_shift_is_needed_only_when_a_contract_covers_that_shift_that_date(
    staffed_seat, shop_a, shop_b
):
    ContractFactory(
        shop=shop_a, seat=staffed_seat, plan=Plan.SHIFT, shift=Shift.NIGHT, start_date=D
    )
    slots = roster_slots(date_from=D - dt.timedelta(days=1), date_to=D)
    assert [s.needed for s in slots] == [False, False, False, True]
    ContractFactory(shop=shop_b, seat=staffed_seat, start_date=D, end_date=D)
    slots = roster_slots(date_from=D, date_to=D + dt.timedelta(days=1))
    assert [s.needed for s in slots] == [True, True, False, True]


def test_agent_filter_keeps_their_own_seat_shifts_and_their_covers(
    staffed_seat, day_agent, night_agent
):
    other = SeatFactory(code="S002")
    _cover(other, Shift.NIGHT, day_agent, D, D)
    _cover(staffed_seat, Shift.DAY, AgentFactory(), D + dt.timedelta(days=1), D.replace(day=21))
    slots = roster_slots(date_from=D, date_to=D + dt.timedelta(days=1), agent_id=day_agent.pk)
    assert [(s.date, s.seat_id, s.shift, s.agent_id == day_agent.pk) for s in slots] == [
        (D, staffed_seat.pk, Shift.DAY, True),
        (D, other.pk, Shift.NIGHT, True),
        (D + dt.timedelta(days=1), staffed_seat.pk, Shift.DAY, False),
    ]
    assert seat_shifts_worked(agent_id=day_agent.pk, day=D) == [
        (staffed_seat.pk, Shift.DAY),
        (other.pk, Shift.NIGHT),
    ]
    assert seat_shifts_worked(agent_id=day_agent.pk, day=D + dt.timedelta(days=1)) == []


def test_a_cover_agent_serves_the_covered_seats_shops(contract_a, staffed_seat, shop_b):
    floater = AgentFactory()
    _cover(staffed_seat, Shift.NIGHT, floater, D, D)
    assert shop_ids_served_by(agent_id=floater.pk, day=D) == {contract_a.shop_id}
    assert shop_ids_served_by(agent_id=floater.pk, day=D + dt.timedelta(days=1)) == set()


def test_uncovered_slots_are_the_needed_ones_nobody_works(contract_a, staffed_seat, night_agent):
    _leave(night_agent, D, D + dt.timedelta(days=2))
    _cover(staffed_seat, Shift.NIGHT, AgentFactory(), D + dt.timedelta(days=1), D.replace(day=21))
    gaps = uncovered_slots(date_from=D, date_to=D + dt.timedelta(days=3))
    assert [(s.date, s.shift) for s in gaps] == [
        (D, Shift.NIGHT),
        (D + dt.timedelta(days=2), Shift.NIGHT),
    ]


def test_free_agents_are_active_and_free_on_every_date(staffed_seat, day_agent, night_agent):
    floater, on_leave, covering, left = (AgentFactory(name=n) for n in "ABCD")
    left.status = "left"
    left.save()
    _leave(on_leave, D + dt.timedelta(days=1), D + dt.timedelta(days=1))
    _cover(staffed_seat, Shift.DAY, covering, D + dt.timedelta(days=5), D + dt.timedelta(days=5))
    assert free_agents(date_from=D, date_to=D + dt.timedelta(days=2)) == [floater, covering]
    assert free_agents(date_from=D, date_to=D + dt.timedelta(days=5)) == [floater]


def test_roster_reads_cost_a_fixed_number_of_queries(
    django_assert_num_queries, contract_a, staffed_seat, day_agent
):
    for n in range(3):
        seat = SeatFactory(code=f"X{n}")
        SeatAssignmentFactory(seat=seat, agent=AgentFactory())
        _cover(seat, Shift.NIGHT, AgentFactory(), D, D + dt.timedelta(days=3))
        _leave(day_agent, D + dt.timedelta(days=10 * n), D + dt.timedelta(days=10 * n))
    with django_assert_num_queries(4):
        slots = roster_slots(date_from=D, date_to=D + dt.timedelta(days=61))
    assert len(slots) == 62 * 4 * 2
    seat_ids = [slot.seat_id for slot in slots[::2][:4]]
    with django_assert_num_queries(3):
        known = roster_slots(
            date_from=D, date_to=D + dt.timedelta(days=61), seat_ids=seat_ids, seats_known=True
        )
    assert known == slots


def test_shifts_worked_counts_covers_first(staffed_seat, day_agent, night_agent):
    """Work goes to whoever really worked the shift: a day agent covering a night elsewhere on
    their day off has the night shift that date."""
    other = SeatFactory(code="S002")
    floater = AgentFactory()
    _cover(other, Shift.NIGHT, floater, D, D)
    asked = [(day_agent.pk, D), (floater.pk, D), (floater.pk, D + dt.timedelta(days=1))]
    expected = {(day_agent.pk, D): Shift.DAY, (floater.pk, D): Shift.NIGHT}
    assert shifts_worked(agent_days=asked) == expected
    assert roster_shifts(agent_days=asked) == expected


@pytest.mark.parametrize("count", [1, 3])
def test_roster_shifts_query_count_does_not_grow_with_agents(
    django_assert_num_queries, seat, count
):
    agents = [AgentFactory() for _ in range(count)]
    for agent in agents:
        SeatAssignmentFactory(seat=SeatFactory(), agent=agent)
    with django_assert_num_queries(2):
        found = roster_shifts(agent_days=[(agent.pk, D) for agent in agents])
    assert len(found) == count


def test_only_seats_that_may_lack_a_worker_are_read_for_the_days_ahead(
    contract_a, staffed_seat, day_agent, django_assert_num_queries
):
    half = SeatFactory(code="S002")
    SeatAssignmentFactory(seat=half, agent=AgentFactory(), shift=Shift.DAY)
    empty = SeatFactory(code="S003")
    ahead = {"date_from": D, "date_to": D + dt.timedelta(days=13)}
    ids = [staffed_seat.pk, half.pk, empty.pk]
    with django_assert_num_queries(2):
        assert seats_that_may_go_uncovered(**ahead, seat_ids=ids) == [half.pk, empty.pk]
    # Approved leave of a holder in the range makes the seat a candidate; a request does not.
    _leave(day_agent, D + dt.timedelta(days=20), D + dt.timedelta(days=21))
    _leave(day_agent, D + dt.timedelta(days=3), D + dt.timedelta(days=3), LeaveStatus.REQUESTED)
    assert seats_that_may_go_uncovered(**ahead, seat_ids=ids) == [half.pk, empty.pk]
    _leave(day_agent, D + dt.timedelta(days=5), D + dt.timedelta(days=6))
    assert seats_that_may_go_uncovered(**ahead, seat_ids=ids) == ids
    # Every uncovered slot of the range is on one of them.
    uncovered = {slot.seat_id for slot in roster_slots(**ahead) if slot.uncovered}
    assert uncovered and uncovered <= set(seats_that_may_go_uncovered(**ahead, seat_ids=ids))
