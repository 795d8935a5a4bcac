"""Webhook events of billing and turnover: the object as the API shows it, in English."""

from django.utils import translation

from agency import webhooks
from billing.models import BillingRun, CreditNote, Invoice, Payment
from shops.models import TurnoverReport


def invoice_event(event: str, invoice_id: int) -> None:
    """Publish ``event`` with the invoice as ``GET /api/v1/invoices/{id}/`` shows it."""
    from billing.apis import InvoiceSerializer

    invoice = Invoice.objects.select_related("shop").prefetch_related("lines").get(pk=invoice_id)
    with translation.override("en"):
        payload = dict(InvoiceSerializer(invoice).data)
    webhooks.publish(
        event, shop_id=invoice.shop_id, owner_id=invoice.shop.owner_id, payload=payload
    )


def billing_run_event(run: BillingRun) -> None:
    """Publish ``billing_run.done`` (managers' webhooks only: a run bills every shop)."""
    from billing.apis import BillingRunSerializer

    with translation.override("en"):
        payload = dict(BillingRunSerializer(run).data)
    webhooks.publish("billing_run.done", shop_id=None, payload=payload)


def turnover_confirmed_event(report: TurnoverReport) -> None:
    """Publish ``turnover.confirmed`` with the report as the API shows it."""
    from shops.apis.turnover import TurnoverReportSerializer

    with translation.override("en"):
        payload = dict(TurnoverReportSerializer(report).data)
    webhooks.publish(
        "turnover.confirmed",
        shop_id=report.shop_id,
        owner_id=report.shop.owner_id,
        payload=payload,
    )


def payment_event(payment_id: int) -> None:
    """Publish ``payment.received`` with the payment as ``GET /api/v1/payments/{id}/`` shows it."""
    from billing.payment_apis import PaymentSerializer

    payment = Payment.objects.select_related("shop", "invoice", "recorded_by").get(pk=payment_id)
    with translation.override("en"):
        payload = dict(PaymentSerializer(payment).data)
    webhooks.publish(
        "payment.received",
        shop_id=payment.shop_id,
        owner_id=payment.shop.owner_id,
        payload=payload,
    )


def credit_note_event(credit_note_id: int) -> None:
    """Publish ``credit_note.created`` with the note as ``GET /api/v1/credit-notes/{id}/`` shows
    it."""
    from billing.credit_note_apis import CreditNoteSerializer

    note = CreditNote.objects.select_related("shop", "invoice").get(pk=credit_note_id)
    with translation.override("en"):
        payload = dict(CreditNoteSerializer(note).data)
    webhooks.publish(
        "credit_note.created", shop_id=note.shop_id, owner_id=note.shop.owner_id, payload=payload
    )


def invoice_overdue_event(invoice_id: int) -> None:
    """Publish ``invoice.overdue`` (once per invoice, by the daily reminder job)."""
    invoice_event("invoice.overdue", invoice_id)
