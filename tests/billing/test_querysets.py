"""Which invoices count: live ones (not void) for revenue and billing; final ones (issued or
paid) never change."""

import datetime as dt
from decimal import Decimal

import pytest

from billing.models import Invoice, InvoiceLine
from tests.billing.factories import OCTOBER, monthly_contract
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoices():
    """One invoice of each status; the void one was replaced by the draft of the same shop.
    Each written as a draft with its line, then given its status: an issued invoice's lines
    never change."""
    shop, other, third = ShopFactory(), ShopFactory(), ShopFactory()
    contract = monthly_contract(shop)
    made = {}
    for position, (status, owner, number) in enumerate(
        (
            ("void", shop, None),
            ("draft", shop, None),
            ("issued", other, "2026-0001"),
            ("paid", third, "2026-0002"),
        )
    ):
        invoice = Invoice.objects.create(shop=owner, month=OCTOBER)
        InvoiceLine.objects.create(
            invoice=invoice,
            contract=contract,
            kind="base_fee",
            description=status,
            quantity=Decimal("1"),
            unit_price=Decimal("10.00"),
            amount=Decimal("10.00"),
            position=position,
        )
        Invoice.objects.filter(pk=invoice.pk).update(
            status=status,
            number=number,
            due_date=dt.date(2026, 11, 15) if number else None,
        )
        invoice.refresh_from_db()
        made[status] = invoice
    return made


def test_live_invoices_are_drafts_issued_and_paid_never_void(invoices):
    live = set(Invoice.objects.live())
    assert live == {invoices["draft"], invoices["issued"], invoices["paid"]}


def test_final_invoices_are_the_issued_and_paid_ones(invoices):
    assert set(Invoice.objects.final()) == {invoices["issued"], invoices["paid"]}


def test_live_and_final_chain_after_a_filter(invoices):
    shop = invoices["draft"].shop
    assert list(Invoice.objects.filter(shop=shop).live()) == [invoices["draft"]]
    assert not Invoice.objects.filter(shop=shop).final().exists()


def test_the_lines_that_count_are_those_of_live_invoices(invoices):
    descriptions = set(InvoiceLine.objects.of_live_invoices().values_list("description", flat=True))
    assert descriptions == {"draft", "issued", "paid"}
