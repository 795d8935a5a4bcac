"""The manager app writes dates, months and moments by the one rule per language
(``agency/formats``): 2026-10-15 in both languages, September 2026 / 2026年9月."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import Invoice
from tests.factories import ShopFactory

EXPECTED = {"en": "September 2026", "zh-hans": "2026年9月"}


@pytest.fixture
def invoice(db):
    return Invoice.objects.create(
        shop=ShopFactory(name="Shop A"),
        month=dt.date(2026, 9, 1),
        total=Decimal("1234.50"),
        status=Invoice.Status.ISSUED,
        number="INV-2026-000001",
        # 17:05 on 2026-10-14 in Shanghai
        issued_at=dt.datetime(2026, 10, 14, 9, 5, tzinfo=dt.UTC),
    )


def _client(manager, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(manager)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_dashboard_and_invoice_pages_write_dates_by_the_rule(manager, invoice, language):
    client = _client(manager, language)
    dashboard = client.get("/").content.decode()
    assert f'<html lang="{language}">' in dashboard
    assert "2026-10-15" in dashboard  # today
    assert "Oct. 15" not in dashboard and "2026年10月15日" not in dashboard

    invoices = client.get("/billing/invoices/").content.decode()
    assert EXPECTED[language] in invoices
    assert "/api/v1/invoices/export/?month=2026-09&amp;format=xlsx" in invoices

    detail = client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert EXPECTED[language] in detail
    assert timezone.localtime(invoice.issued_at).strftime("%Y-%m-%d %H:%M") == "2026-10-14 17:05"
    assert "2026-10-14 17:05" in detail
    assert "1,234.50" in detail
