"""Getting paid: due dates, payments, and the shop's credit balance (余额).

* Due date: an invoice is due its shop's payment terms (``Shop.payment_terms_days``, else
  ``settings.AGENCY_PAYMENTS["TERMS_DAYS"]``) after the Shanghai date of its issue
  (``invoice_due_date``).
* Payments (``payment_record``): money received for an issued invoice, in one or more parts.
  Each part reduces the balance; the invoice becomes ``paid`` when the balance reaches 0. More
  than the balance is refused (``ValidationError`` on ``amount``, naming the balance) unless the
  manager records the excess as the shop's credit (``excess_to_credit``).
* Credit balance: overpayments and the excess of credit notes on settled invoices. The shop's
  next issued invoice uses it (``credit_use``, called by ``invoice_issue``): a payment of method
  ``credit``. The balance is the sum of the shop's ``CreditEntry`` rows and never goes below 0.

Every change takes the invoice's month lock and row lock (``billing.services.invoices``), and the
shop's credit lock before it reads or writes the credit balance.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from agency import clock
from agency.access import require_manager
from agency.errors import StateConflict
from agency.formatting import money_text
from agency.models import User
from billing.choices import RECEIVED_PAYMENT_METHODS
from billing.models import CreditEntry, Invoice, Payment, due_date_for, payment_terms_of
from billing.services.events import invoice_event, payment_event
from billing.services.locks import lock_shop_credit

MAX_AMOUNT = Decimal("99999999999.99")
REFERENCE_MAX_LENGTH = 100
PAYER_MAX_LENGTH = 200
EARLIEST_DATE = dt.date(2000, 1, 1)


def payment_terms_days(shop) -> int:
    """The days from issue to due date of ``shop``'s invoices."""
    return payment_terms_of(shop)


def invoice_due_date(*, shop, issued_on: dt.date) -> dt.date:
    """The due date of an invoice of ``shop`` issued on ``issued_on`` (Shanghai date)."""
    return due_date_for(shop, issued_on)


def amount_clean(value: object, *, field: str = "amount") -> Decimal:
    """A positive amount of CNY with at most two decimals; ``ValidationError`` on ``field``."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite() or isinstance(value, bool | float):
        raise ValidationError({field: [gettext("Enter an amount in yuan, e.g. 1500.00.")]})
    if amount <= 0:
        raise ValidationError({field: [gettext("The amount must be more than 0.")]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: [gettext("An amount has at most two decimals (fen).")]})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: [gettext("This amount is too large.")]})
    return amount.quantize(Decimal("0.01"))


def received_on_clean(value: object, *, field: str = "received_on") -> dt.date:
    """A date of receipt: not in the future (Shanghai), not before 2000."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError({field: [gettext("Enter a date as YYYY-MM-DD.")]})
    if value > clock.today():
        raise ValidationError(
            {
                field: [
                    gettext("Money cannot be received in the future (today is %(today)s).")
                    % {"today": clock.today().isoformat()}
                ]
            }
        )
    if value < EARLIEST_DATE:
        raise ValidationError({field: [gettext("Enter a date from 2000 on.")]})
    return value


def _text(value: object, *, field: str, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > limit:
        raise ValidationError(
            {
                field: [
                    gettext("Keep this to %(limit)d characters (it has %(length)d).")
                    % {"limit": limit, "length": len(text)}
                ]
            }
        )
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise ValidationError({field: [gettext("Control characters are not allowed here.")]})
    return text


def shop_credit_balance(*, shop_id: int) -> Decimal:
    """The shop's credit balance now: overpayments and credit-note excesses less what was used."""
    total = CreditEntry.objects.filter(shop_id=shop_id).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def _settle(
    invoice: Invoice, *, applied: Decimal, paid: bool, actor: User | None, reason: str
) -> None:
    """Add ``applied`` to what settles the locked ``invoice`` (``amount_paid`` when ``paid``,
    else ``amount_credited`` is already updated by the caller), and mark it paid when nothing is
    left. Publishes ``invoice.paid`` then."""
    if paid:
        invoice.amount_paid += applied
    fields = ["amount_paid", "amount_credited"]
    became_paid = invoice.status == Invoice.Status.ISSUED and invoice.balance == 0
    if became_paid:
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = timezone.now()
        fields.append("paid_at")
    if actor is not None:
        invoice._history_user = actor
    invoice._change_reason = reason
    invoice.save(update_fields=[*fields, "status", "updated_at"])
    if became_paid:
        invoice_event("invoice.paid", invoice.pk)


def _no_payment_reason(invoice: Invoice) -> str:
    return {
        Invoice.Status.DRAFT: gettext("it is a draft; issue it first"),
        Invoice.Status.PAID: gettext("it is already paid"),
        Invoice.Status.VOID: gettext("it is void"),
    }[invoice.status]


@transaction.atomic
def payment_record(
    *,
    invoice_id: int,
    amount: object,
    method: str,
    received_on: object,
    actor: User | None,
    reference: str = "",
    payer: str = "",
    excess_to_credit: bool = False,
) -> Payment:
    """Record money received for an issued invoice; returns the payment.

    A part payment reduces the balance; the invoice is paid when the balance reaches 0. More than
    the balance is refused unless ``excess_to_credit``: then the invoice is paid and the rest is
    the shop's credit. Publishes ``payment.received`` (and ``invoice.paid``) after commit.
    """
    from billing.services.invoices import _label, _locked_invoice

    require_manager(actor)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, object] = {}
    for name, clean in (
        ("amount", lambda: amount_clean(amount)),
        ("received_on", lambda: received_on_clean(received_on)),
        ("reference", lambda: _text(reference, field="reference", limit=REFERENCE_MAX_LENGTH)),
        ("payer", lambda: _text(payer, field="payer", limit=PAYER_MAX_LENGTH)),
    ):
        try:
            cleaned[name] = clean()
        except ValidationError as error:
            errors.update(error.message_dict)
    if method not in dict(RECEIVED_PAYMENT_METHODS):
        errors["method"] = [
            gettext("Choose how the money came: %(methods)s.")
            % {"methods": ", ".join(value for value, _ in RECEIVED_PAYMENT_METHODS)}
        ]
    if errors:
        raise ValidationError(errors)
    invoice = _locked_invoice(invoice_id)
    if invoice.status != Invoice.Status.ISSUED:
        raise StateConflict(
            gettext("Only an issued invoice can be paid; %(invoice)s: %(reason)s.")
            % {"invoice": _label(invoice), "reason": _no_payment_reason(invoice)}
        )
    received = cleaned["amount"]
    balance = invoice.balance
    if received > balance and not excess_to_credit:
        raise ValidationError(
            {
                "amount": [
                    gettext(
                        "%(amount)s is more than the balance of %(invoice)s (%(balance)s). Enter "
                        "at most the balance, or record the excess as the shop's credit."
                    )
                    % {
                        "amount": money_text(received),
                        "invoice": _label(invoice),
                        "balance": money_text(balance),
                    }
                ]
            }
        )
    applied = min(received, balance)
    payment = Payment.objects.create(
        invoice=invoice,
        shop_id=invoice.shop_id,
        amount=received,
        applied=applied,
        method=method,
        reference=cleaned["reference"],
        payer=cleaned["payer"],
        received_on=cleaned["received_on"],
        recorded_by=actor,
    )
    if received > applied:
        lock_shop_credit(invoice.shop_id)
        CreditEntry.objects.create(
            shop_id=invoice.shop_id,
            kind=CreditEntry.Kind.OVERPAYMENT,
            amount=received - applied,
            payment=payment,
        )
    _settle(invoice, applied=applied, paid=True, actor=actor, reason="payment received")
    payment_event(payment.pk)
    return payment


def credit_use(*, invoice: Invoice, actor: User | None) -> Payment | None:
    """Settle the locked, just-issued ``invoice`` from its shop's credit balance, as far as it
    goes; returns the payment (method ``credit``), or None when the shop has no credit. Called
    inside the issuing transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Credit is used inside the transaction that issues the invoice.")
    lock_shop_credit(invoice.shop_id)
    available = shop_credit_balance(shop_id=invoice.shop_id)
    used = min(available, invoice.balance)
    if used <= 0:
        return None
    payment = Payment.objects.create(
        invoice=invoice,
        shop_id=invoice.shop_id,
        amount=used,
        applied=used,
        method=Payment.Method.CREDIT,
        received_on=clock.today(),
        recorded_by=actor,
    )
    CreditEntry.objects.create(
        shop_id=invoice.shop_id, kind=CreditEntry.Kind.USED, amount=-used, payment=payment
    )
    _settle(invoice, applied=used, paid=True, actor=actor, reason="credit balance used")
    payment_event(payment.pk)
    return payment
