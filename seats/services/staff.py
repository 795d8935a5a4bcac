"""Agents and seats: create and edit, with the model's own validation. Managers only: ``actor``
is the user acting (``None`` for the system itself, e.g. the demo seeding)."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from agency.access import require_manager
from agency.models import User
from agency.services import model_update
from seats.models import Agent, Seat

AGENT_FIELDS = ("name", "employee_no", "hired_on", "status", "base_salary", "email")
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
    actor: User | None = None,
) -> Agent:
    require_manager(actor)
    agent = Agent(
        name=name,
        employee_no=employee_no,
        hired_on=hired_on,
        base_salary=base_salary,
        status=status,
        email=email,
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
