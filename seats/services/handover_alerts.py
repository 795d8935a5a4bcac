"""Handover notes nobody acknowledged by 18:00 (Shanghai) become an alert to managers.

The night shift starts at 17:00; a note still unread an hour later means the night agent missed
the handover (or nobody works the night shift). ``handover_overdue_alert`` runs from beat every
half hour in the evening and is safe to run twice: a note is announced once, since
``overdue_alerted_at`` records that its alert went out.
"""

import datetime as dt
from dataclasses import dataclass

import structlog
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from agency import clock
from agency.emails import email_send_later
from seats.models import HandoverNote
from seats.selectors import handover_overdue_q
from seats.services.rollup import manager_emails

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class HandoverAlertResult:
    overdue: int
    alerted: int

    def as_dict(self) -> dict:
        return {"overdue": self.overdue, "alerted": self.alerted}


def _send(*, note_ids: list[int], recipients: dict[str, list[str]]) -> None:
    notes = list(
        HandoverNote.objects.filter(pk__in=note_ids)
        .select_related("seat", "shop", "from_agent", "to_agent")
        .order_by("date", "seat__code", "shop__name")
    )
    for language, emails in sorted(recipients.items()):
        with translation.override(language):
            subject = gettext("Handover notes not acknowledged by 18:00: %(count)s") % {
                "count": len(notes)
            }
            message = render_to_string("seats/email/handover_overdue.txt", {"notes": notes})
        email_send_later(subject=subject, message=message, recipients=emails)


def handover_overdue_alert(*, now: dt.datetime | None = None) -> HandoverAlertResult:
    """Email managers once about every overdue note not announced before (``handover_overdue_q``).

    Notes are marked in the transaction that finds them (rows locked, so two runs at once
    announce each note once); the email goes out when it commits. Without any manager's email
    address nothing is marked, so a later run still alerts.
    """
    now = now or clock.now()
    with transaction.atomic():
        overdue = HandoverNote.objects.filter(handover_overdue_q(now))
        to_alert = list(
            overdue.filter(overdue_alerted_at__isnull=True)
            .select_for_update()
            .order_by("date", "id")
            .values_list("pk", flat=True)
        )
        recipients = manager_emails() if to_alert else {}
        if to_alert and recipients:
            HandoverNote.objects.filter(pk__in=to_alert).update(overdue_alerted_at=now)
            transaction.on_commit(lambda: _send(note_ids=to_alert, recipients=recipients))
        elif to_alert:
            logger.warning("handover_alert_without_recipients", notes=len(to_alert))
        result = HandoverAlertResult(
            overdue=overdue.count(), alerted=len(to_alert) if recipients else 0
        )
    logger.info("handover_overdue_alert", **result.as_dict())
    return result
