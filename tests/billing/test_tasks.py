"""Billing runs as managers see them, the Celery tasks, the schedule and `manage.py run_billing`."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError, transaction

from agency.celery import app
from billing import tasks
from billing.models import BillingRun, Invoice
from billing.services import ContractTermsError, billing_run_create, billing_run_execute, runs
from tests.billing.factories import OCTOBER, confirmed_turnover, monthly_contract

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_executing_a_run_marks_it_done_with_its_counts(shop_a, shop_b, manager):
    monthly_contract(shop_a)
    monthly_contract(shop_b)
    run = billing_run_create(month=dt.date(2026, 10, 20), requested_by=manager, enqueue=False)
    assert (run.status, run.month) == ("queued", OCTOBER)

    run = billing_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert (run.status, run.invoices_created, run.invoices_updated, run.error) == ("done", 2, 0, "")
    assert run.started_at <= run.finished_at
    again = billing_run_create(month=OCTOBER, enqueue=False)
    billing_run_execute(run_id=again.pk)
    again.refresh_from_db()
    assert (again.invoices_created, again.invoices_updated) == (0, 2)


def test_a_runs_finished_at_is_stamped_after_its_billing_commits(
    shop_a, monkeypatch, django_capture_on_commit_callbacks
):
    monthly_contract(shop_a)
    run = billing_run_create(month=OCTOBER, enqueue=False)
    billed = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
    bill_month = runs.bill_month
    with time_machine.travel(billed, tick=False) as traveller:

        def bill_then_commit_slowly(**kwargs):
            outcome = bill_month(**kwargs)
            # The commit takes a minute (foreign-key checks, WAL flush): the clock has moved on
            # when the invoices become visible.
            transaction.on_commit(lambda: traveller.shift(dt.timedelta(minutes=1)))
            return outcome

        monkeypatch.setattr(runs, "bill_month", bill_then_commit_slowly)
        with django_capture_on_commit_callbacks(execute=True):
            returned = billing_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == "done"
    assert run.finished_at == billed + dt.timedelta(minutes=1)
    assert returned.finished_at == run.finished_at


def test_a_run_already_done_is_not_repeated(shop_a):
    monthly_contract(shop_a)
    run = billing_run_create(month=OCTOBER, enqueue=False)
    billing_run_execute(run_id=run.pk)
    Invoice.objects.all().delete()

    billing_run_execute(run_id=run.pk)  # the same message delivered twice

    run.refresh_from_db()
    assert (run.status, run.invoices_created) == ("done", 1)
    assert not Invoice.objects.exists()


def test_a_failing_run_is_marked_failed_with_the_reason(shop_a):
    broken = monthly_contract(shop_a, tiers=[{"from": "5", "rate": "0.03"}])
    confirmed_turnover(shop_a, "10.00")
    run = billing_run_create(month=OCTOBER, enqueue=False)

    with pytest.raises(ContractTermsError):
        billing_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == "failed"
    assert f"Contract {broken.pk}" in run.error
    assert not Invoice.objects.exists()

    broken.commission_tiers = [{"from": "0", "rate": "0.03"}]
    broken.save()
    billing_run_execute(run_id=run.pk)  # retried once fixed
    run.refresh_from_db()
    assert (run.status, run.error, run.invoices_created) == ("done", "", 1)


def test_the_task_runs_the_run(shop_a):
    monthly_contract(shop_a)
    run = billing_run_create(month=OCTOBER, enqueue=False)
    tasks.run_billing.delay(run.pk)
    run.refresh_from_db()
    assert run.status == "done"
    assert Invoice.objects.filter(shop=shop_a, month=OCTOBER).count() == 1


def test_creating_a_run_queues_one_task_after_commit(shop_a, django_capture_on_commit_callbacks):
    for _ in range(3):
        monthly_contract(shop_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = billing_run_create(month=OCTOBER)
    assert len(callbacks) == 1  # one task per run, whatever the number of shops
    run.refresh_from_db()
    assert run.status == "queued"


def test_run_task_is_late_acknowledged_retried_on_transient_errors_and_time_limited():
    for task in (tasks.run_billing, tasks.bill_previous_month):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert OperationalError in task.autoretry_for
        assert task.max_retries >= 3
        assert task.soft_time_limit < task.time_limit
        assert task.time_limit < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def test_the_monthly_schedule_names_the_previous_month_task():
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-billing-run"]
    assert entry["task"] == "billing.tasks.bill_previous_month"
    assert entry["task"] in app.tasks


@time_machine.travel(dt.datetime(2026, 11, 1, 2, 0, tzinfo=SHANGHAI), tick=False)
def test_bill_previous_month_bills_the_month_before_the_shanghai_date(shop_a):
    """2026-11-01 02:00 in Shanghai is still 31 October in UTC: the month billed is October."""
    monthly_contract(shop_a)
    run_id = tasks.bill_previous_month.delay().get()

    run = BillingRun.objects.get(pk=run_id)
    assert (run.month, run.status, run.invoices_created) == (OCTOBER, "done", 1)
    assert run.requested_by is None


@time_machine.travel(dt.datetime(2026, 11, 1, 2, 0, tzinfo=SHANGHAI), tick=False)
def test_bill_previous_month_retried_picks_up_its_own_unfinished_run(shop_a):
    monthly_contract(shop_a)
    crashed = BillingRun.objects.create(month=OCTOBER, status=BillingRun.Status.RUNNING)

    run_id = tasks.bill_previous_month.delay().get()

    assert run_id == crashed.pk
    assert BillingRun.objects.count() == 1
    crashed.refresh_from_db()
    assert crashed.status == "done"


# --- manage.py run_billing ----------------------------------------------------------------------


def test_run_billing_command_bills_the_month_and_prints_the_counts(shop_a, shop_b):
    monthly_contract(shop_a)
    confirmed_turnover(shop_a, "100000.00")
    out = StringIO()
    call_command("run_billing", "--month", "2026-10", stdout=out)

    run = BillingRun.objects.get()
    assert run.status == "done"
    assert f"Billing run {run.pk} for 2026-10: 1 invoices created, 0 updated." in out.getvalue()
    assert Invoice.objects.get(shop=shop_a).total == Decimal("6000.00")

    call_command("run_billing", "--month", "2026-10", stdout=out)
    assert "0 invoices created, 1 updated." in out.getvalue()


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "october", ""])
def test_run_billing_command_refuses_a_bad_month(month):
    with pytest.raises(CommandError):
        call_command("run_billing", "--month", month)
    assert not BillingRun.objects.exists()
