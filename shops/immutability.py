"""A confirmed turnover is billed: it changes only through the agency's correction.

The rules, once, for every database. PostgreSQL enforces them with a trigger
(``shops/migrations/0005_confirmed_turnover_locked.py``) against every path, raw SQL and queryset
``update()`` included; on SQLite, which has no trigger, ``TurnoverReport.save()`` and
``delete()`` call ``confirmed_turnover_change_check`` and ``confirmed_turnover_delete_check``,
so an instance saved with a changed locked field is refused. A queryset ``update()`` on SQLite
is not stopped.

* A submitted report changes freely (through ``shops.services``).
* A confirmed report stays confirmed and is never deleted; its shop and month never change.
* Its amount changes only inside ``turnover_correction()``, which the correction service
  (``billing.services.turnover_correct``) opens: on PostgreSQL it sets the transaction-local
  setting ``agency.turnover_correction`` that the trigger reads; on every database a context
  variable that ``confirmed_turnover_change_check`` reads.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from agency.errors import StateConflict

TURNOVER_CORRECTION_SETTING = "agency.turnover_correction"
"""The PostgreSQL setting (transaction-local) that lets the trigger accept a new amount."""

TURNOVER_BOOKKEEPING_FIELDS = frozenset({"updated_at", "confirmed_by_id", "submitted_by_id"})
"""May change on a confirmed report: the save's stamp, and the users set null when they go."""

_correcting: ContextVar[bool] = ContextVar("turnover_correcting", default=False)


def _set_correction(connection, value: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [TURNOVER_CORRECTION_SETTING, value])


@contextmanager
def turnover_correction() -> Iterator[None]:
    """Inside this block (in a transaction), the amount of a confirmed turnover may change.

    Only the correction service opens it. The PostgreSQL setting is local to the transaction
    and switched off again when the block ends."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("turnover_correction() runs inside a transaction")
    token = _correcting.set(True)
    _set_correction(connection, "on")
    try:
        yield
    finally:
        _correcting.reset(token)
    _set_correction(connection, "off")


def _confirmed_locked(stored: Mapping[str, Any]) -> StateConflict:
    return StateConflict(
        gettext(
            "The turnover for %(month)s is confirmed and billed: only the agency's correction "
            "changes its amount, and nothing else of it changes."
        )
        % {"month": f"{stored['month']:%Y-%m}" if stored.get("month") else ""}
    )


def confirmed_turnover_change_check(
    *, stored: Mapping[str, Any], current: Mapping[str, Any], fields: Iterable[str]
) -> None:
    """Refuse (``StateConflict``) writing ``fields`` of a report stored as ``stored`` with the
    values ``current`` (by attribute name): a confirmed report stays confirmed, keeps its shop
    and month, and its amount changes only inside ``turnover_correction()``."""
    if stored.get("status") != "confirmed":
        return
    free = set(TURNOVER_BOOKKEEPING_FIELDS)
    if _correcting.get():
        free.add("amount")
    changed = [
        name
        for name in fields
        if name not in free and name in stored and current.get(name) != stored[name]
    ]
    if changed:
        raise _confirmed_locked(stored)


def confirmed_turnover_delete_check(*, stored: Mapping[str, Any]) -> None:
    """Refuse (``StateConflict``) deleting a confirmed report."""
    if stored.get("status") == "confirmed":
        raise _confirmed_locked(stored)
