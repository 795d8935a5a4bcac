"""The shop page: coverage today, service this month and last, DSR, invoices and turnover."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from agency.choices import Plan, Shift
from portal.selectors import shop_service
from seats.models import HandoverNote
from shops.selectors import covered_shifts
from tests.factories import (
    AgentFactory,
    ContractFactory,
    DsrRatingFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    WorkloadFactory,
)
from tests.portal.factories import NOVEMBER, OCTOBER, TODAY, make_invoice, shanghai

pytestmark = pytest.mark.django_db


def page(client, shop) -> str:
    response = client.get(reverse("portal:shop", kwargs={"pk": shop.pk}))
    assert response.status_code == 200
    return response.content.decode()


def staffed_seat(day_name: str | None = "王小明", night_name: str | None = "李娜"):
    seat = SeatFactory()
    for shift, name in ((Shift.DAY, day_name), (Shift.NIGHT, night_name)):
        if name:
            SeatAssignmentFactory(
                seat=seat, agent=AgentFactory(name=name), shift=shift, start_date=OCTOBER
            )
    return seat


# --- Coverage ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "shift", "expected"),
    [
        (Plan.FULL_DAY, None, (Shift.DAY, Shift.NIGHT)),
        (Plan.SHIFT, Shift.DAY, (Shift.DAY,)),
        (Plan.SHIFT, Shift.NIGHT, (Shift.NIGHT,)),
        (Plan.TEMPORARY, None, (Shift.DAY, Shift.NIGHT)),
        (Plan.PROMOTION, None, (Shift.DAY, Shift.NIGHT)),
    ],
)
def test_each_plan_covers_its_shifts(plan, shift, expected):
    assert covered_shifts(ContractFactory.build(plan=plan, shift=shift)) == expected


def test_full_day_coverage_names_both_agents_by_first_name_only(owner_a_client, served_a):
    content = page(owner_a_client, served_a.shop)
    assert "Long-term, full day (monthly)" in content
    assert "小明" in content and "娜" in content
    assert "王小明" not in content and "李娜" not in content


def test_one_shift_plan_shows_only_its_shift_and_agent(owner_a_client, shop_a):
    seat = staffed_seat(day_name="周杰", night_name="吴敏")
    ContractFactory(shop=shop_a, plan=Plan.SHIFT, shift=Shift.NIGHT, seat=seat, start_date=OCTOBER)
    content = page(owner_a_client, shop_a)
    assert "Night shift" in content and "敏" in content
    assert "Day shift" not in content and "杰" not in content


def test_a_day_plan_covers_both_shifts_on_its_days(owner_a_client, shop_a):
    seat = staffed_seat()
    ContractFactory(
        shop=shop_a,
        plan=Plan.PROMOTION,
        seat=seat,
        start_date=TODAY - dt.timedelta(days=4),
        end_date=TODAY + dt.timedelta(days=1),
        price=Decimal("200.00"),
        commission_tiers=[],
    )
    content = page(owner_a_client, shop_a)
    assert "Promotion service (per event day)" in content
    assert "小明" in content and "娜" in content


def test_an_ended_contract_does_not_cover_today(owner_a_client, shop_a):
    ContractFactory(
        shop=shop_a, seat=staffed_seat(), start_date=OCTOBER, end_date=TODAY - dt.timedelta(1)
    )
    content = page(owner_a_client, shop_a)
    assert "No plan covers your shop today." in content
    assert "小明" not in content


def test_a_contract_without_a_seat_says_agents_are_being_assigned(owner_a_client, shop_a):
    ContractFactory(shop=shop_a, seat=None, start_date=OCTOBER)
    assert "Agents are being assigned" in page(owner_a_client, shop_a)


def test_an_uncovered_shift_says_so(owner_a_client, shop_a):
    ContractFactory(shop=shop_a, seat=staffed_seat(night_name=None), start_date=OCTOBER)
    content = page(owner_a_client, shop_a)
    assert "小明" in content
    assert "No agent assigned today" in content


def test_todays_handover_note_is_shown_unacknowledged(owner_a_client, served_a):
    content = page(owner_a_client, served_a.shop)
    assert "Shop A: order 1001 waits for a refund." in content
    assert "call the buyer of order 1002 back" in content
    assert "Not yet acknowledged" in content


def test_an_acknowledged_handover_note_says_when(owner_a_client, served_a):
    HandoverNote.objects.filter(pk=served_a.note.pk).update(acknowledged_at=shanghai(TODAY, 17, 25))
    assert "Acknowledged by the night shift at 17:25" in page(owner_a_client, served_a.shop)


def test_yesterdays_note_is_not_todays(owner_a_client, served_a):
    HandoverNote.objects.filter(pk=served_a.note.pk).update(date=TODAY - dt.timedelta(days=1))
    content = page(owner_a_client, served_a.shop)
    assert "order 1001" not in content
    assert "No handover note yet today" in content


def test_the_seats_other_shops_stay_invisible(owner_a_client, served_a, owner_b):
    """Agents serve 2-3 shops: another shop on the same seat shows nothing of itself."""
    other = ShopFactory(owner=owner_b, name="Neighbour Shop")
    seat = served_a.contract.seat
    ContractFactory(shop=other, seat=seat, start_date=OCTOBER)
    HandoverNote.objects.create(
        seat=seat,
        shop=other,
        date=TODAY,
        from_agent=served_a.note.from_agent,
        to_agent=served_a.note.to_agent,
        open_cases="Neighbour secret case",
    )
    content = page(owner_a_client, served_a.shop)
    assert "Neighbour" not in content


# --- Service this month and last --------------------------------------------------------------


@pytest.fixture
def workloads(shop_a, shop_b):
    agent = AgentFactory(name="王小明")
    nov, oct_ = NOVEMBER, OCTOBER

    def record(day, **fields):
        defaults = {
            "inquiries": 0,
            "conversions": 0,
            "buyer_messages": 0,
            "agent_messages": 0,
            "first_response_seconds": 30,
            "sales_amount": Decimal("0.00"),
        }
        return WorkloadFactory(
            agent=agent, shop=fields.pop("shop", shop_a), date=day, **{**defaults, **fields}
        )

    record(
        nov + dt.timedelta(days=2),
        inquiries=100,
        conversions=40,
        buyer_messages=200,
        agent_messages=260,
        first_response_seconds=121,
        sales_amount=Decimal("1234.56"),
    )
    record(
        TODAY,
        shift=Shift.NIGHT,
        inquiries=50,
        conversions=10,
        buyer_messages=100,
        agent_messages=100,
        first_response_seconds=120,
        sales_amount=Decimal("0.01"),
    )
    record(
        oct_ + dt.timedelta(days=30),
        inquiries=80,
        conversions=20,
        buyer_messages=100,
        agent_messages=90,
        first_response_seconds=200,
        sales_amount=Decimal("500.00"),
    )
    # Outside the two months, and another shop: neither counts.
    record(oct_ - dt.timedelta(days=1), inquiries=999, first_response_seconds=999)
    record(nov, shop=shop_b, inquiries=777, first_response_seconds=999)


def test_service_figures_compare_this_month_with_last(shop_a, workloads):
    service = shop_service(shop=shop_a, today=TODAY)
    now, then = service.this_month, service.last_month
    assert (now.inquiries, now.conversions, now.first_response_misses) == (150, 50, 1)
    assert now.conversion_rate == Decimal("0.3333")
    assert now.answer_ratio == Decimal("1.2000")
    assert now.sales == Decimal("1234.57")
    assert (then.inquiries, then.conversions, then.first_response_misses) == (80, 20, 1)
    assert then.conversion_rate == Decimal("0.2500")
    assert then.answer_ratio == Decimal("0.9000")
    assert then.sales == Decimal("500.00")
    assert service.deltas == {
        "inquiries": 70,
        "conversions": 30,
        "conversion_rate": Decimal("0.0833"),
        "answer_ratio": Decimal("0.3000"),
        "first_response_misses": 0,
        "sales": Decimal("734.57"),
    }
    daily = dict(service.daily_inquiries)
    assert daily[OCTOBER] == 0 and daily[TODAY] == 50 and len(daily) == 31 + 15


def test_the_miss_threshold_is_the_setting(shop_a, workloads, settings):
    settings.AGENCY = {**settings.AGENCY, "FIRST_RESPONSE_MISS_SECONDS": 150}
    service = shop_service(shop=shop_a, today=TODAY)
    assert service.this_month.first_response_misses == 0
    assert service.last_month.first_response_misses == 1


def test_the_service_section_shows_figures_and_deltas(owner_a_client, shop_a, workloads):
    content = page(owner_a_client, shop_a)
    for text in ("November 2026", "October 2026", "33.3%", "25.0%", "+8.3 pts", "1.20", "0.90"):
        assert text in content
    assert "1,234.57" in content and "+734.57" in content and "+70" in content
    assert "First responses slower than 120 s" in content
    assert 'class="chart"' in content  # the inquiries chart, drawn on the server


def test_no_workloads_shows_dashes_not_errors(owner_a_client, shop_a):
    content = page(owner_a_client, shop_a)
    assert "Service this month and last" in content
    assert "–" in content


# --- Quality (DSR) ------------------------------------------------------------------------------


def test_dsr_today_and_why_ratings_were_left_out(owner_a_client, shop_a):
    day = TODAY - dt.timedelta(days=5)
    for minute, (description, service, logistics) in enumerate([(5, 5, 4), (4, 5, 4), (3, 4, 4)]):
        DsrRatingFactory(
            shop=shop_a,
            buyer="repeat-buyer",
            rated_at=shanghai(day, 10, minute),
            description=description,
            service=service,
            logistics=logistics,
        )
    DsrRatingFactory(shop=shop_a, buyer="repeat-buyer", rated_at=shanghai(day, 11), service=1)
    DsrRatingFactory(shop=shop_a, paid_with_alipay=False, rated_at=shanghai(day), service=1)
    content = page(owner_a_client, shop_a)
    assert "4.00" in content  # description (5+4+3)/3 and logistics
    assert "4.67" in content  # service attitude (5+5+4)/3
    assert "Based on 3 counted ratings" in content
    assert "1 rating was left out because the buyer did not pay through Alipay" in content
    assert "1 rating was left out because the buyer had already rated your shop 3 times" in content
    assert 'class="chart dsr-chart"' in content


def test_dsr_with_every_rating_counted_says_so(owner_a_client, shop_a):
    DsrRatingFactory(shop=shop_a, rated_at=shanghai(TODAY - dt.timedelta(days=1)))
    content = page(owner_a_client, shop_a)
    assert "Based on 1 counted rating from" in content
    assert "Every rating of the last 180 days counts" in content


# --- Invoices and turnover on the shop page ----------------------------------------------------


def test_invoices_are_listed_newest_first_with_void_ones_last(owner_a_client, served_a):
    contract = served_a.contract
    for month, status in ((dt.date(2026, 9, 1), "void"), (dt.date(2026, 8, 1), "paid")):
        make_invoice(
            served_a.shop, [contract], month=month, status=status, turnover=Decimal("1000.00")
        )
    content = page(owner_a_client, served_a.shop)
    section = content[content.index('id="invoices"') :]
    positions = [section.index(month) for month in ("October 2026", "August 2026", "September")]
    assert positions == sorted(positions)
    assert "Void" in section


def test_the_turnover_section_shows_reports_and_locks(owner_a_client, served_a):
    content = page(owner_a_client, served_a.shop)
    section = content[content.index('id="turnover"') :]
    assert "300,000.00" in section
    assert "Locked" in section
