"""Agent load by date and seat capacity planning (quotes: tests/billing/test_quotes.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from seats.calculations import ShiftSplit
from seats.models import AgentDailyLoad, ShopDailyLoad, ShopLoadWindow
from seats.selectors import (
    SeatLoad,
    seat_capacity,
    seat_shops_on,
    seat_utilisation,
    shop_daily_inquiries,
    shop_shift_inquiries,
    shop_window_sums,
)
from seats.services import agent_daily_load_rollup
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatFactory,
    ShopFactory,
    WorkloadFactory,
)

D = dt.date


# --- Load ---------------------------------------------------------------------------------------


def load_url(agent, query="date_from=2026-10-01&date_to=2026-10-03"):
    return f"/api/v1/agents/{agent.pk}/load/?{query}"


def test_load_lists_every_date_of_the_range_zero_filled_with_bands(manager_api, shop_a, shop_b):
    agent = AgentFactory()
    WorkloadFactory(agent=agent, shop=shop_a, date=D(2026, 10, 1), inquiries=70, conversions=0)
    WorkloadFactory(agent=agent, shop=shop_b, date=D(2026, 10, 1), inquiries=55, conversions=0)
    WorkloadFactory(
        agent=agent, shop=shop_a, date=D(2026, 10, 3), shift="night", inquiries=60, conversions=0
    )
    WorkloadFactory(shop=shop_a, date=D(2026, 10, 2), inquiries=100)  # another agent
    response = manager_api.get(load_url(agent))
    assert response.status_code == 200
    assert response.json() == [
        {"date": "2026-10-01", "inquiries": 125, "band": "overloaded"},  # all shops summed
        {"date": "2026-10-02", "inquiries": 0, "band": "idle"},
        {"date": "2026-10-03", "inquiries": 60, "band": "normal"},
    ]


def test_load_reads_rolled_up_days_from_the_roll_up_with_the_same_answer(
    manager_api, shop_a, shop_b
):
    agent = AgentFactory()
    WorkloadFactory(agent=agent, shop=shop_a, date=D(2026, 10, 1), inquiries=70, conversions=0)
    WorkloadFactory(agent=agent, shop=shop_b, date=D(2026, 10, 1), inquiries=55, conversions=0)
    WorkloadFactory(agent=agent, shop=shop_a, date=D(2026, 10, 3), inquiries=60, conversions=0)
    live = manager_api.get(load_url(agent)).json()
    agent_daily_load_rollup(day=D(2026, 10, 1))  # Oct 1 rolled up, Oct 3 still live
    assert AgentDailyLoad.objects.filter(date=D(2026, 10, 1)).exists()
    assert (
        manager_api.get(load_url(agent)).json()
        == live
        == [
            {"date": "2026-10-01", "inquiries": 125, "band": "overloaded"},
            {"date": "2026-10-02", "inquiries": 0, "band": "idle"},
            {"date": "2026-10-03", "inquiries": 60, "band": "normal"},
        ]
    )


def test_load_costs_one_aggregate_query_whatever_the_range(
    manager_api, shop_a, django_assert_num_queries
):
    agent = AgentFactory()
    for day in range(1, 29):
        WorkloadFactory(agent=agent, shop=shop_a, date=D(2026, 2, day))
    # the agent, then the aggregate
    with django_assert_num_queries(2):
        response = manager_api.get(load_url(agent, "date_from=2026-01-01&date_to=2026-12-31"))
    assert len(response.json()) == 365


@pytest.mark.parametrize(
    "query",
    [
        "",
        "date_from=2026-10-01",
        "date_to=2026-10-01",
        "date_from=2026-10-05&date_to=2026-10-01",
        "date_from=oops&date_to=2026-10-01",
        "date_from=2025-01-01&date_to=2026-01-02",  # 367 days
    ],
)
def test_load_range_is_validated_with_400(manager_api, query):
    agent = AgentFactory()
    assert manager_api.get(load_url(agent, query)).status_code == 400


def test_load_range_of_366_days_is_allowed(manager_api):
    agent = AgentFactory()
    response = manager_api.get(load_url(agent, "date_from=2024-01-01&date_to=2024-12-31"))
    assert response.status_code == 200
    assert len(response.json()) == 366


def test_load_of_a_missing_agent_is_404(manager_api):
    url = "/api/v1/agents/999999/load/?date_from=2026-10-01&date_to=2026-10-01"
    assert manager_api.get(url).status_code == 404


# --- Capacity -----------------------------------------------------------------------------------


def test_shop_daily_inquiries_average_over_days_with_data_in_the_28_days_before_today(db, today):
    shop = ShopFactory(daily_inquiries_estimate=999)
    WorkloadFactory(shop=shop, date=D(2026, 10, 14), inquiries=100, conversions=0)
    WorkloadFactory(shop=shop, date=D(2026, 10, 14), inquiries=50, shift="night", conversions=0)
    WorkloadFactory(shop=shop, date=D(2026, 9, 17), inquiries=50, conversions=0)  # day 28
    WorkloadFactory(shop=shop, date=D(2026, 9, 16), inquiries=9000)  # 29 days ago: outside
    WorkloadFactory(shop=shop, date=D(2026, 10, 15), inquiries=9000)  # today: incomplete
    assert shop_daily_inquiries(shops={shop.pk: 999}) == {shop.pk: 100}  # (150 + 50) / 2 days


def test_shop_without_history_counts_its_estimate(db, today):
    shop = ShopFactory(daily_inquiries_estimate=123)
    assert shop_daily_inquiries(shops={shop.pk: 123}) == {shop.pk: 123}


def test_shop_history_reads_rolled_up_days_from_the_shop_roll_up_and_the_others_live(db, today):
    """A date rolled up counts its ``ShopDailyLoad`` row (not the workloads: a row changed behind
    the roll-up's back shows which was read); a date not rolled up its workloads. The average is
    over the days with data either way, and the day/night split follows both."""
    shop = ShopFactory(daily_inquiries_estimate=999)
    WorkloadFactory(shop=shop, date=D(2026, 10, 10), inquiries=60, conversions=0)
    WorkloadFactory(shop=shop, date=D(2026, 10, 10), inquiries=40, shift="night", conversions=0)
    WorkloadFactory(shop=shop, date=D(2026, 10, 12), inquiries=90, conversions=0)
    WorkloadFactory(shop=shop, date=D(2026, 10, 12), inquiries=10, shift="night", conversions=0)
    agent_daily_load_rollup(day=D(2026, 10, 10))
    rolled = ShopDailyLoad.objects.get(shop=shop, date=D(2026, 10, 10))
    assert (rolled.inquiries, rolled.day_inquiries) == (100, 60)
    live = shop_shift_inquiries(shops={shop.pk: 999})[shop.pk]

    ShopDailyLoad.objects.filter(pk=rolled.pk).update(inquiries=300, day_inquiries=300)
    read = shop_shift_inquiries(shops={shop.pk: 999})[shop.pk]

    assert live == ShiftSplit(day=75, night=25)  # 200 over 2 days; day 150 of 200
    assert read.total == 200  # (300 + 100) / 2 days
    assert read == ShiftSplit(day=195, night=5)  # day 390 of 400, half up


def test_shop_history_is_the_same_from_the_roll_up_as_from_the_workloads(db, today):
    shops = [ShopFactory(daily_inquiries_estimate=50 + n) for n in range(3)]
    for offset in range(1, 29, 3):
        for n, shop in enumerate(shops):
            WorkloadFactory(
                shop=shop,
                date=today - dt.timedelta(days=offset),
                inquiries=7 * offset + n,
                conversions=0,
            )
            if n:
                WorkloadFactory(
                    shop=shop,
                    shift="night",
                    date=today - dt.timedelta(days=offset),
                    inquiries=3 * offset,
                    conversions=0,
                )
    estimates = {shop.pk: shop.daily_inquiries_estimate for shop in shops}
    live = shop_shift_inquiries(shops=estimates)
    for offset in range(1, 29, 2):
        agent_daily_load_rollup(day=today - dt.timedelta(days=offset))
    assert ShopDailyLoad.objects.exists()
    assert shop_shift_inquiries(shops=estimates) == live


def test_the_nightly_roll_up_stores_tomorrows_window_and_capacity_reads_it(db, today):
    shop = ShopFactory(daily_inquiries_estimate=999)
    yesterday = today - dt.timedelta(days=1)
    for offset, inquiries in ((1, 90), (2, 60), (40, 5000)):
        WorkloadFactory(
            shop=shop, date=today - dt.timedelta(days=offset), inquiries=inquiries, conversions=0
        )
    WorkloadFactory(shop=shop, date=yesterday, shift="night", inquiries=30, conversions=0)
    ShopLoadWindow.objects.create(
        shop=shop, as_of=yesterday - dt.timedelta(days=1), window_days=28, inquiries=1, days=1
    )
    agent_daily_load_rollup(day=yesterday)

    window = ShopLoadWindow.objects.get()  # the day before yesterday's window is gone
    assert (window.as_of, window.window_days) == (today, 28)
    assert (window.inquiries, window.day_inquiries, window.days) == (180, 150, 2)
    assert shop_window_sums(day=today) == {shop.pk: (180, 150, 2)}
    assert shop_shift_inquiries(shops={shop.pk: 999})[shop.pk] == ShiftSplit(day=75, night=15)

    # Read from the stored window: a change behind its back shows which was read.
    ShopLoadWindow.objects.filter(pk=window.pk).update(inquiries=400, day_inquiries=200)
    assert shop_shift_inquiries(shops={shop.pk: 999})[shop.pk] == ShiftSplit(day=100, night=100)
    # ... unless it was stored for another window length than today's: then it is summed.
    ShopLoadWindow.objects.filter(pk=window.pk).update(window_days=14)
    assert shop_shift_inquiries(shops={shop.pk: 999})[shop.pk] == ShiftSplit(day=75, night=15)


def test_a_late_upload_into_a_stored_window_stores_it_again(manager_api, today):
    agent, shop = AgentFactory(), ShopFactory(daily_inquiries_estimate=999)
    yesterday = today - dt.timedelta(days=1)
    WorkloadFactory(agent=agent, shop=shop, date=yesterday, inquiries=100, conversions=0)
    agent_daily_load_rollup(day=yesterday)
    old = ShopLoadWindow.objects.create(
        shop=shop, as_of=yesterday, window_days=28, inquiries=1, days=1
    )

    late = {
        "agent": agent.pk,
        "shop": shop.pk,
        "date": (today - dt.timedelta(days=5)).isoformat(),
        "shift": "night",
        "inquiries": 50,
        "conversions": 0,
    }
    response = manager_api.post("/api/v1/workloads/bulk/", [late], format="json")
    assert response.status_code == 200, response.content

    assert not ShopLoadWindow.objects.filter(pk=old.pk).exists()  # held the day: taken away
    window = ShopLoadWindow.objects.get()
    assert (window.as_of, window.inquiries, window.day_inquiries, window.days) == (
        today,
        150,
        100,
        2,
    )

    # An upload of long ago reaches no stored window.
    long_ago = {**late, "date": (today - dt.timedelta(days=60)).isoformat()}
    response = manager_api.post("/api/v1/workloads/bulk/", [long_ago], format="json")
    assert response.status_code == 200, response.content
    assert ShopLoadWindow.objects.get().pk == window.pk


def capacity(client, n):
    response = client.get(f"/api/v1/seats/capacity/?inquiries={n}")
    assert response.status_code == 200
    return response.json()


def test_capacity_lists_seats_whose_agents_stay_within_120_most_headroom_first(manager_api, today):
    empty = SeatFactory(code="S-EMPTY")
    half = SeatFactory(code="S-HALF")
    full = SeatFactory(code="S-FULL")
    ContractFactory(shop=ShopFactory(daily_inquiries_estimate=100), seat=half)  # 53 / 47
    ContractFactory(shop=ShopFactory(daily_inquiries_estimate=200), seat=full)  # 107 / 93
    result = capacity(manager_api, 100)  # the new shop: 53 day, 47 night
    assert [
        (r["seat"], r["projected_load"], r["day_load"], r["night_load"], r["headroom"])
        for r in result
    ] == [
        (empty.pk, 100, 53, 47, 67),  # the day agent has 120 - 53 left
        (half.pk, 200, 106, 94, 14),
    ]
    # S-FULL's day agent would answer 160 a day: overloaded, so it is never offered,
    # although 300 is well within the seat peak of 600.
    assert result[1]["code"] == "S-HALF"
    assert len(result[1]["shops"]) == 1
    assert (result[0]["agent_cap"], result[0]["peak"]) == (120, 600)


def test_capacity_of_a_450_inquiry_shop_is_no_seat(manager_api, today):
    """The issue's example: 450 a day fits 600, but its day agent would answer 240 > 120."""
    SeatFactory()
    assert capacity(manager_api, 450) == []


def test_capacity_cap_is_inclusive_and_a_one_shift_shop_loads_its_shift(manager_api, today):
    seat = SeatFactory()
    day_only = manager_api.get("/api/v1/seats/capacity/?inquiries=120&shift=day").json()
    assert [(r["seat"], r["day_load"], r["night_load"]) for r in day_only] == [(seat.pk, 120, 0)]
    assert manager_api.get("/api/v1/seats/capacity/?inquiries=121&shift=day").json() == []
    assert manager_api.get("/api/v1/seats/capacity/?inquiries=10&shift=dusk").status_code == 400


def test_capacity_excludes_seats_that_already_serve_three_shops(manager_api, today):
    seat = SeatFactory()
    for _ in range(3):
        ContractFactory(shop=ShopFactory(daily_inquiries_estimate=10), seat=seat)
    assert capacity(manager_api, 1) == []


def test_capacity_counts_only_contracts_active_today(manager_api, today):
    seat = SeatFactory()
    ContractFactory(
        shop=ShopFactory(daily_inquiries_estimate=100),
        seat=seat,
        start_date=D(2026, 1, 1),
        end_date=D(2026, 10, 14),
    )
    ContractFactory(
        shop=ShopFactory(daily_inquiries_estimate=100), seat=seat, start_date=D(2026, 10, 16)
    )
    assert capacity(manager_api, 100)[0]["projected_load"] == 100


def test_capacity_uses_history_over_the_estimate(manager_api, today):
    """A shop's last 28 days say both how much and on which shift: here all of it at night."""
    seat = SeatFactory()
    shop = ShopFactory(daily_inquiries_estimate=50)
    ContractFactory(shop=shop, seat=seat)
    WorkloadFactory(shop=shop, date=D(2026, 10, 10), shift="night", inquiries=100, conversions=0)
    night = "/api/v1/seats/capacity/?shift=night&inquiries="
    assert manager_api.get(f"{night}20").json()[0]["night_load"] == 120
    assert manager_api.get(f"{night}21").json() == []
    day = manager_api.get("/api/v1/seats/capacity/?shift=day&inquiries=120").json()
    assert (day[0]["day_load"], day[0]["night_load"]) == (120, 100)


def test_capacity_respects_the_settings(manager_api, today, settings):
    settings.AGENCY = {**settings.AGENCY, "SEAT_PEAK_INQUIRIES": 100, "MAX_SHOPS_PER_SEAT": 1}
    seat = SeatFactory()
    other = SeatFactory()
    ContractFactory(shop=ShopFactory(daily_inquiries_estimate=1), seat=other)
    assert [r["seat"] for r in capacity(manager_api, 100)] == [seat.pk]


def test_capacity_needs_a_whole_number_of_inquiries(manager_api):
    for query in ("", "?inquiries=-1", "?inquiries=ten"):
        assert manager_api.get(f"/api/v1/seats/capacity/{query}").status_code == 400


def test_capacity_costs_the_same_queries_for_5_and_50_seats(db, django_assert_num_queries, today):
    def make(n):
        for _ in range(n):
            seat = SeatFactory()
            shop = ShopFactory()
            ContractFactory(shop=shop, seat=seat)
            WorkloadFactory(shop=shop, date=D(2026, 10, 1))

    make(5)
    with django_assert_num_queries(3):
        assert len(seat_capacity(inquiries=10)) == 5
    make(45)
    with django_assert_num_queries(3):
        assert len(seat_capacity(inquiries=10)) == 50


def test_seat_shops_on_are_the_shops_of_its_contracts_active_that_day(
    db, today, django_assert_num_queries
):
    seat, other, idle = SeatFactory(), SeatFactory(), SeatFactory()
    shop = ShopFactory(daily_inquiries_estimate=120)
    later = ShopFactory(daily_inquiries_estimate=80)
    ContractFactory(shop=shop, seat=seat, start_date=D(2026, 10, 1), end_date=D(2026, 10, 15))
    ContractFactory(shop=shop, seat=seat, start_date=D(2026, 10, 15))  # same shop twice: once
    ContractFactory(shop=later, seat=seat, start_date=D(2026, 10, 16))  # not yet
    ContractFactory(shop=later, seat=other, start_date=D(2026, 10, 1))
    ContractFactory(seat=idle, start_date=D(2026, 9, 1), end_date=D(2026, 10, 14))  # ended
    with django_assert_num_queries(1):
        assert seat_shops_on(day=D(2026, 10, 15)) == {
            seat.pk: {shop.pk: 120},
            other.pk: {later.pk: 80},
        }
    assert seat_shops_on(day=D(2026, 10, 16), seat_ids=[seat.pk]) == {
        seat.pk: {shop.pk: 120, later.pk: 80}
    }


def test_seat_load_fits_new_inquiries_up_to_the_cap_and_the_peak_inclusive():
    load = SeatLoad(
        seat_id=1,
        seat_code="S1",
        shop_ids=(7,),
        load=200,
        peak=600,
        shifts=ShiftSplit(day=100, night=100),
        agent_cap=120,
    )
    assert load.fits(ShiftSplit())
    assert load.fits(ShiftSplit(day=20, night=20))  # 120 each is within the cap
    assert not load.fits(ShiftSplit(day=21))
    peak_bound = SeatLoad(
        seat_id=1, seat_code="S1", shop_ids=(), load=0, peak=100, shifts=ShiftSplit(), agent_cap=120
    )
    assert peak_bound.fits(ShiftSplit(day=50, night=50))
    assert not peak_bound.fits(ShiftSplit(day=51, night=50))


def test_seat_utilisation_splits_each_shop_on_the_shifts_its_contracts_cover(db, today):
    seat = SeatFactory()
    ContractFactory(shop=ShopFactory(daily_inquiries_estimate=150), seat=seat)  # 80 / 70
    ContractFactory(
        shop=ShopFactory(daily_inquiries_estimate=30), seat=seat, plan="shift", shift="night"
    )
    load = seat_utilisation(seats=[seat])[seat.pk]
    assert (load.shifts.day, load.shifts.night, load.load) == (80, 100, 180)


def test_seat_utilisation_is_load_over_peak(db, today):
    seat = SeatFactory()
    ContractFactory(shop=ShopFactory(daily_inquiries_estimate=150), seat=seat)
    load = seat_utilisation(seats=[seat])[seat.pk]
    assert (load.load, load.headroom, load.utilisation) == (150, 450, Decimal("0.2500"))
