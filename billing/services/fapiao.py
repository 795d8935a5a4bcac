"""Fapiao requests (发票申请): the owner asks for a fapiao of an invoice, a manager records the
fapiao the agency issued. Only the record and its workflow: nothing here talks to the tax system.

* Request: by the shop's owner or a manager, for an issued or paid invoice only (409 for a
  draft or a void one), at most one live request per invoice (409 naming it). The buyer's
  unified social credit code is checked (``billing.credit_codes``); a special VAT fapiao (专票)
  also needs the buyer's address, phone, bank and account. Buyer name and tax id default to the
  shop's billing details.
* Issue: managers record the fapiao's number (20 digits for a fully digital fapiao, 数电票; 8 for
  the older ones) and date (not in the future, not before the invoice was issued). A recorded
  fapiao never changes (409): corrections are a red-letter fapiao (红字发票), a later workflow.
* Cancel: the owner while it is still requested, or a manager while it is not issued.

``red_letter_fapiao_needed`` is the hook for credit notes: once credit notes exist, a credit note
on an invoice for which this returns True flags that a red-letter fapiao is needed.
"""

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from agency import clock
from agency.access import is_manager, require_manager, scoped_to_shops
from agency.emails import email_send_later
from agency.errors import NotFound, NotPermitted, StateConflict
from agency.models import User
from agency.services import record_actor
from billing.credit_codes import credit_code_is_valid, credit_code_normalize
from billing.models import FapiaoRequest, Invoice
from seats.services.rollup import manager_emails

FAPIAO_NUMBER = re.compile(r"^(?:\d{20}|\d{8})$")
SPECIAL_FIELDS = ("address", "phone", "bank_name", "bank_account")
TEXT_FIELDS = ("buyer_name", "address", "phone", "bank_name", "bank_account", "email")
CANCEL_REASON_MAX_LENGTH = 500


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def fapiao_request_defaults(*, invoice: Invoice) -> dict[str, str]:
    """What a new request for ``invoice`` starts from: the shop's billing details."""
    shop = invoice.shop
    return {
        "buyer_name": shop.billing_name or shop.name,
        "tax_id": shop.tax_id or "",
        "address": shop.billing_address or "",
        "email": shop.billing_email or "",
    }


def _clean_request(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    cleaned = {name: _text(data.get(name)) for name in TEXT_FIELDS}
    kind = data.get("type")
    if kind not in FapiaoRequest.Type.values:
        errors["type"] = [gettext("Choose a general (普票) or a special VAT fapiao (专票).")]
    cleaned["type"] = kind if isinstance(kind, str) else ""
    if not cleaned["buyer_name"]:
        errors["buyer_name"] = [gettext("Enter the buyer's name, as on its business licence.")]
    tax_id = credit_code_normalize(data.get("tax_id"))
    if not tax_id:
        errors["tax_id"] = [gettext("Enter the buyer's unified social credit code.")]
    elif not credit_code_is_valid(tax_id):
        errors["tax_id"] = [
            gettext(
                "This is not a valid unified social credit code: 18 digits and capital letters "
                "(no I, O, Z, S, V), the last one a check character."
            )
        ]
    cleaned["tax_id"] = tax_id
    if kind == FapiaoRequest.Type.SPECIAL:
        for name in SPECIAL_FIELDS:
            if not cleaned[name]:
                errors[name] = [gettext("A special VAT fapiao (专票) needs this.")]
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = [gettext("Enter a valid email address.")]
    limits = {"buyer_name": 200, "address": 300, "phone": 40, "bank_name": 200, "bank_account": 40}
    for name, limit in limits.items():
        if len(cleaned[name]) > limit and name not in errors:
            errors[name] = [
                gettext("Keep this to %(limit)d characters.") % {"limit": limit},
            ]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _invoice_for(actor: User | None, invoice_id: int) -> Invoice:
    """The invoice, locked, if ``actor`` may see it (404 otherwise)."""
    invoices = scoped_to_shops(Invoice.objects.all(), actor, money=True)
    invoice = (
        invoices.select_for_update(of=("self",))
        .select_related("shop")
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:
        raise NotFound(gettext("No such invoice."))
    return invoice


def _label(invoice: Invoice) -> str:
    return invoice.number or f"{invoice.shop.name} {invoice.month:%Y-%m}"


@transaction.atomic
def fapiao_request_create(
    *, invoice_id: int, actor: User | None, data: dict[str, Any]
) -> FapiaoRequest:
    """The owner (or a manager) asks for a fapiao of an issued or paid invoice."""
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(gettext("Sign in to request a fapiao."))
    invoice = _invoice_for(actor, invoice_id)
    if invoice.status not in (Invoice.Status.ISSUED, Invoice.Status.PAID):
        raise StateConflict(
            gettext(
                "A fapiao is issued only for an issued or paid invoice; %(invoice)s is %(status)s."
            )
            % {"invoice": _label(invoice), "status": invoice.get_status_display()}
        )
    existing = invoice.fapiao_requests.live().first()
    if existing is not None:
        raise StateConflict(
            gettext(
                "Invoice %(invoice)s already has a fapiao request (#%(id)d, %(status)s); cancel it "
                "first to ask again."
            )
            % {
                "invoice": _label(invoice),
                "id": existing.pk,
                "status": existing.get_status_display(),
            },
            extra={"fapiao_request": existing.pk},
        )
    cleaned = _clean_request(data)
    request = FapiaoRequest(invoice=invoice, requested_by=actor, **cleaned)
    record_actor(request, actor, "requested")
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as error:  # a concurrent request won the race
        raise StateConflict(
            gettext("Invoice %(invoice)s already has a fapiao request.")
            % {"invoice": _label(invoice)}
        ) from error
    transaction.on_commit(lambda: fapiao_request_email_managers(request_id=request.pk))
    return request


def fapiao_request_email_managers(*, request_id: int) -> None:
    """Tell every manager with an email address, in their language, that a request arrived."""
    request = FapiaoRequest.objects.select_related("invoice__shop").filter(pk=request_id).first()
    if request is None:
        return
    for language, emails in sorted(manager_emails().items()):
        with translation.override(language):
            subject = gettext("Fapiao requested: %(shop)s, invoice %(invoice)s") % {
                "shop": request.invoice.shop.name,
                "invoice": _label(request.invoice),
            }
            message = gettext(
                "%(type)s for %(buyer)s (%(tax_id)s). Record the fapiao on the fapiao "
                "requests page once it is issued."
            ) % {
                "type": request.get_type_display(),
                "buyer": request.buyer_name,
                "tax_id": request.tax_id,
            }
        email_send_later(subject=subject, message=message, recipients=emails)


def _locked_request(actor: User | None, request_id: int) -> FapiaoRequest:
    requests = scoped_to_shops(
        FapiaoRequest.objects.all(), actor, shop_field="invoice__shop", money=True
    )
    request = (
        requests.select_for_update(of=("self",))
        .select_related("invoice__shop")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(gettext("No such fapiao request."))
    return request


def fapiao_number_clean(value: object) -> str:
    number = re.sub(r"\s+", "", value) if isinstance(value, str) else ""
    if not FAPIAO_NUMBER.match(number):
        raise ValidationError(
            {
                "fapiao_number": [
                    gettext(
                        "A fapiao number has 20 digits (fully digital fapiao, 数电票) or 8 "
                        "(older fapiao)."
                    )
                ]
            }
        )
    return number


@transaction.atomic
def fapiao_issue_record(
    *, request_id: int, actor: User | None, fapiao_number: object, fapiao_date: object
) -> FapiaoRequest:
    """A manager records the fapiao issued for a request: its number and date."""
    require_manager(actor)
    request = _locked_request(actor, request_id)
    if request.status == FapiaoRequest.Status.ISSUED:
        raise StateConflict(
            gettext(
                "Fapiao %(number)s is already recorded and cannot be changed; a correction is "
                "a red-letter fapiao (红字发票)."
            )
            % {"number": request.fapiao_number}
        )
    if request.status == FapiaoRequest.Status.CANCELLED:
        raise StateConflict(gettext("This fapiao request was cancelled."))
    errors: dict[str, list[str]] = {}
    number = ""
    try:
        number = fapiao_number_clean(fapiao_number)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not isinstance(fapiao_date, dt.date):
        errors["fapiao_date"] = [gettext("Enter the date on the fapiao.")]
    elif fapiao_date > clock.today():
        errors["fapiao_date"] = [gettext("The fapiao date cannot be in the future.")]
    else:
        issued_on = (
            request.invoice.issued_at and timezone.localtime(request.invoice.issued_at).date()
        )
        if issued_on and fapiao_date < issued_on:
            errors["fapiao_date"] = [
                gettext("The fapiao date cannot be before the invoice was issued (%(day)s).")
                % {"day": issued_on.isoformat()}
            ]
    if errors:
        raise ValidationError(errors)
    request.status = FapiaoRequest.Status.ISSUED
    request.fapiao_number = number
    request.fapiao_date = fapiao_date
    request.issued_by = actor
    request.issued_at = timezone.now()
    record_actor(request, actor, "issued")
    request.save()
    return request


@transaction.atomic
def fapiao_request_cancel(
    *, request_id: int, actor: User | None, reason: object = ""
) -> FapiaoRequest:
    """Cancel a request that is not issued yet: its owner while requested, or a manager."""
    request = _locked_request(actor, request_id)
    if request.status == FapiaoRequest.Status.ISSUED:
        raise StateConflict(
            gettext("The fapiao is already issued; a correction is a red-letter fapiao (红字发票).")
        )
    if request.status == FapiaoRequest.Status.CANCELLED:
        raise StateConflict(gettext("This fapiao request is already cancelled."))
    text = _text(reason)
    if len(text) > CANCEL_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    gettext("Keep this to %(limit)d characters.")
                    % {"limit": CANCEL_REASON_MAX_LENGTH}
                ]
            }
        )
    request.status = FapiaoRequest.Status.CANCELLED
    request.cancel_reason = text
    record_actor(request, actor, "cancelled by manager" if is_manager(actor) else "cancelled")
    request.save()
    return request


def red_letter_fapiao_needed(*, invoice_id: int) -> bool:
    """Whether a credit note on this invoice needs a red-letter fapiao (红字发票): a fapiao was
    issued for it. The hook credit notes call when they arrive; nothing calls it before."""
    return FapiaoRequest.objects.filter(
        invoice_id=invoice_id, status=FapiaoRequest.Status.ISSUED
    ).exists()
