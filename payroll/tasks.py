"""Celery entry points of the payroll app: one task per payroll run, never one per agent, and
the emails about quality reviews.

Tasks are thin: they take a run id (or nothing, for the monthly schedule) and call the services.
A run's work is one transaction and ``acks_late`` + ``reject_on_worker_lost`` make the broker hand
a run whose worker died to another worker, which computes the month again from scratch; a run
already done is not repeated.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from agency import clock
from agency.errors import StateConflict
from agency.tasks import EMAIL_TASK_OPTIONS
from payroll.services import review_email_send
from payroll.services.runs import payroll_run_create, payroll_run_execute

# A lost connection, a deadlock or a locked SQLite database is worth retrying; anything else is
# recorded on the run for a manager to read.
RUN_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 10,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    # Well under the broker's visibility timeout, so a live run is never handed out twice.
    "soft_time_limit": 20 * 60,
    "time_limit": 22 * 60,
    "ignore_result": True,
}


@shared_task(name="payroll.tasks.run_payroll", **RUN_TASK_OPTIONS)
def run_payroll(run_id: int) -> None:
    """Execute one payroll run (queued by the API, the manager app or the monthly schedule)."""
    payroll_run_execute(run_id=run_id)


@shared_task(name="payroll.tasks.pay_previous_month", **RUN_TASK_OPTIONS)
def pay_previous_month() -> int | None:
    """Beat, on the 1st at 03:00 Shanghai time: compute the drafts of the month just closed
    (a manager approves them). Retried after a crash, it picks up the run it recorded the first
    time. Returns the run's id, or None when the month is approved already."""
    month = clock.previous_month()
    try:
        run = payroll_run_create(month=month, enqueue=False, reuse_unfinished=True)
    except StateConflict:
        return None
    payroll_run_execute(run_id=run.pk)
    return run.pk


@shared_task(name="payroll.tasks.send_review_email", **EMAIL_TASK_OPTIONS)
def send_review_email(review_id: int, kind: str) -> None:
    """Tell an agent that a conversation of theirs was reviewed, or their appeal decided."""
    review_email_send(review_id=review_id, kind=kind)
