"""Handover notes (交接): at 17:00 the day agent leaves the night agent one note per shop.

A note names the seat's day agent of that date as its author and goes to the seat's night agent of
that date; who they are is the roster's answer (``seats.roster``: a cover counts, an agent on
leave does not). Its shop must be served by that seat that date. Once acknowledged, a note is a
record and no longer changes.

Who did it is recorded apart from whom the note is about: ``written_by`` is the account that wrote
the note and ``acknowledged_by`` the account that acknowledged it. An agent signs in and acts as
themselves only; a manager may write or acknowledge any note and is recorded as that manager,
never as the agent named on the note. ``actor=None`` is the system itself (the admin's import,
the demo seed), which records nobody.

Time rules for agents (``handover_writing_opens``): the day agent writes the note of the current
date from 16:00 Shanghai time, an hour before the 17:00 handover, and not for another date.
Managers may write at any time and for any date: they record notes phoned in or forgotten.
"""

import datetime as dt
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from agency import clock
from agency.access import agent_id_of, is_manager
from agency.choices import Shift
from agency.dates import active_on_q
from agency.errors import ApplicationError, NotPermitted, StateConflict
from agency.services import model_update
from seats.models import Agent, HandoverNote, Seat
from seats.roster import roster_slots

if TYPE_CHECKING:
    from agency.models import User
    from shops.models import Shop

_UNSET = object()
HANDOVER_NOTE_EDITABLE_FIELDS = ("open_cases", "promises", "to_agent")

HANDOVER_OPENS_AT = dt.time(16, 0)
"""From this local time the day agent may write the day's notes (an hour before the handover)."""


def handover_writing_opens(day: date) -> dt.datetime:
    """The moment (Shanghai) from which an agent may write the notes of ``day``: 16:00 that day."""
    return dt.datetime.combine(day, HANDOVER_OPENS_AT, tzinfo=timezone.get_default_timezone())


def handover_writing_open_for_agents(*, day: date, now: dt.datetime | None = None) -> bool:
    """The 16:00 rule: an agent writes the note of ``day`` on that date, from 16:00 on."""
    now = now or clock.now()
    return timezone.localdate(now) == day and now >= handover_writing_opens(day)


def handover_agents(*, seat: Seat, day: date) -> dict[str, Agent | None]:
    """{shift: the agent who works it} on ``seat`` on ``day``, as the roster says (covers count,
    agents on leave do not). Five queries."""
    worker_ids = {
        slot.shift: slot.agent_id
        for slot in roster_slots(date_from=day, date_to=day, seat_ids=[seat.pk])
    }
    agents = Agent.objects.in_bulk([pk for pk in worker_ids.values() if pk is not None])
    return {shift: agents.get(worker_ids.get(shift)) for shift in Shift.values}


def _check_agent_writes_today(*, actor: "User | None", day: date) -> None:
    """Agents write from 16:00 of the note's date (``handover_writing_open_for_agents``)."""
    if actor is None or is_manager(actor) or agent_id_of(actor) is None:
        return
    if handover_writing_open_for_agents(day=day):
        return
    if clock.today() != day:
        message = gettext(
            "A handover note is written on its own day: today is %(today)s, not %(date)s."
        ) % {"today": clock.today().isoformat(), "date": day.isoformat()}
    else:
        message = gettext(
            "The handover note can be written from %(time)s; the handover is at 17:00."
        ) % {"time": f"{HANDOVER_OPENS_AT:%H:%M}"}
    raise ApplicationError(message)


def _acting_agent(actor: "User | None") -> Agent | None:
    """The agent an agent's account acts as; None for managers and the system."""
    if actor is None or is_manager(actor):
        return None
    agent_id = agent_id_of(actor)
    if agent_id is None:
        raise NotPermitted(gettext("Only agents and agency managers can do this."))
    return actor.agent_profile


def _night_agent_check(
    *, seat: Seat, day: date, to_agent: Agent | None, night_agent: Agent | None
) -> Agent | None:
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

    Raises ``ValidationError`` by field: the author is not the seat's day agent that date (by the
    roster), the shop has no contract on the seat active that date, the seat already has a note
    for the shop that date, the recipient is not the seat's night agent that date.
    """
    errors: dict[str, str] = {}
    agents = handover_agents(seat=seat, day=date)
    day_agent = agents[Shift.DAY]
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
        to_agent = _night_agent_check(
            seat=seat, day=date, to_agent=to_agent, night_agent=agents[Shift.NIGHT]
        )
    except ValidationError as exc:
        errors.update({field: msgs[0] for field, msgs in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return to_agent


def handover_note_author(*, actor: "User | None", from_agent: Agent | None) -> Agent:
    """Whom a new note comes from: an agent writes as themselves (``from_agent`` defaults to them,
    and naming anybody else is refused with 403); a manager or the system must name the author."""
    acting = _acting_agent(actor)
    if acting is not None:
        if from_agent is not None and from_agent.pk != acting.pk:
            raise NotPermitted(gettext("You can write handover notes only as yourself."))
        return acting
    if from_agent is None:
        raise ValidationError({"from_agent": gettext("Name the seat's day agent on that date.")})
    return from_agent


def handover_seat_of(*, agent: Agent, shop: "Shop", day: date) -> Seat:
    """The seat on which ``agent`` works the day shift on ``day`` serving ``shop`` (an agent who
    writes a note need not name it). Refused by field when there is none."""
    for slot in roster_slots(date_from=day, date_to=day, agent_id=agent.pk):
        if slot.agent_id == agent.pk and slot.shift == Shift.DAY:
            seat = Seat.objects.get(pk=slot.seat_id)
            if seat.contracts.filter(active_on_q(day), shop=shop).exists():
                return seat
    raise ValidationError(
        {
            "seat": gettext("You do not work the day shift of a seat serving %(shop)s on %(date)s.")
            % {"shop": shop.name, "date": day.isoformat()}
        }
    )


@transaction.atomic
def handover_note_create(
    *,
    seat: Seat | None = None,
    shop: "Shop",
    date: date,
    from_agent: Agent | None = None,
    to_agent: Agent | None = None,
    open_cases: str = "",
    promises: str = "",
    actor: "User | None" = None,
) -> HandoverNote:
    """Record the day agent's note to the night agent about one shop of the seat.

    ``actor`` writes it and is recorded as ``written_by``: the day agent themselves (from 16:00
    of that date) or a manager (any time). An agent may leave out the seat (theirs that date)
    and the author (themselves).
    """
    from_agent = handover_note_author(actor=actor, from_agent=from_agent)
    _check_agent_writes_today(actor=actor, day=date)
    if seat is None:
        if _acting_agent(actor) is None:
            raise ValidationError({"seat": gettext("Name the seat the note is about.")})
        seat = handover_seat_of(agent=from_agent, shop=shop, day=date)
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
        written_by=actor,
    )
    note.full_clean()
    note.save()
    return note


def _locked(note: HandoverNote) -> HandoverNote:
    return HandoverNote.objects.select_for_update().select_related("seat").get(pk=note.pk)


@transaction.atomic
def handover_note_update(
    *,
    note: HandoverNote,
    open_cases: str | None = None,
    promises: str | None = None,
    to_agent: Agent | None | object = _UNSET,
    actor: "User | None" = None,
) -> HandoverNote:
    """Edit the note's text (or its recipient) until the night agent has acknowledged it.

    An agent edits only a note they wrote as the day agent, within the hours they may write it;
    the last editor becomes ``written_by``.
    """
    note = _locked(note)
    acting = _acting_agent(actor)
    if acting is not None and acting.pk != note.from_agent_id:
        raise NotPermitted(gettext("Only the day agent who wrote the note can edit it."))
    if note.acknowledged_at is not None:
        raise StateConflict(gettext("The note was acknowledged; it can no longer be edited."))
    _check_agent_writes_today(actor=actor, day=note.date)
    data: dict[str, object] = {}
    if open_cases is not None:
        data["open_cases"] = open_cases
    if promises is not None:
        data["promises"] = promises
    if to_agent is not _UNSET:
        night_agent = handover_agents(seat=note.seat, day=note.date)[Shift.NIGHT]
        data["to_agent"] = _night_agent_check(
            seat=note.seat, day=note.date, to_agent=to_agent, night_agent=night_agent
        )
    if actor is not None:
        data["written_by"] = actor
    model_update(instance=note, data=data, fields=(*HANDOVER_NOTE_EDITABLE_FIELDS, "written_by"))
    return note


def handover_acknowledger_check(*, note: HandoverNote, actor: "User | None") -> None:
    """Who may acknowledge: the seat's night agent of the note's date (by the roster, so a cover
    acknowledges in place of the regular agent), or a manager (recorded as the manager)."""
    acting = _acting_agent(actor)
    if acting is None:
        return
    night_agent = handover_agents(seat=note.seat, day=note.date)[Shift.NIGHT]
    if night_agent is None or night_agent.pk != acting.pk:
        raise NotPermitted(
            gettext("Only the night agent of seat %(seat)s on %(date)s can acknowledge this note.")
            % {"seat": note.seat.code, "date": note.date.isoformat()}
        )


@transaction.atomic
def handover_note_acknowledge(*, note: HandoverNote, actor: "User | None" = None) -> HandoverNote:
    """The night agent confirms having read the note; a second acknowledgement is a conflict.

    ``acknowledged_by`` is ``actor``: the night agent, or the manager who pressed the button.
    """
    note = _locked(note)
    if note.acknowledged_at is not None:
        when = timezone.localtime(note.acknowledged_at)
        raise StateConflict(
            gettext("The note was already acknowledged at %(when)s.")
            % {"when": f"{when:%Y-%m-%d %H:%M}"}
        )
    handover_acknowledger_check(note=note, actor=actor)
    changed = ["acknowledged_at", "acknowledged_by", "updated_at"]
    if note.to_agent_id is None:
        note.to_agent = handover_agents(seat=note.seat, day=note.date)[Shift.NIGHT]
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
    note.acknowledged_by = actor
    note.save(update_fields=changed)
    return note
