"""Payroll runs: one payslip per agent and month, idempotent, set-based; approval locks a month
and adjustments are the only change an approved payslip gets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.errors import NotPermitted, StateConflict
from payroll.models import PayBook, PayrollMonth, PayrollRun, Payslip, PayslipAdjustment
from payroll.services.runs import (
    pay_month,
    payroll_month_approve,
    payroll_run_create,
    payroll_run_execute,
    payslip_adjust,
)
from payroll.tasks import pay_previous_month, run_payroll
from seats.models import CoverAssignment, Leave
from tests.factories import AgentFactory, ManagerFactory, SeatFactory, UserFactory
from tests.payroll.factories import NOVEMBER, OCTOBER, in_november, seated_agent, workloads

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november():
    with in_november():
        yield


@pytest.fixture
def boss(db):
    return ManagerFactory(username="boss")


def run_month(month=OCTOBER, user=None) -> PayrollRun:
    run = payroll_run_create(month=month, requested_by=user, enqueue=False)
    return payroll_run_execute(run_id=run.pk)


def payslip_of(agent, month=OCTOBER) -> Payslip:
    return Payslip.objects.get(agent=agent, month=month)


def month_rows(month=OCTOBER) -> list[tuple]:
    fields = [f.attname for f in Payslip._meta.fields if f.attname not in ("updated_at",)]
    return sorted(Payslip.objects.filter(month=month).values_list(*fields))


# --- The figures ------------------------------------------------------------------------------


def test_base_salary_1800_hired_on_the_11th_of_a_31_day_month_pays_1219_35(boss):
    agent = seated_agent(hired_on=dt.date(2026, 10, 11), base_salary=D("1800.00"))

    run = run_month(user=boss)

    assert (run.status, run.payslips_created, run.payslips_updated) == ("done", 1, 0)
    payslip = payslip_of(agent)
    assert (payslip.employed_days, payslip.days_in_month) == (21, 31)
    assert payslip.base_pay == D("1219.35")
    assert payslip.status == "draft"


def test_commission_uses_the_agents_own_rate_else_the_pay_books(boss):
    PayBook.objects.create(effective_from=dt.date(2026, 1, 1), commission_rate=D("0.0100"))
    own = seated_agent(commission_rate=D("0.0300"))
    default = seated_agent()
    workloads(own, sales="1000.00")  # 31,000.00 in the month
    workloads(default, sales="1000.00")

    run_month(user=boss)

    assert payslip_of(own).commission == D("930.00")
    assert payslip_of(default).commission == D("310.00")
    assert payslip_of(own).details["rate_source"] == "agent"
    assert payslip_of(default).details["rate_source"] == "pay_book"


def test_unpaid_leave_days_are_deducted_and_covers_earn_the_allowance(boss):
    agent = seated_agent(base_salary=D("3100.00"))
    Leave.objects.create(
        agent=agent,
        start_date=dt.date(2026, 10, 5),
        end_date=dt.date(2026, 10, 6),
        unpaid=True,
        status="approved",
    )
    coverer = seated_agent(shift="day")
    CoverAssignment.objects.create(
        seat=agent.assignments.get().seat,
        shift="day",
        agent=coverer,
        start_date=dt.date(2026, 10, 5),
        end_date=dt.date(2026, 10, 6),
    )

    run_month(user=boss)

    payslip = payslip_of(agent)
    assert payslip.unpaid_leave_days == 2
    assert payslip.deductions == D("200.00")
    assert payslip_of(coverer).cover_shifts == 2
    assert payslip_of(coverer).cover_allowance == D("100.00")
    assert payslip.total == payslip.base_pay - payslip.deductions + payslip.bonus


def test_a_scored_agent_earns_the_bonus_of_their_grade(boss):
    agent = seated_agent()
    workloads(agent, sales="9000.00")

    run_month(user=boss)

    payslip = payslip_of(agent)
    assert payslip.grade in ("gold", "silver", "bronze", "improve")
    assert payslip.score is not None
    assert payslip.bonus == PayBook(effective_from=OCTOBER).grade_bonuses[payslip.grade]
    assert [kpi["kpi"] for kpi in payslip.details["kpis"]][0] == "inquiries"


def test_agents_not_employed_in_the_month_get_no_payslip(boss):
    seated_agent(hired_on=dt.date(2026, 11, 2))
    seated_agent(left_on=dt.date(2026, 9, 30), status="left")
    employed = seated_agent(left_on=dt.date(2026, 10, 10), status="left")

    run_month(user=boss)

    assert list(Payslip.objects.values_list("agent_id", flat=True)) == [employed.pk]
    assert payslip_of(employed).employed_days == 10


# --- Idempotent, set-based --------------------------------------------------------------------


def test_a_rerun_gives_the_same_rows_and_creates_nothing(boss):
    for _ in range(3):
        workloads(seated_agent())
    run_month(user=boss)
    before = month_rows()

    again = run_month(user=boss)

    assert (again.payslips_created, again.payslips_updated) == (0, 3)
    assert month_rows() == before


def test_running_the_task_twice_for_one_run_computes_once(boss):
    seated_agent()
    run = payroll_run_create(month=OCTOBER, requested_by=boss, enqueue=False)
    run_payroll(run.pk)
    run_payroll(run.pk)
    run.refresh_from_db()
    assert (run.status, run.payslips_created) == ("done", 1)
    assert Payslip.objects.count() == 1


def test_a_changed_figure_updates_the_draft_and_keeps_its_adjustments(boss):
    agent = seated_agent(base_salary=D("3100.00"))
    run_month(user=boss)
    payslip_adjust(payslip=payslip_of(agent), amount="150.00", reason="Night bonus", actor=boss)
    agent.base_salary = D("6200.00")
    agent.save()

    run_month(user=boss)

    payslip = payslip_of(agent)
    assert payslip.base_pay == D("6200.00")
    assert payslip.adjustments == D("150.00")
    assert payslip.total == D("6350.00")


def test_drafts_of_agents_no_longer_employed_in_the_month_are_removed(boss):
    agent = seated_agent()
    run_month(user=boss)
    agent.hired_on = dt.date(2026, 11, 1)
    agent.save()

    run_month(user=boss)

    assert not Payslip.objects.filter(agent=agent).exists()


def _queries_of_a_run(count: int, month: dt.date) -> int:
    for _ in range(count):
        agent = seated_agent(seat=SeatFactory())
        workloads(agent, days=[1, 2], month=month)
    with CaptureQueriesContext(connection) as queries:
        pay_month(month=month)
    return len(queries)


def test_the_runs_query_count_does_not_grow_with_the_agents(boss):
    few = _queries_of_a_run(5, dt.date(2026, 8, 1))
    many = _queries_of_a_run(50, dt.date(2026, 9, 1))
    assert many == few
    assert Payslip.objects.filter(month=dt.date(2026, 9, 1)).count() == 55  # August's agents too


# --- Refusals ---------------------------------------------------------------------------------


def test_a_month_that_has_not_started_is_refused_on_month(boss):
    with pytest.raises(ValidationError) as error:
        payroll_run_create(month=dt.date(2026, 12, 1), requested_by=boss)
    assert "month" in error.value.message_dict


def test_only_managers_start_runs():
    with pytest.raises(NotPermitted):
        payroll_run_create(month=OCTOBER, requested_by=UserFactory())


# --- Approval ---------------------------------------------------------------------------------


def test_approval_approves_every_payslip_and_locks_the_month(boss):
    seated_agent()
    seated_agent()
    run_month(user=boss)

    month = payroll_month_approve(month=OCTOBER, actor=boss)

    assert month.approved_by == boss and month.approved_at is not None
    assert set(Payslip.objects.values_list("status", flat=True)) == {"approved"}
    with pytest.raises(StateConflict, match="approved months are locked"):
        payroll_run_create(month=OCTOBER, requested_by=boss)
    with pytest.raises(StateConflict):
        payroll_month_approve(month=OCTOBER, actor=boss)


def test_a_run_of_an_approved_month_fails_and_changes_nothing(boss):
    agent = seated_agent()
    run_month(user=boss)
    payroll_month_approve(month=OCTOBER, actor=boss)
    late = PayrollRun.objects.create(month=OCTOBER, requested_by=boss)  # a stale message
    agent.base_salary = D("9999.00")
    agent.save()

    run = payroll_run_execute(run_id=late.pk)

    assert run.status == "failed"
    assert "locked" in run.error
    assert payslip_of(agent).base_pay == D("1500.00")


def test_a_month_in_progress_cannot_be_approved(boss):
    seated_agent()
    run_month(NOVEMBER, user=boss)
    with pytest.raises(StateConflict, match="has not ended"):
        payroll_month_approve(month=NOVEMBER, actor=boss)


def test_a_month_without_a_finished_run_cannot_be_approved(boss):
    with pytest.raises(StateConflict, match="has not been run"):
        payroll_month_approve(month=OCTOBER, actor=boss)
    PayrollRun.objects.create(month=OCTOBER, status="done")
    PayrollRun.objects.create(month=OCTOBER, status="queued")
    with pytest.raises(StateConflict, match="has not finished"):
        payroll_month_approve(month=OCTOBER, actor=boss)
    assert not PayrollMonth.objects.filter(approved_at__isnull=False).exists()


def test_only_managers_approve(boss):
    seated_agent()
    run_month(user=boss)
    with pytest.raises(NotPermitted):
        payroll_month_approve(month=OCTOBER, actor=UserFactory())


# --- Adjustments ------------------------------------------------------------------------------


def test_an_approved_payslip_changes_only_by_adjustment_lines(boss):
    agent = seated_agent(base_salary=D("3100.00"))
    run_month(user=boss)
    payroll_month_approve(month=OCTOBER, actor=boss)
    payslip = payslip_of(agent)

    payslip_adjust(payslip=payslip, amount=D("-100.00"), reason="Lost headset", actor=boss)
    payslip_adjust(payslip=payslip, amount=D("250.50"), reason="Late commission", actor=boss)

    payslip.refresh_from_db()
    assert payslip.status == "approved"
    assert payslip.adjustments == D("150.50")
    assert payslip.total == D("3250.50")
    assert list(payslip.adjustment_lines.values_list("reason", flat=True)) == [
        "Lost headset",
        "Late commission",
    ]


@pytest.mark.parametrize(
    "amount, reason, field",
    [
        ("0", "why", "amount"),
        ("abc", "why", "amount"),
        ("10.00", "  ", "reason"),
        (None, "x", "amount"),
    ],
)
def test_an_adjustment_needs_an_amount_and_a_reason(boss, amount, reason, field):
    agent = seated_agent()
    run_month(user=boss)
    with pytest.raises(ValidationError) as error:
        payslip_adjust(payslip=payslip_of(agent), amount=amount, reason=reason, actor=boss)
    assert field in error.value.message_dict
    assert not PayslipAdjustment.objects.exists()


def test_only_managers_adjust(boss):
    agent = seated_agent()
    run_month(user=boss)
    with pytest.raises(NotPermitted):
        payslip_adjust(payslip=payslip_of(agent), amount="1", reason="x", actor=UserFactory())


# --- The monthly schedule ---------------------------------------------------------------------


def test_the_monthly_task_pays_the_previous_month_as_drafts():
    AgentFactory()
    run_id = pay_previous_month()
    run = PayrollRun.objects.get(pk=run_id)
    assert (run.month, run.status, run.requested_by) == (OCTOBER, "done", None)
    assert set(Payslip.objects.values_list("status", flat=True)) == {"draft"}


def test_the_monthly_task_leaves_an_approved_month_alone(boss):
    AgentFactory()
    run_month(user=boss)
    payroll_month_approve(month=OCTOBER, actor=boss)
    assert pay_previous_month() is None


def test_the_schedule_runs_payroll_on_the_first_at_three():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["monthly-payroll-run"]
    assert entry["task"] == "payroll.tasks.pay_previous_month"
    assert entry["schedule"].day_of_month == {1} and entry["schedule"].hour == {3}
