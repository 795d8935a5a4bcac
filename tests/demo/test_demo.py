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
    from billing.models import CreditNote, Invoice
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
        CreditNote,
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
    assert_one_credit_note_on_a_paid_invoice_and_one_on_an_issued_one()
    assert_sub_accounts_are_named_like_exports_and_one_is_to_revoke()
    bands = {
        load_band(row["total"])
        for row in WorkloadRecord.objects.values("agent", "date").annotate(total=Sum("inquiries"))
    }
    assert {"overloaded", "normal", "busy", "strained"} <= set(bands)
    assert_most_agents_are_normal_or_busy_and_one_or_two_overloaded(dt.date(2026, 11, 30))
    assert_seat_margins_are_believable(dt.date(2026, 9, 1))
    assert_agents_sign_in_and_the_roster_has_leave_a_gap_and_a_cover(dt.date(2026, 11, 30))
    with time_machine.travel(dt.datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI), tick=False):
        assert_last_months_pay_shows_terms_leave_and_covers_and_seats_still_earn(
            dt.date(2026, 10, 1)
        )
    with time_machine.travel(dt.datetime(2026, 11, 30, 18, 30, tzinfo=SHANGHAI), tick=False):
        assert_the_dashboard_shows_a_handful_of_alerts_that_matter(dt.date(2026, 11, 30))


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
    """The billed month, its payroll approved: the seats serving shops carry their agents' real
    pay (commission, bonuses, allowances) and the overhead, all but the weakest with a margin and
    none with margins no agency sees; the spare seat S10 costs its salaries."""
    from billing.reports import seat_profitability

    report = seat_profitability(month=month)
    assert report.estimate is False
    seats = {s.seat_code: s for s in report.seats}
    spare = seats.pop("S10")
    assert spare.revenue == 0 and spare.agent_cost > 0
    assert len(seats) == 9
    margins = sorted((s.revenue - s.agent_cost - s.overhead) / s.revenue for s in seats.values())
    assert all(0 < margin < Decimal("0.65") for margin in margins[1:]), margins
    assert margins[0] > Decimal("-0.25"), margins
    assert Decimal("0.15") <= sum(margins) / len(margins) <= Decimal("0.55"), margins


def assert_last_months_pay_shows_terms_leave_and_covers_and_seats_still_earn(
    month: dt.date,
) -> None:
    """A few agents have their own commission rate; last month one took unpaid leave and the
    floater covered; with the month's pay figures as a payroll run would compute them, the seats
    serving shops carry their two agents' pay and the overhead, all but the weakest with a
    margin."""
    from collections import defaultdict

    from agency.money import share_by_days
    from billing.reports import seat_profitability
    from payroll.payslips import payslip_figures
    from payroll.scorecards import month_scorecards
    from payroll.selectors import pay_book_for
    from seats.models import Agent, Leave

    assert Agent.objects.filter(commission_rate__isnull=False).count() == 3
    unpaid = Leave.objects.get(status="approved", unpaid=True, start_date__month=month.month)
    book = pay_book_for(month)
    figures = {
        agent_id: payslip_figures(card=card, book=book, month=month)
        for agent_id, card in month_scorecards(month=month).items()
    }
    assert figures[unpaid.agent_id].lines.deductions > 0
    floater = Agent.objects.get(employee_no="E021")
    assert figures[floater.pk].cover_shifts == 5
    assert figures[floater.pk].lines.cover_allowance > 0
    assert {f.commission_rate for f in figures.values()} >= {
        Decimal("0.0030"),
        Decimal("0.0020"),
        Decimal("0.0010"),
    }
    cost: dict[int, Decimal] = defaultdict(Decimal)
    for agent_id, card in month_scorecards(month=month).items():
        if card.seat_days:
            shares = share_by_days(figures[agent_id].total, sorted(card.seat_days.items()))
            for seat_id, share in shares.items():
                cost[seat_id] += share
    serving = [row for row in seat_profitability(month=month).seats if row.revenue > 0]
    assert len(serving) == 9
    margins = sorted(
        (row.revenue - cost[row.seat_id] - row.overhead) / row.revenue for row in serving
    )
    # At a third of their 600 peak inquiries the demo's seats earn thin margins once commission
    # and grade bonuses are paid: all but one keep one, the weakest shows its manager a loss
    # to fill (never a ruinous one), and the agency as a whole earns.
    assert all(Decimal("0.03") < margin < Decimal("0.6") for margin in margins[1:]), margins
    assert margins[0] > Decimal("-0.25"), margins
    assert sum(margins) / len(margins) > Decimal("0.15"), margins


def assert_agents_sign_in_and_the_roster_has_leave_a_gap_and_a_cover(today: dt.date) -> None:
    from agency.models import User
    from seats.models import Agent, CoverAssignment, Leave

    agent = User.objects.get(username="agent01")
    assert agent.check_password("agency-demo") and agent.language == "zh-hans"
    assert agent.agent_profile.employee_no == "E001"
    assert Agent.objects.filter(user__isnull=False).count() == 21
    approved = Leave.objects.filter(
        status="approved", start_date__gt=today, start_date__lte=today + dt.timedelta(days=14)
    )
    assert approved.count() == 2
    covered = {
        (c.agent_id, c.start_date) for c in CoverAssignment.objects.filter(start_date__gt=today)
    }
    gaps = [
        leave
        for leave in approved
        if not CoverAssignment.objects.filter(
            start_date__lte=leave.end_date, end_date__gte=leave.start_date
        ).exists()
    ]
    assert len(gaps) == 1 and len(covered) == 1
    assert Leave.objects.filter(status="requested").count() == 1
    # Through the services: each agent asked from their own account, the manager decided.
    assert all(
        leave.requested_by == leave.agent.user and leave.decided_by.username == "manager"
        for leave in approved
    )
    assert {c.created_by.username for c in CoverAssignment.objects.all()} == {"manager"}
    assert_handover_notes_are_signed_and_read(today)


def assert_handover_notes_are_signed_and_read(today: dt.date) -> None:
    """Written from the day agent's account, acknowledged from the night agent's shortly after the
    17:00 handover; seeded at 18:00, only yesterday's first note of S01 waits (overdue)."""
    from seats.models import HandoverNote

    notes = list(HandoverNote.objects.select_related("from_agent", "to_agent", "seat"))
    assert {note.date for note in notes} == {today - dt.timedelta(days=d) for d in (0, 1, 2)}
    assert all(note.written_by_id == note.from_agent.user_id for note in notes)
    read = [note for note in notes if note.acknowledged_at is not None]
    assert all(note.acknowledged_by_id == note.to_agent.user_id for note in read)
    for note in read:
        at = note.acknowledged_at.astimezone(SHANGHAI)
        assert at.date() == note.date and dt.time(17, 0) < at.time() < dt.time(18, 0)
    waiting = [(note.date, note.seat.code) for note in notes if note.acknowledged_at is None]
    assert waiting == [(today - dt.timedelta(days=1), "S01")]


def assert_one_credit_note_on_a_paid_invoice_and_one_on_an_issued_one() -> None:
    """A part of a paid invoice credited (the shop's credit balance) and a part of an issued
    one (a lower balance), numbered from CN-2026-000001."""
    from billing.models import CreditNote
    from billing.services import shop_credit_balance

    paid, issued = CreditNote.objects.select_related("invoice").order_by("number")
    assert (paid.number, issued.number) == ("CN-2026-000001", "CN-2026-000002")
    assert paid.applied == 0 and paid.excess > 0
    assert shop_credit_balance(shop_id=paid.shop_id) == paid.excess
    assert issued.applied == issued.amount and issued.invoice.status == "issued"
    invoice = issued.invoice
    assert invoice.balance == invoice.total - invoice.amount_paid - issued.amount


def assert_the_dashboard_shows_a_handful_of_alerts_that_matter(today: dt.date) -> None:
    """A few alerts, each kind that the demo means to show present: agents overloaded often, a
    gap in the roster ahead, an overdue handover note, drafts of last month awaiting turnover and
    a sub-account to revoke; no seat over its peak and nobody missing today."""
    from agency import clock
    from billing.models import Invoice
    from web.selectors import dashboard

    board = dashboard(today=today)
    last_month = clock.previous_month(today)
    awaiting_last_month = Invoice.objects.filter(
        month=last_month, status=Invoice.Status.DRAFT, awaiting_turnover=True
    ).count()
    # Drafts of the month in progress cannot have their turnover yet: they are no alert.
    assert board.awaiting_count == awaiting_last_month
    assert 1 <= len(board.overloaded) <= 2
    assert not board.seats_over_peak and not board.uncovered
    assert len(board.upcoming_uncovered) == 2  # S03's day agent's two days of leave
    assert board.handover_count == board.handover_overdue == 1
    assert 1 <= awaiting_last_month <= 3
    assert board.revoke_count == 1
    assert board.alert_count <= 12


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI),  # the last evening of a month
        dt.datetime(2027, 1, 1, 8, 30, tzinfo=SHANGHAI),  # New Year's morning, before any shift
        dt.datetime(2027, 3, 1, 12, 0, tzinfo=SHANGHAI),  # after a 28-day February
        dt.datetime(2026, 12, 15, 17, 30, tzinfo=SHANGHAI),  # the night agents read the notes
        dt.datetime(2026, 12, 16, 16, 30, tzinfo=SHANGHAI),  # the day agents write them
    ],
    ids=["month end", "new year morning", "march first", "handover", "writing notes"],
)
def test_the_demo_follows_the_time_rules_on_the_day_it_is_seeded(moment):
    """The month before last billed and issued, last month waiting for turnover, the month in
    progress a preview; nothing worked, reported or billed in the future."""
    from agency import clock
    from billing.models import Invoice
    from seats.models import WorkloadRecord
    from seats.selectors import handover_notes_pending
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
        # At any hour a few alerts: one overdue handover note, a few drafts awaiting turnover.
        pending = handover_notes_pending(limit=10, now=clock.now())
        assert pending.count <= 2 and pending.overdue == 1
        awaiting = Invoice.objects.filter(month=last_month, awaiting_turnover=True).count()
        assert 1 <= awaiting <= 3
        for shift in ("day", "night"):
            if not clock.shift_has_begun(today, shift):
                assert not WorkloadRecord.objects.filter(date=today, shift=shift).exists()
