"""Reads of the payroll app: the pay book in force, quality review figures, runs and payslips."""

from collections.abc import Iterable
from datetime import date
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
