"""An agency floor for the desk: seat S001 serves shops A and C; Wang Fang (wangfang) works its
day shift and Li Na (lina) its night shift, each with an account that never chose a language."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from agency.choices import Shift
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    UserFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 10, 15)
BRIEFING = """Products: kids' clothes; sizes run small, suggest one size up.
Shipping: orders paid before 16:00 ship the same day (顺丰).
Promotions: 满300减30 until the end of the month.
Returns: 7 days no reason (七天无理由).
Quick replies (快捷短语): 亲，在的～ / 亲，已为您备注优先发货"""


def at(hour: int, minute: int = 0, day: dt.date = TODAY):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture
def seat(db):
    return SeatFactory(code="S001")


@pytest.fixture
def day_user(db):
    return UserFactory(username="wangfang")


@pytest.fixture
def night_user(db):
    return UserFactory(username="lina")


@pytest.fixture
def day_agent(day_user):
    return AgentFactory(name="Wang Fang", employee_no="E-DAY", user=day_user)


@pytest.fixture
def night_agent(night_user):
    return AgentFactory(name="Li Na", employee_no="E-NIGHT", user=night_user)


@pytest.fixture
def floor(seat, day_agent, night_agent, shop_a, owner_a):
    SeatAssignmentFactory(seat=seat, agent=day_agent, shift=Shift.DAY)
    SeatAssignmentFactory(seat=seat, agent=night_agent, shift=Shift.NIGHT)
    shop_a.briefing = BRIEFING
    shop_a.save()
    shop_c = ShopFactory(owner=owner_a, name="Shop C", briefing="Shipping: 48 hours.")
    ContractFactory(shop=shop_a, seat=seat)
    ContractFactory(shop=shop_c, seat=seat)
    return {"seat": seat, "shops": [shop_a, shop_c]}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def day_client(day_user, floor):
    return signed_in(day_user)


@pytest.fixture
def night_client(night_user, floor):
    return signed_in(night_user)
