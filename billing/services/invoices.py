"""The life of an invoice: ``draft`` -> ``issued`` -> ``paid``, or ``void``.

* Issue: only a draft, and not while it awaits the month's confirmed turnover. The invoice gets
  its number (gapless per year, ``billing.services.numbering``) and the shop's owner an email
  once the transaction has committed.
* Pay: only an issued invoice.
* Void: a draft or an issued invoice, never a paid one. An issued invoice is corrected by voiding
  it and billing the month again: the next run makes a new draft for the shop.

An issued or paid invoice never changes its figures: the billing run skips it. Each change takes
the month's lock (``billing.services.locks``) and then the invoice's row, so it never interleaves
with a billing run or another change.
"""

import structlog
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from agency.access import is_manager
from agency.errors import StateConflict
from agency.models import User
from billing.models import Invoice
from billing.services.lines import money_text
from billing.services.locks import lock_month
from billing.services.numbering import invoice_number_next
from billing.services.runs import invoice_draft_recompute

logger = structlog.get_logger(__name__)


def _require_manager(actor: User | None) -> None:
    if actor is not None and not is_manager(actor):
        raise PermissionDenied("Only agency managers can change invoices.")


def _locked_invoice(invoice_id: int) -> Invoice:
    """The invoice, locked, after its month's lock: never in the middle of a billing run."""
    month = Invoice.objects.filter(pk=invoice_id).values_list("month", flat=True).first()
    if month is None:
        raise Http404("No such invoice.")
    lock_month(month)
    return get_object_or_404(
        Invoice.objects.select_for_update(of=("self",)).select_related("shop"), pk=invoice_id
    )


def _label(invoice: Invoice) -> str:
    return invoice.number or f"the {invoice.month:%Y-%m} invoice of {invoice.shop.name}"


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
    _require_manager(actor)
    target = Invoice.objects.filter(pk=invoice_id).values("shop_id", "month", "status").first()
    if target is None:
        raise Http404("No such invoice.")
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
            f"Only a draft can be issued; {_label(invoice)} is {invoice.get_status_display()}."
        )
    if invoice.awaiting_turnover:
        raise StateConflict(
            f"The {invoice.month:%Y-%m} invoice of {invoice.shop.name} awaits the shop's "
            "confirmed turnover; confirm the turnover before issuing it."
        )
    issued_at = timezone.now()
    invoice.number = invoice_number_next(year=timezone.localdate(issued_at).year)
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = issued_at
    _save(invoice, actor, "issued", ["number", "issued_at"])
    invoice_id = invoice.pk
    transaction.on_commit(lambda: _queue_issued_email(invoice_id))
    return invoice


@transaction.atomic
def invoice_pay(*, invoice_id: int, actor: User | None) -> Invoice:
    """Record the payment of an issued invoice."""
    _require_manager(actor)
    invoice = _locked_invoice(invoice_id)
    if invoice.status != Invoice.Status.ISSUED:
        reason = {
            Invoice.Status.DRAFT: "it is a draft; issue it first",
            Invoice.Status.PAID: "it is already paid",
            Invoice.Status.VOID: "it is void",
        }[invoice.status]
        raise StateConflict(f"Only an issued invoice can be paid; {_label(invoice)}: {reason}.")
    invoice.status = Invoice.Status.PAID
    invoice.paid_at = timezone.now()
    _save(invoice, actor, "paid", ["paid_at"])
    return invoice


@transaction.atomic
def invoice_void(*, invoice_id: int, actor: User | None) -> Invoice:
    """Void a draft or an issued invoice; the next billing run bills the shop-month again."""
    _require_manager(actor)
    invoice = _locked_invoice(invoice_id)
    if invoice.status == Invoice.Status.PAID:
        raise StateConflict(f"A paid invoice cannot be voided ({_label(invoice)}).")
    if invoice.status == Invoice.Status.VOID:
        raise StateConflict(f"This invoice ({_label(invoice)}) is already void.")
    invoice.status = Invoice.Status.VOID
    invoice.voided_at = timezone.now()
    _save(invoice, actor, "voided", ["voided_at"])
    return invoice


def _queue_issued_email(invoice_id: int) -> None:
    from billing.tasks import send_invoice_issued_email

    try:
        send_invoice_issued_email.delay(invoice_id)
    except Exception:  # the invoice is issued either way; a lost email must not undo it
        logger.exception("invoice_email_not_sent", invoice_id=invoice_id)


def invoice_issued_email_send(*, invoice_id: int) -> bool:
    """Email the shop's owner that the invoice was issued. Returns whether a mail was sent."""
    invoice = (
        Invoice.objects.select_related("shop__owner").prefetch_related("lines").get(pk=invoice_id)
    )
    owner = invoice.shop.owner
    if not owner.email or invoice.number is None:
        return False
    month = f"{invoice.month:%Y-%m}"
    with translation.override(owner.email_language):  # the language the owner chose
        context = {
            "owner_name": owner.get_full_name() or owner.username,
            "number": invoice.number,
            "shop": invoice.shop.name,
            "month": month,
            "lines": [
                {
                    "kind": line.get_kind_display(),
                    "description": line.description,
                    "amount": money_text(line.amount),
                }
                for line in invoice.lines.all()
            ],
            "total": money_text(invoice.total),
        }
        subject = gettext("Invoice %(number)s: %(shop)s, %(month)s") % {
            "number": invoice.number,
            "shop": invoice.shop.name,
            "month": month,
        }
        message = render_to_string("billing/email/invoice_issued.txt", context)
    send_mail(
        subject=subject,
        message=message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[owner.email],
    )
    return True
