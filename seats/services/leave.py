"""Leave (请假): requested by an agent for themselves or by a manager for any agent, then approved
or rejected by a manager, or cancelled.

Rules, each in one function below:
- who may ask: an agent for themselves only (``leave_requester_check``); owners never;
- an agent asks for today or later; a manager may also record leave already taken (a sick day);
- the range is inclusive and ends on or after its start;
- no two live (requested or approved) leave requests of one agent share a date
  (``leave_overlap_check``; on PostgreSQL the exclusion constraint ``leave_live_no_overlap`` too);
- approving needs the agent to have no cover on those dates (``leave_cover_clash_check``): an
  agent on leave covers nothing. Approving may leave needed seat-shifts uncovered; that is
  allowed, and the answer lists them so that the manager can fill them with covers;
- cancelling: the agent (or whoever asked) or a manager, while the leave is requested, or
  approved and not started yet (``leave_cancel_check``). Approved leave that has begun is a record
  of days off (pay counts them): it stays.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from agency import clock
from agency.access import agent_id_of, is_manager, require_manager
from agency.errors import NotPermitted, StateConflict
from agency.formatting import date_text
from agency.models import User
from seats.choices import LeaveStatus
from seats.models import Agent, CoverAssignment, Leave
from seats.roster import RosterSlot, uncovered_slots

LIVE_STATUSES = (LeaveStatus.REQUESTED, LeaveStatus.APPROVED)


@dataclass(frozen=True)
class LeaveDecision:
    """A leave after a decision, and the needed seat-shifts it leaves without anybody."""

    leave: Leave
    uncovered: list[RosterSlot]

    @property
    def uncovered_dates(self) -> list[date]:
        return sorted({slot.date for slot in self.uncovered})


def leave_requester_check(*, actor: User | None, agent: Agent) -> None:
    """Managers ask for any agent, agents for themselves; anybody else is refused (403)."""
    if actor is None or is_manager(actor):
        return
    own = agent_id_of(actor)
    if own is None:
        raise NotPermitted(gettext("Only agency managers and agents can request leave."))
    if own != agent.pk:
        raise NotPermitted(gettext("Agents request leave for themselves only."))


def leave_dates_check(*, actor: User | None, start_date: date, end_date: date) -> None:
    """The range ends on or after its start; an agent asks for today or later."""
    if end_date < start_date:
        raise ValidationError(
            {"end_date": gettext("The end date cannot be before the start date (end >= start).")}
        )
    if actor is not None and not is_manager(actor) and start_date < clock.today():
        raise ValidationError(
            {"start_date": gettext("Leave starts today or later; a manager records past leave.")}
        )


def leave_overlap_check(
    *, agent: Agent, start_date: date, end_date: date, exclude_id: int | None = None
) -> None:
    """No two live (requested or approved) leave requests of one agent share a date."""
    others = Leave.objects.filter(
        agent=agent,
        status__in=LIVE_STATUSES,
        start_date__lte=end_date,
        end_date__gte=start_date,
    )
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    clash = others.order_by("start_date").first()
    if clash is not None:
        raise ValidationError(
            {
                "start_date": gettext(
                    "%(agent)s already has leave %(status)s from %(start)s to %(end)s: leave "
                    "requests of one agent cannot overlap."
                )
                % {
                    "agent": agent.name,
                    "status": LeaveStatus(clash.status).label,
                    "start": date_text(clash.start_date),
                    "end": date_text(clash.end_date),
                }
            }
        )


def leave_cover_clash_check(*, leave: Leave) -> None:
    """An agent on leave covers nothing: approving needs their covers on those dates gone."""
    cover = (
        CoverAssignment.objects.filter(
            agent_id=leave.agent_id,
            start_date__lte=leave.end_date,
            end_date__gte=leave.start_date,
        )
        .select_related("seat")
        .order_by("start_date")
        .first()
    )
    if cover is not None:
        first = max(cover.start_date, leave.start_date)
        raise ValidationError(
            {
                "start_date": gettext(
                    "%(agent)s covers seat %(seat)s on %(date)s: delete that cover before "
                    "approving the leave."
                )
                % {"agent": leave.agent.name, "seat": cover.seat.code, "date": date_text(first)}
            }
        )


def _is_own(leave: Leave, user: User) -> bool:
    return agent_id_of(user) == leave.agent_id or leave.requested_by_id == user.pk


def leave_cancel_check(*, leave: Leave, actor: User | None) -> None:
    """The agent, whoever asked, or a manager cancels leave that is requested, or approved and not
    begun yet."""
    if actor is not None and not is_manager(actor) and not _is_own(leave, actor):
        raise NotPermitted(gettext("Only the agent or a manager can cancel this leave."))
    if leave.status not in LIVE_STATUSES:
        raise StateConflict(
            gettext("This leave is %(status)s already.")
            % {"status": LeaveStatus(leave.status).label}
        )
    if leave.status == LeaveStatus.APPROVED and leave.start_date <= clock.today():
        raise StateConflict(
            gettext(
                "Approved leave that has begun cannot be cancelled: it is a record of days off."
            )
        )


def _lock(agent_id: int) -> None:
    """Serialise writers of one agent's leave and covers (PostgreSQL; a no-op on SQLite)."""
    list(Agent.objects.select_for_update().filter(pk=agent_id).values_list("pk"))


def _uncovered_by(leave: Leave) -> list[RosterSlot]:
    """The needed seat-shifts of the leave's agent that nobody works during the leave."""
    return [
        slot
        for slot in uncovered_slots(date_from=leave.start_date, date_to=leave.end_date)
        if slot.regular_agent_id == leave.agent_id
    ]


@transaction.atomic
def leave_request(
    *,
    agent: Agent,
    start_date: date,
    end_date: date,
    reason: str = "",
    unpaid: bool = False,
    approve: bool = False,
    actor: User | None = None,
) -> LeaveDecision:
    """Ask for leave for ``agent``; a manager may approve it at once (``approve=True``).
    ``unpaid``: the days are deducted from the agent's base pay (the agent or the manager says
    so when asking; the manager may still change it when approving)."""
    leave_requester_check(actor=actor, agent=agent)
    if approve:
        require_manager(actor)
    leave_dates_check(actor=actor, start_date=start_date, end_date=end_date)
    _lock(agent.pk)
    leave_overlap_check(agent=agent, start_date=start_date, end_date=end_date)
    leave = Leave(
        agent=agent,
        start_date=start_date,
        end_date=end_date,
        reason=reason,
        unpaid=unpaid,
        requested_by=actor,
    )
    leave.full_clean()
    leave.save()
    if approve:
        return leave_approve(leave=leave, actor=actor)
    return LeaveDecision(leave=leave, uncovered=[])


def _decide(*, leave: Leave, status: str, actor: User | None, fields: tuple[str, ...] = ()) -> None:
    leave.status = status
    leave.decided_by = actor
    leave.decided_at = clock.now()
    leave.save(update_fields=["status", "decided_by", "decided_at", "updated_at", *fields])


@transaction.atomic
def leave_approve(
    *, leave: Leave, unpaid: bool | None = None, actor: User | None = None
) -> LeaveDecision:
    """Approve requested leave (managers). The answer lists the needed seat-shifts of the agent
    that nobody works during the leave: fill them with covers. ``unpaid`` True or False settles
    whether the days are deducted from base pay (None: as requested); once approved it stays."""
    require_manager(actor)
    _lock(leave.agent_id)
    leave.refresh_from_db()
    if leave.status != LeaveStatus.REQUESTED:
        raise StateConflict(
            gettext("Only requested leave can be approved; this one is %(status)s.")
            % {"status": LeaveStatus(leave.status).label}
        )
    leave_cover_clash_check(leave=leave)
    changed: tuple[str, ...] = ()
    if unpaid is not None and unpaid != leave.unpaid:
        leave.unpaid = unpaid
        changed = ("unpaid",)
    _decide(leave=leave, status=LeaveStatus.APPROVED, actor=actor, fields=changed)
    return LeaveDecision(leave=leave, uncovered=_uncovered_by(leave))


@transaction.atomic
def leave_reject(*, leave: Leave, actor: User | None = None) -> Leave:
    """Refuse requested leave (managers)."""
    require_manager(actor)
    _lock(leave.agent_id)
    leave.refresh_from_db()
    if leave.status != LeaveStatus.REQUESTED:
        raise StateConflict(
            gettext("Only requested leave can be rejected; this one is %(status)s.")
            % {"status": LeaveStatus(leave.status).label}
        )
    _decide(leave=leave, status=LeaveStatus.REJECTED, actor=actor)
    return leave


@transaction.atomic
def leave_cancel(*, leave: Leave, actor: User | None = None) -> Leave:
    """Withdraw leave (see ``leave_cancel_check`` for who and when)."""
    _lock(leave.agent_id)
    leave.refresh_from_db()
    leave_cancel_check(leave=leave, actor=actor)
    _decide(leave=leave, status=LeaveStatus.CANCELLED, actor=actor)
    return leave
