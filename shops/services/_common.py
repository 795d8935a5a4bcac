"""Helpers shared by the services of the shops app."""

from django.core.exceptions import PermissionDenied
from django.db import models

from agency.access import is_manager
from agency.models import User


def require_manager(actor: User | None) -> None:
    if actor is not None and not is_manager(actor):
        raise PermissionDenied("Only agency managers can do this.")


def record_actor(instance: models.Model, actor: User | None, reason: str | None = None) -> None:
    """Name the user (and why) in the history row that saving ``instance`` writes."""
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason
