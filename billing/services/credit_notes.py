"""Credit notes (红冲): corrections of issued or paid invoices, which never change themselves.

A manager credits an issued or paid invoice, in full or in part, with a reason. The amount is
never more than what is left to credit (the total less earlier credit notes: ``ValidationError``
on ``amount``, naming it). It first reduces the invoice's balance; what the balance cannot take
(the invoice was paid) becomes the shop's credit, used by its next invoice
(``billing.services.payments.credit_use``). An issued invoice whose balance reaches 0 is paid.
Numbers are ``CN-YYYY-NNNNNN``, gapless per Shanghai year of issue. When a fapiao was issued for
the invoice, the note says a red-letter fapiao (红字发票) is needed
(``billing.services.fapiao.red_letter_fapiao_needed``). Publishes ``credit_note.created``, and
once the transaction commits the shop's owner is emailed the note in their language
(``credit_note_email_send``).
"""

from dataclasses import dataclass
from decimal import Decimal

import structlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from agency.access import require_manager
from agency.emails import owner_email_send
from agency.errors import StateConflict
from agency.formatting import money_text
from agency.models import User
from billing.models import CreditEntry, CreditNote, Invoice
from billing.services.events import credit_note_event
from billing.services.fapiao import red_letter_fapiao_needed
from billing.services.locks import lock_shop_credit
from billing.services.numbering import credit_note_number_next
from billing.services.payments import _settle, amount_clean

logger = structlog.get_logger(__name__)

CREDIT_NOTE_REASON_MAX_LENGTH = 500


def credit_note_reason_clean(reason: object) -> str:
    """The reason, stripped; ``ValidationError`` on ``reason`` when blank or too long."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError({"reason": [gettext("Say why the invoice is credited.")]})
    if len(text) > CREDIT_NOTE_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    gettext("Keep the reason to %(limit)d characters (it has %(length)d).")
                    % {"limit": CREDIT_NOTE_REASON_MAX_LENGTH, "length": len(text)}
                ]
            }
        )
    return text


@dataclass(frozen=True)
class CreditNoteOutcome:
    """What a credit note of ``amount`` would do to its invoice: ``applied`` off the balance,
    ``excess`` to the shop's credit, the balance after, and whether a red-letter fapiao is due."""

    amount: Decimal
    applied: Decimal
    excess: Decimal
    balance_after: Decimal
    left_after: Decimal
    red_letter_fapiao_needed: bool


def _cleaned(amount: object, reason: object) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for name, clean in (
        ("amount", lambda: amount_clean(amount)),
        ("reason", lambda: credit_note_reason_clean(reason)),
    ):
        try:
            cleaned[name] = clean()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _outcome(invoice: Invoice, credited: Decimal) -> CreditNoteOutcome:
    from billing.services.invoices import _label

    if invoice.status not in (Invoice.Status.ISSUED, Invoice.Status.PAID):
        raise StateConflict(
            gettext("Only an issued or paid invoice can be credited; %(invoice)s is %(status)s.")
            % {"invoice": _label(invoice), "status": invoice.get_status_display()}
        )
    left = invoice.creditable
    if credited > left:
        raise ValidationError(
            {
                "amount": [
                    gettext("At most %(left)s of %(invoice)s is left to credit.")
                    % {"left": money_text(left), "invoice": _label(invoice)}
                ]
            }
        )
    applied = min(credited, invoice.balance)
    return CreditNoteOutcome(
        amount=credited,
        applied=applied,
        excess=credited - applied,
        balance_after=invoice.balance - applied,
        left_after=left - credited,
        red_letter_fapiao_needed=red_letter_fapiao_needed(invoice_id=invoice.pk),
    )


def credit_note_outcome(*, invoice: Invoice, amount: object, reason: object) -> CreditNoteOutcome:
    """What crediting ``amount`` of ``invoice`` would do, without doing it (the confirm step):
    the same refusals as ``credit_note_create`` (``ValidationError`` per field, ``StateConflict``
    for a draft or void invoice)."""
    return _outcome(invoice, _cleaned(amount, reason)["amount"])


@transaction.atomic
def credit_note_create(
    *, invoice_id: int, amount: object, reason: object, actor: User | None
) -> CreditNote:
    """Credit ``amount`` of an issued or paid invoice, saying why; returns the credit note."""
    from billing.services.invoices import _locked_invoice

    require_manager(actor)
    cleaned = _cleaned(amount, reason)
    invoice = _locked_invoice(invoice_id)
    credited = cleaned["amount"]
    outcome = _outcome(invoice, credited)
    applied = outcome.applied
    issued_at = timezone.now()
    note = CreditNote.objects.create(
        number=credit_note_number_next(year=timezone.localdate(issued_at).year),
        invoice=invoice,
        shop_id=invoice.shop_id,
        amount=credited,
        applied=applied,
        reason=cleaned["reason"],
        issued_at=issued_at,
        red_letter_fapiao_needed=outcome.red_letter_fapiao_needed,
        created_by=actor,
    )
    if credited > applied:
        lock_shop_credit(invoice.shop_id)
        CreditEntry.objects.create(
            shop_id=invoice.shop_id,
            kind=CreditEntry.Kind.CREDIT_NOTE,
            amount=credited - applied,
            credit_note=note,
        )
    invoice.amount_credited += credited
    _settle(invoice, applied=applied, paid=False, actor=actor, reason=f"credited: {note.number}")
    credit_note_event(note.pk)
    note_id = note.pk
    transaction.on_commit(lambda: _queue_credit_note_email(note_id))
    return note


def _queue_credit_note_email(credit_note_id: int) -> None:
    from billing.tasks import send_credit_note_email

    try:
        send_credit_note_email.delay(credit_note_id)
    except Exception:  # the note stands either way; a lost email must not undo it
        logger.exception("credit_note_email_not_sent", credit_note_id=credit_note_id)


def credit_note_email_send(*, credit_note_id: int) -> bool:
    """Email the shop's owner the credit note, in their language: how much of which invoice was
    credited and why, what it took off the balance, what became the shop's credit, and whether a
    red-letter fapiao follows. Returns whether a mail was sent: not when the shop has no billing
    email and its owner no address, and not twice: the send is claimed first and the claim
    released when sending fails, so a retry sends it and a task delivered twice mails once."""
    note = CreditNote.objects.select_related("invoice", "shop__owner").get(pk=credit_note_id)
    shop = note.shop
    if not (shop.invoice_email or shop.owner.email):
        return False
    claimed = CreditNote.objects.filter(pk=credit_note_id, notice_sent_at__isnull=True).update(
        notice_sent_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        sent = owner_email_send(
            owner=shop.owner,
            subject=gettext_lazy("Credit note %(number)s on invoice %(invoice)s: %(shop)s"),
            subject_values={
                "number": note.number,
                "invoice": note.invoice.number,
                "shop": shop.name,
            },
            template="billing/email/credit_note.txt",
            recipient=shop.invoice_email or None,
            context=lambda: {
                "number": note.number,
                "invoice": note.invoice.number,
                "shop": shop.name,
                "amount": money_text(note.amount),
                "applied": money_text(note.applied),
                "excess": money_text(note.excess) if note.excess > 0 else "",
                "reason": note.reason,
                "red_letter": note.red_letter_fapiao_needed,
            },
        )
    except BaseException:
        CreditNote.objects.filter(pk=credit_note_id).update(notice_sent_at=None)
        raise
    return sent
