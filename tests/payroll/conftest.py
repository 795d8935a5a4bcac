"""The payroll tests' floor: a seat, its agents, a month of work, leave, a cover and reviews."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agency.choices import Shift
from payroll.models import QualityReview
from seats.models import CoverAssignment, Leave
from tests.factories import (
    AgentFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    WorkloadFactory,
)

D = Decimal
OCT = dt.date(2026, 10, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def november():
    """October has ended: its scorecards count every day of it."""
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def _days(first: int, last: int):
    return [OCT.replace(day=day) for day in range(first, last + 1)]


@pytest.fixture
def floor(db):
    """Seat S1: Wang (day) and Li (night) from 2026-10-01. Wang takes paid leave on the 5th and
    6th (a floater, Zhao, covers both days) and unpaid leave on the 7th; Li records no work at
    all; Qian, a floater, never works."""
    seat = SeatFactory(code="S1")
    shop = ShopFactory(name="Shop A")
    wang = AgentFactory(name="Wang", hired_on=dt.date(2025, 1, 1))
    li = AgentFactory(name="Li", hired_on=dt.date(2025, 1, 1))
    zhao = AgentFactory(name="Zhao", hired_on=dt.date(2025, 1, 1))
    qian = AgentFactory(name="Qian", hired_on=dt.date(2025, 1, 1))
    SeatAssignmentFactory(seat=seat, agent=wang, shift=Shift.DAY, start_date=OCT)
    SeatAssignmentFactory(seat=seat, agent=li, shift=Shift.NIGHT, start_date=OCT)
    Leave.objects.create(
        agent=wang, start_date=OCT.replace(day=5), end_date=OCT.replace(day=6), status="approved"
    )
    Leave.objects.create(
        agent=wang,
        start_date=OCT.replace(day=7),
        end_date=OCT.replace(day=7),
        status="approved",
        unpaid=True,
    )
    CoverAssignment.objects.create(
        seat=seat,
        shift=Shift.DAY,
        agent=zhao,
        start_date=OCT.replace(day=5),
        end_date=OCT.replace(day=6),
    )
    worked = [day for day in _days(1, 31) if day.day not in (5, 6, 7)]
    for day in worked:
        WorkloadFactory(
            agent=wang,
            shop=shop,
            date=day,
            inquiries=110,
            conversions=66,
            buyer_messages=300,
            agent_messages=330,
            first_response_seconds=150 if day.day <= 4 else 30,
            sales_amount=D("10000.00"),
        )
    for day in _days(5, 6):
        WorkloadFactory(agent=zhao, shop=shop, date=day, inquiries=90, conversions=45)
    for score, status in ((D("80.00"), "scored"), (D("91.00"), "upheld"), (D("0"), "withdrawn")):
        QualityReview.objects.create(
            agent=wang,
            shop=shop,
            chat_date=OCT.replace(day=20),
            chat_reference="chat",
            score=score,
            status=status,
        )
    return {"seat": seat, "shop": shop, "wang": wang, "li": li, "zhao": zhao, "qian": qian}


def _days(first: int, last: int):
    return [OCT.replace(day=day) for day in range(first, last + 1)]
