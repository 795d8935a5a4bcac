"""Celery entry points of the seats app: thin wrappers around one service each."""

from datetime import date, timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from agency import clock
from seats.services import agent_daily_load_rollup
from seats.services import handover_overdue_alert as handover_overdue_alert_service
from seats.services.partitions import workload_partitions_ensure
from seats.services.uncovered import uncovered_shifts_warn

# A lost connection or a deadlock is worth retrying; anything else is a bug to look at.
ROLLUP_TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": 10 * 60,
    "time_limit": 12 * 60,
}


@shared_task(name="seats.tasks.rollup_day", **ROLLUP_TASK_OPTIONS)
def rollup_day(day: str) -> dict:
    """Roll up the workloads of ``day`` (YYYY-MM-DD) per agent and alert about overload."""
    return agent_daily_load_rollup(day=date.fromisoformat(day)).as_dict()


@shared_task(name="seats.tasks.rollup_yesterday", **ROLLUP_TASK_OPTIONS)
def rollup_yesterday() -> dict:
    """Beat, daily at 01:00 Shanghai time: yesterday's workloads are complete by then."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return agent_daily_load_rollup(day=yesterday).as_dict()


@shared_task(name="seats.tasks.handover_overdue_alert", **ROLLUP_TASK_OPTIONS)
def handover_overdue_alert() -> dict:
    """Beat, every half hour from 18:00 to 23:30 Shanghai time: notes unread at 18:00 alert
    managers, once each (a note written late is caught by the next run)."""
    return handover_overdue_alert_service().as_dict()


@shared_task(name="seats.tasks.warn_uncovered_shifts", **ROLLUP_TASK_OPTIONS)
def warn_uncovered_shifts() -> int:
    """Beat, daily at 07:30 Shanghai time: tell managers which needed seat-shifts of the next 14
    days nobody works, before the day shift begins. Once per date, however often it runs."""
    return uncovered_shifts_warn(day=clock.today())


@shared_task(name="seats.tasks.ensure_workload_partitions", **ROLLUP_TASK_OPTIONS)
def ensure_workload_partitions() -> dict:
    """Beat, daily at 00:20 Shanghai time: the workload table's month partitions exist for this
    month and the next three, and none of its rows wait in the default partition (PostgreSQL;
    nothing to do on SQLite). Idempotent; a run that waits too long for the table's lock fails
    with OperationalError and is retried."""
    return workload_partitions_ensure().as_dict()
