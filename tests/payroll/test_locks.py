"""PostgreSQL keeps an approved payslip as approved: it refuses deleting it or changing anything
but its adjustments and total, and adjustment lines are never changed or deleted."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from payroll.models import Payslip, PayslipAdjustment
from payroll.services.runs import (
    payroll_month_approve,
    payroll_run_create,
    payroll_run_execute,
    payslip_adjust,
)
from tests.payroll.factories import OCTOBER, in_november, seated_agent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"),
]


@pytest.fixture
def approved(manager):
    with in_november():
        seated_agent(base_salary=Decimal("3100.00"))
        run = payroll_run_create(month=OCTOBER, requested_by=manager, enqueue=False)
        payroll_run_execute(run_id=run.pk)
        payroll_month_approve(month=OCTOBER, actor=manager)
        payslip = Payslip.objects.get()
        payslip_adjust(payslip=payslip, amount="10.00", reason="Top-up", actor=manager)
    return Payslip.objects.get()


def _refused(action) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_an_approved_payslip_cannot_be_deleted(approved):
    _refused(lambda: Payslip.objects.filter(pk=approved.pk).delete())


@pytest.mark.parametrize(
    "change",
    [
        {"base_pay": Decimal("1.00"), "total": Decimal("1.00") + Decimal("10.00")},
        {"status": "draft"},
        {"grade": "gold"},
        {"details": {}},
    ],
)
def test_an_approved_payslips_figures_cannot_change(approved, change):
    _refused(lambda: Payslip.objects.filter(pk=approved.pk).update(**change))


def test_adjustments_and_total_of_an_approved_payslip_may_change(approved, manager):
    payslip_adjust(payslip=approved, amount="-5.00", reason="Correction", actor=manager)
    approved.refresh_from_db()
    assert (approved.adjustments, approved.total) == (Decimal("5.00"), Decimal("3105.00"))


def test_adjustment_lines_cannot_be_changed_or_deleted(approved):
    line = PayslipAdjustment.objects.get()
    _refused(lambda: PayslipAdjustment.objects.filter(pk=line.pk).update(reason="other"))
    _refused(lambda: PayslipAdjustment.objects.filter(pk=line.pk).delete())


def test_a_draft_may_still_change_and_be_deleted(manager):
    with in_november():
        seated_agent()
        run = payroll_run_create(month=OCTOBER, requested_by=manager, enqueue=False)
        payroll_run_execute(run_id=run.pk)
    Payslip.objects.update(grade="gold")
    Payslip.objects.all().delete()
    assert not Payslip.objects.exists()
