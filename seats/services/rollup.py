"""The nightly roll-up: each agent's daily load, and one alert to managers about overload.

Safe to run twice for the same date (beat, a retry, or a manager re-running it): the roll-up rows
are upserted by (agent, date), and an agent-day is announced once, since ``alerted_at`` records
that its alert went out.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

import structlog
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from agency.models import User
from seats.calculations import LoadBand, load_band
from seats.models import AgentDailyLoad, WorkloadRecord
from seats.selectors import _agent_day_totals

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
    *, day: date, loads: list[AgentDailyLoad], recipients: dict[str, list[str]]
) -> None:
    context = {
        "day": day,
        "loads": loads,
        "threshold": settings.AGENCY["LOAD_OVERLOADED_ABOVE"],
    }
    for language, emails in sorted(recipients.items()):
        with translation.override(language):
            subject = gettext("Overloaded agents on %(date)s: %(count)s") % {
                "date": day.isoformat(),
                "count": len(loads),
            }
            message = render_to_string("seats/email/overload_alert.txt", context)
        send_mail(subject=subject, message=message, from_email=None, recipient_list=emails)


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
    return rows, sum(1 for row in rows if row.agent_id in existing)


def agent_daily_load_refresh(*, days: Iterable[date]) -> list[date]:
    """Bring the roll-up of those of ``days`` already rolled up in line with their workloads,
    after workloads of those dates were written; returns the dates refreshed.

    Pages read a rolled-up date from the roll-up (``seats.selectors.agent_daily_load``), so a
    late upload must reach it. No alert is sent: that is the nightly run's to do. One query, and
    four per date refreshed; call it inside the transaction that wrote the workloads.
    """
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
    return rolled_up


def agent_daily_load_rollup(*, day: date) -> RollupResult:
    """Upsert one AgentDailyLoad per agent with workloads on ``day`` and alert about overload.

    Set-based: one aggregate query over the day's workloads (``_agent_day_totals``, the aggregate
    ``seats.selectors.agent_daily_load`` sums for the days not rolled up yet), one for the rows
    already there, then one upsert. The alert lists the overloaded agents not announced before
    and is sent once the transaction commits.
    """
    with transaction.atomic():
        rows, updated = _upsert_day(day)

        overloaded = AgentDailyLoad.objects.filter(date=day, band=LoadBand.OVERLOADED)
        to_alert = list(
            overloaded.filter(alerted_at__isnull=True)
            .select_for_update(of=("self",))
            .select_related("agent")
            .order_by("-inquiries", "agent__name")
        )
        recipients = manager_emails() if to_alert else {}
        if to_alert and recipients:
            AgentDailyLoad.objects.filter(pk__in=[load.pk for load in to_alert]).update(
                alerted_at=timezone.now()
            )
            transaction.on_commit(
                lambda: _send_overload_alert(day=day, loads=to_alert, recipients=recipients)
            )
        elif to_alert:
            # Left unmarked, so a later run alerts once a manager has an email address.
            logger.warning("overload_alert_without_recipients", day=day.isoformat())

        result = RollupResult(
            day=day,
            agents=len(rows),
            created=len(rows) - updated,
            updated=updated,
            overloaded=overloaded.count(),
            alerted=len(to_alert) if recipients else 0,
        )
    logger.info("agent_daily_load_rollup", **result.as_dict())
    return result
