"""A small crew for the quality review tests: a manager, an agent with an account who serves
shop A by the roster (day shift of seat S1), shop B that nobody on the agent's seat serves, and
the built-in sheet (migration 0002). Time is frozen on a working Monday in Shanghai."""

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine

from tests.factories import (
    AgentFactory,
    ContractFactory,
    ManagerFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    UserFactory,
)

NOW = dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TODAY = NOW.date()
CHAT_DATE = dt.date(2026, 11, 12)


@dataclass
class Crew:
    manager: object
    agent_user: object
    agent: object
    other_user: object
    other_agent: object
    shop_a: object
    shop_b: object


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def crew(db, frozen) -> Crew:
    manager = ManagerFactory(username="manager", email="manager@example.com")
    agent_user = UserFactory(username="xiaomei", email="xiaomei@example.com", language="zh-hans")
    agent = AgentFactory(user=agent_user, name="小美", hired_on=dt.date(2026, 3, 1))
    other_user = UserFactory(username="xiaoli", email="xiaoli@example.com")
    other_agent = AgentFactory(user=other_user, name="小李")
    seat, seat_b = SeatFactory(code="S1"), SeatFactory(code="S2")
    SeatAssignmentFactory(seat=seat, agent=agent, shift="day", start_date=dt.date(2026, 3, 1))
    SeatAssignmentFactory(seat=seat_b, agent=other_agent, shift="day")
    shop_a = ShopFactory(name="Shop A")
    shop_b = ShopFactory(name="Shop B")
    ContractFactory(shop=shop_a, seat=seat, start_date=dt.date(2026, 3, 1))
    ContractFactory(shop=shop_b, seat=seat_b)
    return Crew(manager, agent_user, agent, other_user, other_agent, shop_a, shop_b)


def sheet():
    """{code: item} of the built-in sheet."""
    from payroll.models import QaItem

    return {item.code: item for item in QaItem.objects.exclude(code=None)}


def full_marks() -> dict[int, int]:
    return {item.pk: item.weight for item in sheet().values() if not item.fatal}


def make_review(crew: Crew, *, marks=None, breached=(), shop=None, chat_date=CHAT_DATE, **kwargs):
    from payroll.services import review_create

    return review_create(
        agent=kwargs.pop("agent", crew.agent),
        shop=shop or crew.shop_a,
        chat_date=chat_date,
        chat_reference=kwargs.pop("chat_reference", "  https://qn.example/chat/123  "),
        marks=full_marks() if marks is None else marks,
        breached=breached,
        comment=kwargs.pop("comment", "Friendly, but slow."),
        actor=kwargs.pop("actor", crew.manager),
    )
