"""The nightly roll-up: each agent's daily load, and load alerts per agent and period.

An alert is about an agent, not an agent-day: "张伟: overloaded 9 of the last 14 days". An agent
overloaded on at least ``OVERLOAD_ALERT_DAYS`` (3) of the ``OVERLOAD_ALERT_WINDOW_DAYS`` (14) days
ending the day rolled up has one open ``LoadAlert``. Managers get one email per run listing the
alerts that opened or grew: an open alert is announced again only when its count has grown by
the threshold since the last email (3 -> 6 -> 9 ...), and it closes after a quiet period (the count
falls below the threshold), so a later overload opens a new one.

Safe to run twice for the same date (beat, a retry, or a manager re-running it): the roll-up rows
are upserted by (agent, date), and an alert remembers what was announced (``announced_days``), so
a second run finds nothing new to say. A run for an older date (a backfill) rolls it up but leaves
alerts already counted to a later day alone.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import structlog
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from agency import limits
from agency.emails import email_send_later
from agency.models import User
from seats.calculations import LoadBand, load_band
from seats.models import (
    AgentDailyLoad,
    LoadAlert,
    ShopDailyLoad,
    ShopLoadWindow,
    WorkloadRecord,
)
from seats.selectors import (
    AgentOverload,
    _agent_day_totals,
    _shop_day_totals,
    agents_overloaded_often,
    overload_window,
    shop_window_sums,
)

logger = structlog.get_logger(__name__)

WRITE_BATCH = 1000


@dataclass(frozen=True)
class RollupResult:
    day: date
    agents: int
    created: int
    updated: int
    overloaded: int
    alerted: int

    def as_dict(self) -> dict:
        return {**asdict(self), "day": self.day.isoformat()}


def manager_emails() -> dict[str, list[str]]:
    """Where operational alerts go: every active manager with an email address, by the
    language their emails are written in (``User.email_language``)."""
    managers = User.objects.filter(is_active=True, is_staff=True).exclude(email="")
    by_language: dict[str, list[str]] = {}
    for manager in managers.order_by("email").only("email", "language"):
        by_language.setdefault(manager.email_language, []).append(manager.email)
    return by_language


def _send_overload_alert(
    *, day: date, alerts: list[AgentOverload], recipients: dict[str, list[str]]
) -> None:
    context = {
        "day": day,
        "alerts": alerts,
        "threshold": settings.AGENCY["LOAD_OVERLOADED_ABOVE"],
        "window": limits.overload_alert_window_days(),
        "min_days": limits.overload_alert_days(),
    }
    for language, emails in sorted(recipients.items()):
        with translation.override(language):
            subject = gettext("Agents overloaded often, to %(date)s: %(count)s") % {
                "date": day.isoformat(),
                "count": len(alerts),
            }
            message = render_to_string("seats/email/overload_alert.txt", context)
        email_send_later(subject=subject, message=message, recipients=emails)


def load_alerts_update(*, day: date) -> list[AgentOverload]:
    """Open, grow and close the agents' ``LoadAlert`` rows for the window ending ``day``; return
    the entries to announce (opened, grown by the threshold since the last email, or never sent).

    The rule in one place: an agent has an open alert while ``agents_overloaded_often`` counts it
    (at least ``OVERLOAD_ALERT_DAYS`` overloaded days of the last 14); it is announced when it
    opens and when its count reaches ``announced_days`` + the threshold; it closes when the count
    falls below the threshold. Alerts already counted to a later day are left alone. Call inside
    the roll-up's transaction; the caller marks what it announced (``_mark_announced``).
    """
    step = max(limits.overload_alert_days(), 1)
    often = {entry.agent_id: entry for entry in agents_overloaded_often(day=day)}
    open_alerts = {
        alert.agent_id: alert
        for alert in LoadAlert.objects.filter(closed_on__isnull=True).select_for_update()
    }
    to_announce, changed = [], []
    for agent_id, alert in open_alerts.items():
        if alert.last_day > day:
            continue
        entry = often.get(agent_id)
        alert.last_day = day
        changed.append(alert)
        if entry is None:
            alert.closed_on = day  # a quiet period: fewer overloaded days than the threshold
            continue
        alert.overloaded_days = entry.days
        if alert.announced_days == 0 or entry.days >= alert.announced_days + step:
            to_announce.append(entry)
    LoadAlert.objects.bulk_update(changed, ["last_day", "overloaded_days", "closed_on"])
    LoadAlert.objects.bulk_create(
        [
            LoadAlert(
                agent_id=agent_id,
                opened_on=day,
                last_day=day,
                window_days=entry.window_days,
                overloaded_days=entry.days,
            )
            for agent_id, entry in often.items()
            if agent_id not in open_alerts
        ]
    )
    to_announce += [entry for agent_id, entry in often.items() if agent_id not in open_alerts]
    return sorted(to_announce, key=lambda entry: (-entry.days, -entry.busiest, entry.agent_name))


def _mark_announced(*, day: date, entries: list[AgentOverload]) -> None:
    """Record that ``entries`` were announced: the alert's count, and the overloaded days of the
    window on the roll-up rows (``AgentDailyLoad.alerted_at``, shown in the admin)."""
    now = timezone.now()
    days_of = {entry.agent_id: entry.days for entry in entries}
    alerts = list(LoadAlert.objects.filter(agent_id__in=list(days_of), closed_on__isnull=True))
    for alert in alerts:
        alert.announced_days = days_of[alert.agent_id]
        alert.announced_at = now
    LoadAlert.objects.bulk_update(alerts, ["announced_days", "announced_at"])
    first, last = overload_window(day)
    AgentDailyLoad.objects.filter(
        agent_id__in=[entry.agent_id for entry in entries],
        date__gte=first,
        date__lte=last,
        band=LoadBand.OVERLOADED,
        alerted_at__isnull=True,
    ).update(alerted_at=now)


def _upsert_day(day: date) -> tuple[list[AgentDailyLoad], int]:
    """Write ``day``'s roll-up rows from its workloads: (the rows, how many were there before)."""
    totals = (
        _agent_day_totals(WorkloadRecord.objects.filter(date=day))
        .order_by("agent_id")
        .values_list("agent_id", "inquiries_total")
    )
    rows = [
        AgentDailyLoad(agent_id=agent_id, date=day, inquiries=total, band=load_band(total))
        for agent_id, total in totals
    ]
    existing = set(AgentDailyLoad.objects.filter(date=day).values_list("agent_id", flat=True))
    AgentDailyLoad.objects.bulk_create(
        rows,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["agent", "date"],
        update_fields=["inquiries", "band"],
    )
    _upsert_shop_day(day)
    return rows, sum(1 for row in rows if row.agent_id in existing)


def _upsert_shop_day(day: date) -> None:
    """Write ``day``'s shop roll-up rows (``ShopDailyLoad``) from its workloads, and take away
    those of shops with no workload left that day. Three queries."""
    totals = _shop_day_totals(WorkloadRecord.objects.filter(date=day)).values_list(
        "shop_id", "inquiries_total", "day_total"
    )
    rows = [
        ShopDailyLoad(shop_id=shop_id, date=day, inquiries=total, day_inquiries=day_total)
        for shop_id, total, day_total in totals
    ]
    ShopDailyLoad.objects.filter(date=day).exclude(
        shop_id__in=[row.shop_id for row in rows]
    ).delete()
    ShopDailyLoad.objects.bulk_create(
        rows,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["date", "shop"],
        update_fields=["inquiries", "day_inquiries"],
    )


def agent_daily_load_refresh(*, days: Iterable[date]) -> list[date]:
    """Bring the roll-up of those of ``days`` already rolled up in line with their workloads,
    after workloads of those dates were written, and the stored capacity windows that hold any
    of them (``shop_load_windows_refresh``); returns the dates refreshed.

    Pages read a rolled-up date from the roll-up (``seats.selectors.agent_daily_load``), so a
    late upload must reach it. No alert is sent: that is the nightly run's to do. Two queries,
    seven per date refreshed and four when a stored window is written again; call it inside the
    transaction that wrote the workloads.
    """
    days = list(days)
    rolled_up = sorted(
        set(
            AgentDailyLoad.objects.filter(date__in=list(days))
            .values_list("date", flat=True)
            .distinct()
        )
    )
    for day in rolled_up:
        rows, _ = _upsert_day(day)
        # An agent whose workloads of the day were all deleted has no load left that day.
        AgentDailyLoad.objects.filter(date=day).exclude(
            agent_id__in=[row.agent_id for row in rows]
        ).delete()
    shop_load_windows_refresh(days=days)
    return rolled_up


def shop_load_window_write(*, as_of: date) -> int:
    """Store every shop's capacity window for ``as_of`` (``seats.selectors.shop_window_sums``:
    the roll-up and the workloads of the days before it) in place of the one stored; returns
    the number of shops with workloads in it. Three queries."""
    window_days = limits.capacity_history_days()
    sums = shop_window_sums(day=as_of)
    ShopLoadWindow.objects.filter(as_of=as_of).delete()
    ShopLoadWindow.objects.bulk_create(
        [
            ShopLoadWindow(
                shop_id=shop_id,
                as_of=as_of,
                window_days=window_days,
                inquiries=total,
                day_inquiries=day_total,
                days=days,
            )
            for shop_id, (total, day_total, days) in sorted(sums.items())
        ],
        batch_size=WRITE_BATCH,
    )
    return len(sums)


def shop_load_windows_refresh(*, days: Iterable[date]) -> list[date]:
    """After workloads of ``days`` were written: take away the stored capacity windows that may
    hold any of them (those as of the day after the first to the window's length after the last)
    and store the newest of them again; returns the dates of the windows taken away.

    A window is then either right or absent, and capacity planning sums an absent one from the
    roll-up and the workloads (``seats.selectors._shop_history``). One query when no stored
    window holds the days, as for an upload of long ago."""
    days = sorted(set(days))
    if not days:
        return []
    reach = timedelta(days=limits.capacity_history_days())
    stored = ShopLoadWindow.objects.filter(as_of__gt=days[0], as_of__lte=days[-1] + reach)
    affected = sorted(set(stored.order_by().values_list("as_of", flat=True).distinct()))
    if affected:
        stored.delete()
        shop_load_window_write(as_of=affected[-1])
    return affected


def agent_daily_load_rollup(*, day: date) -> RollupResult:
    """Upsert one AgentDailyLoad per agent with workloads on ``day``, then the load alerts.

    Set-based: one aggregate query over the day's workloads (``_agent_day_totals``, the aggregate
    ``seats.selectors.agent_daily_load`` sums for the days not rolled up yet), one for the rows
    already there, then one upsert. The alerts (``load_alerts_update``) cost a few queries plus
    one per open alert; the email lists the alerts that opened or grew and is sent once the
    transaction commits.
    """
    with transaction.atomic():
        rows, updated = _upsert_day(day)
        # Capacity planning tomorrow reads the window ending today; older ones are not read.
        shop_load_window_write(as_of=day + timedelta(days=1))
        ShopLoadWindow.objects.filter(as_of__lt=day).delete()
        to_alert = load_alerts_update(day=day)
        recipients = manager_emails() if to_alert else {}
        if to_alert and recipients:
            _mark_announced(day=day, entries=to_alert)
            transaction.on_commit(
                lambda: _send_overload_alert(day=day, alerts=to_alert, recipients=recipients)
            )
        elif to_alert:
            # Left unannounced, so a later run sends it once a manager has an email address.
            logger.warning("overload_alert_without_recipients", day=day.isoformat())

        result = RollupResult(
            day=day,
            agents=len(rows),
            created=len(rows) - updated,
            updated=updated,
            overloaded=sum(1 for row in rows if row.band == LoadBand.OVERLOADED),
            alerted=len(to_alert) if recipients else 0,
        )
    logger.info("agent_daily_load_rollup", **result.as_dict())
    return result
