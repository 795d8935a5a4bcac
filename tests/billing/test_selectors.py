"""Reads of the billing app the pages compose."""

import datetime as dt

import pytest

from billing.models import Invoice
from billing.selectors import shop_invoices
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

SEPTEMBER, OCTOBER, NOVEMBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def test_a_shops_invoices_are_newest_month_first_with_void_ones_last(
    owner_a, owner_b, manager, shop_a, django_assert_num_queries
):
    void = Invoice.objects.create(shop=shop_a, month=NOVEMBER, status="void")
    draft = Invoice.objects.create(shop=shop_a, month=NOVEMBER, status="draft")
    september = Invoice.objects.create(
        shop=shop_a, month=SEPTEMBER, status="issued", number="2026-0001"
    )
    october = Invoice.objects.create(shop=shop_a, month=OCTOBER, status="paid", number="2026-0002")
    Invoice.objects.create(shop=ShopFactory(owner=owner_a), month=OCTOBER, status="draft")
    with django_assert_num_queries(1):
        invoices = list(shop_invoices(shop=shop_a, user=owner_a))
    assert invoices == [draft, october, september, void]
    assert list(shop_invoices(shop=shop_a, user=manager)) == invoices
    assert list(shop_invoices(shop=shop_a, user=owner_b)) == []
