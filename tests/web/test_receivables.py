"""The manager's receivables page, the dashboard's overdue card and the invoice's reminders."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import PaymentReminder
from tests.factories import ShopFactory
from tests.web.conftest import SHANGHAI, TODAY, count_queries
from tests.web.factories import InvoiceFactory

pytestmark = pytest.mark.django_db
PAGE = "/reports/receivables/"


def issued(shop, *, total="1000.00", days_overdue=0, month=dt.date(2026, 8, 1), number=None):
    due = TODAY - dt.timedelta(days=days_overdue)
    return InvoiceFactory(
        shop=shop,
        month=month,
        status="issued",
        number=number or f"INV-2026-{shop.pk:03d}{month.month:03d}",
        total=Decimal(total),
        issued_at=dt.datetime(2026, 7, 1, 10, tzinfo=SHANGHAI),
        due_date=due,
    )


def test_the_page_shows_each_shop_by_age_with_links_and_totals(manager_client, shop_a, shop_b):
    issued(shop_a, total="1200.00", days_overdue=45)
    issued(shop_b, total="300.00", days_overdue=0)
    response = manager_client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    rows = response.context["rows"]
    assert [row.shop_name for row in rows] == ["Shop A", "Shop B"]
    assert reverse("web:shop-detail", args=[shop_a.pk]) in html
    assert 'class="num amount-overdue">1,200.00' in html
    assert response.context["report"].totals.total == Decimal("1500.00")
    assert "/api/v1/reports/receivables/export/?as_of=2026-10-15" in html


def test_as_of_reads_the_past(manager_client, shop_a):
    issued(shop_a, days_overdue=10)
    response = manager_client.get(PAGE, {"as_of": "2026-10-01"})
    [row] = response.context["rows"]
    assert row.amounts["current"] == Decimal("1000.00")  # not due yet on the 1st


@pytest.mark.parametrize("value", ["2026-10-16", "not a date"])
def test_a_future_or_malformed_date_is_a_form_error(manager_client, value):
    response = manager_client.get(PAGE, {"as_of": value})
    assert response.status_code == 400
    assert response.context["form"].errors["as_of"]
    assert response.context["as_of"] == TODAY


def test_the_empty_state(manager_client):
    html = manager_client.get(PAGE).content.decode()
    assert "Nothing was outstanding on" in html


def test_the_page_is_linked_from_the_reports_page_and_under_its_navigation_entry(manager_client):
    assert f'href="{PAGE}"' in manager_client.get("/reports/").content.decode()
    html = manager_client.get(PAGE).content.decode()
    assert '<a href="/reports/" aria-current="page">Reports</a>' in html


def test_owners_and_anonymous_callers_do_not_see_the_page(owner_client, anonymous_client):
    assert owner_client.get(PAGE).status_code in (302, 403)
    assert anonymous_client.get(PAGE).status_code == 302


def test_the_page_costs_the_same_queries_for_2_or_30_shops(manager_client, shop_a, shop_b):
    issued(shop_a, days_overdue=3)
    issued(shop_b, days_overdue=40)
    small = count_queries(manager_client, PAGE)
    for index in range(28):
        issued(ShopFactory(name=f"Shop {index:02d}"), days_overdue=index * 5)
    assert count_queries(manager_client, PAGE) == small


def test_the_dashboard_card_counts_the_overdue_invoices(manager_client, shop_a, shop_b):
    old = issued(shop_a, total="800.00", days_overdue=40, number="INV-2026-000009")
    issued(shop_b, total="200.00", days_overdue=2)
    issued(shop_b, total="999.00", days_overdue=0, month=dt.date(2026, 9, 1))  # due today
    response = manager_client.get("/")
    overdue = response.context["overdue"]
    assert (overdue.count, overdue.amount) == (2, Decimal("1000.00"))
    html = response.content.decode()
    assert "2 invoices past their due date" in html
    assert "INV-2026-000009" in html and "40 days overdue" in html
    assert reverse("web:invoice-detail", args=[old.pk]) in html
    assert f'href="{PAGE}"' in html


def test_the_invoice_page_lists_the_reminders_sent(manager_client, shop_a):
    invoice = issued(shop_a, days_overdue=8)
    PaymentReminder.objects.create(
        invoice=invoice,
        kind="before_due",
        days=-3,
        sent_on=TODAY - dt.timedelta(days=11),
        recipient="a@example.com",
    )
    PaymentReminder.objects.create(
        invoice=invoice,
        kind="overdue",
        days=7,
        sent_on=TODAY - dt.timedelta(days=1),
        recipient="a@example.com",
    )
    html = manager_client.get(reverse("web:invoice-detail", args=[invoice.pk])).content.decode()
    assert "Payment reminders" in html
    assert "3 days before the due date" in html and "7 days overdue" in html
    assert "a@example.com" in html


def test_an_issued_invoice_without_reminders_says_so(manager_client, shop_a):
    invoice = issued(shop_a, days_overdue=-10)
    html = manager_client.get(reverse("web:invoice-detail", args=[invoice.pk])).content.decode()
    assert "No reminder sent yet." in html


def test_the_page_in_chinese(manager_client, shop_a):
    issued(shop_a, days_overdue=95)
    manager_client.cookies["django_language"] = "zh-hans"
    html = manager_client.get(PAGE).content.decode()
    assert "应收账款账龄" in html and "逾期 90 天以上" in html and "未到期" in html
