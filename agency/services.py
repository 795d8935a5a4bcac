"""Pieces every app's write services share: naming the actor in the history, changing a model
field by field."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from agency.models import User

M = TypeVar("M", bound=models.Model)


def record_actor(instance: models.Model, actor: User | None, reason: str | None = None) -> None:
    """Name the user (and why) in the history row that saving ``instance`` writes."""
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason


def refuse_unknown_fields(*, data: Mapping[str, Any], fields: Iterable[str]) -> None:
    """Refuse, naming each one, the keys of ``data`` that are not among ``fields``."""
    unknown = sorted(set(data) - set(fields))
    if unknown:
        message = gettext("This field cannot be changed.")
        raise ValidationError({field: [message] for field in unknown})


def _unchanged(instance: models.Model, name: str, value: Any) -> bool:
    field = instance._meta.get_field(name)
    if field.many_to_one or field.one_to_one:
        # Compare ids: reading the related object would cost a query.
        new_id = value.pk if isinstance(value, models.Model) else value
        return getattr(instance, field.attname) == new_id
    return getattr(instance, name) == value


def model_update(
    *,
    instance: M,
    data: Mapping[str, Any],
    fields: Iterable[str],
    actor: User | None = None,
    reason: str | None = None,
    validate: Callable[[M], None] | None = None,
) -> list[str]:
    """Change the fields of ``instance`` given in ``data`` and save only those that changed.

    A key of ``data`` outside ``fields`` is refused with a ``ValidationError`` naming it, before
    anything changes. When something changed, ``validate(instance)`` (if given) runs on the
    changed instance, the history row names ``actor`` and ``reason``, and the instance is saved
    with ``update_fields`` = the changed fields and ``updated_at``. Returns the changed fields, in
    the order of ``data``; nothing changed means nothing is saved. Call it inside the service's
    transaction.
    """
    refuse_unknown_fields(data=data, fields=fields)
    changed = [name for name, value in data.items() if not _unchanged(instance, name, value)]
    if not changed:
        return []
    for name in changed:
        setattr(instance, name, data[name])
    if validate is not None:
        validate(instance)
    record_actor(instance, actor, reason)
    instance.save(update_fields=[*changed, "updated_at"])
    return changed
