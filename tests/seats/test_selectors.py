"""Reads of the seats app that the pages compose: workload figures and handover notes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from seats.calculations import first_response_miss_q, is_first_response_miss
from seats.models import AgentDailyLoad, HandoverNote, WorkloadRecord
from seats.selectors import (
    AgentDayLoad,
    WorkloadKpis,
    agency_daily_inquiries,
    agent_assignments,
    agent_daily_load,
    agent_kpis,
    agent_load,
    agent_names,
    agents_assignable,
    current_assignments,
    daily_inquiries,
    handover_notes,
    handover_notes_for,
    handover_notes_unacknowledged,
    overloaded_agents,
    seats_by_code,
    workload_kpis,
)
from seats.services import agent_daily_load_rollup, workload_bulk_upsert
from tests.factories import (
    AgentFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    WorkloadFactory,
)
from tests.seats.factories import HandoverNoteFactory

pytestmark = pytest.mark.django_db

FIRST = dt.date(2026, 10, 1)
SECOND = dt.date(2026, 10, 2)
THIRD = dt.date(2026, 10, 3)


def test_the_first_response_miss_is_the_same_rule_in_python_and_in_sql(settings):
    settings.AGENCY = {**settings.AGENCY, "FIRST_RESPONSE_MISS_SECONDS": 120}
    shop = ShopFactory()
    for seconds in (119, 120, 121):
        WorkloadFactory(shop=shop, agent=AgentFactory(), first_response_seconds=seconds)
    counted = set(
        WorkloadRecord.objects.filter(first_response_miss_q()).values_list(
            "first_response_seconds", flat=True
        )
    )
    assert counted == {121}
    assert [is_first_response_miss(seconds) for seconds in (119, 120, 121)] == [
        False,
        False,
        True,
    ]
    figures = workload_kpis(date_from=FIRST, date_to=FIRST, by="shop", shop_id=shop.pk)
    assert figures[shop.pk].first_response_misses == 1
    assert figures[shop.pk].records == 3


def test_workload_kpis_group_by_date_and_add_sales_exactly(django_assert_num_queries):
    shop, other = ShopFactory(), ShopFactory()
    agent = AgentFactory()
    WorkloadFactory(
        shop=shop,
        agent=agent,
        date=FIRST,
        inquiries=10,
        conversions=4,
        sales_amount=Decimal("0.10"),
    )
    WorkloadFactory(
        shop=shop,
        agent=AgentFactory(),
        date=FIRST,
        inquiries=5,
        conversions=1,
        sales_amount=Decimal("0.20"),
    )
    WorkloadFactory(
        shop=shop, agent=agent, date=THIRD, inquiries=7, conversions=0, first_response_seconds=300
    )
    WorkloadFactory(shop=other, agent=agent, date=SECOND, inquiries=99)
    with django_assert_num_queries(1):
        by_date = workload_kpis(date_from=FIRST, date_to=THIRD, by="date", shop_id=shop.pk)
    assert list(by_date) == [FIRST, THIRD]
    assert by_date[FIRST].inquiries == 15
    assert by_date[FIRST].sales == Decimal("0.30")
    assert by_date[THIRD].first_response_misses == 1
    total = by_date[FIRST] + by_date[THIRD]
    assert (total.records, total.inquiries, total.first_response_misses) == (3, 22, 1)
    assert total.conversion_rate == Decimal("0.2273")  # 5 conversions / 22 inquiries
    assert WorkloadKpis().conversion_rate is None and WorkloadKpis().answer_ratio is None
    by_agent = workload_kpis(date_from=FIRST, date_to=THIRD, by="agent", agent_id=agent.pk)
    assert by_agent[agent.pk].inquiries == 10 + 7 + 99


def test_daily_inquiries_fill_days_without_records_with_zero(django_assert_num_queries):
    shop = ShopFactory()
    WorkloadFactory(shop=shop, date=FIRST, inquiries=4, conversions=0)
    WorkloadFactory(shop=shop, date=THIRD, inquiries=6, conversions=0)
    with django_assert_num_queries(1):
        daily = daily_inquiries(date_from=FIRST, date_to=THIRD, shop_id=shop.pk)
    assert daily == ((FIRST, 4), (SECOND, 0), (THIRD, 6))


def test_handover_notes_of_a_shop_and_day_are_oldest_first(django_assert_num_queries):
    shop = ShopFactory()
    seat, agent = SeatFactory(), AgentFactory()
    first = HandoverNote.objects.create(
        seat=seat, shop=shop, date=SECOND, from_agent=agent, open_cases="one"
    )
    second = HandoverNote.objects.create(
        seat=SeatFactory(), shop=shop, date=SECOND, from_agent=agent, open_cases="two"
    )
    HandoverNote.objects.create(seat=seat, shop=shop, date=FIRST, from_agent=agent, open_cases="x")
    HandoverNote.objects.create(
        seat=seat, shop=ShopFactory(), date=SECOND, from_agent=agent, open_cases="y"
    )
    with django_assert_num_queries(1):
        notes = list(handover_notes_for(shop_id=shop.pk, day=SECOND))
        assert [note.from_agent for note in notes] == [agent, agent]
    assert notes == [first, second]


# --- Agent daily load: one source of truth, the roll-up ------------------------------------------


def _old_live_totals(*, date_from, date_to):
    """What the pages and the agent-load API computed before the roll-up was read."""
    return {
        (row["agent_id"], row["date"]): row["total"]
        for row in WorkloadRecord.objects.filter(date__gte=date_from, date__lte=date_to)
        .values("agent_id", "date")
        .annotate(total=Sum("inquiries"))
    }


def test_agent_daily_load_reads_a_rolled_up_day_and_sums_a_live_day_to_the_same_figures(
    today, shop_a, shop_b, django_assert_num_queries
):
    yesterday = today - dt.timedelta(days=1)
    wang, li = AgentFactory(name="Wang"), AgentFactory(name="Li")
    for day in (yesterday, today):
        WorkloadFactory(agent=wang, shop=shop_a, date=day, inquiries=80)
        WorkloadFactory(agent=wang, shop=shop_b, date=day, inquiries=50)
        WorkloadFactory(agent=li, shop=shop_a, date=day, shift="night", inquiries=70)
    agent_daily_load_rollup(day=yesterday)
    # Proof the roll-up is what is read for yesterday: its rows, not the workloads.
    assert AgentDailyLoad.objects.filter(date=yesterday).count() == 2

    with django_assert_num_queries(1):
        loads = agent_daily_load(date_from=yesterday, date_to=today)
    figures = {key: load.inquiries for key, load in loads.items()}
    assert figures == _old_live_totals(date_from=yesterday, date_to=today)
    assert figures == {
        (wang.pk, yesterday): 130,
        (li.pk, yesterday): 70,
        (wang.pk, today): 130,
        (li.pk, today): 70,
    }
    assert loads[(wang.pk, yesterday)] == AgentDayLoad(
        date=yesterday, inquiries=130, band="overloaded", agent_id=wang.pk, agent_name="Wang"
    )
    assert loads[(wang.pk, today)] == AgentDayLoad(
        date=today, inquiries=130, band="overloaded", agent_id=wang.pk, agent_name="Wang"
    )
    only_li = agent_daily_load(date_from=yesterday, date_to=today, agent_ids=[li.pk])
    assert set(only_li) == {(li.pk, yesterday), (li.pk, today)}
    assert [load.agent_id for load in overloaded_agents(date_from=yesterday, date_to=today)] == [
        wang.pk,
        wang.pk,
    ]


def test_a_rolled_up_day_is_read_from_the_roll_up_and_late_uploads_reach_it(today, shop_a):
    yesterday = today - dt.timedelta(days=1)
    agent = AgentFactory()
    WorkloadFactory(agent=agent, shop=shop_a, date=yesterday, inquiries=40)
    agent_daily_load_rollup(day=yesterday)
    AgentDailyLoad.objects.filter(date=yesterday).update(inquiries=41)  # only the roll-up
    assert agent_load(agent_id=agent.pk, date_from=yesterday, date_to=yesterday)[0].inquiries == 41

    late = AgentFactory()
    row = {
        "agent": late.pk,
        "shop": shop_a.pk,
        "date": yesterday.isoformat(),
        "shift": "night",
        "inquiries": "150",
        "conversions": "0",
        "buyer_messages": "0",
        "agent_messages": "0",
        "first_response_seconds": "30",
        "sales_amount": "0",
    }
    workload_bulk_upsert(rows=[row])
    loads = agent_daily_load(date_from=yesterday, date_to=yesterday)
    assert {key: load.inquiries for key, load in loads.items()} == {
        (agent.pk, yesterday): 40,
        (late.pk, yesterday): 150,
    }
    assert AgentDailyLoad.objects.get(agent=late).alerted_at is None  # the nightly run alerts


# --- Reads the manager pages compose ------------------------------------------------------------


def test_an_agents_kpis_per_shop_add_up_to_the_total_in_one_query(django_assert_num_queries):
    agent = AgentFactory()
    alpha, beta = ShopFactory(name="Alpha"), ShopFactory(name="Beta")
    WorkloadFactory(
        agent=agent,
        shop=beta,
        date=FIRST,
        inquiries=10,
        conversions=2,
        first_response_seconds=121,
        sales_amount=Decimal("0.10"),
    )
    WorkloadFactory(
        agent=agent,
        shop=alpha,
        date=FIRST,
        inquiries=5,
        conversions=1,
        first_response_seconds=120,
        sales_amount=Decimal("0.20"),
    )
    WorkloadFactory(
        agent=agent,
        shop=alpha,
        date=SECOND,
        shift="night",
        inquiries=7,
        conversions=0,
        first_response_seconds=30,
        sales_amount=Decimal("0.00"),
    )
    WorkloadFactory(shop=alpha, date=FIRST, inquiries=99)  # another agent
    WorkloadFactory(agent=agent, shop=alpha, date=THIRD + dt.timedelta(days=1), inquiries=99)
    with django_assert_num_queries(1):
        total, by_shop = agent_kpis(agent_id=agent.pk, date_from=FIRST, date_to=THIRD)
    assert [(entry.shop_name, entry.kpis.inquiries) for entry in by_shop] == [
        ("Alpha", 12),
        ("Beta", 10),
    ]
    assert total == by_shop[0].kpis + by_shop[1].kpis
    assert (total.records, total.inquiries, total.first_response_misses, total.sales) == (
        3,
        22,
        1,
        Decimal("0.30"),
    )


def test_seat_shift_holders_and_forms_choices_come_from_seats(today, django_assert_num_queries):
    left = AgentFactory(name="Gone", status="left")
    holder = AgentFactory(name="Holder")
    seat_b, seat_a = SeatFactory(code="B"), SeatFactory(code="A")
    held = SeatAssignmentFactory(seat=seat_a, agent=holder, start_date=FIRST)
    SeatAssignmentFactory(seat=seat_b, agent=left, start_date=FIRST, end_date=SECOND)
    assert holder in agents_assignable() and left not in agents_assignable()
    assert list(seats_by_code()) == [seat_a, seat_b]
    with django_assert_num_queries(1):
        holdings = current_assignments(agent_ids=[holder.pk, left.pk], day=today)
        assert holdings[holder.pk].seat.code == "A"
    assert holdings == {holder.pk: held}
    assert agent_names(ids=[holder.pk, 0]) == {holder.pk: "Holder"}
    assert agent_assignments(agent=holder, limit=5) == [held]


def test_unacknowledged_handover_notes_count_all_and_list_the_latest(
    django_assert_num_queries,
):
    older = HandoverNoteFactory(date=FIRST)
    newer = HandoverNoteFactory(date=SECOND)
    HandoverNoteFactory(date=THIRD, to_agent=AgentFactory(), acknowledged_at=timezone.now())
    with django_assert_num_queries(2):
        count, latest = handover_notes_unacknowledged(limit=1)
        assert latest[0].shop.name and latest[0].from_agent.name
    assert (count, latest) == (2, [newer])
    assert handover_notes_unacknowledged(limit=5)[1] == [newer, older]
    assert handover_notes().get(pk=older.pk) == older


def test_agency_daily_inquiries_reads_the_roll_up_and_the_days_not_rolled_up(
    django_assert_num_queries,
):
    shops = [ShopFactory(), ShopFactory()]
    agents = [AgentFactory(), AgentFactory()]
    for day, inquiries in ((FIRST, 10), (SECOND, 20), (THIRD, 30)):
        for agent in agents:
            for shop in shops:
                WorkloadFactory(
                    agent=agent, shop=shop, date=day, inquiries=inquiries, conversions=0
                )
    agent_daily_load_rollup(day=FIRST)
    agent_daily_load_rollup(day=SECOND)  # THIRD is not rolled up yet: read from the workloads
    span = {"date_from": FIRST - dt.timedelta(days=1), "date_to": THIRD}
    with django_assert_num_queries(1):
        totals = agency_daily_inquiries(**span)
    assert totals == daily_inquiries(**span)
    assert totals == ((FIRST - dt.timedelta(days=1), 0), (FIRST, 40), (SECOND, 80), (THIRD, 120))


def test_only_the_overloaded_agent_days_leave_the_database(settings):
    settings.AGENCY = {**settings.AGENCY, "LOAD_OVERLOADED_ABOVE": 100}
    calm, busy = AgentFactory(), AgentFactory()
    WorkloadFactory(agent=calm, date=FIRST, inquiries=100, conversions=0)
    WorkloadFactory(agent=busy, date=FIRST, inquiries=101, conversions=0)
    WorkloadFactory(agent=busy, date=SECOND, inquiries=150, conversions=0)
    agent_daily_load_rollup(day=FIRST)  # FIRST from the roll-up, SECOND live
    loads = agent_daily_load(date_from=FIRST, date_to=SECOND, min_inquiries=101)
    assert sorted((load.agent_id, load.date, load.inquiries) for load in loads.values()) == [
        (busy.pk, FIRST, 101),
        (busy.pk, SECOND, 150),
    ]
    assert [load.inquiries for load in overloaded_agents(date_from=FIRST, date_to=SECOND)] == [
        150,
        101,
    ]
