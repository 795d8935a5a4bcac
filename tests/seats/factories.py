import datetime as dt

import factory
from factory.django import DjangoModelFactory

from tests.factories import AgentFactory, SeatFactory, ShopFactory


class HandoverNoteFactory(DjangoModelFactory):
    class Meta:
        model = "seats.HandoverNote"

    seat = factory.SubFactory(SeatFactory)
    shop = factory.SubFactory(ShopFactory)
    date = dt.date(2026, 10, 15)
    from_agent = factory.SubFactory(AgentFactory)
    to_agent = None
    open_cases = "Order 123: buyer waits for a refund."
    promises = "Call back before 20:00."


class AgentDailyLoadFactory(DjangoModelFactory):
    class Meta:
        model = "seats.AgentDailyLoad"

    agent = factory.SubFactory(AgentFactory)
    date = dt.date(2026, 10, 14)
    inquiries = 50
    band = "idle"


class SubAccountFactory(DjangoModelFactory):
    class Meta:
        model = "seats.SubAccount"

    shop = factory.SubFactory(ShopFactory)
    agent = factory.SubFactory(AgentFactory)
    name = factory.LazyAttributeSequence(lambda o, n: f"{o.shop.name}:account{n}")
    granted_on = dt.date(2026, 1, 1)
    revoked_on = None
