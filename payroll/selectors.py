"""Reads of the payroll app: the pay book in force, quality review figures, runs and payslips."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Count, F, Sum
from django.db.models.functions import Cast, Round

from agency.money import share_by_days
from payroll.choices import ReviewStatus
from payroll.models import PayBook, PayrollMonth, Payslip, QualityReview

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


UNALLOCATED = None
"""The key of ``approved_people_cost`` for pay that no seat carries: payslips of agents who
worked no seat-shift in the month (a month of leave, a trainee, a departure on the 1st)."""


def approved_people_cost(*, month: date) -> dict[int | None, Decimal] | None:
    """The month's approved pay as each seat's people cost: {seat id: cost}, plus the pay no seat
    carries under the key ``UNALLOCATED`` (``None``, present only when there is some); ``None``
    when the month's payroll is not approved (then seat profitability estimates from base
    salaries).

    Each payslip's ``total`` (base pay less unpaid leave, commission, bonus, cover allowances
    and adjustments) is shared between the seats its agent worked, by the seat-shift days of
    ``details["seat_days"]`` (covers included: a cover agent's pay follows them to the seat they
    covered), with ``agency.money.share_by_days``, the seats in the order of their ids, so that
    each payslip's shares add up to its total exactly. Two queries, whatever the number of
    payslips.
    """
    month = month.replace(day=1)
    if not PayrollMonth.objects.filter(month=month, approved_at__isnull=False).exists():
        return None
    cost: dict[int | None, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for total, details in Payslip.objects.filter(month=month).values_list("total", "details"):
        seat_days = sorted(
            (int(seat_id), int(days))
            for seat_id, days in ((details or {}).get("seat_days") or {}).items()
            if int(days) > 0
        )
        if not seat_days:
            cost[UNALLOCATED] += total
            continue
        for seat_id, share in share_by_days(total, seat_days).items():
            cost[seat_id] += share
    return dict(cost)
