"""`manage.py seed_demo`: a believable agency for the day it is seeded on, and safe to run twice."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Max, Min, Sum

from agency.choices import Plan

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _counts() -> dict[str, int]:
    from billing.models import Invoice
    from seats.models import Agent, HandoverNote, Seat, SeatAssignment, SubAccount, WorkloadRecord
    from shops.models import Contract, DsrRating, Shop, TurnoverReport

    models = [
        SubAccount,
        Seat,
        Agent,
        SeatAssignment,
        Shop,
        Contract,
        WorkloadRecord,
        HandoverNote,
        DsrRating,
        TurnoverReport,
        Invoice,
    ]
    return {model.__name__: model.objects.count() for model in models}


def assert_sub_accounts_are_named_like_exports_and_one_is_to_revoke() -> None:
    from seats.models import SubAccount
    from seats.selectors import sub_accounts_to_revoke

    accounts = list(SubAccount.objects.select_related("shop", "agent"))
    assert len(accounts) >= 20
    for account in accounts:
        assert account.name == f"{account.shop.name}:{account.agent.first_name}"
    assert any(account.revoked_on for account in accounts)
    assert sub_accounts_to_revoke(today=dt.date(2026, 11, 30)).count() == 1


@pytest.mark.django_db
def test_seed_demo_builds_a_believable_agency_and_is_idempotent():
    from seats.calculations import load_band
    from seats.models import WorkloadRecord
    from shops.models import Contract

    with time_machine.travel(dt.datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI), tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        first = _counts()
        call_command("seed_demo", stdout=io.StringIO())
        assert _counts() == first

    assert first["Seat"] == 10 and first["Agent"] == 21 and first["Shop"] == 25
    assert set(Contract.objects.values_list("plan", flat=True)) == set(Plan.values)
    span = WorkloadRecord.objects.aggregate(
        first=Min("date"), last=Max("date"), days=Count("date", distinct=True)
    )
    # Whole months: from the first day of the month three months back to today.
    assert span == {"first": dt.date(2026, 8, 1), "last": dt.date(2026, 11, 30), "days": 122}
    assert first["HandoverNote"] and first["DsrRating"] and first["TurnoverReport"]
    assert_sub_accounts_are_named_like_exports_and_one_is_to_revoke()
    bands = {
        load_band(row["total"])
        for row in WorkloadRecord.objects.values("agent", "date").annotate(total=Sum("inquiries"))
    }
    assert {"overloaded", "normal", "busy", "strained"} <= set(bands)
    assert_most_agents_are_normal_or_busy_and_one_or_two_overloaded(dt.date(2026, 11, 30))
    assert_seat_margins_are_believable(dt.date(2026, 9, 1))
    assert_agents_sign_in_and_the_roster_has_leave_a_gap_and_a_cover(dt.date(2026, 11, 30))


def assert_most_agents_are_normal_or_busy_and_one_or_two_overloaded(today: dt.date) -> None:
    """The demo floor: each seat agent's average over the last week, banded."""
    from collections import Counter

    from seats.calculations import load_band
    from seats.selectors import agent_daily_load, agents_overloaded_often

    loads = agent_daily_load(
        date_from=today - dt.timedelta(days=7), date_to=today - dt.timedelta(days=1)
    )
    days: dict[int, list[int]] = {}
    for (agent_id, _), load in loads.items():
        days.setdefault(agent_id, []).append(load.inquiries)
    bands = Counter(load_band(round(sum(v) / len(v))) for v in days.values())
    assert len(days) == 18  # S10's two agents wait for the next client
    assert bands["normal"] + bands["busy"] >= 13
    assert 1 <= bands["strained"] <= 4
    assert 1 <= bands["overloaded"] <= 2
    assert bands["idle"] == 0
    # The dashboard names one or two agents overloaded often, not dozens of agent-days.
    assert 1 <= len(agents_overloaded_often(day=today)) <= 2


def assert_seat_margins_are_believable(month: dt.date) -> None:
    """The billed month: every seat serving shops earns more than its two salaries and overhead,
    without margins no agency sees (revenue vs base salaries + overhead); the spare seat S10
    costs its salaries."""
    from billing.reports import seat_profitability

    seats = {s.seat_code: s for s in seat_profitability(month=month).seats}
    spare = seats.pop("S10")
    assert spare.revenue == 0 and spare.agent_cost > 0
    assert len(seats) == 9
    margins = [(s.revenue - s.agent_cost - s.overhead) / s.revenue for s in seats.values()]
    assert all(0 < margin < Decimal("0.65") for margin in margins), margins
    assert Decimal("0.25") <= sum(margins) / len(margins) <= Decimal("0.55")


def assert_agents_sign_in_and_the_roster_has_leave_a_gap_and_a_cover(today: dt.date) -> None:
    from agency.models import User
    from seats.models import Agent, CoverAssignment, HandoverNote, Leave

    agent = User.objects.get(username="agent01")
    assert agent.check_password("agency-demo") and agent.language == "zh-hans"
    assert agent.agent_profile.employee_no == "E001"
    assert Agent.objects.filter(user__isnull=False).count() == 21
    approved = Leave.objects.filter(
        status="approved", start_date__lte=today + dt.timedelta(days=14)
    )
    assert approved.count() == 2 and all(leave.start_date > today for leave in approved)
    covered = {(c.agent_id, c.start_date) for c in CoverAssignment.objects.all()}
    gaps = [
        leave
        for leave in approved
        if not CoverAssignment.objects.filter(
            start_date__lte=leave.end_date, end_date__gte=leave.start_date
        ).exists()
    ]
    assert len(gaps) == 1 and len(covered) == 1
    assert Leave.objects.filter(status="requested").count() == 1
    # Seeded at 18:00: today's notes are written and none is acknowledged yet.
    assert HandoverNote.objects.filter(date=today, acknowledged_at__isnull=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI),  # the last evening of a month
        dt.datetime(2027, 1, 1, 8, 30, tzinfo=SHANGHAI),  # New Year's morning, before any shift
        dt.datetime(2027, 3, 1, 12, 0, tzinfo=SHANGHAI),  # after a 28-day February
    ],
    ids=["month end", "new year morning", "march first"],
)
def test_the_demo_follows_the_time_rules_on_the_day_it_is_seeded(moment):
    """The month before last billed and issued, last month waiting for turnover, the month in
    progress a preview; nothing worked, reported or billed in the future."""
    from agency import clock
    from billing.models import Invoice
    from seats.models import WorkloadRecord
    from shops.models import TurnoverReport

    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        this_month = clock.current_month()
        last_month = clock.previous_month()
        month_before = clock.previous_month(last_month)
        today = clock.today()

        statuses = {
            month: set(Invoice.objects.filter(month=month).values_list("status", flat=True))
            for month in (month_before, last_month, this_month)
        }
        assert statuses[month_before] == {Invoice.Status.ISSUED, Invoice.Status.PAID}
        assert statuses[last_month] == {Invoice.Status.DRAFT}
        assert Invoice.objects.filter(month=last_month, awaiting_turnover=True).exists()
        assert statuses[this_month] == {Invoice.Status.DRAFT}
        assert all(
            invoice.month_in_progress for invoice in Invoice.objects.filter(month=this_month)
        )
        assert not Invoice.objects.filter(month__gt=this_month).exists()

        assert not TurnoverReport.objects.filter(month__gte=this_month).exists()
        assert TurnoverReport.objects.filter(
            month=last_month, status=TurnoverReport.Status.SUBMITTED
        ).exists()
        assert Invoice.objects.filter(
            month=last_month, awaiting_turnover=False, lines__kind="commission"
        ).exists()

        assert not WorkloadRecord.objects.filter(date__gt=today).exists()
        for shift in ("day", "night"):
            if not clock.shift_has_begun(today, shift):
                assert not WorkloadRecord.objects.filter(date=today, shift=shift).exists()
