from celery import shared_task
from django.utils import timezone

from agency.models import Heartbeat


@shared_task(name="agency.tasks.heartbeat", ignore_result=True, acks_late=True)
def heartbeat(name: str = "worker") -> None:
    """Record that a worker executed a task; /healthz shows how long ago that was."""
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
