"""Reads of the payroll app: the pay book in force, quality review figures, runs and payslips."""

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Count, F, Prefetch, QuerySet, Sum
from django.db.models.functions import Cast, Round

from agency.access import agent_id_of, is_manager
from agency.models import User
from payroll.choices import PayrollRunStatus, ReviewStatus
from payroll.models import (
    PayBook,
    PayrollMonth,
    PayrollRun,
    Payslip,
    PayslipAdjustment,
    QualityReview,
)

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


# --- Payroll runs and payslips ----------------------------------------------------------------


def payroll_run_list() -> QuerySet[PayrollRun]:
    """Payroll runs, newest first, with who asked for them."""
    return PayrollRun.objects.select_related("requested_by").order_by("-created_at", "-id")


def payslip_list(*, user: User | None) -> QuerySet[Payslip]:
    """The payslips ``user`` may read: managers all, an agent their own, anybody else none.
    Newest month first, then by agent name; agents' names and adjustment lines come along."""
    payslips = Payslip.objects.select_related("agent").prefetch_related(
        Prefetch(
            "adjustment_lines",
            queryset=PayslipAdjustment.objects.select_related("created_by").order_by(
                "created_at", "id"
            ),
        )
    )
    if is_manager(user):
        return payslips
    agent_id = agent_id_of(user)
    if agent_id is None:
        return payslips.none()
    return payslips.filter(agent_id=agent_id)


def payroll_month_of(month: date) -> PayrollMonth | None:
    return (
        PayrollMonth.objects.filter(month=month.replace(day=1))
        .select_related("approved_by")
        .first()
    )


def payroll_months() -> list[dict]:
    """Every month with a payroll run or payslips, newest first: its status (draft/approved),
    the latest run, the number of payslips and their total. Three queries."""
    totals = {
        row["month"]: row
        for row in Payslip.objects.values("month")
        .annotate(payslips=Count("id"), total=Sum("total"))
        .order_by()
    }
    latest: dict[date, PayrollRun] = {}
    for run in payroll_run_list():
        latest.setdefault(run.month, run)
    approved = {m.month: m for m in PayrollMonth.objects.select_related("approved_by")}
    months = sorted(set(totals) | set(latest) | set(approved), reverse=True)
    return [
        {
            "month": month,
            "approved": month in approved and approved[month].approved,
            "approved_at": approved[month].approved_at if month in approved else None,
            "approved_by": approved[month].approved_by if month in approved else None,
            "last_run": latest.get(month),
            "payslips": totals.get(month, {}).get("payslips", 0),
            "total": _money(totals.get(month, {}).get("total")),
        }
        for month in months
    ]


def payroll_month_status(month: date) -> dict:
    """What a month's page and the approve answer show: approved or not, by whom and when, the
    latest run and whether a run is unfinished."""
    month = month.replace(day=1)
    payroll_month = payroll_month_of(month)
    runs = payroll_run_list().filter(month=month)
    last = runs.first()
    return {
        "month": month,
        "approved": bool(payroll_month and payroll_month.approved),
        "approved_at": payroll_month.approved_at if payroll_month else None,
        "approved_by": payroll_month.approved_by if payroll_month else None,
        "last_run": last,
        "run_unfinished": runs.filter(
            status__in=[PayrollRunStatus.QUEUED, PayrollRunStatus.RUNNING]
        ).exists(),
        "run_done": runs.filter(status=PayrollRunStatus.DONE).exists(),
    }


def _money(value) -> Decimal:
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
