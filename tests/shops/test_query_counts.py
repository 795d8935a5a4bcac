"""Every list of the shops API costs the same number of queries for 5 rows as for 50."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ContractFactory,
    DsrRatingFactory,
    SeatFactory,
    ShopFactory,
    TurnoverReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_shops(n: int, owner) -> None:
    for _ in range(n):
        ShopFactory(owner=UserFactory() if owner is None else owner)


def make_contracts(n: int, owner) -> None:
    for _ in range(n):
        ContractFactory(shop=ShopFactory(owner=owner or UserFactory()), seat=SeatFactory())


def make_turnover(n: int, owner) -> None:
    for _ in range(n):
        TurnoverReportFactory(shop=ShopFactory(owner=owner or UserFactory()))


def make_ratings(n: int, owner) -> None:
    for index in range(n):
        DsrRatingFactory(
            shop=ShopFactory(owner=owner or UserFactory()),
            rated_at=dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC) + dt.timedelta(hours=index),
        )


CASES = [
    ("/api/v1/shops/", make_shops),
    ("/api/v1/contracts/", make_contracts),
    ("/api/v1/turnover-reports/", make_turnover),
    ("/api/v1/dsr-ratings/", make_ratings),
]


def queries_for(client, url: str, expected_rows: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) == expected_rows
    return len(captured)


@pytest.mark.parametrize(("url", "make"), CASES)
def test_manager_lists_cost_a_constant_number_of_queries(
    manager_api, django_assert_num_queries, url, make
):
    make(5, None)
    baseline = queries_for(manager_api, url, 5)
    make(45, None)
    with django_assert_num_queries(baseline):
        queries_for(manager_api, url, 50)


@pytest.mark.parametrize(("url", "make"), CASES)
def test_owner_lists_cost_a_constant_number_of_queries(
    owner_a_api, owner_a, django_assert_num_queries, url, make
):
    make(5, owner_a)
    baseline = queries_for(owner_a_api, url, 5)
    make(45, owner_a)
    make(3, None)  # other owners' rows are not listed
    with django_assert_num_queries(baseline):
        queries_for(owner_a_api, url, 50)
