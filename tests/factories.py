import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from agency.choices import Plan, Shift
from agency.models import User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-secret-123")


class ManagerFactory(UserFactory):
    is_staff = True


class ShopFactory(DjangoModelFactory):
    class Meta:
        model = "shops.Shop"

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Shop {n}")
    platform = "taobao"
    platform_shop_id = factory.Sequence(lambda n: f"TB{n:06d}")
    status = "active"
    daily_inquiries_estimate = 100


class AgentFactory(DjangoModelFactory):
    class Meta:
        model = "seats.Agent"

    name = factory.Sequence(lambda n: f"Agent {n}")
    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    hired_on = dt.date(2025, 1, 1)
    base_salary = Decimal("1500.00")


class SeatFactory(DjangoModelFactory):
    class Meta:
        model = "seats.Seat"

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.LazyAttribute(lambda s: f"Seat {s.code}")


class SeatAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = "seats.SeatAssignment"

    seat = factory.SubFactory(SeatFactory)
    agent = factory.SubFactory(AgentFactory)
    shift = Shift.DAY
    start_date = dt.date(2026, 1, 1)
    end_date = None


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = "shops.Contract"

    shop = factory.SubFactory(ShopFactory)
    plan = Plan.FULL_DAY
    shift = None
    seat = None
    start_date = dt.date(2026, 1, 1)
    end_date = None
    price = Decimal("3000.00")
    commission_mode = "graduated"
    commission_tiers = factory.LazyFunction(
        lambda: [
            {"from": "0.00", "rate": "0.0300"},
            {"from": "100000.00", "rate": "0.0200"},
            {"from": "500000.00", "rate": "0.0100"},
        ]
    )


class WorkloadFactory(DjangoModelFactory):
    class Meta:
        model = "seats.WorkloadRecord"

    agent = factory.SubFactory(AgentFactory)
    shop = factory.SubFactory(ShopFactory)
    date = dt.date(2026, 10, 1)
    shift = Shift.DAY
    inquiries = 50
    conversions = 20
    buyer_messages = 300
    agent_messages = 360
    first_response_seconds = 30
    sales_amount = Decimal("1000.00")


class TurnoverReportFactory(DjangoModelFactory):
    class Meta:
        model = "shops.TurnoverReport"

    shop = factory.SubFactory(ShopFactory)
    month = dt.date(2026, 10, 1)
    amount = Decimal("300000.00")
    status = "submitted"


class DsrRatingFactory(DjangoModelFactory):
    class Meta:
        model = "shops.DsrRating"

    shop = factory.SubFactory(ShopFactory)
    buyer = factory.Sequence(lambda n: f"buyer{n}")
    order_id = factory.Sequence(lambda n: f"O{n:08d}")
    rated_at = factory.LazyFunction(
        lambda: dt.datetime(2026, 10, 15, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    paid_with_alipay = True
    description = 5
    service = 5
    logistics = 5
