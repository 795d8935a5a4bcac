"""Saving the pay book (薪酬方案): one version per month it takes effect from, audited.

A version applies from its month until the next version's month. Months whose payroll is
approved are locked, and so is every month before the latest approved one: a new or changed
version may take effect only after it ("2026-10 is approved; changes apply from 2026-11 on").
Months in the past that are not approved may still change: the next payroll run recomputes them.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from agency.access import require_manager
from agency.errors import StateConflict
from agency.models import User
from agency.months import format_month
from agency.services import record_actor, refuse_unknown_fields
from payroll.choices import Kpi
from payroll.models import PayBook, PayrollMonth
from payroll.selectors import pay_book_for

WEIGHT_FIELDS = tuple(f"weight_{kpi}" for kpi in Kpi.values)
TARGET_FIELDS = tuple(f"target_{kpi}" for kpi in Kpi.values)
GRADE_FIELDS = ("gold_from", "silver_from", "bronze_from")
BONUS_FIELDS = ("gold_bonus", "silver_bonus", "bronze_bonus")
PAY_BOOK_FIELDS = (
    *WEIGHT_FIELDS,
    *TARGET_FIELDS,
    *GRADE_FIELDS,
    *BONUS_FIELDS,
    "commission_rate",
    "cover_allowance",
    "note",
)
"""What a manager edits in a version (``effective_from`` names the version itself)."""


def latest_approved_month() -> date | None:
    """The last month whose payroll is approved, if any (one query)."""
    return (
        PayrollMonth.objects.filter(approved_at__isnull=False)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def first_open_month() -> date | None:
    """The first month a pay book may still take effect from: the month after the latest
    approved one (None: no month is approved, every month is open)."""
    approved = latest_approved_month()
    if approved is None:
        return None
    return date(approved.year + approved.month // 12, approved.month % 12 + 1, 1)


def pay_book_month_check(effective_from: date) -> None:
    """Refuse (``StateConflict``, 409, naming ``effective_from``) a version taking effect in an
    approved month or before the latest approved one."""
    approved = latest_approved_month()
    if approved is not None and effective_from.replace(day=1) <= approved:
        opens = first_open_month()
        message = gettext("%(approved)s is approved; changes apply from %(open)s on.") % {
            "approved": format_month(approved),
            "open": format_month(opens),
        }
        raise StateConflict(message, extra={"effective_from": [message]})


def pay_book_validate(book: PayBook) -> None:
    """Check a version as a whole, every refusal on the field it concerns: the weights total
    100, gold > silver > bronze within 0..100, targets >= 0, the rate within 0..0.2."""
    errors: dict[str, list[str]] = {}
    try:
        book.full_clean(exclude=["changed_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    total = sum(int(getattr(book, name) or 0) for name in WEIGHT_FIELDS)
    if total != 100 and not any(name in errors for name in WEIGHT_FIELDS):
        errors["weights"] = [
            gettext("The weights add up to %(total)s; they must total 100.") % {"total": total}
        ]
    floors = {name: getattr(book, name) for name in GRADE_FIELDS}
    if not any(name in errors for name in GRADE_FIELDS) and None not in floors.values():
        for name, value in floors.items():
            if not Decimal(0) <= value <= Decimal(100):
                errors[name] = [gettext("A grade's lowest score is between 0 and 100.")]
        if "silver_from" not in errors and floors["gold_from"] <= floors["silver_from"]:
            errors["gold_from"] = [gettext("Gold must start above silver.")]
        if "bronze_from" not in errors and floors["silver_from"] <= floors["bronze_from"]:
            errors["silver_from"] = [gettext("Silver must start above bronze.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pay_book_save(*, effective_from: date, data: dict[str, Any], actor: User | None) -> PayBook:
    """Create the version taking effect from ``effective_from``'s month, or change it if there is
    one. A new version starts from the book in force in that month (or the defaults) and takes
    ``data`` on top. The history names ``actor``; ``changed_by`` too."""
    require_manager(actor)
    refuse_unknown_fields(data=data, fields=PAY_BOOK_FIELDS)
    month = effective_from.replace(day=1)
    pay_book_month_check(month)
    book = PayBook.objects.select_for_update().filter(effective_from=month).first()
    if book is None:
        base = pay_book_for(month)
        book = PayBook(
            effective_from=month, **{name: getattr(base, name) for name in PAY_BOOK_FIELDS}
        )
        book.note = ""
    for name, value in data.items():
        setattr(book, name, value)
    pay_book_validate(book)
    book.changed_by = actor
    record_actor(book, actor)
    book.save()
    return book
