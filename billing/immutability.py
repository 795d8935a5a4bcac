"""An issued invoice is money the owner has seen: it never changes but along its life.

The rules, once, for every database. PostgreSQL enforces them with triggers
(``billing/migrations/0012_money_immutable.py``) against every path, raw SQL and queryset
``update()`` included; on SQLite, which has no such triggers, the models call the functions here
from ``save()`` and ``delete()`` (``Invoice``, ``InvoiceLine``), so an instance saved with a
changed locked field is refused. A queryset ``update()`` or ``delete()`` does not go through the
models: on SQLite nothing stops it, on PostgreSQL the triggers do.

* A draft changes freely (every billing run recomputes it).
* An issued, paid or void invoice keeps its number, shop, month, total, lines and every other
  figure for good. Only what its life moves may change (``INVOICE_FREE_FIELDS``): an issued one
  its payments and credit notes, its status with the date (and reason) of the transition, and
  its issue and due dates (no money; the demo backdates them, a due date may be extended);
  a paid one its credit notes; a void one nothing. Bookkeeping stamps of the jobs
  (``updated_at``, when the overdue event and the void email went out) are not figures.
* Its status moves only along ``INVOICE_TRANSITIONS``: issued -> paid, issued -> void (a draft
  becomes issued or void). A number, once given, is never taken back.
* It is never deleted; its lines are never added, changed or deleted.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext

from agency.errors import StateConflict
from billing.choices import InvoiceStatus

INVOICE_BOOKKEEPING_FIELDS = frozenset(
    {"updated_at", "overdue_published_at", "void_notice_sent_at"}
)
"""Stamps of the jobs that may change on any invoice: none of them is a figure the owner saw."""

INVOICE_FREE_FIELDS: Mapping[str, frozenset[str]] = {
    # Payments and credit notes settle it; it becomes paid or void, with the date and reason.
    # Its issue and due dates are no money: while it is unpaid they may still move (a due date
    # extended by agreement; the demo's invoices are issued "in the past"), never after.
    "issued": frozenset(
        {
            "status",
            "paid_at",
            "voided_at",
            "void_reason",
            "amount_paid",
            "amount_credited",
            "issued_at",
            "due_date",
        }
    ),
    # A credit note on a paid invoice (the excess becomes the shop's credit).
    "paid": frozenset({"amount_credited"}),
    "void": frozenset(),
}
"""What may change on a non-draft invoice, by its stored status, besides the bookkeeping."""

INVOICE_TRANSITIONS = frozenset(
    {("draft", "issued"), ("draft", "void"), ("issued", "paid"), ("issued", "void")}
)
"""Every status change an invoice may make (``billing.services.invoices``)."""


def _label(stored: Mapping[str, Any]) -> str:
    return stored.get("number") or f"#{stored.get('id')}"


def _status(value: str) -> str:
    try:
        return str(InvoiceStatus(value).label)
    except ValueError:
        return value


def _changed(
    *,
    stored: Mapping[str, Any],
    current: Mapping[str, Any],
    fields: Iterable[str],
    free: frozenset[str],
) -> list[str]:
    """The names among ``fields``, outside ``free``, whose value in ``current`` differs from
    the stored row's, sorted."""
    return sorted(
        name
        for name in fields
        if name not in free and name in stored and current.get(name) != stored[name]
    )


def invoice_change_check(
    *, stored: Mapping[str, Any], current: Mapping[str, Any], fields: Iterable[str]
) -> None:
    """Refuse (``StateConflict``) writing ``fields`` of an invoice stored as ``stored`` with the
    values ``current`` (both by attribute name, ``shop_id``): a non-draft invoice keeps all but
    ``INVOICE_FREE_FIELDS`` and moves only along ``INVOICE_TRANSITIONS``."""
    status = stored.get("status")
    if status is None or status == "draft":
        return
    new_status = current.get("status", status)
    if (
        "status" in fields
        and new_status != status
        and (status, new_status) not in INVOICE_TRANSITIONS
    ):
        raise StateConflict(
            gettext("Invoice %(invoice)s is %(status)s and cannot become %(new)s.")
            % {"invoice": _label(stored), "status": _status(status), "new": _status(new_status)}
        )
    free = INVOICE_FREE_FIELDS.get(status, frozenset()) | INVOICE_BOOKKEEPING_FIELDS
    changed = _changed(stored=stored, current=current, fields=fields, free=free)
    if changed:
        raise StateConflict(
            gettext(
                "Invoice %(invoice)s is %(status)s: its number, shop, month and figures never "
                "change (%(fields)s). Correct it with a credit note, or void it and bill again."
            )
            % {"invoice": _label(stored), "status": _status(status), "fields": ", ".join(changed)}
        )


def invoice_delete_check(*, stored: Mapping[str, Any]) -> None:
    """Refuse (``StateConflict``) deleting an invoice that is not a draft: void it instead."""
    status = stored.get("status")
    if status is not None and status != "draft":
        raise StateConflict(
            gettext("Invoice %(invoice)s is %(status)s and is never deleted; void it instead.")
            % {"invoice": _label(stored), "status": _status(status)}
        )


def invoice_lines_check(*, invoice_status: str | None, invoice_label: str) -> None:
    """Refuse (``StateConflict``) adding, changing or deleting a line of an invoice that is not
    a draft (``invoice_status`` is its stored status)."""
    if invoice_status is not None and invoice_status != "draft":
        raise StateConflict(
            gettext("Invoice %(invoice)s is %(status)s: its lines never change.")
            % {"invoice": invoice_label, "status": _status(invoice_status)}
        )


LEDGER_FREE_FIELDS: Mapping[str, frozenset[str]] = {
    # The email task's claim and who issued it (set null when that user goes) are no figures.
    "credit note": frozenset({"notice_sent_at", "updated_at", "created_by_id"}),
    # Who recorded it (set null when that user goes).
    "payment": frozenset({"recorded_by_id", "updated_at"}),
    # The credit ledger: nothing.
    "credit entry": frozenset(),
}
"""What may change on a stored payment, credit note or credit-balance entry (the triggers of
``billing/migrations/0012_money_immutable.py`` allow the same)."""


def _ledger_label(kind: str) -> str:
    return {
        "credit note": gettext("Credit note"),
        "payment": gettext("Payment"),
        "credit entry": gettext("Credit balance entry"),
    }[kind]


def ledger_change_check(
    *, kind: str, stored: Mapping[str, Any], current: Mapping[str, Any], fields: Iterable[str]
) -> None:
    """Refuse (``StateConflict``) changing a stored payment, credit note or credit-balance entry
    (``kind``, a key of ``LEDGER_FREE_FIELDS``) beyond its free fields: money received or
    credited is corrected by a new document, never by editing the old one."""
    free = LEDGER_FREE_FIELDS[kind]
    changed = _changed(stored=stored, current=current, fields=fields, free=free)
    if changed:
        raise StateConflict(
            gettext(
                "%(document)s %(label)s never changes (%(fields)s): correct it with a new document."
            )
            % {
                "document": _ledger_label(kind),
                "label": stored.get("number") or f"#{stored.get('id')}",
                "fields": ", ".join(changed),
            }
        )


def ledger_delete_check(*, kind: str, stored: Mapping[str, Any]) -> None:
    """Refuse (``StateConflict``) deleting a stored payment, credit note or credit-balance entry."""
    raise StateConflict(
        gettext("%(document)s %(label)s is never deleted: correct it with a new document.")
        % {
            "document": _ledger_label(kind),
            "label": stored.get("number") or f"#{stored.get('id')}",
        }
    )
