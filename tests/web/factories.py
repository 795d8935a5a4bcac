"""Factories the manager pages need beyond tests/factories.py."""

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tests.factories import ShopFactory


class InvoiceFactory(DjangoModelFactory):
    class Meta:
        model = "billing.Invoice"

    shop = factory.SubFactory(ShopFactory)
    month = dt.date(2026, 10, 1)
    status = "draft"
    total = Decimal("3000.00")


class InvoiceLineFactory(DjangoModelFactory):
    class Meta:
        model = "billing.InvoiceLine"

    invoice = factory.SubFactory(InvoiceFactory)
    kind = "base_fee"
    description = "Base fee"
    quantity = Decimal("1.0000")
    unit_price = Decimal("3000.00")
    amount = Decimal("3000.00")


class BillingRunFactory(DjangoModelFactory):
    class Meta:
        model = "billing.BillingRun"

    month = dt.date(2026, 9, 1)
    status = "queued"
