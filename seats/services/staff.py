"""Agents and seats: create and edit, with the model's own validation; agents' accounts and an
agent's departure. Managers only: ``actor`` is the user acting (``None`` for the system itself,
e.g. the demo seeding)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from agency import clock
from agency.access import ROLE_AGENT, require_manager
from agency.accounts import account_role, user_create, user_update
from agency.errors import StateConflict
from agency.models import User
from agency.services import model_update
from seats.models import Agent, CoverAssignment, Seat, SeatAssignment, SubAccount

AGENT_FIELDS = (
    "name",
    "employee_no",
    "hired_on",
    "status",
    "base_salary",
    "email",
    "commission_rate",
)
SEAT_FIELDS = ("code", "name", "overhead")


def _full_clean(instance: Agent | Seat) -> None:
    instance.full_clean()


@transaction.atomic
def agent_create(
    *,
    name: str,
    employee_no: str,
    hired_on,
    base_salary: Decimal,
    status: str = Agent.Status.ACTIVE,
    email: str = "",
    commission_rate: Decimal | None = None,
    actor: User | None = None,
) -> Agent:
    """A new agent; ``commission_rate`` None: the pay book's rate applies."""
    require_manager(actor)
    agent = Agent(
        name=name,
        employee_no=employee_no,
        hired_on=hired_on,
        base_salary=base_salary,
        status=status,
        email=email,
        commission_rate=commission_rate,
    )
    agent.full_clean()
    agent.save()
    return agent


@transaction.atomic
def agent_update(*, agent: Agent, data: dict[str, Any], actor: User | None = None) -> Agent:
    """Change the given fields (``AGENT_FIELDS``); a field outside them is a ValidationError."""
    require_manager(actor)
    model_update(instance=agent, data=data, fields=AGENT_FIELDS, actor=actor, validate=_full_clean)
    return agent


@transaction.atomic
def seat_create(
    *, code: str, name: str = "", overhead: Decimal | None = None, actor: User | None = None
) -> Seat:
    """A new seat; its monthly overhead defaults to ``settings.AGENCY["SEAT_OVERHEAD"]``."""
    require_manager(actor)
    if overhead is None:
        overhead = settings.AGENCY["SEAT_OVERHEAD"]
    seat = Seat(code=code, name=name, overhead=overhead)
    seat.full_clean()
    seat.save()
    return seat


@transaction.atomic
def seat_update(*, seat: Seat, data: dict[str, Any], actor: User | None = None) -> Seat:
    """Change the given fields (``SEAT_FIELDS``); a field outside them is a ValidationError."""
    require_manager(actor)
    model_update(instance=seat, data=data, fields=SEAT_FIELDS, actor=actor, validate=_full_clean)
    return seat


# --- Accounts of agents ---------------------------------------------------------------------------
# The seats app owns the link from an agent to its user (``Agent.user``); accounts themselves are
# the agency app's (``agency.accounts``). Creating or changing an account that may name an agent
# goes through here, so that one service checks both sides.


def account_agent_validate(*, role: str, agent: Agent | None, user: User | None = None) -> None:
    """The agent rule of accounts: an ``agent`` account names exactly one agent, which has no
    other account and has not left; no other role names an agent."""
    if role != ROLE_AGENT:
        if agent is not None:
            raise ValidationError(
                {"agent": gettext("Only an agent's account is linked to an agent.")}
            )
        return
    if agent is None:
        raise ValidationError({"agent": gettext("An agent's account must name its agent.")})
    if agent.user_id is not None and (user is None or agent.user_id != user.pk):
        raise ValidationError(
            {"agent": gettext("%(agent)s already has an account.") % {"agent": agent.name}}
        )
    if agent.status == Agent.Status.LEFT:
        raise ValidationError(
            {"agent": gettext("%(agent)s has left the agency.") % {"agent": agent.name}}
        )


def _locked_agent(agent: Agent) -> Agent:
    """The agent row, locked until the transaction ends (PostgreSQL), read afresh."""
    return Agent.objects.select_for_update().get(pk=agent.pk)


@transaction.atomic
def account_create(
    *,
    role: str,
    username: str,
    email: str = "",
    language: str | None = None,
    password: str | None = None,
    agent: Agent | None = None,
    actor: User | None = None,
) -> User:
    """A new account of any role (managers only); an ``agent`` account is linked to ``agent``.

    Without a password the new user is emailed an invitation after commit
    (``agency.accounts.user_create``).
    """
    require_manager(actor)
    if agent is not None:
        agent = _locked_agent(agent)
    account_agent_validate(role=role, agent=agent)
    user = user_create(
        username=username,
        email=email,
        role=role,
        language=language,
        password=password,
        actor=actor,
    )
    if agent is not None:
        agent.user = user
        agent.save(update_fields=["user", "updated_at"])
        user.agent_profile = agent
    return user


@transaction.atomic
def account_update(*, user: User, data: dict[str, Any], actor: User | None = None) -> User:
    """Change an account: ``agency.accounts.USER_FIELDS``, ``password``, and ``agent`` (only for
    an agent's account, to link it to another agent without account: the previous agent is
    unlinked)."""
    require_manager(actor)
    data = dict(data)
    if "agent" in data:
        agent = data.pop("agent")
        role = account_role(user)
        if agent is not None:
            agent = _locked_agent(agent)
        account_agent_validate(role=role, agent=agent, user=user)
        if agent is not None and agent.user_id != user.pk:
            Agent.objects.filter(user=user).update(user=None)
            agent.user = user
            agent.save(update_fields=["user", "updated_at"])
            user.agent_profile = agent
    return user_update(user=user, data=data, actor=actor)


# --- An agent leaves ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentDeparture:
    """What ``agent_deactivate`` did: seat-shifts and covers ended on the last day, those that
    would have started later removed, and the sub-accounts still in the agent's hands."""

    agent: Agent
    last_day: date
    assignments_ended: int
    assignments_removed: int
    covers_ended: int
    covers_removed: int
    account_deactivated: bool
    sub_accounts_to_revoke: list


def departure_date_validate(*, agent: Agent, last_day: date) -> None:
    """The last working day of a departing agent: not after today (a departure is recorded once
    it happened, or on the day) and not before the agent was hired."""
    if last_day > clock.today():
        raise ValidationError(
            {
                "last_day": gettext(
                    "The last working day cannot be in the future; record the departure on or "
                    "after that day."
                )
            }
        )
    if last_day < agent.hired_on:
        raise ValidationError(
            {
                "last_day": gettext("The last working day cannot be before the hire date %(date)s.")
                % {"date": agent.hired_on.isoformat()}
            }
        )


def _end_ranges(queryset, *, last_day: date) -> tuple[int, int]:
    """End on ``last_day`` the ranges of ``queryset`` still running after it; remove those that
    start after it. Returns (ended, removed)."""
    removed, _ = queryset.filter(start_date__gt=last_day).delete()
    ended = 0
    for row in queryset.filter(start_date__lte=last_day).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=last_day)
    ):
        row.end_date = last_day
        row.save(update_fields=["end_date", "updated_at"])
        ended += 1
    return ended, removed


@transaction.atomic
def agent_deactivate(*, agent: Agent, last_day: date, actor: User | None = None) -> AgentDeparture:
    """An agent leaves the agency after working ``last_day`` (managers only).

    Their seat-shifts and covers end **on** ``last_day`` (inclusive: they worked it); those that
    would have started after it are removed. Their account, if any, is deactivated, their status
    becomes ``left`` and ``left_on`` the last day (their pay is prorated up to it), and the
    answer lists the platform sub-accounts they still hold, which a manager must revoke
    (``sub_account_revoke``): those are not revoked here, because the password must first be
    changed on the platform.
    """
    require_manager(actor)
    agent = _locked_agent(agent)
    if agent.status == Agent.Status.LEFT:
        raise StateConflict(gettext("%(agent)s has already left.") % {"agent": agent.name})
    departure_date_validate(agent=agent, last_day=last_day)
    assignments_ended, assignments_removed = _end_ranges(
        SeatAssignment.objects.filter(agent=agent), last_day=last_day
    )
    covers_ended, covers_removed = _end_ranges(
        CoverAssignment.objects.filter(agent=agent), last_day=last_day
    )
    model_update(
        instance=agent,
        data={"status": Agent.Status.LEFT, "left_on": last_day},
        fields=[*AGENT_FIELDS, "left_on"],
        actor=actor,
        reason=f"left after {last_day.isoformat()}",
    )
    account_deactivated = False
    if agent.user_id is not None:
        user = User.objects.get(pk=agent.user_id)
        if user.is_active:
            user_update(user=user, data={"is_active": False}, actor=actor)
            account_deactivated = True
    return AgentDeparture(
        agent=agent,
        last_day=last_day,
        assignments_ended=assignments_ended,
        assignments_removed=assignments_removed,
        covers_ended=covers_ended,
        covers_removed=covers_removed,
        account_deactivated=account_deactivated,
        sub_accounts_to_revoke=list(
            SubAccount.objects.active().filter(agent=agent).select_related("shop")
        ),
    )
