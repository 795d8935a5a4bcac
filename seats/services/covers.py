"""Cover assignments: another agent works a seat-shift for some dates (managers only).

Rules, each in one function below:
- the range is inclusive, ends on or after its start, and spans at most ``MAX_COVER_DAYS``;
- the agent is active and free on **every** date (``cover_agent_free_check``): no seat-shift of
  their own that date (never someone already working), not on approved leave, no other cover.
  The refusal names the first date that clashes;
- the seat-shift has no other cover on any of those dates (``cover_seat_shift_free_check``).
On PostgreSQL the exclusion constraints ``cover_seat_shift_no_overlap`` and
``cover_agent_no_overlap`` (seats/migrations/0008) are the last word when two requests race.

A cover takes the seat-shift whoever its regular agent is (``seats.roster``), and work of those
dates is attributed to the cover agent. Deleting a cover is for one made in error or no longer
needed; past dates go back to the regular agent (or to nobody).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from agency.access import require_manager
from agency.choices import Shift
from agency.formatting import date_text
from agency.models import User
from seats.choices import LeaveStatus
from seats.models import Agent, CoverAssignment, Leave, Seat, SeatAssignment

MAX_COVER_DAYS = 92
"""The longest cover at once: a quarter. Longer than that, assign the seat-shift instead."""


def cover_dates_check(*, shift: str, start_date: date, end_date: date) -> None:
    if shift not in Shift.values:
        raise ValidationError(
            {
                "shift": gettext("Shift must be one of %(shifts)s.")
                % {"shifts": ", ".join(Shift.values)}
            }
        )
    if end_date < start_date:
        raise ValidationError(
            {"end_date": gettext("The end date cannot be before the start date (end >= start).")}
        )
    days = (end_date - start_date).days + 1
    if days > MAX_COVER_DAYS:
        raise ValidationError(
            {
                "end_date": gettext(
                    "A cover lasts at most %(limit)s days; this one %(days)s. For longer, assign "
                    "the seat-shift."
                )
                % {"limit": MAX_COVER_DAYS, "days": days}
            }
        )


def _first_date(ranges, start_date: date, end_date: date) -> date | None:
    """The first date of [start_date, end_date] inside any of ``ranges`` ((start, end or None))."""
    firsts = [
        max(start, start_date)
        for start, end in ranges
        if start <= end_date and (end is None or end >= start_date)
    ]
    return min(firsts) if firsts else None


def cover_agent_free_check(
    *, agent: Agent, start_date: date, end_date: date, exclude_id: int | None = None
) -> None:
    """The agent is active and free on every date: no seat-shift of their own, no approved leave,
    no other cover. The message names the first date that clashes (and why)."""
    if agent.status != Agent.Status.ACTIVE:
        raise ValidationError(
            {"agent": gettext("%(agent)s is not an active agent.") % {"agent": agent.name}}
        )
    span = {"start_date__lte": end_date}
    own = SeatAssignment.objects.filter(agent=agent, **span).values_list("start_date", "end_date")
    leave = Leave.objects.filter(agent=agent, status=LeaveStatus.APPROVED, **span).values_list(
        "start_date", "end_date"
    )
    covers = CoverAssignment.objects.filter(agent=agent, **span)
    if exclude_id is not None:
        covers = covers.exclude(pk=exclude_id)
    reasons = (
        (own, gettext("%(agent)s works a seat-shift of their own on %(date)s.")),
        (leave, gettext("%(agent)s is on leave on %(date)s.")),
        (
            covers.values_list("start_date", "end_date"),
            gettext("%(agent)s already covers a seat-shift on %(date)s."),
        ),
    )
    clashes = []
    for rows, message in reasons:
        first = _first_date(list(rows), start_date, end_date)
        if first is not None:
            clashes.append((first, message))
    if clashes:
        first, message = min(clashes, key=lambda clash: clash[0])
        raise ValidationError(
            {
                "agent": message % {"agent": agent.name, "date": date_text(first)}
                + " "
                + gettext("A cover needs an agent free on every date.")
            }
        )


def cover_seat_shift_free_check(
    *, seat: Seat, shift: str, start_date: date, end_date: date, exclude_id: int | None = None
) -> None:
    """A seat-shift has at most one cover on any date."""
    others = CoverAssignment.objects.filter(
        seat=seat, shift=shift, start_date__lte=end_date, end_date__gte=start_date
    ).select_related("agent")
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    clash = others.order_by("start_date").first()
    if clash is not None:
        raise ValidationError(
            {
                "start_date": gettext(
                    "Seat %(seat)s, %(shift)s already has a cover on %(date)s (%(agent)s)."
                )
                % {
                    "seat": seat.code,
                    "shift": Shift(shift).label,
                    "date": date_text(max(clash.start_date, start_date)),
                    "agent": clash.agent.name,
                }
            }
        )


def _lock(seat: Seat, agent: Agent) -> None:
    """Serialise writers touching the same seat or agent (PostgreSQL; a no-op on SQLite).
    Seat first, then agent, as ``assignment_create`` does, so writers never wait in a cycle."""
    list(Seat.objects.select_for_update().filter(pk=seat.pk).values_list("pk"))
    list(Agent.objects.select_for_update().filter(pk=agent.pk).values_list("pk"))


@transaction.atomic
def cover_create(
    *,
    seat: Seat,
    shift: str,
    agent: Agent,
    start_date: date,
    end_date: date,
    actor: User | None = None,
) -> CoverAssignment:
    """Give ``seat``'s ``shift`` to ``agent`` from ``start_date`` to ``end_date`` (managers)."""
    require_manager(actor)
    cover_dates_check(shift=shift, start_date=start_date, end_date=end_date)
    _lock(seat, agent)
    agent.refresh_from_db(fields=["status"])
    cover_agent_free_check(agent=agent, start_date=start_date, end_date=end_date)
    cover_seat_shift_free_check(seat=seat, shift=shift, start_date=start_date, end_date=end_date)
    cover = CoverAssignment(
        seat=seat,
        shift=shift,
        agent=agent,
        start_date=start_date,
        end_date=end_date,
        created_by=actor,
    )
    cover.save()
    return cover


@transaction.atomic
def cover_delete(*, cover: CoverAssignment, actor: User | None = None) -> None:
    """Remove a cover; its dates go back to the seat-shift's regular agent, or to nobody."""
    require_manager(actor)
    cover.delete()
