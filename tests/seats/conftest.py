"""A staffed seat serving shop A, with the date frozen inside October 2026 (Shanghai)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agency.choices import Shift
from tests.factories import AgentFactory, ContractFactory, SeatAssignmentFactory, SeatFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 10, 15)


@pytest.fixture
def today():
    """Frozen at 10:00 on 2026-10-15 in Shanghai (02:00 UTC: the UTC date is the same)."""
    with time_machine.travel(dt.datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield TODAY


@pytest.fixture
def seat(db):
    return SeatFactory(code="S001")


@pytest.fixture
def day_agent(db):
    return AgentFactory(name="Wang Fang", employee_no="E-DAY")


@pytest.fixture
def night_agent(db):
    return AgentFactory(name="Li Na", employee_no="E-NIGHT")


@pytest.fixture
def staffed_seat(seat, day_agent, night_agent):
    """S001: Wang Fang on day, Li Na on night, both from 2026-01-01, open-ended."""
    SeatAssignmentFactory(seat=seat, agent=day_agent, shift=Shift.DAY)
    SeatAssignmentFactory(seat=seat, agent=night_agent, shift=Shift.NIGHT)
    return seat


@pytest.fixture
def contract_a(shop_a, staffed_seat):
    """Shop A is served by S001 from 2026-01-01, open-ended."""
    return ContractFactory(shop=shop_a, seat=staffed_seat)
