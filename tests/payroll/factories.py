"""A month of agents for payroll tests: October 2026 (31 days), paid in November."""

import datetime as dt
from decimal import Decimal

import time_machine

from tests.factories import AgentFactory, SeatAssignmentFactory, SeatFactory, ShopFactory

OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)
# A working day in November: October has ended, November is in progress.
IN_NOVEMBER = dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def in_november():
    return time_machine.travel(IN_NOVEMBER, tick=False)


def seated_agent(*, seat=None, shift="day", **fields):
    """An agent with a seat-shift of their own since January (so the roster schedules them)."""
    agent = AgentFactory(**fields)
    SeatAssignmentFactory(
        seat=seat or SeatFactory(), agent=agent, shift=shift, start_date=dt.date(2026, 1, 1)
    )
    return agent


def workloads(agent, *, days=range(1, 32), month=OCTOBER, sales="1000.00", shop=None):
    """One workload record per day of ``days`` in ``month``."""
    from seats.models import WorkloadRecord

    shop = shop or ShopFactory()
    WorkloadRecord.objects.bulk_create(
        [
            WorkloadRecord(
                agent=agent,
                shop=shop,
                date=month.replace(day=day),
                shift="day",
                inquiries=100,
                conversions=55,
                buyer_messages=400,
                agent_messages=500,
                first_response_seconds=30,
                sales_amount=Decimal(sales),
            )
            for day in days
        ]
    )
