"""Shops' background jobs: the owner's email when the agency corrects a confirmed turnover."""

from decimal import Decimal

from celery import shared_task

from agency.tasks import EMAIL_TASK_OPTIONS
from shops.services.turnover import turnover_corrected_email_send


@shared_task(
    name="shops.tasks.send_turnover_corrected_email",
    **EMAIL_TASK_OPTIONS,
)
def send_turnover_corrected_email(
    report_id: int, previous: str, amount: str, draft_total: str | None
) -> None:
    """Tell the shop's owner that the agency changed a turnover they can no longer change.

    Amounts travel as decimal strings (JSON has no decimals).
    """
    turnover_corrected_email_send(
        report_id=report_id,
        previous=Decimal(previous),
        amount=Decimal(amount),
        draft_total=Decimal(draft_total) if draft_total is not None else None,
    )
