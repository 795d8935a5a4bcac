"""A worker killed in the middle of a billing run: the run is redelivered and finishes correctly.

A real ``celery worker`` process bills a month through the real broker into the test database.
It is made to pause before committing (``BILLING_TEST_PAUSE_SECONDS``) and is killed with
SIGKILL while it holds the month's lock. Thanks to ``acks_late`` and ``reject_on_worker_lost``
the broker hands the task to a second worker after the visibility timeout (5 s here), which
bills the month from scratch: exactly one invoice per shop, with the figures of an
uninterrupted run.
"""

import os
import signal
import time

import pytest
from django.db import connection

from agency.celery import app
from billing.models import BillingRun, Invoice, InvoiceLine
from billing.services import bill_month, billing_run_create
from billing.services.locks import MONTH_LOCK_CLASS, month_lock_key
from billing.services.runs import PAUSE_ENV
from tests.billing.factories import OCTOBER, shops_billed_in
from tests.support.worker import celery_worker, unique_queue, wait_for, worker_env

pytestmark = [pytest.mark.infra, pytest.mark.django_db(transaction=True)]
SHOPS = 60
VISIBILITY_TIMEOUT = 5  # seconds before the broker hands an unacknowledged task out again


@pytest.fixture(autouse=True)
def _real_infrastructure():
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("needs CELERY_BROKER_URL (a real Redis)")
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share SQLite's in-memory test database")


def month_lock_is_held() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            # Advisory locks are the server's, not a database's: another test database billing
            # the same month at that moment (a parallel test worker) must not count.
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objid = %s AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [MONTH_LOCK_CLASS, month_lock_key(OCTOBER)],
        )
        return cursor.fetchone()[0] > 0


def month_figures() -> dict:
    lines: dict[int, list] = {}
    for invoice_id, kind, amount in (
        InvoiceLine.objects.filter(invoice__month=OCTOBER)
        .order_by("invoice_id", "position")
        .values_list("invoice_id", "kind", "amount")
    ):
        lines.setdefault(invoice_id, []).append((kind, amount))
    return {
        shop_id: (status, total, awaiting, lines[invoice_id])
        for invoice_id, shop_id, status, total, awaiting in Invoice.objects.filter(
            month=OCTOBER
        ).values_list("id", "shop_id", "status", "total", "awaiting_turnover")
    }


def stderr_of(worker) -> str:
    """The worker's last words, for a failure message (stops the worker to read them)."""
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    return worker.stderr.read().decode(errors="replace")[-3000:] if worker.stderr else ""


def test_a_run_whose_worker_is_killed_is_finished_by_another_worker():
    shops_billed_in(OCTOBER, SHOPS)
    run = billing_run_create(month=OCTOBER, enqueue=False)
    queue = unique_queue()
    short_redelivery = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}

    with celery_worker(queue, env=worker_env(**short_redelivery, **{PAUSE_ENV: "120"})) as first:
        app.send_task("billing.tasks.run_billing", args=[run.pk], queue=queue)
        # The worker is inside the run's transaction once it holds the month's lock; it has
        # written the invoices and sleeps before committing.
        assert wait_for(month_lock_is_held, timeout=60), (
            BillingRun.objects.values_list("status", "error").get(pk=run.pk),
            stderr_of(first),
        )
        run.refresh_from_db()
        assert run.status == "running"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)

    # Nothing of the killed run was committed.
    assert wait_for(lambda: not month_lock_is_held(), timeout=30)
    assert not Invoice.objects.exists()
    assert not InvoiceLine.objects.exists()

    # A starting worker hands back the unacknowledged messages older than the visibility
    # timeout (later sweeps come only every 100 s): start it once the killed delivery is older.
    time.sleep(VISIBILITY_TIMEOUT + 1)
    with celery_worker(queue, env=worker_env(**short_redelivery)) as second:
        finished = wait_for(
            lambda: BillingRun.objects.filter(pk=run.pk, status="done").exists(), timeout=90
        )
        assert finished, stderr_of(second)

    run.refresh_from_db()
    assert (run.invoices_created, run.invoices_updated, run.error) == (SHOPS, 0, "")
    assert Invoice.objects.filter(month=OCTOBER).count() == SHOPS
    assert Invoice.objects.values("shop_id").distinct().count() == SHOPS
    recovered = month_figures()

    # An uninterrupted run over the same data computes the same figures (and creates nothing).
    assert bill_month(month=OCTOBER) == (0, SHOPS)
    assert month_figures() == recovered
