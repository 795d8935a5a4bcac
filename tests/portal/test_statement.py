"""The owner's statement of account (对账单) in the portal, and the invoice page's due date,
balance and payment details. Another owner's shop answers 404 (tests/portal/test_access.py)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from billing.services import payment_record
from tests.billing.pdf_text import pdf_text
from tests.billing.test_documents import requires_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_in_part(served_a, manager, settings):
    settings.AGENCY_LEGAL = {
        **settings.AGENCY_LEGAL,
        "BANK_NAME": "招商银行杭州分行",
        "BANK_ACCOUNT": "5719 0000 0000 0000",
    }
    settings.AGENCY_PAYMENTS = {
        **settings.AGENCY_PAYMENTS,
        "ALIPAY_ACCOUNT": "pay@yunkefu.example.cn",
        "WECHAT_PAY_ACCOUNT": "",
    }
    payment_record(
        invoice_id=served_a.invoice.pk,
        amount="3000.00",
        method="bank_transfer",
        received_on="2026-11-10",
        reference="CMB-20261110-01",
        actor=manager,
    )
    served_a.invoice.refresh_from_db()
    return served_a


def statement_url(shop, suffix: str = "", **query) -> str:
    url = reverse(f"portal:shop-statement{suffix}", kwargs={"pk": shop.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_invoice_page_shows_due_date_paid_balance_and_how_to_pay(owner_a_client, paid_in_part):
    invoice = paid_in_part.invoice
    html = owner_a_client.get(reverse("portal:invoice", kwargs={"pk": invoice.pk})).content
    html = html.decode()
    assert "Due date" in html and "2026-11-17" in html  # issued 2 November, 15 days' terms
    assert "3,000.00" in html  # paid
    assert "4,096.78" in html  # 7,096.78 - 3,000.00
    assert "How to pay" in html
    assert "5719 0000 0000 0000" in html and "pay@yunkefu.example.cn" in html
    assert "WeChat Pay" not in html  # not configured: left out
    assert invoice.number in html.split("Reference to quote")[1][:200]
    assert "Overdue" not in html


def test_an_overdue_invoice_says_so(owner_a_client, paid_in_part):
    """Terms of 5 days: issued on 2 November, due on the 7th, unpaid on the 15th."""
    invoice = paid_in_part.invoice
    invoice.due_date = dt.date(2026, 11, 7)
    invoice.save(update_fields=["due_date"])
    html = owner_a_client.get(reverse("portal:invoice", kwargs={"pk": invoice.pk})).content
    assert "Overdue" in html.decode()


def test_the_statement_page_lists_the_invoice_and_the_payment_with_the_balance(
    owner_a_client, paid_in_part
):
    shop = paid_in_part.shop
    response = owner_a_client.get(statement_url(shop))  # this month so far: 1 to 15 November
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-11-01" in html and "2026-11-15" in html
    assert paid_in_part.invoice.number in html
    assert "CMB-20261110-01" in html
    assert "7,096.78" in html and "4,096.78" in html
    pdf_link = statement_url(shop, "-pdf", date_from="2026-11-01", date_to="2026-11-15")
    assert pdf_link.replace("&", "&amp;") in html
    assert "5719 0000 0000 0000" in html
    shop_page = owner_a_client.get(reverse("portal:shop", kwargs={"pk": shop.pk})).content
    assert statement_url(shop).encode() in shop_page


def test_a_period_in_the_future_shows_the_error_on_the_form(owner_a_client, paid_in_part):
    response = owner_a_client.get(
        statement_url(paid_in_part.shop, date_from="2026-11-01", date_to="2026-12-01")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot end in the future" in html
    assert "Opening balance" not in html


def test_a_malformed_date_is_a_form_error_not_a_500(owner_a_client, paid_in_part):
    response = owner_a_client.get(statement_url(paid_in_part.shop, date_from="yesterday"))
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


def test_the_workbook_has_real_numbers_and_dates(owner_a_client, paid_in_part):
    response = owner_a_client.get(
        statement_url(paid_in_part.shop, "-xlsx", date_from="2026-11-01", date_to="2026-11-15")
    )
    assert response.status_code == 200
    assert "statement-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Date"
    opening, invoice, payment, closing = rows[1:]
    assert invoice[6] == Decimal("7096.78") or invoice[6] == pytest.approx(7096.78)
    assert isinstance(invoice[6], (int, float, Decimal))
    assert isinstance(payment[7], (int, float, Decimal)) and payment[7] == pytest.approx(3000)
    assert closing[8] == pytest.approx(4096.78)
    assert invoice[0].date().isoformat() == "2026-11-02"


@requires_pdf
@pytest.mark.parametrize("language, words", [("en", "Statement of account"), ("zh-hans", "对账单")])
def test_the_pdf_speaks_the_readers_language(owner_a, paid_in_part, language, words):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(owner_a)
    response = client.get(statement_url(paid_in_part.shop, "-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert words.replace(" ", "") in text.replace(" ", "")
    assert "4,096.78" in text
