"""Reads of the payroll app: the pay book in force, quality review figures, runs and payslips."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Case, Count, F, Prefetch, QuerySet, Sum, When
from django.db.models.functions import Cast, Round

from agency.access import agent_id_of, is_manager
from agency.models import User
from agency.money import share_by_days
from agency.months import month_last_day
from payroll.choices import PayrollRunStatus, ReviewStatus
from payroll.models import (
    PayBook,
    PayrollMonth,
    PayrollRun,
    Payslip,
    PayslipAdjustment,
    QaItem,
    QualityReview,
    ReviewMark,
)
from seats.models import WorkloadRecord
from seats.roster import shop_ids_served_by
from shops.models import Shop

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


# --- Quality reviews ----------------------------------------------------------------------------


def review_list(*, user: User) -> QuerySet[QualityReview]:
    """The quality reviews ``user`` may read: managers all of them, an agent their own, anybody
    else none. Newest conversation first; agent, shop and reviewer read along."""
    reviews = QualityReview.objects.select_related("agent", "shop", "reviewer", "decided_by")
    if is_manager(user):
        return reviews
    agent_id = agent_id_of(user)
    if agent_id is None:
        return reviews.none()
    return reviews.filter(agent_id=agent_id)


def review_filter(
    reviews: QuerySet[QualityReview],
    *,
    agent_id: int | None = None,
    shop_id: int | None = None,
    month: date | None = None,
    status: str | None = None,
) -> QuerySet[QualityReview]:
    """Narrow a list of reviews: one agent, one shop, conversations of one month, one status."""
    if agent_id is not None:
        reviews = reviews.filter(agent_id=agent_id)
    if shop_id is not None:
        reviews = reviews.filter(shop_id=shop_id)
    if month is not None:
        reviews = reviews.filter(chat_date__gte=month, chat_date__lte=month_last_day(month))
    if status:
        reviews = reviews.filter(status=status)
    return reviews


def review_detail(*, user: User, pk: int) -> QualityReview | None:
    """One review ``user`` may read, with its marks and their items (3 queries), else None."""
    return (
        review_list(user=user)
        .prefetch_related(Prefetch("marks", ReviewMark.objects.select_related("item")))
        .filter(pk=pk)
        .first()
    )


def appeals_awaiting_count() -> int:
    """How many appealed reviews wait for a manager's decision."""
    return QualityReview.objects.filter(status=ReviewStatus.APPEALED).count()


def qa_item_list(*, active_only: bool = False) -> QuerySet[QaItem]:
    """The review sheet's items in the sheet's order: weighted items, then fatal ones."""
    items = QaItem.objects.all()
    return items.filter(active=True) if active_only else items


REVIEW_SORTS = {
    "date": ("chat_date", "id"),
    "-date": ("-chat_date", "-id"),
    "score": ("score", "-chat_date", "-id"),
    "-score": ("-score", "-chat_date", "-id"),
}


def review_order(reviews: QuerySet[QualityReview], sort: str = "") -> QuerySet[QualityReview]:
    """Order a list of reviews by ``sort`` (``date``, ``-date``, ``score``, ``-score``); without
    one, appeals awaiting a decision first, then the newest conversations."""
    if sort in REVIEW_SORTS:
        return reviews.order_by(*REVIEW_SORTS[sort])
    awaiting = Case(When(status=ReviewStatus.APPEALED, then=0), default=1)
    return reviews.order_by(awaiting, "-chat_date", "-id")


def agent_shops_on(*, agent_id: int, day: date) -> list[tuple[int, str]]:
    """(id, name) of the shops ``agent_id`` served on ``day``: by the roster, or by a workload
    record of that date. What a review of that date may name."""
    ids = set(shop_ids_served_by(agent_id=agent_id, day=day))
    ids |= set(
        WorkloadRecord.objects.filter(agent_id=agent_id, date=day).values_list("shop_id", flat=True)
    )
    return sorted(Shop.objects.filter(pk__in=ids).values_list("pk", "name"), key=lambda r: r[1])


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


# --- The approved pay as each seat's people cost -----------------------------------------------


UNALLOCATED = None
"""The key of ``approved_people_cost`` for pay that no seat carries: payslips of agents who
worked no seat-shift in the month (a month of leave, a trainee, a departure on the 1st), and the
days a floater waited for a cover."""


def approved_people_cost(*, month: date) -> dict[int | None, Decimal] | None:
    """The month's approved pay as each seat's people cost: {seat id: cost}, plus the pay no seat
    carries under the key ``UNALLOCATED`` (``None``, present only when there is some); ``None``
    when the month's payroll is not approved (then seat profitability estimates from base
    salaries).

    Each payslip's ``total`` (base pay less unpaid leave, commission, bonus, cover allowances
    and adjustments) is shared by days with ``agency.money.share_by_days``: the seat-shift days
    its agent worked on each seat (``details["seat_days"]``; covers included, so a cover agent's
    pay follows them to the seat they covered) plus the days they held a seat-shift on approved
    leave (``details["leave_seat_days"]``: the seat paid them that day too), the seats in the
    order of their ids, and last the days employed with neither (``details["idle_days"]``: a
    floater waiting for a cover), which no seat carries. The shares of a payslip add up to its
    total exactly. Two queries, whatever the number of payslips.
    """
    month = month.replace(day=1)
    if not PayrollMonth.objects.filter(month=month, approved_at__isnull=False).exists():
        return None
    cost: dict[int | None, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for total, details in Payslip.objects.filter(month=month).values_list("total", "details"):
        details = details or {}
        days: dict[int, int] = defaultdict(int)
        for key in ("seat_days", "leave_seat_days"):
            for seat_id, count in (details.get(key) or {}).items():
                days[int(seat_id)] += int(count)
        shares = [(seat_id, count) for seat_id, count in sorted(days.items()) if count > 0]
        if not shares:
            cost[UNALLOCATED] += total
            continue
        idle = int(details.get("idle_days") or 0)
        if idle > 0:
            shares.append((UNALLOCATED, idle))
        for seat_id, share in share_by_days(total, shares).items():
            cost[seat_id] += share
    return dict(cost)
