"""Agents and seats: create and edit, with the model's own validation."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from seats.models import Agent, Seat

AGENT_FIELDS = ("name", "employee_no", "hired_on", "status", "base_salary", "email")
SEAT_FIELDS = ("code", "name", "overhead")


def _apply(instance, data: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    changed = []
    for field, value in data.items():
        if field not in allowed:
            raise ValueError(f"{type(instance).__name__}.{field} cannot be changed here.")
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    return changed


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
    changed = _apply(agent, data, AGENT_FIELDS)
    if changed:
        agent.full_clean()
        agent.save(update_fields=[*changed, "updated_at"])
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
    changed = _apply(seat, data, SEAT_FIELDS)
    if changed:
        seat.full_clean()
        seat.save(update_fields=[*changed, "updated_at"])
    return seat
