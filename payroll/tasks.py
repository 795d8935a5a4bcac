"""Celery tasks of the payroll app: thin, each calls one service."""

from celery import shared_task

from agency.tasks import EMAIL_TASK_OPTIONS
from payroll.services import review_email_send


@shared_task(name="payroll.tasks.send_review_email", **EMAIL_TASK_OPTIONS)
def send_review_email(review_id: int, kind: str) -> None:
    """Tell an agent that a conversation of theirs was reviewed, or their appeal decided."""
    review_email_send(review_id=review_id, kind=kind)
