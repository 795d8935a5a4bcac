from celery import shared_task
from django.utils import timezone

from agency.models import Heartbeat


@shared_task(name="agency.tasks.heartbeat", ignore_result=True, acks_late=True)
def heartbeat(name: str = "worker") -> None:
    """Record that a worker executed a task; /healthz shows how long ago that was."""
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


EMAIL_TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (OSError,),  # SMTP errors and refused connections
    "retry_backoff": 60,
    "retry_backoff_max": 3600,
    "max_retries": 8,
    "soft_time_limit": 60,
    "time_limit": 90,
    "ignore_result": True,
}
"""Options of every task that emails someone: retried with backoff while the mail server fails,
acknowledged once done (each such task sends at most once, see its service)."""


@shared_task(name="agency.tasks.send_email", **EMAIL_TASK_OPTIONS)
def send_email(*, subject: str, message: str, recipients: list[str]) -> None:
    """Send one plain email already written (``agency.emails.email_send_later`` queues it)."""
    from agency.emails import email_send_now

    email_send_now(subject=subject, message=message, recipients=recipients)


@shared_task(name="agency.tasks.send_invitation_email", **EMAIL_TASK_OPTIONS)
def send_invitation_email(user_id: int) -> None:
    """Email a new account its link to choose a password (``agency.accounts.invitation_send``)."""
    from agency.accounts import invitation_send

    invitation_send(user_id=user_id)


@shared_task(
    name="agency.tasks.deliver_webhook",
    bind=True,
    acks_late=True,
    max_retries=None,  # agency.webhooks.deliver ends a delivery after its last attempt
    soft_time_limit=30,
    time_limit=60,
    ignore_result=True,
)
def deliver_webhook(self, delivery_id: int) -> None:
    """POST one webhook delivery; try again later with exponential backoff while it fails."""
    from agency.webhooks import deliver, retry_after

    wait = retry_after(deliver(delivery_id=delivery_id))
    if wait is not None:
        raise self.retry(countdown=int(wait.total_seconds()))


@shared_task(
    name="agency.tasks.prune_idempotency_keys",
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
)
def prune_idempotency_keys() -> int:
    """Delete the Idempotency-Keys past their 24 hours (``agency.idempotency``); the count."""
    from agency.idempotency import idempotency_keys_prune

    return idempotency_keys_prune()


@shared_task(
    name="agency.tasks.prune_expired_tokens",
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
)
def prune_expired_tokens() -> int:
    """Delete the API tokens past their expiry (``agency.tokens``); the count."""
    from agency.tokens import tokens_prune_expired

    return tokens_prune_expired()
