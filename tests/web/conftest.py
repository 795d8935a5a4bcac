"""The manager web app's cast: signed-in clients, a frozen Shanghai date and a small agency.

``agency`` builds one of everything a page shows (seats with both shifts, contracts, workloads,
invoices, turnover, handover notes, a billing run); ``grow_agency`` adds many more of each, so a
test can check that a page costs the same number of queries for a small and a large agency.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agency.choices import Plan, Shift
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    TurnoverReportFactory,
    WorkloadFactory,
)
from tests.seats.factories import HandoverNoteFactory, SubAccountFactory
from tests.web.factories import BillingRunFactory, InvoiceFactory, InvoiceLineFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 10, 15)
YESTERDAY = TODAY - dt.timedelta(days=1)
OCTOBER = dt.date(2026, 10, 1)
SEPTEMBER = dt.date(2026, 9, 1)


@pytest.fixture(autouse=True)
def today():
    """Frozen at 10:00 on 2026-10-15 in Shanghai."""
    with time_machine.travel(dt.datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield TODAY


@pytest.fixture
def manager_client(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def owner_client(owner_a) -> Client:
    client = Client()
    client.force_login(owner_a)
    return client


@pytest.fixture
def anonymous_client() -> Client:
    return Client()


@dataclass
class Agency:
    seats: list = field(default_factory=list)
    agents: list = field(default_factory=list)
    shops: list = field(default_factory=list)
    contracts: list = field(default_factory=list)
    invoices: list = field(default_factory=list)
    turnover: list = field(default_factory=list)
    sub_accounts: list = field(default_factory=list)


def _staffed_seat(agency: Agency, number: int, owner) -> None:
    """A seat with a day and a night agent, a full-day shop and a night-only shop, workloads."""
    seat = SeatFactory(code=f"S{number:03d}")
    day = AgentFactory(name=f"Day Agent {number}")
    night = AgentFactory(name=f"Night Agent {number}")
    SeatAssignmentFactory(seat=seat, agent=day, shift=Shift.DAY, start_date=dt.date(2026, 1, 1))
    SeatAssignmentFactory(seat=seat, agent=night, shift=Shift.NIGHT, start_date=dt.date(2026, 1, 1))
    full = ShopFactory(owner=owner, name=f"Full Shop {number}", daily_inquiries_estimate=200)
    nights = ShopFactory(owner=owner, name=f"Night Shop {number}", daily_inquiries_estimate=100)
    contracts = [
        ContractFactory(shop=full, seat=seat, plan=Plan.FULL_DAY, start_date=dt.date(2026, 1, 1)),
        ContractFactory(
            shop=nights,
            seat=seat,
            plan=Plan.SHIFT,
            shift=Shift.NIGHT,
            price=Decimal("1500.00"),
            start_date=dt.date(2026, 1, 1),
        ),
    ]
    for offset in range(3):
        day_ = TODAY - dt.timedelta(days=offset)
        WorkloadFactory(agent=day, shop=full, date=day_, shift=Shift.DAY, inquiries=70)
        WorkloadFactory(agent=night, shop=full, date=day_, shift=Shift.NIGHT, inquiries=40)
        WorkloadFactory(agent=night, shop=nights, date=day_, shift=Shift.NIGHT, inquiries=45)
    for shop in (full, nights):
        agency.invoices.append(
            InvoiceFactory(shop=shop, month=OCTOBER, total=Decimal("1000.10"), status="draft")
        )
        InvoiceLineFactory(
            invoice=agency.invoices[-1],
            contract=contracts[0] if shop == full else contracts[1],
            amount=Decimal("1000.10"),
        )
    agency.turnover.append(
        TurnoverReportFactory(shop=full, month=SEPTEMBER, amount=Decimal("120000.00"))
    )
    HandoverNoteFactory(seat=seat, shop=full, date=TODAY, from_agent=day, to_agent=night)
    agency.sub_accounts.append(SubAccountFactory(shop=full, agent=day, name=f"{full.name}:小美"))
    agency.seats.append(seat)
    agency.agents += [day, night]
    agency.shops += [full, nights]
    agency.contracts += contracts


def grow_agency(agency: Agency, owner, *, seats: int) -> Agency:
    start = len(agency.seats) + 1
    for number in range(start, start + seats):
        _staffed_seat(agency, number, owner)
    InvoiceFactory(shop=agency.shops[-1], month=SEPTEMBER, status="void", total=Decimal("9.99"))
    BillingRunFactory(month=SEPTEMBER, status="done")
    return agency


@pytest.fixture
def agency(owner_a) -> Agency:
    """One staffed seat serving two of owner A's shops, an uncovered seat, alerts of each kind."""
    world = Agency()
    _staffed_seat(world, 1, owner_a)
    # A seat with a shop and no agents: its two shifts are uncovered today.
    lonely = SeatFactory(code="S900")
    orphan = ShopFactory(owner=owner_a, name="Orphan Shop")
    world.contracts.append(
        ContractFactory(
            shop=orphan, seat=lonely, plan=Plan.FULL_DAY, start_date=dt.date(2026, 1, 1)
        )
    )
    world.seats.append(lonely)
    world.shops.append(orphan)
    # An overloaded agent yesterday (150 > 120).
    busy = AgentFactory(name="Busy Bee")
    WorkloadFactory(agent=busy, shop=orphan, date=YESTERDAY, inquiries=150, conversions=10)
    world.agents.append(busy)
    # A draft awaiting turnover, and a void invoice that revenue leaves out.
    world.invoices.append(
        InvoiceFactory(shop=orphan, month=SEPTEMBER, awaiting_turnover=True, total=Decimal("3000"))
    )
    InvoiceFactory(shop=orphan, month=OCTOBER, status="void", total=Decimal("500.00"))
    BillingRunFactory(month=SEPTEMBER, status="running")
    return world


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries)
