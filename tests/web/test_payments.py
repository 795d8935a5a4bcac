"""The manager app's payments: record a payment on the invoice page (in two parts, the invoice
is paid), the list of payments, and a bank statement uploaded then confirmed line by line."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import BankStatement, Invoice, Payment
from billing.services import payment_record

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def issued(agency):
    invoice = agency.invoices[0]
    Invoice.objects.filter(pk=invoice.pk).update(
        status="issued",
        number="INV-2026-000101",
        total=Decimal("3000.00"),
        issued_at=dt.datetime(2026, 10, 3, tzinfo=SHANGHAI),
        due_date=dt.date(2026, 10, 18),
    )
    invoice.refresh_from_db()
    return invoice


def _pay(client, invoice, amount, **extra):
    return client.post(
        reverse("web:invoice-payment", args=[invoice.pk]),
        {
            "amount": amount,
            "method": "bank_transfer",
            "received_on": "2026-10-14",
            "reference": "",
            "payer": "",
            **extra,
        },
    )


def test_a_manager_records_a_bank_transfer_in_two_parts_and_the_invoice_is_paid(
    manager_client, issued
):
    page = manager_client.get(reverse("web:invoice-detail", args=[issued.pk])).content.decode()
    assert 'name="amount"' in page and 'value="3000.00"' in page  # prefilled with the balance
    assert 'value="2026-10-15"' in page  # received today
    assert _pay(manager_client, issued, "1000.00").status_code == 302
    issued.refresh_from_db()
    assert (issued.status, issued.balance) == ("issued", Decimal("2000.00"))
    assert _pay(manager_client, issued, "2000.00").status_code == 302
    issued.refresh_from_db()
    assert issued.status == "paid"
    page = manager_client.get(reverse("web:invoice-detail", args=[issued.pk])).content.decode()
    assert "1,000.00" in page and "2,000.00" in page
    assert 'name="excess_to_credit"' not in page  # nothing left to pay


def test_an_overpayment_shows_on_the_form_and_the_excess_may_go_to_credit(manager_client, issued):
    refused = _pay(manager_client, issued, "3500.00")
    assert refused.status_code == 400
    assert "3,000.00" in refused.content.decode()
    assert not Payment.objects.exists()
    assert _pay(manager_client, issued, "3500.00", excess_to_credit="on").status_code == 302
    shop_page = manager_client.get(reverse("web:shop-detail", args=[issued.shop_id]))
    assert "500.00" in shop_page.content.decode()


def test_a_date_in_the_future_is_refused_on_the_form(manager_client, issued):
    response = _pay(manager_client, issued, "10.00", received_on="2026-10-16")
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_the_list_filters_and_pages(manager_client, issued, manager):
    for day in (1, 2, 3):
        payment_record(
            invoice_id=issued.pk,
            amount="10.00",
            method="cash" if day == 3 else "bank_transfer",
            received_on=dt.date(2026, 10, day),
            actor=manager,
        )
    page = manager_client.get(reverse("web:payment-list")).content.decode()
    assert page.count("INV-2026-000101") == 3
    cash = manager_client.get(reverse("web:payment-list") + "?method=cash").content.decode()
    assert cash.count("INV-2026-000101") == 1
    bad = manager_client.get(reverse("web:payment-list") + "?received_from=2026-13-40")
    assert bad.status_code == 200


def test_the_empty_list_says_so(manager_client, agency):
    page = manager_client.get(reverse("web:payment-list")).content.decode()
    assert "No payments yet" in page


def test_a_statement_is_uploaded_reviewed_and_confirmed(manager_client, issued):
    body = f"交易日期,对方户名,贷方金额,摘要\n2026-10-14,某公司,3000.00,{issued.number}\n"
    upload = SimpleUploadedFile("流水.csv", body.encode("gbk"), content_type="text/csv")
    response = manager_client.post(reverse("web:bank-import"), {"file": upload})
    statement = BankStatement.objects.get()
    assert response["Location"] == reverse("web:bank-statement", args=[statement.pk])
    review = manager_client.get(response["Location"]).content.decode()
    assert issued.number in review and 'name="action" value="confirm"' in review
    manager_client.post(response["Location"], {"line": "1", "action": "confirm"})
    issued.refresh_from_db()
    assert issued.status == "paid"
    again = manager_client.post(
        response["Location"], {"line": "1", "action": "confirm"}, follow=True
    )
    assert Payment.objects.count() == 1
    assert "already confirmed" in again.content.decode()


def test_row_errors_are_listed_and_nothing_is_stored(manager_client, agency):
    upload = SimpleUploadedFile("bad.csv", "日期,付款方,金额\nx,y,z\n".encode("gbk"))
    response = manager_client.post(reverse("web:bank-import"), {"file": upload})
    assert response.status_code == 400
    assert "received_on" in response.content.decode()
    assert not BankStatement.objects.exists()
