"""Reads of the payroll app: the pay book in force, quality review figures, runs and payslips."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Count, F, Sum
from django.db.models.functions import Cast, Round

from payroll.choices import ReviewStatus
from payroll.models import PayBook, QualityReview

COUNTED_REVIEWS = [
    ReviewStatus.SCORED,
    ReviewStatus.APPEALED,
    ReviewStatus.UPHELD,
    ReviewStatus.RESCORED,
]
"""Reviews that count for the month's quality average: all but withdrawn ones (an appeal not yet
decided counts as scored until a manager decides it)."""


def pay_book_for(month: date) -> PayBook:
    """The pay book in force in ``month``: the latest effective on or before its first day, else
    the defaults (an unsaved ``PayBook``). One query."""
    book = (
        PayBook.objects.filter(effective_from__lte=month.replace(day=1))
        .order_by("-effective_from")
        .first()
    )
    return book or PayBook(effective_from=date(2000, 1, 1))


def quality_averages(
    *, date_from: date, date_to: date, agent_ids: Iterable[int] | None = None
) -> dict[int, tuple[Decimal, int]]:
    """{agent id: (average score to 2 places, reviews)} of the reviews of conversations dated in
    [date_from, date_to] that count (``COUNTED_REVIEWS``). One aggregate query."""
    reviews = QualityReview.objects.filter(
        chat_date__gte=date_from, chat_date__lte=date_to, status__in=COUNTED_REVIEWS
    )
    if agent_ids is not None:
        reviews = reviews.filter(agent_id__in=list(agent_ids))
    # Summed as whole hundredths, exact on every database (SQLite sums decimals as floats).
    rows = (
        reviews.values("agent_id")
        .annotate(
            hundredths=Sum(Cast(Round(F("score") * 100), BigIntegerField())), count=Count("id")
        )
        .order_by()
    )
    return {
        row["agent_id"]: (
            (Decimal(row["hundredths"]) / 100 / row["count"]).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            ),
            row["count"],
        )
        for row in rows
    }


# --- The pay book's versions and their history ---------------------------------------------------


def pay_book_list():
    """Every version of the pay book, newest month first, with who changed it last."""
    return PayBook.objects.select_related("changed_by").order_by("-effective_from")


@dataclass(frozen=True)
class PayBookChange:
    """One saved change of a version: who, when, and each field's value before and after
    (before is None when the version was created)."""

    when: datetime
    user: str | None
    effective_from: date
    created: bool
    changes: list[tuple[str, str, str | None, str]]  # (field, label, before, after)


HISTORY_SKIPPED = {"id", "created_at", "updated_at", "changed_by", "history_id"}


def pay_book_changes(*, limit: int = 50) -> list[PayBookChange]:
    """The latest ``limit`` saves of any version, newest first, each as a readable diff against
    the version's previous save. Two queries: the history rows (with their users), read in one
    window a little wider than ``limit`` so that most rows find their predecessor in it, and
    the previous rows that the window missed."""
    history = PayBook.history.model
    rows = list(
        history.objects.select_related("history_user").order_by("-history_date", "-history_id")[
            :limit
        ]
    )
    if not rows:
        return []
    oldest = min(row.history_id for row in rows)
    ids = {row.id for row in rows}
    # The save before each row of the window: the window itself, plus for every version the
    # latest save before the window.
    earlier = {}
    for row in history.objects.filter(id__in=ids, history_id__lt=oldest).order_by("history_id"):
        earlier[row.id] = row
    fields = [
        field
        for field in PayBook._meta.concrete_fields
        if field.attname not in HISTORY_SKIPPED and field.name not in HISTORY_SKIPPED
    ]
    previous_of: dict[int, object] = {}
    for row in sorted(rows, key=lambda row: row.history_id):
        previous_of[row.history_id] = earlier.get(row.id)
        earlier[row.id] = row
    changes = []
    for row in rows:
        before = previous_of[row.history_id] if row.history_type != "+" else None
        diff = []
        for model_field in fields:
            after_value = getattr(row, model_field.attname)
            before_value = None if before is None else getattr(before, model_field.attname)
            if before is not None and before_value == after_value:
                continue
            if (
                before is None
                and model_field.name in ("effective_from", "note")
                and not (after_value and model_field.name == "note")
            ):
                continue
            diff.append(
                (
                    model_field.name,
                    str(model_field.verbose_name),
                    None if before is None else _shown(before_value),
                    _shown(after_value),
                )
            )
        changes.append(
            PayBookChange(
                when=row.history_date,
                user=row.history_user.get_username() if row.history_user else None,
                effective_from=row.effective_from,
                created=row.history_type == "+",
                changes=diff,
            )
        )
    return changes


def _shown(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)
