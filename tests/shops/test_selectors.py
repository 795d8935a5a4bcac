"""Reads of the shops app that the portal and the manager pages compose."""

import datetime as dt

import pytest

from agency.choices import Plan, Shift
from shops.selectors import (
    briefing_changes,
    contracts_to_place,
    covered_shifts,
    possible_owners,
    seat_contract_rows_on,
    seat_contracts_on,
    shop_contracts,
    shop_contracts_on,
    shop_history,
    shop_list_with_active_contracts,
    shop_names,
    shop_turnover_reports,
    shops_with_active_contracts,
    turnover_report_confirmed,
    turnover_report_for,
    turnover_reports_to_confirm,
)
from shops.services import shop_update
from tests.factories import ContractFactory, SeatFactory, TurnoverReportFactory

OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)


@pytest.mark.parametrize(
    ("plan", "shift", "expected"),
    [
        (Plan.SHIFT, Shift.DAY, (Shift.DAY,)),
        (Plan.SHIFT, Shift.NIGHT, (Shift.NIGHT,)),
        (Plan.FULL_DAY, None, (Shift.DAY, Shift.NIGHT)),
        (Plan.TEMPORARY, None, (Shift.DAY, Shift.NIGHT)),
        (Plan.PROMOTION, None, (Shift.DAY, Shift.NIGHT)),
    ],
)
def test_the_one_shift_plan_covers_its_shift_and_every_other_plan_both(plan, shift, expected):
    assert covered_shifts(ContractFactory.build(plan=plan, shift=shift)) == expected


@pytest.mark.django_db
def test_contracts_active_on_a_day_are_the_shops_own_oldest_first(shop_a, shop_b):
    ended = ContractFactory(shop=shop_a, start_date=dt.date(2026, 1, 1), end_date=OCTOBER)
    later = ContractFactory(shop=shop_a, start_date=NOVEMBER)
    first = ContractFactory(shop=shop_a, start_date=dt.date(2026, 6, 1))
    ContractFactory(shop=shop_b, start_date=dt.date(2026, 6, 1))
    assert list(shop_contracts_on(shop=shop_a, day=NOVEMBER)) == [first, later]
    assert list(shop_contracts_on(shop=shop_a, day=OCTOBER)) == [ended, first]
    assert list(shop_contracts(shop=shop_a)) == [later, first, ended]


@pytest.mark.django_db
def test_the_shop_list_carries_each_shops_contracts_active_on_the_day(
    owner_a, shop_a, shop_b, django_assert_num_queries
):
    active = ContractFactory(shop=shop_a, start_date=OCTOBER)
    ContractFactory(shop=shop_a, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 2, 1))
    owner_a = type(owner_a).objects.select_related("agent_profile").get(pk=owner_a.pk)  # signed in
    with django_assert_num_queries(2):
        shops = list(shop_list_with_active_contracts(user=owner_a, day=NOVEMBER))
    assert shops == [shop_a]
    assert shops[0].active_contracts == [active]


@pytest.mark.django_db
def test_turnover_reports_are_read_within_the_callers_rights(owner_a, owner_b, shop_a):
    september = TurnoverReportFactory(shop=shop_a, month=dt.date(2026, 9, 1))
    october = TurnoverReportFactory(shop=shop_a, month=OCTOBER, status="confirmed")
    assert list(shop_turnover_reports(shop=shop_a, user=owner_a)) == [october, september]
    assert list(shop_turnover_reports(shop=shop_a, user=owner_b)) == []
    assert turnover_report_for(shop=shop_a, month=OCTOBER) == october
    assert turnover_report_for(shop=shop_a, month=NOVEMBER) is None
    assert turnover_report_confirmed(october)
    assert not turnover_report_confirmed(september)


@pytest.mark.django_db
def test_shop_history_is_newest_first_and_briefing_changes_skip_other_edits(
    owner_a, shop_a, django_assert_num_queries
):
    shop_update(shop=shop_a, actor=owner_a, data={"briefing": "first"})
    shop_update(shop=shop_a, actor=None, data={"category": "toys"})
    shop_update(shop=shop_a, actor=owner_a, data={"briefing": "second"})
    with django_assert_num_queries(1):
        rows = shop_history(shop=shop_a, limit=2)
    assert [row.briefing for row in rows] == ["second", "first"]
    assert rows[0].history_user == owner_a
    with django_assert_num_queries(1):
        changes = briefing_changes(shop=shop_a)
    assert [(change.briefing, change.user) for change in changes] == [
        ("second", owner_a),
        ("first", owner_a),
    ]
    assert [change.briefing for change in briefing_changes(shop=shop_a, limit=1)] == ["second"]


# --- Reads the manager pages compose ------------------------------------------------------------


@pytest.mark.django_db
def test_contracts_on_seats_for_a_day_and_the_shops_with_an_active_contract(
    shop_a, shop_b, django_assert_num_queries
):
    seat, other = SeatFactory(), SeatFactory()
    on_seat = ContractFactory(shop=shop_a, seat=seat, start_date=OCTOBER)
    ContractFactory(shop=shop_b, seat=seat, start_date=NOVEMBER)  # not yet
    ContractFactory(shop=shop_b, seat=other, start_date=OCTOBER)
    ended = ContractFactory(shop=shop_b, start_date=OCTOBER, end_date=dt.date(2026, 10, 20))
    with django_assert_num_queries(1):
        contracts = list(seat_contracts_on(day=dt.date(2026, 10, 15), seat_ids=[seat.pk]))
        assert [contract.shop.name for contract in contracts] == [shop_a.name]
    assert contracts == [on_seat]
    # As rows for a board: of the seats named, or of every seat (a contract with no seat aside).
    with django_assert_num_queries(1):
        rows = seat_contract_rows_on(day=dt.date(2026, 10, 15), seat_ids=[seat.pk])
    assert rows == [(seat.pk, on_seat.plan, on_seat.shift, (shop_a.pk, shop_a.name))]
    every = seat_contract_rows_on(day=dt.date(2026, 10, 15))
    assert sorted((row.seat_id, row.shop.pk) for row in every) == sorted(
        [(seat.pk, shop_a.pk), (other.pk, shop_b.pk)]
    )
    with django_assert_num_queries(1):
        assert shops_with_active_contracts(
            shop_ids=[shop_a.pk, shop_b.pk], day=dt.date(2026, 10, 25)
        ) == {shop_a.pk, shop_b.pk}
    assert shops_with_active_contracts(shop_ids=[shop_a.pk], day=dt.date(2026, 9, 1)) == set()
    assert ended not in contracts_to_place(today=dt.date(2026, 10, 21))
    assert ended in contracts_to_place(today=dt.date(2026, 10, 20))
    assert shop_names(ids=[shop_a.pk, 0]) == {shop_a.pk: shop_a.name}


@pytest.mark.django_db
def test_possible_owners_are_active_client_accounts_and_submitted_reports_wait(
    owner_a, owner_b, manager, shop_a, shop_b
):
    owner_b.is_active = False
    owner_b.save()
    assert list(possible_owners()) == [owner_a]
    waiting = TurnoverReportFactory(shop=shop_a, month=OCTOBER, status="submitted")
    TurnoverReportFactory(shop=shop_b, month=OCTOBER, status="confirmed")
    assert list(turnover_reports_to_confirm(user=manager)) == [waiting]
    assert list(turnover_reports_to_confirm(user=owner_b)) == []
