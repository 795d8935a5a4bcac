"""The manager app's fapiao requests: waiting ones first, recording the fapiao issued, the status
on the invoice page."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from billing.models import FapiaoRequest, Invoice

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def waiting(agency):
    invoice = agency.invoices[0]
    Invoice.objects.filter(pk=invoice.pk).update(
        status="issued",
        number="INV-FP-1",
        issued_at=dt.datetime(2026, 10, 3, tzinfo=SHANGHAI),
        due_date=dt.date(2026, 10, 18),
    )
    return FapiaoRequest.objects.create(
        invoice_id=invoice.pk, type="general", buyer_name="杭州小店", tax_id="91350100M000100Y43"
    )


def test_the_list_shows_waiting_requests_with_the_record_form(
    manager_client, waiting, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        content = manager_client.get(reverse("web:fapiao-list")).content.decode()
    assert "杭州小店" in content
    assert reverse("web:fapiao-issue", args=[waiting.pk]) in content
    assert "data-confirm" in content


def test_the_empty_list_says_so(manager_client, agency):
    assert b"No fapiao requests yet." in manager_client.get(reverse("web:fapiao-list")).content


def test_a_manager_records_the_fapiao_and_the_invoice_page_shows_it(manager_client, waiting):
    # Today is 2026-10-15 (tests/web/conftest.py).
    response = manager_client.post(
        reverse("web:fapiao-issue", args=[waiting.pk]),
        {"fapiao_number": "26332000000012345678", "fapiao_date": "2026-10-05"},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.fapiao_number) == ("issued", "26332000000012345678")
    page = manager_client.get(reverse("web:invoice-detail", args=[waiting.invoice_id]))
    assert "26332000000012345678" in page.content.decode()


def test_a_bad_number_is_refused_with_the_services_message(manager_client, waiting):
    # Today is 2026-10-15 (tests/web/conftest.py).
    response = manager_client.post(
        reverse("web:fapiao-issue", args=[waiting.pk]),
        {"fapiao_number": "123", "fapiao_date": "2026-10-05"},
        follow=True,
    )
    assert "20 digits" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "requested"
