"""Portal pages cost the same number of queries for a new shop and for a shop with years of data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agency.choices import Plan, Shift
from seats.models import HandoverNote
from shops.services import shop_update
from tests.factories import (
    AgentFactory,
    ContractFactory,
    DsrRatingFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    TurnoverReportFactory,
    WorkloadFactory,
)
from tests.portal.factories import OCTOBER, TODAY, make_invoice, serve, shanghai
from tests.seats.factories import SubAccountFactory

pytestmark = pytest.mark.django_db

# Who covers the shop comes from the roster (covers and leave included): four queries of them;
# the shop's credit balance (账户余额) is one more.
SHOP_PAGE_MAX_QUERIES = 18


def grow(served, owner) -> None:
    """Add a lot of everything the shop page reads."""
    shop = served.shop
    agents = [AgentFactory() for _ in range(6)]
    for number in range(2):  # two more seats, each with both shifts and today's note
        seat = SeatFactory()
        day = SeatAssignmentFactory(seat=seat, agent=agents[2 * number], start_date=OCTOBER)
        SeatAssignmentFactory(
            seat=seat, agent=agents[2 * number + 1], shift=Shift.NIGHT, start_date=OCTOBER
        )
        ContractFactory(shop=shop, seat=seat, plan=Plan.SHIFT, shift=Shift.DAY, start_date=OCTOBER)
        HandoverNote.objects.create(
            seat=seat, shop=shop, date=TODAY, from_agent=day.agent, open_cases="case"
        )
    for offset in range(45):
        day = TODAY - dt.timedelta(days=offset)
        for agent in agents[:4]:
            WorkloadFactory(agent=agent, shop=shop, date=day, first_response_seconds=60 + offset)
    for number in range(150):
        DsrRatingFactory(
            shop=shop,
            buyer=f"buyer{number % 20}",
            rated_at=shanghai(TODAY - dt.timedelta(days=number)),
            paid_with_alipay=number % 9 != 0,
        )
    for months_back in range(1, 13):
        month = (OCTOBER - dt.timedelta(days=31 * months_back)).replace(day=1)
        TurnoverReportFactory(shop=shop, month=month, amount=Decimal("50000.00"))
        make_invoice(shop, [served.contract], month=month, turnover=Decimal("50000.00"))
    for number in range(25):
        shop_update(shop=shop, actor=owner, data={"briefing": f"version {number}"})
    for number, agent in enumerate(agents):
        SubAccountFactory(shop=shop, agent=agent, name=f"{shop.name}:{number}")
        SubAccountFactory(shop=shop, agent=agent, revoked_on=OCTOBER)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["shop", "shop-turnover", "shop-briefing"])
def test_shop_pages_cost_the_same_for_small_and_large_shops(owner_a_client, owner_a, shop_a, name):
    small = serve(shop_a)
    large = serve(ShopFactory(owner=owner_a, name="Big shop"))
    grow(large, owner_a)
    small_count = count_queries(owner_a_client, reverse(f"portal:{name}", args=[small.shop.pk]))
    large_count = count_queries(owner_a_client, reverse(f"portal:{name}", args=[large.shop.pk]))
    assert small_count == large_count
    assert large_count <= SHOP_PAGE_MAX_QUERIES


def test_the_home_page_costs_the_same_for_one_shop_and_many(owner_a_client, owner_a, shop_a):
    ContractFactory(shop=shop_a, start_date=OCTOBER)
    one = count_queries(owner_a_client, reverse("portal:home"))
    for _ in range(12):
        shop = ShopFactory(owner=owner_a)
        ContractFactory(shop=shop, start_date=OCTOBER)
        ContractFactory(shop=shop, plan=Plan.SHIFT, shift=Shift.NIGHT, start_date=OCTOBER)
    many = count_queries(owner_a_client, reverse("portal:home"))
    assert one == many


def test_the_invoice_page_costs_the_same_for_few_and_many_lines(owner_a_client, owner_a):
    small_shop, large_shop = ShopFactory(owner=owner_a), ShopFactory(owner=owner_a)
    small = make_invoice(
        small_shop, [ContractFactory(shop=small_shop)], turnover=Decimal("1000.00")
    )
    contracts = [ContractFactory(shop=large_shop) for _ in range(6)]
    large = make_invoice(large_shop, contracts, turnover=Decimal("800000.00"))
    assert large.lines.count() == 12
    small_count = count_queries(owner_a_client, reverse("portal:invoice", args=[small.pk]))
    large_count = count_queries(owner_a_client, reverse("portal:invoice", args=[large.pk]))
    assert small_count == large_count
