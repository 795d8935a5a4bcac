"""Turnover reports: owners submit a month's turnover, managers confirm it for billing.

A confirmed figure is billed and the owner can no longer change it; a manager still can (a
typo, a figure the platform revised) as long as the month's invoice has not been issued: the
draft is recomputed with the new figure. An issued invoice never changes, so correcting the
turnover behind one means voiding it first, then billing the month again.

Confirming and correcting a confirmed figure change the month's invoice, so billing runs them
(``billing.services.turnover``) with the pieces here: the report's lock, the checks, the writes
of the report and the owner's email.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from agency import clock
from agency.access import is_manager, require_manager
from agency.emails import owner_email_send
from agency.errors import NotFound, NotPermitted, StateConflict
from agency.formatting import money_text
from agency.models import User
from agency.money import CENT
from agency.months import month_last_day
from agency.services import record_actor
from shops.models import Shop, TurnoverReport

TURNOVER_MAX = Decimal("1000000000000")  # 14 digits, 2 of them after the point


def turnover_check_amount(amount: Any) -> Decimal:
    """Return ``amount`` as a turnover in CNY, or refuse it with a message on ``amount``."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationError({"amount": [gettext("Enter the turnover as an amount in CNY.")]})
    if amount < 0:
        raise ValidationError({"amount": [gettext("Turnover cannot be negative.")]})
    if amount != amount.quantize(CENT):
        raise ValidationError(
            {"amount": [gettext("Give the turnover to the cent (2 decimal places).")]}
        )
    if amount >= TURNOVER_MAX:
        raise ValidationError({"amount": [gettext("This turnover is too large.")]})
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
        raise ValidationError(
            {"shop": [gettext("You can only report the turnover of your own shops.")]}
        )
    month = turnover_month_check(month)
    amount = turnover_check_amount(amount)
    if TurnoverReport.objects.filter(shop=shop, month=month).exists():
        raise ValidationError(
            {
                "month": [
                    gettext(
                        "%(shop)s already has a turnover report for %(month)s; change that "
                        "report instead."
                    )
                    % {"shop": shop.name, "month": f"{month:%Y-%m}"}
                ]
            }
        )
    report = TurnoverReport(shop=shop, month=month, amount=amount, submitted_by=actor)
    record_actor(report, actor, "submitted")
    report.save()
    return report


def turnover_report_lock(*, report_id: int) -> TurnoverReport:
    """The report, its row locked until the transaction ends (404 when there is none).

    Whoever changes a report's amount or status locks it first, so two changes queue.
    """
    # Only the report's row: locking its shop too would deadlock with a billing run of the
    # month, whose new drafts' foreign keys share-lock that shop row at commit while this
    # transaction waits for the month's lock.
    report = (
        TurnoverReport.objects.select_for_update(of=("self",))
        .select_related("shop")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise NotFound(gettext("No such turnover report."))
    return report


def _confirmed_refusal(report: TurnoverReport) -> StateConflict:
    return StateConflict(
        gettext(
            "The turnover of %(shop)s for %(month)s is confirmed; only the agency can correct "
            "it now."
        )
        % {"shop": report.shop.name, "month": f"{report.month:%Y-%m}"}
    )


def turnover_change_check(*, report: TurnoverReport, actor: User | None) -> None:
    """May ``actor`` change the amount of ``report``? In this order: the shop's owner or a
    manager (403), for a month that has ended (400 on ``month``), and a confirmed figure only a
    manager (409). Whether the month's invoice still lets a confirmed figure change is billing's
    question (``billing.services.turnover_correct``)."""
    if actor is not None and not is_manager(actor) and report.shop.owner_id != actor.pk:
        raise NotPermitted(gettext("Only the shop's owner or a manager can change its turnover."))
    turnover_month_check(report.month)
    confirmed = report.status == TurnoverReport.Status.CONFIRMED
    if confirmed and actor is not None and not is_manager(actor):
        raise _confirmed_refusal(report)


def turnover_amount_set(*, report: TurnoverReport, actor: User | None, amount: Decimal) -> None:
    """Check ``amount`` (400 on ``amount``) and save it on a report the caller has locked and
    checked (``turnover_report_lock``, ``turnover_change_check``); the history says what
    changed."""
    amount = turnover_check_amount(amount)
    confirmed = report.status == TurnoverReport.Status.CONFIRMED
    previous = report.amount
    report.amount = amount
    record_actor(
        report,
        actor,
        f"confirmed amount corrected from {previous}" if confirmed else "amount corrected",
    )
    report.save(update_fields=["amount", "updated_at"])


@transaction.atomic
def turnover_update(
    *, report: TurnoverReport, actor: User | None, amount: Decimal
) -> TurnoverReport:
    """Correct the amount of a submitted report (its owner or a manager).

    A confirmed figure is billed: only a manager corrects it, through
    ``billing.services.turnover_correct``, which also recomputes the month's draft. Here it is
    refused (409).
    """
    locked = turnover_report_lock(report_id=report.pk)
    turnover_change_check(report=locked, actor=actor)
    if locked.status == TurnoverReport.Status.CONFIRMED:
        raise _confirmed_refusal(locked)
    turnover_amount_set(report=locked, actor=actor, amount=amount)
    return locked


def turnover_corrected_email_send(
    *, report_id: int, previous: Decimal, amount: Decimal, draft_total: Decimal | None
) -> bool:
    """Email the shop's owner that the agency corrected a confirmed turnover.

    ``draft_total`` is what the month's draft came to after the correction (``None``: no draft
    yet). Returns whether a mail was sent (not when the owner has no email address).
    """
    report = TurnoverReport.objects.select_related("shop__owner").get(pk=report_id)
    month = f"{report.month:%Y-%m}"
    return owner_email_send(
        owner=report.shop.owner,
        subject=gettext_lazy("Turnover corrected: %(shop)s, %(month)s"),
        subject_values={"shop": report.shop.name, "month": month},
        template="shops/email/turnover_corrected.txt",
        context={
            "shop": report.shop.name,
            "month": month,
            "previous": money_text(previous),
            "amount": money_text(amount),
            "draft_total": money_text(draft_total) if draft_total is not None else "",
        },
    )


def turnover_mark_confirmed(*, report_id: int, actor: User | None) -> TurnoverReport:
    """A manager accepts a month's turnover; from now on it is locked for the owner.

    Runs in the caller's transaction (it locks the report's row):
    ``billing.services.turnover_confirm``, which then bills the figure.
    """
    require_manager(actor)
    report = turnover_report_lock(report_id=report_id)
    if report.status == TurnoverReport.Status.CONFIRMED:
        raise StateConflict(
            gettext("The turnover of %(shop)s for %(month)s is already confirmed.")
            % {"shop": report.shop.name, "month": f"{report.month:%Y-%m}"}
        )
    turnover_month_check(report.month)
    report.status = TurnoverReport.Status.CONFIRMED
    report.confirmed_by = actor
    report.confirmed_at = timezone.now()
    record_actor(report, actor, "confirmed")
    report.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    return report
