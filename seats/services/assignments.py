"""Seat assignments: which agent covers which shift of which seat, over which dates.

Rules (DOMAIN.md): ranges are inclusive and may be open-ended; at any date a seat has at most one
agent per shift, and an agent holds at most one seat-shift. ``assignment_validate`` checks them on
every database (the admin form calls it too); on PostgreSQL exclusion constraints
(seats/migrations/0003) are the last word when two requests race, and the API answers 409 then.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from agency.access import require_manager
from agency.choices import Shift
from agency.models import User
from agency.services import model_update, refuse_unknown_fields
from seats.models import Agent, CoverAssignment, Seat, SeatAssignment

ASSIGNMENT_FIELDS = ("seat", "agent", "shift", "start_date", "end_date")


def _describe_range(assignment: SeatAssignment) -> str:
    start = assignment.start_date.isoformat()
    if assignment.end_date is None:
        return gettext("%(start)s, open-ended") % {"start": start}
    return gettext("%(start)s to %(end)s") % {
        "start": start,
        "end": assignment.end_date.isoformat(),
    }


def assignment_validate(
    *,
    seat: Seat,
    agent: Agent,
    shift: str,
    start_date: date,
    end_date: date | None,
    exclude_id: int | None = None,
) -> None:
    """Raise ``ValidationError`` (by field) when the assignment would break a seat rule."""
    if shift not in Shift.values:
        raise ValidationError(
            {
                "shift": gettext("Shift must be one of %(shifts)s.")
                % {"shifts": ", ".join(Shift.values)}
            }
        )
    if end_date is not None and end_date < start_date:
        raise ValidationError(
            {"end_date": gettext("The end date cannot be before the start date (end >= start).")}
        )
    others = SeatAssignment.objects.overlapping(start_date, end_date).select_related(
        "seat", "agent"
    )
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    errors: dict[str, str] = {}
    seat_clash = others.filter(seat=seat, shift=shift).order_by("start_date").first()
    if seat_clash is not None:
        errors["seat"] = gettext(
            "Seat %(seat)s already has a %(shift)s agent (%(agent)s, %(range)s): a seat has at "
            "most one agent per shift at any date."
        ) % {
            "seat": seat.code,
            "shift": Shift(shift).label,
            "agent": seat_clash.agent.name,
            "range": _describe_range(seat_clash),
        }
    agent_clash = others.filter(agent=agent).order_by("start_date").first()
    if agent_clash is not None:
        errors["agent"] = gettext(
            "%(agent)s already holds seat %(seat)s, %(shift)s (%(range)s): an agent holds at "
            "most one seat-shift at any date."
        ) % {
            "agent": agent.name,
            "seat": agent_clash.seat.code,
            "shift": Shift(agent_clash.shift).label,
            "range": _describe_range(agent_clash),
        }
    if "agent" not in errors:
        cover = (
            CoverAssignment.objects.filter(agent=agent, end_date__gte=start_date)
            .filter(**({} if end_date is None else {"start_date__lte": end_date}))
            .select_related("seat")
            .order_by("start_date")
            .first()
        )
        if cover is not None:
            # A cover agent is working that date: never give them a seat-shift of their own too.
            errors["agent"] = gettext(
                "%(agent)s covers seat %(seat)s on %(date)s: an agent holds at most one "
                "seat-shift at any date."
            ) % {
                "agent": agent.name,
                "seat": cover.seat.code,
                "date": max(cover.start_date, start_date).isoformat(),
            }
    if errors:
        raise ValidationError(errors)


def _lock(seat: Seat, agent: Agent) -> None:
    """Serialise writers touching the same seat or agent (PostgreSQL; a no-op on SQLite).

    Always seat first, then agent, so two writers never wait on each other in a cycle.
    """
    list(Seat.objects.select_for_update().filter(pk=seat.pk).values_list("pk"))
    list(Agent.objects.select_for_update().filter(pk=agent.pk).values_list("pk"))


@transaction.atomic
def assignment_create(
    *,
    seat: Seat,
    agent: Agent,
    shift: str,
    start_date: date,
    end_date: date | None = None,
    actor: User | None = None,
) -> SeatAssignment:
    """Put ``agent`` on ``seat``'s ``shift`` from ``start_date`` (managers only)."""
    require_manager(actor)
    _lock(seat, agent)
    assignment_validate(
        seat=seat, agent=agent, shift=shift, start_date=start_date, end_date=end_date
    )
    assignment = SeatAssignment(
        seat=seat, agent=agent, shift=shift, start_date=start_date, end_date=end_date
    )
    assignment.save()
    return assignment


@transaction.atomic
def assignment_update(
    *, assignment: SeatAssignment, data: dict[str, Any], actor: User | None = None
) -> SeatAssignment:
    """Change an assignment (typically: close it by setting its end date); managers only."""
    require_manager(actor)
    refuse_unknown_fields(data=data, fields=ASSIGNMENT_FIELDS)
    values = {field: data.get(field, getattr(assignment, field)) for field in ASSIGNMENT_FIELDS}
    _lock(values["seat"], values["agent"])
    assignment_validate(**values, exclude_id=assignment.pk)
    model_update(instance=assignment, data=data, fields=ASSIGNMENT_FIELDS, actor=actor)
    return assignment


@transaction.atomic
def assignment_delete(*, assignment: SeatAssignment, actor: User | None = None) -> None:
    """Remove an assignment made in error; to end one that happened, set its end date instead."""
    require_manager(actor)
    assignment.delete()
