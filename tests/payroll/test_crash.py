"""A worker killed in the middle of a payroll run: the run is redelivered and finishes correctly.

A real ``celery worker`` process pays a month through the real broker into the test database.
It pauses before committing (``PAYROLL_TEST_PAUSE_SECONDS``) and is killed with SIGKILL while it
holds the month's lock. ``acks_late`` and ``reject_on_worker_lost`` make the broker hand the task
to a second worker, which pays the month from scratch: one payslip per agent, with the figures
of an uninterrupted run.
"""

import os
import signal
import time

import pytest
from django.db import connection

from agency.celery import app
from payroll.models import PayrollRun, Payslip
from payroll.services.locks import MONTH_LOCK_CLASS, month_lock_key
from payroll.services.runs import PAUSE_ENV, pay_month, payroll_run_create
from tests.payroll.factories import OCTOBER, seated_agent, workloads
from tests.support.worker import celery_worker, unique_queue, wait_for, worker_env

pytestmark = [pytest.mark.infra, pytest.mark.django_db(transaction=True)]
AGENTS = 20
VISIBILITY_TIMEOUT = 5


@pytest.fixture(autouse=True)
def _real_infrastructure():
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("needs CELERY_BROKER_URL (a real Redis)")
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share SQLite's in-memory test database")


def month_lock_is_held() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objid = %s AND granted",
            [MONTH_LOCK_CLASS, month_lock_key(OCTOBER)],
        )
        return cursor.fetchone()[0] > 0


def month_figures() -> list[tuple]:
    return sorted(
        Payslip.objects.filter(month=OCTOBER).values_list(
            "agent_id", "status", "base_pay", "commission", "bonus", "total"
        )
    )


def stderr_of(worker) -> str:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    return worker.stderr.read().decode(errors="replace")[-3000:] if worker.stderr else ""


def test_a_payroll_run_whose_worker_is_killed_is_finished_by_another_worker():
    for _ in range(AGENTS):
        workloads(seated_agent(), days=[1, 2, 3])
    run = payroll_run_create(month=OCTOBER, enqueue=False)
    queue = unique_queue()
    short_redelivery = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}

    with celery_worker(queue, env=worker_env(**short_redelivery, **{PAUSE_ENV: "120"})) as first:
        app.send_task("payroll.tasks.run_payroll", args=[run.pk], queue=queue)
        assert wait_for(month_lock_is_held, timeout=60), (
            PayrollRun.objects.values_list("status", "error").get(pk=run.pk),
            stderr_of(first),
        )
        run.refresh_from_db()
        assert run.status == "running"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)

    assert wait_for(lambda: not month_lock_is_held(), timeout=30)
    assert not Payslip.objects.exists()

    time.sleep(VISIBILITY_TIMEOUT + 1)
    with celery_worker(queue, env=worker_env(**short_redelivery)) as second:
        finished = wait_for(
            lambda: PayrollRun.objects.filter(pk=run.pk, status="done").exists(), timeout=90
        )
        assert finished, stderr_of(second)

    run.refresh_from_db()
    assert (run.payslips_created, run.payslips_updated, run.error) == (AGENTS, 0, "")
    recovered = month_figures()
    assert len(recovered) == AGENTS
    assert pay_month(month=OCTOBER) == (0, AGENTS)
    assert month_figures() == recovered
