"""The portal's cast: owner A and owner B, each with a served shop, and signed-in clients.

Time is frozen at 10:00 on 2026-11-15 in Shanghai: "this month" is November 2026, "last month"
October 2026 (31 days), and the contracts start on 2026-10-11 (21 of October's days).
"""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tests.portal.factories import SHANGHAI, TODAY, serve


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 11, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield TODAY


def _client(user=None, **headers) -> Client:
    client = Client(**headers)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def anon() -> Client:
    return _client()


@pytest.fixture
def owner_a_client(owner_a) -> Client:
    return _client(owner_a)


@pytest.fixture
def owner_b_client(owner_b) -> Client:
    return _client(owner_b)


@pytest.fixture
def manager_client(manager) -> Client:
    return _client(manager)


@pytest.fixture
def zh_client(owner_a) -> Client:
    """Owner A with a browser that asks for Simplified Chinese."""
    return _client(owner_a, HTTP_ACCEPT_LANGUAGE="zh-hans")


@pytest.fixture
def served_a(shop_a):
    return serve(shop_a)


@pytest.fixture
def served_b(shop_b):
    return serve(shop_b, day_agent="赵强", night_agent="钱多多")
