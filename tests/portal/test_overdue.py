"""Owners see their overdue invoices: a banner on the home and shop pages, a badge in the list."""

import datetime as dt

import pytest
from django.urls import reverse

from billing.models import Invoice

pytestmark = pytest.mark.django_db


def overdue(served, due=dt.date(2026, 11, 10)) -> Invoice:
    Invoice.objects.filter(pk=served.invoice.pk).update(due_date=due)
    served.invoice.refresh_from_db()
    return served.invoice


def test_the_home_page_names_the_owners_overdue_invoices(owner_a_client, served_a, served_b):
    mine = overdue(served_a)
    theirs = overdue(served_b)
    html = owner_a_client.get(reverse("portal:home")).content.decode()
    assert "1 invoice is overdue" in html
    assert mine.number in html and theirs.number not in html
    assert f"balance {mine.balance:,.2f} CNY, due on 2026-11-10" in html
    assert reverse("portal:invoice", args=[mine.pk]) in html


def test_the_shop_page_has_the_banner_and_the_badge(owner_a_client, served_a):
    invoice = overdue(served_a)
    html = owner_a_client.get(reverse("portal:shop", args=[served_a.shop.pk])).content.decode()
    assert 'id="overdue"' in html
    assert '<span class="badge badge-alert">overdue</span>' in html
    assert html.count("due on 2026-11-10") == 2  # the banner and the list
    assert invoice.number in html


def test_nothing_overdue_no_banner(owner_a_client, served_a):
    overdue(served_a, due=dt.date(2026, 11, 15))  # due today: not overdue yet
    for url in (reverse("portal:home"), reverse("portal:shop", args=[served_a.shop.pk])):
        html = owner_a_client.get(url).content.decode()
        assert 'id="overdue"' not in html and "badge-alert" not in html


def test_a_paid_invoice_is_not_overdue(owner_a_client, served_a):
    invoice = overdue(served_a)
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=invoice.total, status="paid")
    html = owner_a_client.get(reverse("portal:home")).content.decode()
    assert 'id="overdue"' not in html


def test_the_banner_in_chinese(zh_client, served_a):
    overdue(served_a)
    html = zh_client.get(reverse("portal:shop", args=[served_a.shop.pk])).content.decode()
    assert "1 张账单已逾期" in html and "已逾期" in html and "到期日" in html
