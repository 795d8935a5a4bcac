"""Business time: what "now", "today" and "this month" mean for the agency (Asia/Shanghai).

Nothing is billed, reported or worked in the future (DOMAIN.md, "Time rules"). Every rule that
compares a business date with the present asks this module, so the API, the manager app, the
portal, the admin, management commands and Celery tasks share one clock, and tests freeze it
with time-machine.
"""

import datetime as dt

from django.utils import timezone

from agency.choices import shift_start


def now() -> dt.datetime:
    """The current moment in the business time zone."""
    return timezone.localtime()


def today() -> dt.date:
    """Today's business date (Shanghai), which may differ from the UTC date."""
    return timezone.localdate()


def current_month(day: dt.date | None = None) -> dt.date:
    """The first day of the month in progress (or of ``day``'s month)."""
    return (day or today()).replace(day=1)


def previous_month(day: dt.date | None = None) -> dt.date:
    """The first day of the month before ``day``'s month (default: the last ended month)."""
    first = current_month(day)
    return (first - dt.timedelta(days=1)).replace(day=1)


def month_has_started(month: dt.date) -> bool:
    """Whether ``month`` (any date of it) is the month in progress or a past one."""
    return month.replace(day=1) <= current_month()


def month_has_ended(month: dt.date) -> bool:
    """Whether every day of ``month`` (any date of it) is in the past."""
    return month.replace(day=1) < current_month()


def month_in_progress(month: dt.date) -> bool:
    """Whether ``month`` (any date of it) is the month in progress."""
    return month.replace(day=1) == current_month()


def shift_has_begun(day: dt.date, shift: str, moment: dt.datetime | None = None) -> bool:
    """Whether ``shift`` of ``day`` has begun: any earlier date, or today from its start hour.

    ``moment`` (local time, default now) lets a caller checking many rows read the clock once.
    """
    moment = moment or now()
    if day != moment.date():
        return day < moment.date()
    return moment.time() >= shift_start(shift)
