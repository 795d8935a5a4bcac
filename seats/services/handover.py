"""Handover notes (交接): at 17:00 the day agent leaves the night agent one note per shop.

Managers write and acknowledge notes on the agents' behalf (agents have no logins). A note names
the seat's day agent of that date as its author and goes to the seat's night agent of that date;
its shop must be served by that seat that date. Once acknowledged, a note is a record and no
longer changes.
"""

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from agency.choices import Shift
from agency.dates import active_on_q
from agency.errors import ApplicationError, StateConflict
from agency.services import model_update
from seats.models import Agent, HandoverNote, Seat
from seats.selectors import seat_shift_holder

if TYPE_CHECKING:
    from shops.models import Shop

_UNSET = object()
HANDOVER_NOTE_EDITABLE_FIELDS = ("open_cases", "promises", "to_agent")


def _night_agent_check(*, seat: Seat, day: date, to_agent: Agent | None) -> Agent | None:
    night_agent = seat_shift_holder(seat=seat, shift=Shift.NIGHT, day=day)
    if to_agent is None:
        return night_agent
    if night_agent is None or to_agent.pk != night_agent.pk:
        holder = night_agent.name if night_agent else gettext("nobody")
        raise ValidationError(
            {
                "to_agent": gettext(
                    "The note goes to the night agent of seat %(seat)s on %(date)s (%(holder)s), "
                    "not to %(agent)s."
                )
                % {
                    "seat": seat.code,
                    "date": day.isoformat(),
                    "holder": holder,
                    "agent": to_agent.name,
                }
            }
        )
    return to_agent


def handover_note_validate(
    *,
    seat: Seat,
    shop: "Shop",
    date: date,
    from_agent: Agent,
    to_agent: Agent | None = None,
    exclude_id: int | None = None,
) -> Agent | None:
    """Check a note against the handover rules; return its recipient (default: night agent).

    Raises ``ValidationError`` by field: the author is not the seat's day agent that date, the
    shop has no contract on the seat active that date, the seat already has a note for the shop
    that date, the recipient is not the seat's night agent that date.
    """
    errors: dict[str, str] = {}
    day_agent = seat_shift_holder(seat=seat, shift=Shift.DAY, day=date)
    if day_agent is None or day_agent.pk != from_agent.pk:
        holder = day_agent.name if day_agent else gettext("nobody")
        errors["from_agent"] = gettext(
            "The note comes from the day agent of seat %(seat)s on %(date)s (%(holder)s), not "
            "from %(agent)s."
        ) % {
            "seat": seat.code,
            "date": date.isoformat(),
            "holder": holder,
            "agent": from_agent.name,
        }
    if not seat.contracts.filter(active_on_q(date), shop=shop).exists():
        errors["shop"] = gettext(
            "%(shop)s has no contract on seat %(seat)s active on %(date)s."
        ) % {"shop": shop.name, "seat": seat.code, "date": date.isoformat()}
    existing = HandoverNote.objects.filter(seat=seat, shop=shop, date=date)
    if exclude_id is not None:
        existing = existing.exclude(pk=exclude_id)
    duplicate = existing.first()
    if duplicate is not None:
        errors["date"] = gettext(
            "Seat %(seat)s already has a handover note for %(shop)s on %(date)s (#%(note)s); "
            "edit that one."
        ) % {"seat": seat.code, "shop": shop.name, "date": date.isoformat(), "note": duplicate.pk}
    try:
        to_agent = _night_agent_check(seat=seat, day=date, to_agent=to_agent)
    except ValidationError as exc:
        errors.update({field: msgs[0] for field, msgs in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return to_agent


@transaction.atomic
def handover_note_create(
    *,
    seat: Seat,
    shop: "Shop",
    date: date,
    from_agent: Agent,
    to_agent: Agent | None = None,
    open_cases: str = "",
    promises: str = "",
) -> HandoverNote:
    """Record the day agent's note to the night agent about one shop of the seat."""
    to_agent = handover_note_validate(
        seat=seat, shop=shop, date=date, from_agent=from_agent, to_agent=to_agent
    )
    note = HandoverNote(
        seat=seat,
        shop=shop,
        date=date,
        from_agent=from_agent,
        to_agent=to_agent,
        open_cases=open_cases,
        promises=promises,
    )
    note.full_clean()
    note.save()
    return note


def _locked(note: HandoverNote) -> HandoverNote:
    return HandoverNote.objects.select_for_update().get(pk=note.pk)


@transaction.atomic
def handover_note_update(
    *,
    note: HandoverNote,
    open_cases: str | None = None,
    promises: str | None = None,
    to_agent: Agent | None | object = _UNSET,
) -> HandoverNote:
    """Edit the note's text (or its recipient) until the night agent has acknowledged it."""
    note = _locked(note)
    if note.acknowledged_at is not None:
        raise StateConflict(gettext("The note was acknowledged; it can no longer be edited."))
    data: dict[str, object] = {}
    if open_cases is not None:
        data["open_cases"] = open_cases
    if promises is not None:
        data["promises"] = promises
    if to_agent is not _UNSET:
        data["to_agent"] = _night_agent_check(seat=note.seat, day=note.date, to_agent=to_agent)
    model_update(instance=note, data=data, fields=HANDOVER_NOTE_EDITABLE_FIELDS)
    return note


@transaction.atomic
def handover_note_acknowledge(*, note: HandoverNote) -> HandoverNote:
    """The night agent confirms having read the note; a second acknowledgement is a conflict."""
    note = _locked(note)
    if note.acknowledged_at is not None:
        when = timezone.localtime(note.acknowledged_at)
        raise StateConflict(
            gettext("The note was already acknowledged at %(when)s.")
            % {"when": f"{when:%Y-%m-%d %H:%M}"}
        )
    changed = ["acknowledged_at", "updated_at"]
    if note.to_agent_id is None:
        note.to_agent = seat_shift_holder(seat=note.seat, shift=Shift.NIGHT, day=note.date)
        if note.to_agent is None:
            raise ApplicationError(
                gettext(
                    "Seat %(seat)s has no night agent on %(date)s to acknowledge the note; "
                    "assign one first."
                )
                % {"seat": note.seat.code, "date": note.date.isoformat()}
            )
        changed.append("to_agent")
    note.acknowledged_at = timezone.now()
    note.save(update_fields=changed)
    return note
