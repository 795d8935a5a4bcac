"""Celery entry points of the billing app: one task per billing run, never one per shop.

Tasks are thin: they take a run id (or nothing, for the monthly schedule) and call the services.
A run's work is one transaction and ``acks_late`` + ``reject_on_worker_lost`` (also set in the
settings) make the broker hand a run whose worker died to another worker, which bills the month
again from scratch; a run already done is not repeated.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from agency import clock
from agency.tasks import EMAIL_TASK_OPTIONS
from billing.services import (
    billing_run_create,
    billing_run_execute,
    credit_note_email_send,
    invoice_issued_email_send,
    invoice_void_email_send,
)
from billing.services.reminders import payment_reminders_send

# A lost connection, a deadlock or a locked SQLite database is worth retrying; anything else
# (a contract whose terms cannot be billed) is recorded on the run for a manager to fix.
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


@shared_task(name="billing.tasks.run_billing", **RUN_TASK_OPTIONS)
def run_billing(run_id: int) -> None:
    """Execute one billing run (queued by the API, the admin or the monthly schedule)."""
    billing_run_execute(run_id=run_id)


@shared_task(name="billing.tasks.bill_previous_month", **RUN_TASK_OPTIONS)
def bill_previous_month() -> int:
    """Beat, on the 1st at 02:00 Shanghai time: bill the month that has just closed.

    Retried after a crash, it picks up the run it recorded the first time instead of adding one.
    Returns the run's id.
    """
    month = clock.previous_month()
    run = billing_run_create(month=month, enqueue=False, reuse_unfinished=True)
    billing_run_execute(run_id=run.pk)
    return run.pk


@shared_task(
    name="billing.tasks.send_invoice_issued_email",
    **EMAIL_TASK_OPTIONS,
)
def send_invoice_issued_email(invoice_id: int) -> None:
    """Tell the shop's owner that an invoice was issued."""
    invoice_issued_email_send(invoice_id=invoice_id)


@shared_task(
    name="billing.tasks.send_invoice_void_email",
    **EMAIL_TASK_OPTIONS,
)
def send_invoice_void_email(invoice_id: int) -> None:
    """Tell the shop's owner that an issued invoice was voided, and why (once, however often
    the task is delivered)."""
    invoice_void_email_send(invoice_id=invoice_id)


@shared_task(name="billing.tasks.send_credit_note_email", **EMAIL_TASK_OPTIONS)
def send_credit_note_email(credit_note_id: int) -> None:
    """Tell the shop's owner about a credit note on their invoice (once, however often the task
    is delivered)."""
    credit_note_email_send(credit_note_id=credit_note_id)


@shared_task(
    name="billing.tasks.send_payment_reminders",
    **{
        **EMAIL_TASK_OPTIONS,
        # One mail per invoice due a reminder: more than one email task's minute.
        "soft_time_limit": 15 * 60,
        "time_limit": 16 * 60,
        # A lost connection is as worth retrying as a refusing mail server.
        "autoretry_for": (OSError, OperationalError, InterfaceError),
    },
)
def send_payment_reminders() -> None:
    """Beat, daily at 09:30 Shanghai time: the payment reminders due today and
    ``invoice.overdue`` for invoices newly overdue. Run twice, or retried after a failed send,
    it sends only what was not sent (``billing.services.reminders``)."""
    payment_reminders_send(today=clock.today())
