"""Contracts: plans and shifts, price-book defaults, commission tiers, at most 3 shops per seat."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shops.models import Contract, PriceBookEntry
from shops.services import contract_create, contract_update, contract_validate
from tests.factories import ContractFactory, SeatFactory, ShopFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/contracts/"
D = dt.date


def detail(contract) -> str:
    return f"/api/v1/contracts/{contract.pk}/"


def post(client, **body):
    return client.post(LIST, {k: v for k, v in body.items()}, format="json")


# --- Plans, shifts and dates --------------------------------------------------------------------


def test_shift_plan_needs_a_shift(manager_api, shop_a):
    response = post(manager_api, shop=shop_a.pk, plan="shift", start_date="2026-10-01")
    assert response.status_code == 400
    assert "needs a shift" in response.json()["shift"][0]


@pytest.mark.parametrize("plan", ["full_day", "temporary", "promotion"])
def test_plans_other_than_shift_refuse_a_shift(manager_api, shop_a, plan):
    response = post(
        manager_api,
        shop=shop_a.pk,
        plan=plan,
        shift="day",
        start_date="2026-10-01",
        end_date="2026-10-03",
    )
    assert response.status_code == 400
    assert "Only the shift plan" in response.json()["shift"][0]


def test_shift_must_be_day_or_night(manager_api, shop_a):
    response = post(
        manager_api, shop=shop_a.pk, plan="shift", shift="full", start_date="2026-10-01"
    )
    assert response.status_code == 400
    assert "shift" in response.json()


@pytest.mark.parametrize("plan", ["temporary", "promotion"])
def test_day_plans_need_an_end_date(manager_api, shop_a, plan):
    response = post(manager_api, shop=shop_a.pk, plan=plan, start_date="2026-11-11")
    assert response.status_code == 400
    assert "need an end date" in response.json()["end_date"][0]


def test_end_date_cannot_be_before_start_date(manager_api, shop_a):
    response = post(
        manager_api, shop=shop_a.pk, plan="full_day", start_date="2026-10-10", end_date="2026-10-09"
    )
    assert response.status_code == 400
    assert "before the start date" in response.json()["end_date"][0]


def test_a_one_day_contract_ends_on_its_start_date(manager_api, shop_a):
    response = post(
        manager_api,
        shop=shop_a.pk,
        plan="promotion",
        start_date="2026-11-11",
        end_date="2026-11-11",
    )
    assert response.status_code == 201


def test_monthly_plan_may_be_open_ended(manager_api, shop_a):
    response = post(
        manager_api, shop=shop_a.pk, plan="shift", shift="night", start_date="2026-10-11"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["end_date"] is None
    assert body["shift"] == "night"


# --- Price book defaults and tiers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "shift", "end", "price"),
    [
        ("temporary", None, "2026-10-05", "100.00"),
        ("promotion", None, "2026-11-12", "200.00"),
        ("shift", "day", None, "1500.00"),
        ("full_day", None, None, "3000.00"),
    ],
)
def test_price_defaults_to_the_price_book(manager_api, shop_a, plan, shift, end, price):
    response = post(
        manager_api, shop=shop_a.pk, plan=plan, shift=shift, start_date="2026-10-01", end_date=end
    )
    assert response.status_code == 201, response.json()
    assert response.json()["price"] == price


def test_price_book_changes_apply_to_new_contracts(manager_api, shop_a):
    PriceBookEntry.objects.filter(plan="full_day").update(
        price=Decimal("3200.00"),
        commission_mode="flat",
        commission_tiers=[{"from": "0.00", "rate": "0.0250"}],
    )
    body = post(manager_api, shop=shop_a.pk, plan="full_day", start_date="2026-10-01").json()
    assert body["price"] == "3200.00"
    assert body["commission_mode"] == "flat"
    assert body["commission_tiers"] == [{"from": "0.00", "rate": "0.025"}]


def test_monthly_plans_take_the_default_tiers_in_the_api_shape(manager_api, shop_a):
    body = post(manager_api, shop=shop_a.pk, plan="full_day", start_date="2026-10-01").json()
    assert body["commission_mode"] == "graduated"
    assert body["commission_tiers"] == [
        {"from": "0.00", "rate": "0.03"},
        {"from": "100000.00", "rate": "0.02"},
        {"from": "500000.00", "rate": "0.01"},
    ]


def test_negotiated_price_and_tiers_override_the_price_book(manager_api, shop_a):
    response = post(
        manager_api,
        shop=shop_a.pk,
        plan="shift",
        shift="day",
        start_date="2026-10-01",
        price="1200.00",
        commission_mode="flat",
        commission_tiers=[{"from": 0, "rate": 0.025}, {"from": "200000", "rate": "0.0125"}],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["price"] == "1200.00"
    assert body["commission_tiers"] == [
        {"from": "0.00", "rate": "0.025"},
        {"from": "200000.00", "rate": "0.0125"},
    ]
    stored = Contract.objects.get(pk=body["id"]).commission_tiers
    assert stored == [
        {"from": "0.00", "rate": "0.0250"},
        {"from": "200000.00", "rate": "0.0125"},
    ]


def test_day_plans_carry_no_commission_tiers(manager_api, shop_a):
    ok = post(
        manager_api,
        shop=shop_a.pk,
        plan="temporary",
        start_date="2026-10-01",
        end_date="2026-10-02",
    )
    assert ok.json()["commission_tiers"] == []
    refused = post(
        manager_api,
        shop=shop_a.pk,
        plan="promotion",
        start_date="2026-11-11",
        end_date="2026-11-11",
        commission_tiers=[{"from": "0", "rate": "0.03"}],
    )
    assert refused.status_code == 400
    assert "no commission" in refused.json()["commission_tiers"][0]


@pytest.mark.parametrize(
    ("tiers", "reason"),
    [
        ([{"from": "10", "rate": "0.03"}], "start at 0"),
        ([{"from": "0", "rate": "0.03"}, {"from": "0", "rate": "0.02"}], "start above"),
        ([{"from": "0", "rate": "0.03"}, {"from": "-5", "rate": "0.02"}], "negative"),
        ([{"from": "0", "rate": "1.5"}], "between 0 and 1"),
        ([{"from": "0", "rate": "-0.01"}], "between 0 and 1"),
        ([{"from": "0"}], "'rate' is missing"),
        ([{"from": "0", "rate": "abc"}], "must be a number"),
        ([], "at least one"),
        ([{"from": "0", "rate": "0.03"}, {"from": "0.001", "rate": "0.02"}], "start above"),
    ],
)
def test_commission_tiers_are_validated_with_a_reason(manager_api, shop_a, tiers, reason):
    response = post(
        manager_api,
        shop=shop_a.pk,
        plan="full_day",
        start_date="2026-10-01",
        commission_tiers=tiers,
    )
    assert response.status_code == 400
    assert reason in response.json()["commission_tiers"][0]


@pytest.mark.parametrize("tiers", ["0.03", {"from": "0", "rate": "0.03"}, [1, 2]])
def test_commission_tiers_of_the_wrong_shape_are_400(manager_api, shop_a, tiers):
    response = post(
        manager_api,
        shop=shop_a.pk,
        plan="full_day",
        start_date="2026-10-01",
        commission_tiers=tiers,
    )
    assert response.status_code == 400
    assert "commission_tiers" in response.json()


def test_negative_price_is_400(manager_api, shop_a):
    response = post(
        manager_api, shop=shop_a.pk, plan="full_day", start_date="2026-10-01", price="-1.00"
    )
    assert response.status_code == 400
    assert "price" in response.json()


# --- At most 3 shops per seat -------------------------------------------------------------------


@pytest.fixture
def seat():
    return SeatFactory(code="S001")


def on_seat(seat, start, end=None, shop=None, **kwargs) -> Contract:
    return ContractFactory(
        seat=seat, shop=shop or ShopFactory(), start_date=start, end_date=end, **kwargs
    )


def test_a_seat_serves_at_most_three_shops_at_once(manager_api, seat, shop_a):
    for name in ("One", "Two", "Three"):
        on_seat(seat, D(2026, 1, 1), shop=ShopFactory(name=name))
    response = post(
        manager_api, shop=shop_a.pk, plan="full_day", seat=seat.pk, start_date="2026-10-01"
    )
    assert response.status_code == 400
    message = response.json()["seat"][0]
    assert "S001 already serves 3 other shops on 2026-10-01 (One, Three, Two)" in message
    assert "at most 3 shops" in message


def test_a_third_shop_fits_on_a_seat(manager_api, seat, shop_a):
    on_seat(seat, D(2026, 1, 1))
    on_seat(seat, D(2026, 1, 1))
    response = post(
        manager_api, shop=shop_a.pk, plan="full_day", seat=seat.pk, start_date="2026-10-01"
    )
    assert response.status_code == 201


def test_another_contract_of_a_shop_already_on_the_seat_adds_no_shop(seat, shop_a):
    on_seat(seat, D(2026, 1, 1), shop=shop_a)
    on_seat(seat, D(2026, 1, 1))
    on_seat(seat, D(2026, 1, 1))
    contract = contract_create(
        actor=None,
        shop=shop_a,
        plan="promotion",
        seat=seat,
        start_date=D(2026, 11, 11),
        end_date=D(2026, 11, 11),
    )
    assert contract.pk


def test_contracts_that_do_not_overlap_the_range_do_not_count(seat, shop_a):
    on_seat(seat, D(2026, 1, 1), D(2026, 3, 31))
    on_seat(seat, D(2026, 2, 1), D(2026, 9, 30))
    on_seat(seat, D(2026, 12, 1))  # starts after the new contract ends
    on_seat(seat, D(2026, 1, 1), D(2026, 9, 30))
    contract_create(
        actor=None,
        shop=shop_a,
        plan="temporary",
        seat=seat,
        start_date=D(2026, 10, 1),
        end_date=D(2026, 11, 30),
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2026, 1, 1), D(2026, 10, 1)),  # ends on the new contract's first day
        (D(2026, 10, 31), None),  # starts on the new contract's last day
    ],
)
def test_range_ends_are_inclusive_when_counting_shops_on_a_seat(seat, shop_a, start, end):
    on_seat(seat, D(2026, 1, 1))
    on_seat(seat, D(2026, 1, 1))
    on_seat(seat, start, end)
    with pytest.raises(ValidationError) as caught:
        contract_create(
            actor=None,
            shop=shop_a,
            plan="temporary",
            seat=seat,
            start_date=D(2026, 10, 1),
            end_date=D(2026, 10, 31),
        )
    assert "seat" in caught.value.message_dict


def test_open_ended_contracts_overlap_every_later_date(seat, shop_a):
    on_seat(seat, D(2025, 1, 1))
    on_seat(seat, D(2025, 6, 1))
    on_seat(seat, D(2027, 6, 1))  # in the future, but the new contract is open-ended
    with pytest.raises(ValidationError):
        contract_create(
            actor=None, shop=shop_a, plan="full_day", seat=seat, start_date=D(2026, 1, 1)
        )


def test_shops_are_counted_on_the_busiest_day_not_over_the_whole_range(seat, shop_a):
    # Four shops over the year, never more than two at once: a third fits.
    on_seat(seat, D(2026, 1, 1), D(2026, 3, 31))
    on_seat(seat, D(2026, 3, 1), D(2026, 6, 30))
    on_seat(seat, D(2026, 7, 1), D(2026, 9, 30))
    on_seat(seat, D(2026, 9, 1))
    contract_create(actor=None, shop=shop_a, plan="full_day", seat=seat, start_date=D(2026, 1, 1))
    # Now three at once in March: a fourth shop only fits outside those days.
    late = ShopFactory(name="Late")
    with pytest.raises(ValidationError) as caught:
        contract_create(
            actor=None,
            shop=late,
            plan="temporary",
            seat=seat,
            start_date=D(2026, 2, 20),
            end_date=D(2026, 3, 5),
        )
    assert "on 2026-03-01" in caught.value.message_dict["seat"][0]


def test_the_shop_limit_is_a_setting(settings, seat, shop_a):
    settings.AGENCY = {**settings.AGENCY, "MAX_SHOPS_PER_SEAT": 1}
    on_seat(seat, D(2026, 1, 1))
    with pytest.raises(ValidationError) as caught:
        contract_create(
            actor=None, shop=shop_a, plan="full_day", seat=seat, start_date=D(2026, 1, 1)
        )
    assert "at most 1 shops" in caught.value.message_dict["seat"][0]


def test_seat_check_costs_the_same_queries_however_many_contracts_a_seat_has(
    django_assert_num_queries, shop_a
):
    def measure(seat) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            contract_validate(
                shop=shop_a,
                plan="full_day",
                shift=None,
                seat=seat,
                start_date=D(2026, 1, 1),
                end_date=None,
                price=Decimal("3000.00"),
                commission_mode="graduated",
                commission_tiers=[{"from": "0", "rate": "0.03"}],
            )
        return len(captured)

    small, large = SeatFactory(), SeatFactory()
    on_seat(small, D(2026, 1, 1), D(2026, 1, 10))
    for month in range(1, 13):
        on_seat(large, D(2026, month, 1), D(2026, month, 10))
        on_seat(large, D(2026, month, 11), D(2026, month, 20))
    assert measure(small) == measure(large) == 1


def test_moving_a_contract_onto_a_full_seat_is_refused(manager_api, seat, shop_a):
    for _ in range(3):
        on_seat(seat, D(2026, 1, 1))
    contract = ContractFactory(shop=shop_a, start_date=D(2026, 1, 1))
    response = manager_api.patch(detail(contract), {"seat": seat.pk}, format="json")
    assert response.status_code == 400
    assert "seat" in response.json()


def test_a_contract_on_a_full_seat_can_still_be_changed(manager_api, seat, shop_a):
    on_seat(seat, D(2026, 1, 1))
    on_seat(seat, D(2026, 1, 1))
    contract = on_seat(seat, D(2026, 1, 1), shop=shop_a)
    response = manager_api.patch(detail(contract), {"end_date": "2026-12-31"}, format="json")
    assert response.status_code == 200, response.json()


# --- Updating -----------------------------------------------------------------------------------


def test_contract_update_applies_the_same_rules(manager_api, shop_a):
    contract = ContractFactory(shop=shop_a)
    response = manager_api.patch(detail(contract), {"plan": "shift"}, format="json")
    assert response.status_code == 400
    assert "needs a shift" in response.json()["shift"][0]
    response = manager_api.patch(detail(contract), {"plan": "temporary"}, format="json")
    assert response.status_code == 400
    assert "end_date" in response.json()


def test_changing_the_plan_takes_the_new_plans_price_book_terms(manager_api, manager, shop_a):
    contract = ContractFactory(shop=shop_a, plan="full_day", price=Decimal("2800.00"))
    response = manager_api.patch(
        detail(contract),
        {"plan": "temporary", "end_date": "2026-01-31"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["price"], body["commission_tiers"]) == ("100.00", [])
    contract.refresh_from_db()
    assert contract.history.first().history_user == manager


def test_changing_the_plan_keeps_a_price_given_with_it(manager_api, shop_a):
    contract = ContractFactory(shop=shop_a, plan="full_day")
    response = manager_api.patch(
        detail(contract), {"plan": "shift", "shift": "day", "price": "1400.00"}, format="json"
    )
    assert response.json()["price"] == "1400.00"


def test_leaving_the_shift_plan_drops_the_shift(shop_a):
    contract = ContractFactory(shop=shop_a, plan="shift", shift="day", price=Decimal("1500.00"))
    contract_update(contract=contract, actor=None, data={"plan": "full_day"})
    contract.refresh_from_db()
    assert (contract.shift, contract.price) == (None, Decimal("3000.00"))


def test_a_contract_stays_with_its_shop(manager_api, shop_a, shop_b):
    contract = ContractFactory(shop=shop_a)
    response = manager_api.patch(detail(contract), {"shop": shop_b.pk}, format="json")
    assert response.status_code == 400
    assert "cannot be changed" in response.json()["shop"][0]
    assert (
        manager_api.patch(detail(contract), {"shop": shop_a.pk}, format="json").status_code == 200
    )


def test_put_is_not_offered_on_a_contract(manager_api, shop_a):
    contract = ContractFactory(shop=shop_a)
    assert manager_api.put(detail(contract), {}, format="json").status_code == 405


# --- Tenancy ------------------------------------------------------------------------------------


def test_contract_endpoints_need_credentials(api, shop_a):
    contract = ContractFactory(shop=shop_a)
    assert api.get(LIST).status_code == 401
    assert api.post(LIST, {}, format="json").status_code == 401
    assert api.get(detail(contract)).status_code == 401
    assert api.patch(detail(contract), {}, format="json").status_code == 401


def test_owners_read_only_their_own_shops_contracts(owner_a_api, owner_b_api, shop_a, shop_b):
    mine = ContractFactory(shop=shop_a)
    theirs = ContractFactory(shop=shop_b)
    rows = owner_a_api.get(LIST).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert owner_a_api.get(detail(mine)).status_code == 200
    assert owner_a_api.get(detail(theirs)).status_code == 404
    assert owner_b_api.get(detail(mine)).status_code == 404


def test_manager_sees_every_contract(manager_api, shop_a, shop_b):
    ContractFactory(shop=shop_a)
    ContractFactory(shop=shop_b)
    assert manager_api.get(LIST).json()["count"] == 2


def test_only_managers_write_contracts(owner_a_api, shop_a):
    contract = ContractFactory(shop=shop_a)
    body = {"shop": shop_a.pk, "plan": "full_day", "start_date": "2026-10-01"}
    assert owner_a_api.post(LIST, body, format="json").status_code == 403
    response = owner_a_api.patch(detail(contract), {"price": "1.00"}, format="json")
    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.price == Decimal("3000.00")


# --- Filters ------------------------------------------------------------------------------------


def test_contracts_filter_by_shop_seat_plan_and_active_on(manager_api, shop_a, shop_b):
    seat = SeatFactory()
    ended = ContractFactory(shop=shop_a, start_date=D(2026, 1, 1), end_date=D(2026, 6, 30))
    open_ended = ContractFactory(shop=shop_a, seat=seat, start_date=D(2026, 7, 1))
    promo = ContractFactory(
        shop=shop_b,
        plan="promotion",
        price=Decimal("200.00"),
        commission_tiers=[],
        start_date=D(2026, 11, 11),
        end_date=D(2026, 11, 11),
    )

    def ids(query: str) -> set[int]:
        response = manager_api.get(f"{LIST}?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"shop={shop_a.pk}") == {ended.pk, open_ended.pk}
    assert ids(f"seat={seat.pk}") == {open_ended.pk}
    assert ids("plan=promotion") == {promo.pk}
    assert ids("active_on=2026-06-30") == {ended.pk}
    assert ids("active_on=2026-07-01") == {open_ended.pk}
    assert ids("active_on=2026-11-11") == {open_ended.pk, promo.pk}
    assert ids("active_on=2030-01-01") == {open_ended.pk}


def test_bad_active_on_is_400(manager_api):
    response = manager_api.get(f"{LIST}?active_on=2026-13-01")
    assert response.status_code == 400
    assert "active_on" in response.json()
