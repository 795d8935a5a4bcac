"""Helpers shared by the services of the shops app.

``record_actor`` lives in ``agency.services``; it is imported here only until the contract and
turnover services import it from there."""

from django.core.exceptions import PermissionDenied

from agency.access import is_manager
from agency.models import User
from agency.services import record_actor  # noqa: F401


def require_manager(actor: User | None) -> None:
    if actor is not None and not is_manager(actor):
        raise PermissionDenied("Only agency managers can do this.")
