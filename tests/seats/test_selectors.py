"""Reads of the seats app that the pages compose: workload figures and handover notes."""

import datetime as dt
from decimal import Decimal

import pytest

from seats.calculations import first_response_miss_q, is_first_response_miss
from seats.models import HandoverNote, WorkloadRecord
from seats.selectors import (
    WorkloadKpis,
    daily_inquiries,
    handover_notes_for,
    workload_kpis,
)
from tests.factories import AgentFactory, SeatFactory, ShopFactory, WorkloadFactory

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
