"""Payroll runs: one payslip per agent and month, recomputed until a manager approves the month.

A run reads everything it needs in a constant number of queries (the month's scorecards of every
agent employed in it, the pay book, the month's payslips), computes every payslip with
``payroll.payslips.payslip_figures`` and writes with a fixed number of set-based statements
(``payroll.services.writes``), so its query count does not grow with the number of agents.

* Agents employed in the month with no payslip yet get a draft.
* Drafts are recomputed; a draft whose figures did not change (same digest) is not written.
  Adjustment lines stay: a draft's total is its lines plus the sum of its adjustments.
* Drafts of agents no longer employed in the month are deleted (unless a manager has adjusted
  them: adjustment lines are never deleted, so such a draft stays as it is).
* An approved month is never touched: a run for it is refused (409), and a run queued before the
  approval fails with the same message.

**Idempotent and crash-safe.** A run's work is one transaction, so a worker that dies mid-run
leaves nothing behind and the redelivered task starts over; rerunning a month gives the same
payslips. Runs, the approval and adjustments take the month's lock (``payroll.services.locks``)
and never interleave; the unique constraint ``payslip_one_per_agent_month`` is the database's
last word.
"""

import os
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from hashlib import blake2b

import structlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from agency import clock
from agency.access import require_manager
from agency.errors import ApplicationError, NotFound, StateConflict
from agency.models import User
from agency.money import round_money
from payroll.models import PayrollMonth, PayrollRun, Payslip, PayslipAdjustment
from payroll.payslips import PayslipFigures, payslip_figures
from payroll.scorecards import month_scorecards
from payroll.selectors import pay_book_for
from payroll.services import writes
from payroll.services.locks import lock_month

logger = structlog.get_logger(__name__)

PAUSE_ENV = "PAYROLL_TEST_PAUSE_SECONDS"
"""When set (only ever by the crash test), a run sleeps this long before it commits."""


@dataclass(frozen=True)
class PayrollOutcome:
    created: int
    updated: int
    removed: int


def _month_locked(month: date) -> StateConflict:
    return StateConflict(
        gettext(
            "Payroll for %(month)s is approved: approved months are locked; correct a payslip "
            "with an adjustment."
        )
        % {"month": f"{month:%Y-%m}"}
    )


def payroll_month_check(month: date) -> date:
    """Nobody is paid for the future: a month is computed once it has started (the month in
    progress only as a draft up to today, which cannot be approved before it ends)."""
    if not isinstance(month, date):
        raise ValidationError({"month": [gettext("Give the month as YYYY-MM.")]})
    month = month.replace(day=1)
    if not clock.month_has_started(month):
        raise ValidationError(
            {
                "month": [
                    gettext("%(month)s has not started yet; payroll can be run from %(first)s on.")
                    % {"month": f"{month:%Y-%m}", "first": month.isoformat()}
                ]
            }
        )
    return month


def _month_approved(month: date) -> bool:
    return PayrollMonth.objects.filter(month=month, approved_at__isnull=False).exists()


def _pause_before_commit() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        logger.warning("payroll_run_pausing_before_commit", seconds=seconds)
        time.sleep(float(seconds))


def _row(figures: PayslipFigures) -> dict:
    """The payslip's figures as written (``writes.FIGURE_COLUMNS``) with their digest; money as
    text, so the digest and the database see exactly the same values."""
    lines = figures.lines
    row = {
        "base_salary": str(figures.base_salary),
        "days_in_month": figures.days_in_month,
        "employed_days": figures.employed_days,
        "unpaid_leave_days": figures.unpaid_leave_days,
        "base_pay": str(lines.base_pay),
        "deductions": str(lines.deductions),
        "attributed_sales": str(figures.attributed_sales),
        "commission_rate": str(figures.commission_rate),
        "commission": str(lines.commission),
        "score": None if figures.score is None else str(figures.score),
        "grade": figures.grade,
        "bonus": str(lines.bonus),
        "cover_shifts": figures.cover_shifts,
        "cover_allowance": str(lines.cover_allowance),
        "details": figures.details,
    }
    text = "\t".join(f"{key}={row[key]!r}" for key in sorted(row))
    row["figures_hash"] = blake2b(text.encode(), digest_size=16).hexdigest()
    return row


def _pay_month(month: date) -> PayrollOutcome:
    """Bring the month's drafts in line with the scorecards. Inside a transaction (the lock)."""
    lock_month(month)
    if _month_approved(month):
        raise _month_locked(month)
    PayrollMonth.objects.get_or_create(month=month)
    book = pay_book_for(month)
    cards = month_scorecards(month=month)
    existing = {
        agent_id: (payslip_id, status, adjustments, digest)
        for payslip_id, agent_id, status, adjustments, digest in Payslip.objects.filter(
            month=month
        ).values_list("id", "agent_id", "status", "adjustments", "figures_hash")
    }
    adjusted = set(
        PayslipAdjustment.objects.filter(payslip__month=month).values_list("payslip_id", flat=True)
    )
    new_rows, changed_rows = [], []
    for agent_id, card in cards.items():
        row = _row(payslip_figures(card=card, book=book, month=month))
        lines_total = payslip_figures_total(row)
        current = existing.get(agent_id)
        if current is None:
            new_rows.append(
                {**row, "agent_id": agent_id, "adjustments": "0.00", "total": str(lines_total)}
            )
            continue
        payslip_id, status, adjustments, digest = current
        if status != Payslip.Status.DRAFT or digest == row["figures_hash"]:
            continue
        changed_rows.append({**row, "id": payslip_id, "total": str(lines_total + adjustments)})
    stale = [
        payslip_id
        for agent_id, (payslip_id, status, _, _) in existing.items()
        if agent_id not in cards and status == Payslip.Status.DRAFT and payslip_id not in adjusted
    ]
    now = timezone.now()
    if stale:
        Payslip.objects.filter(pk__in=stale, status=Payslip.Status.DRAFT).delete()
    created = writes.insert_payslips(month=month, now=now, rows=new_rows)
    writes.update_payslips(now=now, rows=changed_rows)
    return PayrollOutcome(
        created=created,
        updated=sum(1 for agent_id in cards if agent_id in existing),
        removed=len(stale),
    )


def payslip_figures_total(row: dict) -> Decimal:
    """The sum of a payslip row's lines (without adjustments)."""
    return (
        Decimal(row["base_pay"])
        - Decimal(row["deductions"])
        + Decimal(row["commission"])
        + Decimal(row["bonus"])
        + Decimal(row["cover_allowance"])
    )


def pay_month(*, month: date) -> tuple[int, int]:
    """Make or recompute the payslips of every agent employed in ``month`` (any date of it).

    Returns ``(payslips created, payslips updated)``; refused (409) for an approved month.
    """
    month = payroll_month_check(month)
    with transaction.atomic():
        outcome = _pay_month(month)
        _pause_before_commit()
    logger.info(
        "payroll_month_paid",
        month=f"{month:%Y-%m}",
        created=outcome.created,
        updated=outcome.updated,
        removed=outcome.removed,
    )
    return outcome.created, outcome.updated


# --- Payroll runs (the record managers see) ---------------------------------------------------


def _error_text(error: BaseException) -> str:
    if isinstance(error, ApplicationError):
        return error.message[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def _enqueue(run_id: int) -> None:
    from payroll.tasks import run_payroll

    try:
        run_payroll.delay(run_id)
    except Exception as error:  # the broker is down, or the task failed inline (eager mode)
        logger.exception("payroll_run_not_queued_or_failed", run_id=run_id)
        PayrollRun.objects.filter(pk=run_id).exclude(status=PayrollRun.Status.DONE).update(
            status=PayrollRun.Status.FAILED,
            error=_error_text(error),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )


def payroll_run_create(
    *,
    month: date,
    requested_by: User | None = None,
    enqueue: bool = True,
    reuse_unfinished: bool = False,
) -> PayrollRun:
    """Record a payroll run for ``month`` (any date of it), queued.

    Refused for a month that has not started (400 on ``month``) and for an approved month
    (409). With ``enqueue`` the run goes to a worker once the transaction commits.
    ``reuse_unfinished`` returns the month's automatic run that has not finished instead of
    recording another: the monthly schedule retried after a crash picks up its own run.
    """
    require_manager(requested_by)
    month = payroll_month_check(month)
    if _month_approved(month):
        raise _month_locked(month)
    with transaction.atomic():
        run = None
        if reuse_unfinished:
            run = (
                PayrollRun.objects.select_for_update()
                .filter(month=month, requested_by__isnull=True)
                .exclude(status=PayrollRun.Status.DONE)
                .order_by("-created_at", "-id")
                .first()
            )
        if run is None:
            run = PayrollRun.objects.create(month=month, requested_by=requested_by)
        if enqueue:
            run_id = run.pk
            transaction.on_commit(lambda: _enqueue(run_id))
    return run


def payroll_run_execute(*, run_id: int) -> PayrollRun:
    """Compute the run's month and record the outcome on the run (running, then done or failed).

    The payslips and the ``done`` status commit together; a worker dying in between leaves the
    run ``running`` with nothing written, and executing it again finishes it. A run already done
    is not repeated. A run of a month approved meanwhile fails with the reason (not retried).
    """
    run = PayrollRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(gettext("Payroll run %(id)s does not exist.") % {"id": run_id})
    if run.status == PayrollRun.Status.DONE:
        return run
    started = timezone.now()
    PayrollRun.objects.filter(pk=run_id).exclude(status=PayrollRun.Status.DONE).update(
        status=PayrollRun.Status.RUNNING, started_at=started, error="", updated_at=started
    )
    try:
        with transaction.atomic():
            run = PayrollRun.objects.select_for_update().get(pk=run_id)
            if run.status == PayrollRun.Status.DONE:
                return run
            created, updated = pay_month(month=run.month)
            run.status = PayrollRun.Status.DONE
            run.payslips_created = created
            run.payslips_updated = updated
            run.error = ""
            run.finished_at = timezone.now()
            run.save(
                update_fields=[
                    "status",
                    "payslips_created",
                    "payslips_updated",
                    "error",
                    "finished_at",
                    "updated_at",
                ]
            )
    except BaseException as error:
        now = timezone.now()
        PayrollRun.objects.filter(pk=run_id).exclude(status=PayrollRun.Status.DONE).update(
            status=PayrollRun.Status.FAILED,
            error=_error_text(error),
            finished_at=now,
            updated_at=now,
        )
        if isinstance(error, StateConflict):
            run.refresh_from_db()
            return run
        raise
    return run


# --- Approval and adjustments -----------------------------------------------------------------


def payroll_month_approve(*, month: date, actor: User | None) -> PayrollMonth:
    """Approve ``month``'s payroll (any date of it): every payslip becomes ``approved`` in one
    UPDATE and the month is locked for good (corrections are adjustments).

    Managers only. Refused (409) before the month has ended, without a finished run, while a
    run is queued or running, and when the month is approved already.
    """
    require_manager(actor)
    if not isinstance(month, date):
        raise ValidationError({"month": [gettext("Give the month as YYYY-MM.")]})
    month = month.replace(day=1)
    names = {"month": f"{month:%Y-%m}"}
    if not clock.month_has_ended(month):
        raise StateConflict(
            gettext("%(month)s has not ended yet; its payroll can be approved once it has.") % names
        )
    with transaction.atomic():
        lock_month(month)
        payroll_month, _ = PayrollMonth.objects.select_for_update().get_or_create(month=month)
        if payroll_month.approved:
            raise StateConflict(gettext("Payroll for %(month)s is approved already.") % names)
        runs = PayrollRun.objects.filter(month=month)
        if runs.filter(status__in=[PayrollRun.Status.QUEUED, PayrollRun.Status.RUNNING]).exists():
            raise StateConflict(
                gettext("A payroll run of %(month)s has not finished; approve once it has.") % names
            )
        if not runs.filter(status=PayrollRun.Status.DONE).exists():
            raise StateConflict(
                gettext("Payroll for %(month)s has not been run yet; run it before approving.")
                % names
            )
        now = timezone.now()
        Payslip.objects.filter(month=month).update(status=Payslip.Status.APPROVED, updated_at=now)
        payroll_month.approved_at = now
        payroll_month.approved_by = actor
        payroll_month.save(update_fields=["approved_at", "approved_by"])
    logger.info("payroll_month_approved", month=f"{month:%Y-%m}", by=getattr(actor, "pk", None))
    return payroll_month


def payroll_run_approve(*, run: PayrollRun, actor: User | None) -> PayrollMonth:
    """Approve the month of ``run`` (``payroll_month_approve``)."""
    return payroll_month_approve(month=run.month, actor=actor)


def payslip_adjust(
    *, payslip: Payslip, amount: Decimal | str | None, reason: str | None, actor: User | None
) -> PayslipAdjustment:
    """Add a correction (补发 positive, 扣款 negative) with its reason to ``payslip``, draft or
    approved: the adjustment line, the payslip's ``adjustments`` and ``total`` change together.
    Managers only; the amount is not zero and a reason is required."""
    require_manager(actor)
    errors = {}
    try:
        value = round_money(Decimal(str(amount))) if amount not in (None, "") else None
    except (ArithmeticError, ValueError):
        value = None
    if value is None or not value.is_finite():
        errors["amount"] = [gettext("Give the amount, e.g. 200.00 or -50.00.")]
    elif value == 0:
        errors["amount"] = [gettext("An adjustment of 0.00 changes nothing.")]
    elif abs(value) >= Decimal("10000000000"):
        errors["amount"] = [gettext("The amount is too large.")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [gettext("Say why the payslip is adjusted.")]
    elif len(reason) > 200:
        errors["reason"] = [gettext("Keep the reason to 200 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lock_month(payslip.month)
        locked = Payslip.objects.select_for_update().filter(pk=payslip.pk).first()
        if locked is None:
            raise NotFound(gettext("The payslip does not exist any more."))
        line = PayslipAdjustment.objects.create(
            payslip=locked, amount=value, reason=reason, created_by=actor
        )
        total_adjustments = PayslipAdjustment.objects.filter(payslip=locked).aggregate(
            total=Sum("amount")
        )["total"] or Decimal("0.00")
        total_adjustments = round_money(Decimal(str(total_adjustments)))
        locked.total = locked.total - locked.adjustments + total_adjustments
        locked.adjustments = total_adjustments
        locked.save(update_fields=["adjustments", "total", "updated_at"])
    payslip.adjustments, payslip.total = locked.adjustments, locked.total
    logger.info("payslip_adjusted", payslip_id=payslip.pk, amount=str(value))
    return line
