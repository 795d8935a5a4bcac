"""Reads of the billing app: invoices within the caller's rights and billing runs.

Invoices hang off shops, so every list starts from ``agency.access.scoped_to_shops``: an owner
sees only the invoices of their shops, and any other id is simply absent (404). Lists prefetch
their lines, so a page costs the same few queries whatever its length.
"""

from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from agency.access import scoped_to_shops
from agency.models import User
from billing.models import BillingRun, Invoice, InvoiceLine

if TYPE_CHECKING:
    from shops.models import Shop


def invoice_list(*, user: User) -> QuerySet[Invoice]:
    """The invoices ``user`` may see, each with its lines (in invoice order) and its shop."""
    return (
        scoped_to_shops(Invoice.objects.all(), user)
        .select_related("shop")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "id"))
        )
    )


def shop_invoices(*, shop: "Shop", user: User) -> QuerySet[Invoice]:
    """A shop's invoices ``user`` may see, newest month first, void ones last (one query)."""
    return (
        scoped_to_shops(Invoice.objects.filter(shop=shop), user)
        .annotate(
            void_last=Case(
                When(status=Invoice.Status.VOID, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("void_last", "-month", "-id")
    )


def billing_run_list() -> QuerySet[BillingRun]:
    """Billing runs, newest first (managers only: the API checks the role first)."""
    return BillingRun.objects.select_related("requested_by")
