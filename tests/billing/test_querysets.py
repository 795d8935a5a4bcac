"""Which invoices count: live ones (not void) for revenue and billing; final ones (issued or
paid) never change."""

from decimal import Decimal

import pytest

from billing.models import Invoice, InvoiceLine
from tests.billing.factories import OCTOBER, monthly_contract
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoices():
    """One invoice of each status; the void one was replaced by the draft of the same shop."""
    shop, other, third = ShopFactory(), ShopFactory(), ShopFactory()
    made = {
        "void": Invoice.objects.create(shop=shop, month=OCTOBER, status="void"),
        "draft": Invoice.objects.create(shop=shop, month=OCTOBER, status="draft"),
        "issued": Invoice.objects.create(
            shop=other, month=OCTOBER, status="issued", number="2026-0001"
        ),
        "paid": Invoice.objects.create(
            shop=third, month=OCTOBER, status="paid", number="2026-0002"
        ),
    }
    contract = monthly_contract(shop)
    for position, invoice in enumerate(made.values()):
        InvoiceLine.objects.create(
            invoice=invoice,
            contract=contract,
            kind="base_fee",
            description=invoice.status,
            quantity=Decimal("1"),
            unit_price=Decimal("10.00"),
            amount=Decimal("10.00"),
            position=position,
        )
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
