"""Models that remember the row as they read it, so ``save()`` can tell what it would change.

Used by the rules that keep money immutable on every database (``billing.immutability``,
``shops.immutability``): PostgreSQL's triggers see the old row; on SQLite the model compares
with what it read (the pattern of Django's docs on ``Model.from_db``), without a query.
"""

from typing import Any

from django.db import models


class StoredRowMixin:
    """Keeps ``_stored``: the concrete fields' values (by attribute name) as last read or
    written. ``_written(update_fields)`` gives the stored row, the values about to be written
    and their names, for a check before ``save``."""

    _stored: dict[str, Any]

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored = {
            name: value
            for name, value in zip(field_names, values, strict=True)
            if value is not models.DEFERRED
        }
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        self._remember_stored(fields)

    def _remember_stored(self, fields=None) -> None:
        names = (
            [field.attname for field in self._meta.concrete_fields]
            if fields is None
            else [self._meta.get_field(name).attname for name in fields]
        )
        stored = getattr(self, "_stored", {})
        for name in names:
            if name in self.__dict__:
                stored[name] = self._python_value(name, self.__dict__[name])
        self._stored = stored

    def _python_value(self, attname: str, value: Any) -> Any:
        # "1500" and Decimal("1500.00") are the same figure: compare as the field reads them.
        for field in self._meta.concrete_fields:
            if field.attname == attname:
                try:
                    return field.to_python(value)
                except Exception:  # an invalid value differs from any stored one
                    return value
        return value

    def _written(self, update_fields) -> tuple[dict[str, Any], dict[str, Any], list[str]] | None:
        """``(stored, current, names)`` for a save of a row that exists, or ``None`` for a new
        one (an INSERT, which the rules allow)."""
        stored = getattr(self, "_stored", None)
        if not stored or self._state.adding:
            # Not read here (built from a history record, say, or given a pk by hand): the row
            # as the database has it, if any; none is an INSERT.
            if self.pk is None:
                return None
            stored = (
                type(self)
                ._base_manager.filter(pk=self.pk)
                .values(*[field.attname for field in self._meta.concrete_fields])
                .first()
            )
            if stored is None:
                return None
        names = (
            [field.attname for field in self._meta.concrete_fields]
            if update_fields is None
            else [self._meta.get_field(name).attname for name in update_fields]
        )
        current = {
            name: self._python_value(name, self.__dict__.get(name))
            for name in names
            if name in stored
        }
        return stored, current, names
