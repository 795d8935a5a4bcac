"""Billing runs: one invoice per shop and month, recomputed until it is issued.

A run for a month reads everything it needs in three queries (the contracts active in the
month, the confirmed turnover, the month's live invoices), computes every invoice in Python
(``billing.services.lines``) and writes with a fixed number of set-based statements
(``billing.services.writes``), so its query count does not grow with the number of shops.

* Shops with no live invoice for the month get a new draft; a shop whose only invoice is void
  gets a new draft too (that is how an issued invoice is corrected).
* Drafts are recomputed: their lines are replaced and their total and *awaiting turnover* flag
  follow. A draft whose shop no longer has a contract active in the month is deleted.
* Issued and paid invoices are never touched.

**Idempotent and crash-safe.** A run's work is one transaction, so a worker that dies mid-run
leaves nothing behind and the redelivered task starts over; rerunning a month recomputes the same
figures (and counts the drafts as updated, not created). Everything that changes a month's
invoices (runs, recomputing a draft, issuing, paying, voiding) first takes the month's lock
(``billing.services.locks``: a transaction-scoped advisory lock on PostgreSQL), so two runs of a
month queue one after the other and an issue never lands in the middle of a run. On SQLite the
database lock serialises writers: a run that loses the race fails with "database is locked" and
its task retries. The unique constraint ``invoice_one_live_per_shop_month`` is the database's
last word either way.
"""

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from hashlib import blake2b

import structlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext

from agency import clock
from agency.access import require_manager
from agency.errors import ApplicationError
from agency.models import User
from agency.months import month_last_day
from billing.models import BillingRun, Invoice
from billing.services import writes
from billing.services.events import billing_run_event
from billing.services.lines import (
    BillableContract,
    InvoiceFigures,
    LineFigures,
    iter_invoices_figures,
)
from billing.services.locks import lock_month
from shops.models import Contract, Shop, TurnoverReport

logger = structlog.get_logger(__name__)

PAUSE_ENV = "BILLING_TEST_PAUSE_SECONDS"
"""When set (only ever by the crash test), a run sleeps this long before it commits."""


@dataclass(frozen=True)
class BillingOutcome:
    created: int
    updated: int
    removed: int


def billing_month_check(month: date) -> date:
    """Nothing is billed in the future: a month is billed once it has started (the month in
    progress only as a preview, which cannot be issued before it ends). Returns the month's
    first day, or refuses on ``month``."""
    month = month.replace(day=1)
    if not clock.month_has_started(month):
        raise ValidationError(
            {
                "month": [
                    gettext("%(month)s has not started yet; it can be billed from %(first)s on.")
                    % {"month": f"{month:%Y-%m}", "first": month.isoformat()}
                ]
            }
        )
    return month


def _pause_before_commit() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        logger.warning("billing_run_pausing_before_commit", seconds=seconds)
        time.sleep(float(seconds))


def _line_rows(figures: InvoiceFigures) -> tuple[list[str], str]:
    """The invoice's lines as COPY texts, and the digest of lines and flag that tells a rerun
    whether anything changed.

    The digest hashes every written value as the text that is stored (``writes.line_copy_text``,
    from the part each line made once, ``LineFigures.columns_text``: hashed here and sent as
    is by ``writes.lines_copy`` or ``writes.insert_lines``), cheap enough for every draft of
    every run.
    """
    texts = [
        f"\t{line.contract_id}\t{line.columns_text or _columns_text(line)}\t{position}\n"
        for position, line in enumerate(figures.lines)
    ]
    text = "".join(texts) + ("awaiting" if figures.awaiting_turnover else "billed")
    return texts, blake2b(text.encode(), digest_size=16).hexdigest()


def _columns_text(line: LineFigures) -> str:
    return writes.line_columns_text(
        line.kind,
        line.description,
        line.quantity,
        line.unit_price,
        line.amount,
        line.details_text or writes.details_json(line.details),
    )


def _line_tuples(figures: InvoiceFigures) -> list[tuple]:
    """The invoice's lines in ``writes.LINE_FIELDS`` order (without the invoice id), for the
    writes that take rows rather than COPY texts (a changed draft, or no streaming)."""
    return [
        (
            line.contract_id,
            line.kind,
            line.description,
            line.quantity,
            line.unit_price,
            line.amount,
            line.details,
            position,
        )
        for position, line in enumerate(figures.lines)
    ]


def _bill(
    *, month: date, shop_id: int | None, create: bool, user_id: int | None, reason: str
) -> BillingOutcome:
    """Bring the month's drafts (of one shop, or of all) in line with contracts and turnover.

    Must run inside a transaction: the month's lock lasts until it ends.
    """
    lock_month(month)
    last = month_last_day(month)
    shop_filter = Q() if shop_id is None else Q(shop_id=shop_id)

    contracts = (
        Contract.objects.filter(shop_filter, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=month))
        .order_by("shop_id", "start_date", "id")
        # Tiers as text: thousands of contracts share a few tier schedules, parsed once each.
        .annotate(tiers_text=Cast("commission_tiers", output_field=TextField()))
        .values_list(*BillableContract.COLUMNS[:-3], "tiers_text", *BillableContract.COLUMNS[-2:])
    )
    turnover: dict[int, Decimal] = dict(
        TurnoverReport.objects.filter(
            shop_filter, month=month, status=TurnoverReport.Status.CONFIRMED
        ).values_list("shop_id", "amount")
    )
    # No row locks needed: issuing, paying and voiding take the month's lock too, so the
    # invoices read here stay as they are until the run commits.
    live = (
        Invoice.objects.filter(shop_filter, month=month)
        .live()
        # ``created_at`` only goes on to the history of changed drafts: read as the database's
        # text, not parsed into 5,000 datetimes a rerun would mostly not use.
        .annotate(created_text=Cast("created_at", output_field=TextField()))
        .values_list(
            "id", "shop_id", "status", "total", "awaiting_turnover", "created_text", "figures_hash"
        )
    )
    drafts: dict[int, tuple[int, Decimal, bool, str, str]] = {}
    final_shops: set[int] = set()
    for invoice_id, invoice_shop, status, total, awaiting, created_at, digest in live:
        if status == Invoice.Status.DRAFT:
            drafts[invoice_shop] = (invoice_id, total, awaiting, created_at, digest)
        else:
            final_shops.add(invoice_shop)

    billable = [
        BillableContract(*row)
        for row in contracts
        if row[1] not in final_shops and (create or row[1] in drafts)
    ]
    figures = iter_invoices_figures(month=month, contracts=billable, turnover=turnover)

    now = timezone.now()
    # On PostgreSQL the lines of new drafts go to the server while the next shops are worked
    # out, under invoice ids reserved now (foreign keys are checked at commit).
    new_shops = list(dict.fromkeys(t.shop_id for t in billable if t.shop_id not in drafts))
    reserved = (
        writes.reserve_invoice_ids(new_shops) if new_shops and writes.streams_lines() else None
    )

    new_rows = []
    new_lines: dict[int, tuple[list[tuple], list[str]]] = {}
    changed_rows = []
    lines = []
    line_texts: list[str] = []
    billed: set[int] = set()
    drafts_text = history_text = None
    with writes.lines_copy() if reserved else nullcontext() as send_new:
        for shop, shop_figures in figures:
            billed.add(shop)
            texts, digest = _line_rows(shop_figures)
            draft = drafts.get(shop)
            if draft is None:
                new_rows.append(
                    {
                        "shop_id": shop,
                        "total": shop_figures.total,
                        "awaiting_turnover": shop_figures.awaiting_turnover,
                        "figures_hash": digest,
                    }
                )
                if send_new is not None:
                    send_new.write(reserved[shop], texts)
                else:
                    new_lines[shop] = (_line_tuples(shop_figures), texts)
                continue
            invoice_id, total, awaiting, created_at, stored_digest = draft
            if digest == stored_digest:
                continue  # the same lines and flag (hence total): nothing to write
            total_now = shop_figures.total
            changed_rows.append(
                {
                    "id": invoice_id,
                    "shop_id": shop,
                    "created_at": created_at,
                    "total": total_now,
                    "awaiting_turnover": shop_figures.awaiting_turnover,
                    "figures_hash": digest,
                    # Only a changed total or flag is a change of the invoice (and its history).
                    "touched": total_now != total or shop_figures.awaiting_turnover != awaiting,
                }
            )
            lines.extend((invoice_id, row) for row in _line_tuples(shop_figures))
            line_texts.extend(texts)
        if send_new is not None:
            # The COPY of the lines ends with this block, once the server has stored the last
            # of them: the drafts' and the history's COPY texts are made meanwhile.
            send_new.flush()
            history = _history_rows(new_rows, reserved, changed_rows, now)
            drafts_text = writes.drafts_copy_text(month=month, now=now, rows=new_rows, ids=reserved)
            history_text = writes.history_copy_text(
                month=month, now=now, rows=history, user_id=user_id, reason=reason
            )
    stale = [draft[0] for shop, draft in drafts.items() if shop not in billed]

    writes.delete_lines(invoice_ids=[row["id"] for row in changed_rows] + stale)
    if stale:
        # Rare (a contract moved out of the month): a draft of nothing is not an invoice.
        Invoice.objects.filter(pk__in=stale).delete()
    created_ids = writes.insert_drafts(
        month=month, now=now, rows=new_rows, ids=reserved, copy_text=drafts_text
    )
    writes.update_drafts(now=now, rows=changed_rows)
    for shop, (encoded, texts) in new_lines.items():
        invoice_id = created_ids[shop]
        lines.extend((invoice_id, row) for row in encoded)
        line_texts.extend(texts)
    writes.insert_lines(lines, copy_texts=line_texts)

    if history_text is None:
        history = _history_rows(new_rows, created_ids, changed_rows, now)
    writes.record_history(
        month=month, now=now, rows=history, user_id=user_id, reason=reason, copy_text=history_text
    )

    return BillingOutcome(
        created=len(created_ids),
        updated=len(drafts) - len(stale),
        removed=len(stale),
    )


def _history_rows(
    new_rows: list[dict], created_ids: dict[int, int], changed_rows: list[dict], now: datetime
) -> list[dict]:
    """The history of a run's writes: the new drafts ("+"), then the drafts whose total or flag
    changed ("~"), as ``writes.record_history`` takes them."""
    history = [
        {**row, "id": created_ids[row["shop_id"]], "created_at": now, "history_type": "+"}
        for row in new_rows
    ]
    history += [{**row, "history_type": "~"} for row in changed_rows if row["touched"]]
    return history


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector out of a run.

    A run over thousands of shops allocates some 10^5 short-lived objects (figures, lines,
    rows); each allocation burst starts a collector pass over the whole heap, which cost more
    than the billing arithmetic. None of these objects form cycles: reference counting frees
    them as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def bill_month(*, month: date, actor: User | None = None) -> tuple[int, int]:
    """Make or recompute the invoices of every shop with a contract active in ``month``.

    ``month`` is any date of the month. Returns ``(invoices created, invoices updated)``.
    """
    month = billing_month_check(month)
    with transaction.atomic(), _collector_paused():
        outcome = _bill(
            month=month,
            shop_id=None,
            create=True,
            user_id=actor.pk if actor else None,
            reason=f"billing run {month:%Y-%m}",
        )
        _pause_before_commit()
    logger.info(
        "billing_month_billed",
        month=f"{month:%Y-%m}",
        created=outcome.created,
        updated=outcome.updated,
        removed=outcome.removed,
    )
    return outcome.created, outcome.updated


def invoice_draft_recompute(
    *,
    shop_id: int,
    month: date,
    reason: str = "recomputed: turnover confirmed",
    actor: User | None = None,
) -> Invoice | None:
    """Recompute the shop's draft for ``month`` (e.g. after its turnover is confirmed).

    Only an existing draft is recomputed, with the same code as a run: no draft yet means no
    run has billed the month, and the run will read the confirmed turnover when it does; an
    issued or paid invoice never changes. ``actor`` is named in the draft's history. Returns the
    draft, or ``None`` when there is none.
    """
    month = month.replace(day=1)
    with transaction.atomic():
        _bill(
            month=month,
            shop_id=shop_id,
            create=False,
            user_id=actor.pk if actor else None,
            reason=reason,
        )
        return Invoice.objects.filter(
            shop_id=shop_id, month=month, status=Invoice.Status.DRAFT
        ).first()


def shop_month_bill(*, shop_id: int, month: date, actor: User | None = None) -> Invoice:
    """Bill one shop's month now, with the same code as a run, and return the new draft.

    This is how a manager bills a month again after voiding its invoice, without waiting for
    (or starting) a run of every shop. Refused, with a message for people, when the month has
    not started, when the shop already has a live (not void) invoice for the month, or when no
    contract of the shop is active in the month.
    """
    require_manager(actor)
    month = month.replace(day=1)
    shop_name = Shop.objects.filter(pk=shop_id).values_list("name", flat=True).first()
    if shop_name is None:
        raise ApplicationError(gettext("There is no such shop."))
    names = {"shop": shop_name, "month": f"{month:%Y-%m}"}
    if not clock.month_has_started(month):
        raise ApplicationError(
            gettext("%(month)s has not started yet; %(shop)s can be billed for it once it has.")
            % names
        )
    with transaction.atomic():
        lock_month(month)
        live = Invoice.objects.filter(shop_id=shop_id, month=month).live()
        if live.exists():
            raise ApplicationError(
                gettext("%(shop)s already has an invoice for %(month)s that is not void.") % names
            )
        _bill(
            month=month,
            shop_id=shop_id,
            create=True,
            user_id=actor.pk if actor else None,
            reason=f"billed again {month:%Y-%m}",
        )
        draft = Invoice.objects.filter(
            shop_id=shop_id, month=month, status=Invoice.Status.DRAFT
        ).first()
        if draft is None:
            raise ApplicationError(
                gettext("%(shop)s has no contract active in %(month)s: there is nothing to bill.")
                % names
            )
    logger.info("billing_shop_month_billed", shop_id=shop_id, month=f"{month:%Y-%m}")
    return draft


# --- Billing runs (the record managers see) ---------------------------------------------------


def _enqueue(run_id: int) -> None:
    from billing.tasks import run_billing

    try:
        run_billing.delay(run_id)
    except Exception as error:  # the broker is down, or the task failed inline (eager mode)
        logger.exception("billing_run_not_queued_or_failed", run_id=run_id)
        BillingRun.objects.filter(pk=run_id).exclude(status=BillingRun.Status.DONE).update(
            status=BillingRun.Status.FAILED,
            error=_error_text(error),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )


def billing_run_create(
    *,
    month: date,
    requested_by: User | None = None,
    enqueue: bool = True,
    reuse_unfinished: bool = False,
) -> BillingRun:
    """Record a billing run for ``month`` (any date of it), queued.

    With ``enqueue`` the run is handed to a worker once the transaction commits (one task per
    run, never one per shop). ``reuse_unfinished`` returns the month's automatic run that has
    not finished instead of recording another: the monthly schedule retried after a crash picks
    up its own run.
    """
    if not isinstance(month, date):
        raise ApplicationError(gettext("Give the month to bill as a date."))
    month = billing_month_check(month)
    with transaction.atomic():
        run = None
        if reuse_unfinished:
            run = (
                BillingRun.objects.select_for_update()
                .filter(month=month, requested_by__isnull=True)
                .exclude(status=BillingRun.Status.DONE)
                .order_by("-created_at", "-id")
                .first()
            )
        if run is None:
            run = BillingRun.objects.create(month=month, requested_by=requested_by)
        if enqueue:
            run_id = run.pk
            transaction.on_commit(lambda: _enqueue(run_id))
    return run


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _stamp_finished(run: BillingRun) -> None:
    """Stamp a done run's ``finished_at`` with the time its billing committed (a short
    statement of its own, after the commit)."""
    now = timezone.now()
    BillingRun.objects.filter(pk=run.pk, status=BillingRun.Status.DONE).update(
        finished_at=now, updated_at=now
    )
    run.finished_at = now
    run.updated_at = now


def billing_run_execute(*, run_id: int) -> BillingRun:
    """Bill the run's month and record the outcome on the run (running, then done or failed).

    The billing and the ``done`` status commit together; a worker dying in between leaves the
    run ``running`` with nothing billed, and executing it again finishes it. ``finished_at`` is
    stamped again right after that commit, so it is never earlier than the invoices' visibility.
    A run already done is not repeated (a message delivered twice bills once).
    """
    run = BillingRun.objects.filter(pk=run_id).first()
    if run is None:
        raise ApplicationError(gettext("Billing run %(id)s does not exist.") % {"id": run_id})
    if run.status == BillingRun.Status.DONE:
        return run
    started = timezone.now()
    BillingRun.objects.filter(pk=run_id).exclude(status=BillingRun.Status.DONE).update(
        status=BillingRun.Status.RUNNING, started_at=started, error="", updated_at=started
    )
    try:
        with transaction.atomic():
            run = (
                BillingRun.objects.select_for_update(of=("self",))
                .select_related("requested_by")
                .get(pk=run_id)
            )
            if run.status == BillingRun.Status.DONE:
                return run
            created, updated = bill_month(month=run.month, actor=run.requested_by)
            run.status = BillingRun.Status.DONE
            run.invoices_created = created
            run.invoices_updated = updated
            run.error = ""
            run.finished_at = timezone.now()
            run.save(
                update_fields=[
                    "status",
                    "invoices_created",
                    "invoices_updated",
                    "error",
                    "finished_at",
                    "updated_at",
                ]
            )
            billing_run_event(run)
            # The stamp above is when the billing finished, before its commit (which can take a
            # while: foreign-key checks, the WAL flush). The record's ``finished_at`` says when
            # the invoices became visible: stamped again once the transaction has committed.
            transaction.on_commit(lambda: _stamp_finished(run), robust=True)
    except BaseException as error:
        now = timezone.now()
        BillingRun.objects.filter(pk=run_id).exclude(status=BillingRun.Status.DONE).update(
            status=BillingRun.Status.FAILED,
            error=_error_text(error),
            finished_at=now,
            updated_at=now,
        )
        raise
    return run
