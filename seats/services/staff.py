"""Agents and seats: create and edit, with the model's own validation."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

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
) -> Agent:
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
def agent_update(*, agent: Agent, data: dict[str, Any]) -> Agent:
    """Change the given fields (``AGENT_FIELDS``); a field outside them is a ValidationError."""
    model_update(instance=agent, data=data, fields=AGENT_FIELDS, validate=_full_clean)
    return agent


@transaction.atomic
def seat_create(*, code: str, name: str = "", overhead: Decimal | None = None) -> Seat:
    """A new seat; its monthly overhead defaults to ``settings.AGENCY["SEAT_OVERHEAD"]``."""
    if overhead is None:
        overhead = settings.AGENCY["SEAT_OVERHEAD"]
    seat = Seat(code=code, name=name, overhead=overhead)
    seat.full_clean()
    seat.save()
    return seat


@transaction.atomic
def seat_update(*, seat: Seat, data: dict[str, Any]) -> Seat:
    """Change the given fields (``SEAT_FIELDS``); a field outside them is a ValidationError."""
    model_update(instance=seat, data=data, fields=SEAT_FIELDS, validate=_full_clean)
    return seat
