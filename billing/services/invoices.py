"""The life of an invoice: ``draft`` -> ``issued`` -> ``paid``, or ``void``.

* Issue: only a draft, and not while it awaits the month's confirmed turnover. The invoice gets
  its number (gapless per year, ``billing.services.numbering``) and the shop's owner an email
  once the transaction has committed.
* Issue also sets the due date (``billing.services.payments.invoice_due_date``) and settles what
  it can from the shop's credit balance (``credit_use``).
* Pay: only an issued invoice; records a payment of its whole balance
  (``billing.services.payments.payment_record`` takes part payments).
* Void: a draft, or an issued invoice with nothing paid and nothing credited, never a paid one,
  always with a reason (stored on the invoice and in its history). The owner of an issued
  invoice is emailed the reason; a draft's void tells nobody. An unpaid issued invoice may be
  corrected by voiding it and billing the month again: the next run makes a new draft for the
  shop, or a manager bills the shop's month at once (``billing.services.runs.shop_month_bill``).
  One paid (in part or in full) or credited is corrected by a credit note
  (``billing.services.credit_notes``).

An issued or paid invoice never changes its figures: the billing run skips it. Each change takes
the month's lock (``billing.services.locks``) and then the invoice's row, so it never interleaves
with a billing run or another change.
"""

from datetime import timedelta

import structlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy

from agency import clock
from agency.access import require_manager
from agency.emails import owner_email_send
from agency.errors import NotFound, StateConflict
from agency.formatting import money_text
from agency.models import User
from agency.months import month_last_day
from billing.line_text import line_description, line_steps
from billing.models import Invoice
from billing.services.events import invoice_event
from billing.services.locks import lock_month
from billing.services.numbering import invoice_number_next
from billing.services.payments import (
    _no_payment_reason,
    _settle,
    credit_use,
    invoice_due_date,
    payment_record,
)
from billing.services.runs import invoice_draft_recompute, shop_month_bill

logger = structlog.get_logger(__name__)


def _locked_invoice(invoice_id: int) -> Invoice:
    """The invoice, locked, after its month's lock: never in the middle of a billing run."""
    month = Invoice.objects.filter(pk=invoice_id).values_list("month", flat=True).first()
    if month is None:
        raise _no_such_invoice()
    lock_month(month)
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("shop")
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:
        raise _no_such_invoice()
    return invoice


def _no_such_invoice() -> NotFound:
    return NotFound(gettext("No such invoice."))


def _label(invoice: Invoice) -> str:
    if invoice.number:
        return invoice.number
    return gettext("the %(month)s invoice of %(shop)s") % {
        "month": f"{invoice.month:%Y-%m}",
        "shop": invoice.shop.name,
    }


def _save(invoice: Invoice, actor: User | None, reason: str, fields: list[str]) -> None:
    if actor is not None:
        invoice._history_user = actor
    invoice._change_reason = reason
    invoice.save(update_fields=[*fields, "status", "updated_at"])


def invoice_issue(*, invoice_id: int, actor: User | None) -> Invoice:
    """Issue a draft: give it the next number of the (Shanghai) year and email the owner.

    The draft is recomputed first: contracts may have changed since the last run, and what is
    issued never changes again, so it must be the figures as they stand. The recompute commits
    on its own, so a refusal (awaiting turnover) still leaves the draft current.
    """
    require_manager(actor)
    target = Invoice.objects.filter(pk=invoice_id).values("shop_id", "month", "status").first()
    if target is None:
        raise _no_such_invoice()
    if target["status"] == Invoice.Status.DRAFT:
        invoice_draft_recompute(
            shop_id=target["shop_id"], month=target["month"], reason="recomputed before issue"
        )
    return _invoice_issue(invoice_id=invoice_id, actor=actor)


@transaction.atomic
def _invoice_issue(*, invoice_id: int, actor: User | None) -> Invoice:
    invoice = _locked_invoice(invoice_id)
    if invoice.status != Invoice.Status.DRAFT:
        raise StateConflict(
            gettext("Only a draft can be issued; %(invoice)s is %(status)s.")
            % {"invoice": _label(invoice), "status": invoice.get_status_display()}
        )
    if not clock.month_has_ended(invoice.month):
        raise StateConflict(
            gettext(
                "%(month)s is still in progress: its invoice is a preview and can be issued "
                "from %(next)s on."
            )
            % {
                "month": f"{invoice.month:%Y-%m}",
                "next": (month_last_day(invoice.month) + timedelta(days=1)).isoformat(),
            }
        )
    if invoice.awaiting_turnover:
        raise StateConflict(
            gettext(
                "The %(month)s invoice of %(shop)s awaits the shop's confirmed turnover; confirm "
                "the turnover before issuing it."
            )
            % {"month": f"{invoice.month:%Y-%m}", "shop": invoice.shop.name}
        )
    issued_at = timezone.now()
    issued_on = timezone.localdate(issued_at)
    invoice.number = invoice_number_next(year=issued_on.year)
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = issued_at
    invoice.due_date = invoice_due_date(shop=invoice.shop, issued_on=issued_on)
    _save(invoice, actor, "issued", ["number", "issued_at", "due_date"])
    invoice_id = invoice.pk
    invoice_event("invoice.issued", invoice_id)
    credit_use(invoice=invoice, actor=actor)
    transaction.on_commit(lambda: _queue_issued_email(invoice_id))
    return invoice


@transaction.atomic
def invoice_pay(
    *,
    invoice_id: int,
    actor: User | None,
    method: str = "other",
    received_on: object = None,
    reference: str = "",
) -> Invoice:
    """Record the payment of an issued invoice's whole balance (received today unless said)."""
    require_manager(actor)
    invoice = _locked_invoice(invoice_id)
    if invoice.status != Invoice.Status.ISSUED:
        raise StateConflict(
            gettext("Only an issued invoice can be paid; %(invoice)s: %(reason)s.")
            % {"invoice": _label(invoice), "reason": _no_payment_reason(invoice)}
        )
    if invoice.balance == 0:  # nothing to pay (a zero total): it is settled as it stands
        _settle(invoice, applied=invoice.balance, paid=True, actor=actor, reason="paid")
        return invoice
    payment_record(
        invoice_id=invoice.pk,
        amount=invoice.balance,
        method=method,
        received_on=clock.today() if received_on is None else received_on,
        reference=reference,
        actor=actor,
    )
    invoice.refresh_from_db()
    return invoice


VOID_REASON_MAX_LENGTH = 500


def void_reason_clean(reason: object) -> str:
    """The reason for a void, stripped; ``ValidationError`` on ``reason`` when it is blank or
    longer than ``VOID_REASON_MAX_LENGTH`` characters."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError({"reason": [gettext("Say why the invoice is voided.")]})
    if len(text) > VOID_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    gettext("Keep the reason to %(limit)d characters (it has %(length)d).")
                    % {"limit": VOID_REASON_MAX_LENGTH, "length": len(text)}
                ]
            }
        )
    return text


@transaction.atomic
def invoice_void(*, invoice_id: int, actor: User | None, reason: str) -> Invoice:
    """Void a draft or an issued invoice, saying why; the shop-month can then be billed again.

    The reason is stored on the invoice and in its history. The owner of an issued invoice is
    emailed the reason once the transaction commits; a draft's void tells nobody (the owner
    never received it).
    """
    require_manager(actor)
    text = void_reason_clean(reason)
    invoice = _locked_invoice(invoice_id)
    if invoice.status == Invoice.Status.PAID:
        raise StateConflict(
            gettext("A paid invoice cannot be voided (%(invoice)s).") % {"invoice": _label(invoice)}
        )
    if invoice.status == Invoice.Status.VOID:
        raise StateConflict(
            gettext("This invoice (%(invoice)s) is already void.") % {"invoice": _label(invoice)}
        )
    if invoice.amount_paid > 0 or invoice.amount_credited > 0:
        raise StateConflict(
            gettext(
                "%(invoice)s has payments or credit notes and cannot be voided; correct it with "
                "a credit note."
            )
            % {"invoice": _label(invoice)}
        )
    was_issued = invoice.status == Invoice.Status.ISSUED
    invoice.status = Invoice.Status.VOID
    invoice.voided_at = timezone.now()
    invoice.void_reason = text
    # The history's change reason holds 100 characters; its row keeps the whole reason.
    _save(invoice, actor, Truncator(f"voided: {text}").chars(100), ["voided_at", "void_reason"])
    invoice_event("invoice.voided", invoice.pk)
    if was_issued:
        invoice_id = invoice.pk
        transaction.on_commit(lambda: _queue_void_email(invoice_id))
    return invoice


def invoice_rebill(*, invoice_id: int, actor: User | None) -> Invoice:
    """Bill the month of a void invoice again for its shop, now: returns the new draft.

    Only a void invoice is billed again (``StateConflict`` otherwise); the rest is
    ``shop_month_bill``'s to decide (the month has started, no live invoice, a contract).
    """
    require_manager(actor)
    invoice = Invoice.objects.filter(pk=invoice_id).select_related("shop").first()
    if invoice is None:
        raise _no_such_invoice()
    if invoice.status != Invoice.Status.VOID:
        raise StateConflict(
            gettext("Only the month of a void invoice is billed again; this invoice is %(status)s.")
            % {"status": invoice.get_status_display()}
        )
    return shop_month_bill(shop_id=invoice.shop_id, month=invoice.month, actor=actor)


def _queue_issued_email(invoice_id: int) -> None:
    from billing.tasks import send_invoice_issued_email

    try:
        send_invoice_issued_email.delay(invoice_id)
    except Exception:  # the invoice is issued either way; a lost email must not undo it
        logger.exception("invoice_email_not_sent", invoice_id=invoice_id)


def _queue_void_email(invoice_id: int) -> None:
    from billing.tasks import send_invoice_void_email

    try:
        send_invoice_void_email.delay(invoice_id)
    except Exception:  # the invoice is void either way; a lost email must not undo it
        logger.exception("invoice_void_email_not_sent", invoice_id=invoice_id)


def invoice_void_email_send(*, invoice_id: int) -> bool:
    """Email the shop's owner that an issued invoice was voided, and why, in their language.

    Returns whether a mail was sent: not for an invoice that is not void or was never issued
    (the owner never saw a draft), not to an owner without an email address, and not twice.
    The invoice's ``void_notice_sent_at`` is claimed before the mail goes out and released when
    sending fails, so a retry sends it and a task delivered twice mails once.
    """
    invoice = Invoice.objects.select_related("shop__owner").get(pk=invoice_id)
    owner = invoice.shop.owner
    if invoice.status != Invoice.Status.VOID or invoice.number is None:
        return False
    if not invoice.shop.invoice_email:
        return False
    claimed = Invoice.objects.filter(pk=invoice_id, void_notice_sent_at__isnull=True).update(
        void_notice_sent_at=timezone.now()
    )
    if not claimed:
        return False
    month = f"{invoice.month:%Y-%m}"
    try:
        owner_email_send(
            owner=owner,
            subject=gettext_lazy("Invoice %(number)s voided: %(shop)s, %(month)s"),
            subject_values={"number": invoice.number, "shop": invoice.shop.name, "month": month},
            template="billing/email/invoice_void.txt",
            recipient=invoice.shop.invoice_email,
            context={
                "number": invoice.number,
                "shop": invoice.shop.name,
                "month": month,
                "reason": invoice.void_reason,
            },
        )
    except BaseException:
        Invoice.objects.filter(pk=invoice_id).update(void_notice_sent_at=None)
        raise
    return True


def invoice_issued_email_send(*, invoice_id: int) -> bool:
    """Email the shop's owner that the invoice was issued. Returns whether a mail was sent."""
    invoice = (
        Invoice.objects.select_related("shop__owner").prefetch_related("lines").get(pk=invoice_id)
    )
    owner = invoice.shop.owner
    if invoice.number is None:
        return False
    month = f"{invoice.month:%Y-%m}"
    return owner_email_send(
        owner=owner,
        subject=gettext_lazy("Invoice %(number)s: %(shop)s, %(month)s"),
        subject_values={"number": invoice.number, "shop": invoice.shop.name, "month": month},
        template="billing/email/invoice_issued.txt",
        recipient=invoice.shop.invoice_email,
        # Read in the owner's language: the kinds and descriptions of the lines are rendered
        # in it (``billing.line_text``), the tier arithmetic once, under its line.
        context=lambda: {
            "number": invoice.number,
            "shop": invoice.shop.name,
            "month": month,
            "lines": [
                {
                    "kind": line.get_kind_display(),
                    "description": line_description(line),
                    "steps": line_steps(line),
                    "amount": money_text(line.amount),
                }
                for line in invoice.lines.all()
            ],
            "total": money_text(invoice.total),
        },
    )
