"""The daily warning to managers: needed seat-shifts that nobody works today or in the next 14
days.

Safe to run twice: one ``UncoveredShiftsDigest`` row per date says the warning of that date was
handled, and the email goes out only after that row is committed (``transaction.on_commit``), in
each manager's language. Nothing uncovered: the row is written and nothing is sent.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from agency.emails import email_send_later
from seats.models import Agent, Seat, UncoveredShiftsDigest
from seats.roster import UPCOMING_DAYS, RosterSlot, uncovered_slots
from seats.services.rollup import manager_emails


@dataclass(frozen=True)
class UncoveredLine:
    date: date
    seat: str
    shift: str
    regular_agent: str | None
    on_leave: bool


def _lines(slots: list[RosterSlot]) -> list[UncoveredLine]:
    seats = dict(Seat.objects.filter(pk__in={s.seat_id for s in slots}).values_list("pk", "code"))
    regular = {s.regular_agent_id for s in slots if s.regular_agent_id}
    names = dict(Agent.objects.filter(pk__in=regular).values_list("pk", "name"))
    return [
        UncoveredLine(
            date=slot.date,
            seat=seats[slot.seat_id],
            shift=slot.shift,
            regular_agent=names.get(slot.regular_agent_id),
            on_leave=slot.on_leave,
        )
        for slot in slots
    ]


def _send(*, day: date, lines: list[UncoveredLine]) -> None:
    for language, emails in sorted(manager_emails().items()):
        with translation.override(language):
            subject = gettext(
                "Uncovered seat-shifts today and in the next %(days)s days: %(count)s"
            ) % {
                "days": UPCOMING_DAYS,
                "count": len(lines),
            }
            message = render_to_string(
                "seats/email/uncovered_shifts.txt",
                {"day": day, "lines": lines, "days": UPCOMING_DAYS},
            )
        email_send_later(subject=subject, message=message, recipients=emails)


@transaction.atomic
def uncovered_shifts_warn(*, day: date) -> int:
    """Warn managers once for ``day`` about the needed, uncovered seat-shifts of ``day`` ..
    ``day`` + 14. Returns how many were found (0 when ``day`` was handled already)."""
    digest, created = UncoveredShiftsDigest.objects.select_for_update().get_or_create(day=day)
    if not created:
        return 0
    slots = uncovered_slots(date_from=day, date_to=day + timedelta(days=UPCOMING_DAYS))
    digest.uncovered = len(slots)
    digest.save(update_fields=["uncovered"])
    if slots:
        lines = _lines(slots)
        transaction.on_commit(lambda: _send(day=day, lines=lines))
    return len(slots)
