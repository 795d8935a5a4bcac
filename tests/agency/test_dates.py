"""Inclusive date ranges (agency.dates): both ends count, a missing end is open."""

import datetime as dt

import pytest

from agency.dates import active_on_q, overlapping_q
from seats.models import Seat
from shops.models import Contract
from tests.factories import ContractFactory, SeatFactory

JAN = dt.date(2026, 1, 1)


def day(n: int) -> dt.date:
    return JAN.replace(day=n)


@pytest.fixture
def ranges(db):
    """One seat serves a shop from the 10th to the 20th, another one from the 15th on."""
    closed = ContractFactory(seat=SeatFactory(), start_date=day(10), end_date=day(20))
    open_ended = ContractFactory(seat=SeatFactory(), start_date=day(15), end_date=None)
    return closed, open_ended


def ids_active_on(when: dt.date) -> set[int]:
    return set(Contract.objects.filter(active_on_q(when)).values_list("pk", flat=True))


def test_active_on_includes_both_ends_and_an_open_end(ranges):
    closed, open_ended = ranges
    assert ids_active_on(day(9)) == set()
    assert ids_active_on(day(10)) == {closed.pk}
    assert ids_active_on(day(15)) == {closed.pk, open_ended.pk}
    assert ids_active_on(day(20)) == {closed.pk, open_ended.pk}
    assert ids_active_on(day(21)) == {open_ended.pk}
    assert ids_active_on(dt.date(2030, 1, 1)) == {open_ended.pk}


def test_active_on_reaches_the_dates_through_a_relation(ranges):
    closed, open_ended = ranges
    seats = Seat.objects.filter(active_on_q(day(12), prefix="contracts__"))
    assert list(seats) == [closed.seat]
    seats = Seat.objects.filter(active_on_q(day(21), prefix="contracts__"))
    assert list(seats) == [open_ended.seat]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (day(1), day(9), set()),
        (day(1), day(10), {"closed"}),
        (day(20), day(20), {"closed", "open"}),
        (day(21), day(31), {"open"}),
        (day(1), day(14), {"closed"}),
        (day(1), None, {"closed", "open"}),
        (day(21), None, {"open"}),
    ],
)
def test_overlapping_shares_at_least_one_date_and_an_open_end_never_stops(
    ranges, start, end, expected
):
    closed, open_ended = ranges
    names = {closed.pk: "closed", open_ended.pk: "open"}
    found = Contract.objects.filter(overlapping_q(start, end)).values_list("pk", flat=True)
    assert {names[pk] for pk in found} == expected
