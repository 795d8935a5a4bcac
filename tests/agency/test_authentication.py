"""A token's user arrives knowing its role: the agent check costs no query per request."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from agency.access import is_agent, user_role
from agency.authentication import TokenAuthentication
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _authenticate(key: str):
    request = APIRequestFactory().get("/api/v1/shops/", HTTP_AUTHORIZATION=f"Token {key}")
    return TokenAuthentication().authenticate(Request(request))


@pytest.mark.parametrize("agent", [True, False], ids=["agent", "owner"])
def test_a_token_loads_the_agent_with_its_user(django_assert_num_queries, agent):
    user = UserFactory()
    if agent:
        AgentFactory(user=user)
    _, key = AuthToken.objects.create(user)
    authenticated, _ = _authenticate(key)
    with django_assert_num_queries(0):
        assert is_agent(authenticated) is agent
        assert user_role(authenticated) == ("agent" if agent else "owner")


def test_a_wrong_token_is_still_refused():
    user = UserFactory()
    _, key = AuthToken.objects.create(user)
    response = APIClient().get("/api/v1/shops/", HTTP_AUTHORIZATION=f"Token {key[:-1]}x")
    assert response.status_code == 401


def _agent_token(shops: int) -> str:
    """An agent's token; its seat serves ``shops`` shops."""
    seat = SeatFactory()
    user = UserFactory()
    SeatAssignmentFactory(seat=seat, agent=AgentFactory(user=user), start_date=dt.date(2026, 1, 1))
    for _ in range(shops):
        ContractFactory(shop=ShopFactory(), seat=seat, start_date=dt.date(2026, 1, 1))
    return AuthToken.objects.create(user)[1]


def _queries_of(client: APIClient, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_an_agents_shop_list_costs_the_same_queries_for_one_shop_or_three():
    with time_machine.travel(
        dt.datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        counts = []
        for shops in (1, 3):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {_agent_token(shops)}")
            body = client.get("/api/v1/shops/").json()
            assert body["count"] == shops
            counts.append(_queries_of(client, "/api/v1/shops/"))
        assert counts[0] == counts[1]
