"""Reads of the billing app: invoices within the caller's rights and billing runs.

Invoices hang off shops, so every list starts from ``agency.access.scoped_to_shops``: an owner
sees only the invoices of their shops, and any other id is simply absent (404). Lists prefetch
their lines, so a page costs the same few queries whatever its length.
"""

from django.db.models import Prefetch, QuerySet

from agency.access import scoped_to_shops
from agency.models import User
from billing.models import BillingRun, Invoice, InvoiceLine


def invoice_list(*, user: User) -> QuerySet[Invoice]:
    """The invoices ``user`` may see, each with its lines (in invoice order) and its shop."""
    return (
        scoped_to_shops(Invoice.objects.all(), user)
        .select_related("shop")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "id"))
        )
    )


def billing_run_list() -> QuerySet[BillingRun]:
    """Billing runs, newest first (managers only: the API checks the role first)."""
    return BillingRun.objects.select_related("requested_by")
