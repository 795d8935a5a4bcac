"""Turnover reports: owners submit a month's turnover, managers confirm it for billing.

A confirmed figure is billed and the owner can no longer change it; a manager still can (a
typo, a figure the platform revised) as long as the month's invoice has not been issued: the
draft is recomputed with the new figure. An issued invoice never changes, so correcting the
turnover behind one means voiding it first, then billing the month again.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

import structlog
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from agency import clock
from agency.access import is_manager
from agency.errors import StateConflict
from agency.formatting import money_text
from agency.models import User
from agency.money import CENT
from agency.months import month_last_day
from billing.models import Invoice
from billing.services import invoice_draft_recompute
from billing.services.locks import lock_month
from shops.models import Shop, TurnoverReport
from shops.services._common import record_actor, require_manager

logger = structlog.get_logger(__name__)

TURNOVER_MAX = Decimal("1000000000000")  # 14 digits, 2 of them after the point


def turnover_check_amount(amount: Any) -> Decimal:
    """Return ``amount`` as a turnover in CNY, or refuse it with a message on ``amount``."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationError({"amount": ["Enter the turnover as an amount in CNY."]})
    if amount < 0:
        raise ValidationError({"amount": ["Turnover cannot be negative."]})
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": ["Give the turnover to the cent (2 decimal places)."]})
    if amount >= TURNOVER_MAX:
        raise ValidationError({"amount": ["This turnover is too large."]})
    return amount.quantize(CENT)


def turnover_month_check(month: dt.date) -> dt.date:
    """Turnover is reported for months that have ended (Shanghai): a month's sales are known
    only once its last day is over. Returns the month's first day, or refuses on ``month``."""
    month = month.replace(day=1)
    if not clock.month_has_ended(month):
        raise ValidationError(
            {
                "month": [
                    gettext("%(month)s has not ended yet; report its turnover from %(next)s on.")
                    % {
                        "month": f"{month:%Y-%m}",
                        "next": (month_last_day(month) + dt.timedelta(days=1)).isoformat(),
                    }
                ]
            }
        )
    return month


@transaction.atomic
def turnover_submit(
    *, actor: User | None, shop: Shop, month: dt.date, amount: Decimal
) -> TurnoverReport:
    """Record a shop's turnover for a month (any date of the month names it); status submitted."""
    if actor is not None and not is_manager(actor) and shop.owner_id != actor.pk:
        raise ValidationError({"shop": ["You can only report the turnover of your own shops."]})
    month = turnover_month_check(month)
    amount = turnover_check_amount(amount)
    if TurnoverReport.objects.filter(shop=shop, month=month).exists():
        raise ValidationError(
            {
                "month": [
                    f"{shop.name} already has a turnover report for {month:%Y-%m}; change that "
                    "report instead."
                ]
            }
        )
    report = TurnoverReport(shop=shop, month=month, amount=amount, submitted_by=actor)
    record_actor(report, actor, "submitted")
    report.save()
    return report


def _locked_report(report_id: int) -> TurnoverReport:
    # Only the report's row: locking its shop too would deadlock with a billing run of the
    # month, whose new drafts' foreign keys share-lock that shop row at commit while this
    # transaction waits for the month's lock.
    return get_object_or_404(
        TurnoverReport.objects.select_for_update(of=("self",)).select_related("shop"),
        pk=report_id,
    )


def _refuse_confirmed_change(report: TurnoverReport, actor: User | None) -> None:
    """Refuse to change a confirmed figure, unless a manager corrects it before the issue.

    Takes the month's billing lock first, so no issue can land between this check and the
    recomputation of the draft.
    """
    if report.status != TurnoverReport.Status.CONFIRMED:
        return
    if actor is not None and not is_manager(actor):
        raise StateConflict(
            f"The turnover of {report.shop.name} for {report.month:%Y-%m} is confirmed; only "
            "the agency can correct it now."
        )
    lock_month(report.month)
    final = (
        Invoice.objects.filter(
            shop_id=report.shop_id,
            month=report.month,
            status__in=[Invoice.Status.ISSUED, Invoice.Status.PAID],
        )
        .values_list("number", flat=True)
        .first()
    )
    if final is not None:
        raise StateConflict(
            f"Invoice {final} was issued with this turnover and never changes. Void it first, "
            f"then correct the turnover and bill {report.month:%Y-%m} again."
        )


@transaction.atomic
def turnover_update(
    *, report: TurnoverReport, actor: User | None, amount: Decimal
) -> TurnoverReport:
    """Correct the amount of a report.

    Owners correct their submitted figures; a confirmed figure only a manager corrects, and only
    while the month's invoice is not issued (409 otherwise). Correcting a confirmed figure
    recomputes the month's draft invoice.
    """
    locked = _locked_report(report.pk)
    if actor is not None and not is_manager(actor) and locked.shop.owner_id != actor.pk:
        raise PermissionDenied("Only the shop's owner or a manager can change its turnover.")
    turnover_month_check(locked.month)
    _refuse_confirmed_change(locked, actor)
    amount = turnover_check_amount(amount)
    confirmed = locked.status == TurnoverReport.Status.CONFIRMED
    previous = locked.amount
    locked.amount = amount
    record_actor(
        locked,
        actor,
        f"confirmed amount corrected from {previous}" if confirmed else "amount corrected",
    )
    locked.save(update_fields=["amount", "updated_at"])
    if confirmed:
        draft = invoice_draft_recompute(
            shop_id=locked.shop_id,
            month=locked.month,
            reason="recomputed: confirmed turnover corrected",
            actor=actor,
        )
        if amount != previous:
            # The owner can no longer change the figure: they hear it from the agency, with the
            # figures of this correction (not of a later one the email might be sent after).
            figures = {
                "report_id": locked.pk,
                "previous": str(previous),
                "amount": str(amount),
                "draft_total": str(draft.total) if draft is not None else None,
            }
            transaction.on_commit(lambda: _queue_corrected_email(figures))
    return locked


def _queue_corrected_email(figures: dict[str, Any]) -> None:
    from shops.tasks import send_turnover_corrected_email

    try:
        send_turnover_corrected_email.delay(**figures)
    except Exception:  # the correction stands either way; a lost email must not undo it
        logger.exception("turnover_email_not_sent", report_id=figures["report_id"])


def turnover_corrected_email_send(
    *, report_id: int, previous: Decimal, amount: Decimal, draft_total: Decimal | None
) -> bool:
    """Email the shop's owner that the agency corrected a confirmed turnover.

    ``draft_total`` is what the month's draft came to after the correction (``None``: no draft
    yet). Returns whether a mail was sent (not when the owner has no email address).
    """
    report = TurnoverReport.objects.select_related("shop__owner").get(pk=report_id)
    owner = report.shop.owner
    if not owner.email:
        return False
    month = f"{report.month:%Y-%m}"
    context = {
        "owner_name": owner.get_full_name() or owner.username,
        "shop": report.shop.name,
        "month": month,
        "previous": money_text(previous),
        "amount": money_text(amount),
        "draft_total": money_text(draft_total) if draft_total is not None else "",
    }
    with translation.override(owner.email_language):  # the language the owner chose
        subject = gettext("Turnover corrected: %(shop)s, %(month)s") % {
            "shop": report.shop.name,
            "month": month,
        }
        message = render_to_string("shops/email/turnover_corrected.txt", context)
    send_mail(
        subject=subject,
        message=message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[owner.email],
    )
    return True


@transaction.atomic
def turnover_confirm(*, report_id: int, actor: User | None) -> TurnoverReport:
    """A manager accepts a month's turnover; from now on it is billed and locked."""
    require_manager(actor)
    report = _locked_report(report_id)
    if report.status == TurnoverReport.Status.CONFIRMED:
        raise StateConflict(
            f"The turnover of {report.shop.name} for {report.month:%Y-%m} is already confirmed."
        )
    turnover_month_check(report.month)
    report.status = TurnoverReport.Status.CONFIRMED
    report.confirmed_by = actor
    report.confirmed_at = timezone.now()
    record_actor(report, actor, "confirmed")
    report.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    # The month's draft invoice, if a run has made one, gets its commission line now.
    invoice_draft_recompute(shop_id=report.shop_id, month=report.month)
    return report
