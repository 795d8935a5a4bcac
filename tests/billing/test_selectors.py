"""Reads of the billing app the pages compose."""

import datetime as dt
from decimal import Decimal

import pytest

from agency.choices import Plan
from billing.models import Invoice
from billing.selectors import (
    drafts_awaiting_turnover,
    month_revenue,
    revenue_by_month,
    revenue_by_plan,
    shop_invoices,
)
from tests.factories import ContractFactory, ShopFactory
from tests.web.factories import InvoiceFactory, InvoiceLineFactory

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


# --- Revenue: the live invoices of a month, added once -----------------------------------------


def test_revenue_by_month_adds_the_live_invoices_of_each_month_and_zero_fills(
    shop_a, django_assert_num_queries
):
    other = ShopFactory()
    InvoiceFactory(shop=shop_a, month=SEPTEMBER, status="paid", total=Decimal("100.10"))
    InvoiceFactory(shop=other, month=SEPTEMBER, status="draft", total=Decimal("0.20"))
    # November's invoices with their lines, written as drafts and then given their status:
    # the lines of an issued or void invoice never change.
    issued = InvoiceFactory(shop=shop_a, month=NOVEMBER, status="draft", total=Decimal("50.00"))
    void = InvoiceFactory(shop=other, month=NOVEMBER, status="draft", total=Decimal("999.00"))
    InvoiceLineFactory(
        invoice=issued,
        contract=ContractFactory(shop=shop_a, plan=Plan.SHIFT, shift="day"),
        amount=Decimal("50.00"),
    )
    InvoiceLineFactory(
        invoice=void,
        contract=ContractFactory(shop=other, plan=Plan.FULL_DAY),
        amount=Decimal("999.00"),
    )
    Invoice.objects.filter(pk=issued.pk).update(status="issued", due_date=dt.date(2026, 12, 15))
    Invoice.objects.filter(pk=void.pk).update(status="void")
    with django_assert_num_queries(1):
        revenue = revenue_by_month(first=dt.date(2026, 8, 31), last=dt.date(2026, 11, 30))
    assert revenue == {
        dt.date(2026, 8, 1): Decimal("0.00"),
        SEPTEMBER: Decimal("100.30"),
        OCTOBER: Decimal("0.00"),
        NOVEMBER: Decimal("50.00"),
    }
    assert list(revenue) == sorted(revenue)
    with django_assert_num_queries(1):
        assert month_revenue(month=dt.date(2026, 11, 17)) == Decimal("50.00")
    assert month_revenue(month=OCTOBER) == Decimal("0.00")

    with django_assert_num_queries(1):
        by_plan = {entry.plan: entry.amount for entry in revenue_by_plan(month=NOVEMBER)}
    assert by_plan[Plan.SHIFT] == Decimal("50.00") == month_revenue(month=NOVEMBER)
    assert by_plan[Plan.FULL_DAY] == Decimal("0.00")  # only the void invoice has a full-day line
    assert list(by_plan) == list(Plan.values)


def test_revenue_is_added_up_to_the_cent_by_the_database_whatever_its_arithmetic():
    """Amounts a binary float cannot hold (0.10, 0.20, ...) and large ones beside small ones:
    the database adds whole cents, so the month's revenue is exact on SQLite too."""
    amounts = ["0.10", "0.20", "0.70", "12345678.91", "0.01", "9999999.99", "33.33"] * 7
    for amount in amounts:
        InvoiceFactory(shop=ShopFactory(), month=OCTOBER, total=Decimal(amount))
    expected = sum((Decimal(amount) for amount in amounts), Decimal("0.00"))
    assert month_revenue(month=OCTOBER) == expected == Decimal("156419992.68")
    assert str(month_revenue(month=OCTOBER)) == "156419992.68"


def test_drafts_awaiting_turnover_counts_ended_months_and_lists_the_latest(
    shop_a, django_assert_num_queries
):
    older = InvoiceFactory(shop=shop_a, month=SEPTEMBER, awaiting_turnover=True)
    newer = InvoiceFactory(shop=shop_a, month=OCTOBER, awaiting_turnover=True)
    InvoiceFactory(shop=shop_a, month=NOVEMBER, awaiting_turnover=False)
    InvoiceFactory(shop=ShopFactory(), month=NOVEMBER, status="issued", number="2026-0009")
    # The preview of the month in progress awaits turnover by nature: nothing to chase yet.
    InvoiceFactory(shop=ShopFactory(), month=NOVEMBER, awaiting_turnover=True)
    with django_assert_num_queries(2):
        count, latest = drafts_awaiting_turnover(limit=1, before=NOVEMBER)
    assert (count, latest) == (2, [newer])
    assert drafts_awaiting_turnover(limit=5, before=NOVEMBER)[1] == [newer, older]
