"""Turnover as billing sees it: a confirmed figure is billed, so confirming or correcting one
changes the month's invoice.

The manager's entry points (the API, the admin, the manager app) confirm and correct turnover
here; owners submit and correct their submitted figures through ``shops.services`` directly.
The report itself is the shops app's: its lock, checks and writes are ``shops.services``'.
"""

from decimal import Decimal
from typing import Any

import structlog
from django.db import transaction
from django.utils.translation import gettext

from agency.errors import StateConflict
from agency.models import User
from billing.models import Invoice
from billing.services.events import turnover_confirmed_event
from billing.services.locks import lock_month
from billing.services.runs import invoice_draft_recompute
from shops import services as shop_services
from shops.models import TurnoverReport

logger = structlog.get_logger(__name__)


@transaction.atomic
def turnover_confirm(*, report_id: int, actor: User | None) -> TurnoverReport:
    """A manager accepts a month's turnover: from now on it is billed (the month's draft, if a
    run has made one, gets its commission line now) and locked for the owner."""
    report = shop_services.turnover_mark_confirmed(report_id=report_id, actor=actor)
    invoice_draft_recompute(shop_id=report.shop_id, month=report.month)
    turnover_confirmed_event(report)
    return report


@transaction.atomic
def turnover_correct(*, report_id: int, actor: User | None, amount: Decimal) -> TurnoverReport:
    """Correct the amount of a report.

    Owners correct their submitted figures; a confirmed figure only a manager corrects, and only
    while the month's invoice is not issued (409 otherwise). Correcting a confirmed figure
    recomputes the month's draft invoice and tells the owner.

    Locks the report's row, then (for a confirmed figure) the month's billing lock, so no issue
    can land between the check of the month's invoice and the recomputation of its draft.
    Refuses in this order: not the owner or a manager (403), a month that has not ended (400),
    a confirmed figure and not a manager (409), the month's invoice issued or paid (409), the
    amount (400).
    """
    report = shop_services.turnover_report_lock(report_id=report_id)
    shop_services.turnover_change_check(report=report, actor=actor)
    if report.status != TurnoverReport.Status.CONFIRMED:
        shop_services.turnover_amount_set(report=report, actor=actor, amount=amount)
        return report
    lock_month(report.month)
    final = (
        Invoice.objects.filter(shop_id=report.shop_id, month=report.month)
        .final()
        .values_list("number", flat=True)
        .first()
    )
    if final is not None:
        raise StateConflict(
            gettext(
                "Invoice %(number)s was issued with this turnover and never changes. Void it "
                "first, then correct the turnover and bill %(month)s again."
            )
            % {"number": final, "month": f"{report.month:%Y-%m}"}
        )
    previous = report.amount
    # The one path that changes a confirmed figure: the database lets it through this block.
    with shop_services.turnover_correction():
        shop_services.turnover_amount_set(report=report, actor=actor, amount=amount)
    draft = invoice_draft_recompute(
        shop_id=report.shop_id,
        month=report.month,
        reason="recomputed: confirmed turnover corrected",
        actor=actor,
    )
    if report.amount != previous:
        # The owner can no longer change the figure: they hear it from the agency, with the
        # figures of this correction (not of a later one the email might be sent after).
        figures = {
            "report_id": report.pk,
            "previous": str(previous),
            "amount": str(report.amount),
            "draft_total": str(draft.total) if draft is not None else None,
        }
        transaction.on_commit(lambda: _queue_corrected_email(figures))
    return report


def _queue_corrected_email(figures: dict[str, Any]) -> None:
    from shops.tasks import send_turnover_corrected_email

    try:
        send_turnover_corrected_email.delay(**figures)
    except Exception:  # the correction stands either way; a lost email must not undo it
        logger.exception("turnover_email_not_sent", report_id=figures["report_id"])
