"""The statement of account (对账单) for managers and through the API; payment terms on the shop
form and API; the invoice page and PDF say what is due and how to pay."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from billing.documents import render_invoice_html
from tests.billing.pdf_text import pdf_text
from tests.billing.test_documents import requires_pdf
from tests.billing.test_statements import history
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIOD = "date_from=2026-11-01&date_to=2026-12-05"


@pytest.fixture
def paid_history(shop_a, manager, settings):
    settings.AGENCY_LEGAL = {
        **settings.AGENCY_LEGAL,
        "BANK_NAME": "招商银行杭州分行",
        "BANK_ACCOUNT": "5719 0000 0000 0000",
    }
    settings.AGENCY_PAYMENTS = {
        **settings.AGENCY_PAYMENTS,
        "ALIPAY_ACCOUNT": "",
        "WECHAT_PAY_ACCOUNT": "wx-yunkefu",
    }
    invoices = history(shop_a, manager)
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield invoices


def api_url(shop, suffix: str = "", query: str = PERIOD) -> str:
    return f"/api/v1/shops/{shop.pk}/statement/{suffix}" + (f"?{query}" if query else "")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- The API ------------------------------------------------------------------------------------


def test_the_api_gives_the_running_and_closing_balance(shop_a, manager, paid_history):
    body = _api(manager).get(api_url(shop_a)).json()
    assert body["opening_balance"] == "0.00"
    assert [(line["kind"], line["balance"]) for line in body["lines"]] == [
        ("invoice", "1000.00"),
        ("payment", "600.00"),
        ("credit_note", "500.00"),
        ("payment", "-200.00"),
        ("invoice", "300.00"),
    ]
    assert body["closing_balance"] == "300.00"
    assert body["in_credit"] is False
    assert body["lines"][0]["number"] == paid_history["october"].number
    assert body["lines"][0]["month"] == "2026-10-01"


def test_a_negative_balance_is_the_shops_credit_in_words(shop_a, manager, paid_history):
    body = _api(manager).get(api_url(shop_a, query="date_from=2026-11-01&date_to=2026-11-30"))
    body = body.json()
    assert body["closing_balance"] == "-200.00"
    assert body["in_credit"] is True
    assert "prepaid" in body["closing_balance_words"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("date_from=2026-12-05&date_to=2026-11-01", "date_from"),
        ("date_from=2026-11-01&date_to=2026-12-06", "date_to"),
        ("date_from=2023-01-01&date_to=2026-12-05", "date_to"),
        ("date_from=last-week", "date_from"),
    ],
)
def test_a_bad_period_is_a_400_naming_the_field(shop_a, manager, paid_history, query, field):
    response = _api(manager).get(api_url(shop_a, query=query))
    assert response.status_code == 400
    assert field in response.json()
    assert _api(manager).get(api_url(shop_a, "xlsx/", query=query)).status_code == 400


def test_owners_read_their_own_shops_statement_only_and_agents_none(
    shop_a, shop_b, owner_a, manager, paid_history
):
    assert _api(owner_a).get(api_url(shop_a)).status_code == 200
    assert _api(owner_a).get(api_url(shop_b)).status_code == 404
    assert _api(owner_a).get(api_url(shop_b, "xlsx/")).status_code == 404
    agent_user = UserFactory(username="agent-stmt")
    AgentFactory(user=agent_user)
    assert _api(agent_user).get(api_url(shop_a)).status_code == 403
    assert _api(agent_user).get(api_url(shop_a, "pdf/")).status_code == 403


def test_the_statement_costs_the_same_queries_for_a_long_history_or_none(
    shop_a, shop_b, manager, paid_history
):
    client = _api(manager)

    def queries(shop) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(api_url(shop)).status_code == 200
        return len(context.captured_queries)

    assert queries(shop_a) == queries(shop_b)


def test_the_workbook_has_real_numbers_and_dates_in_the_readers_language(
    shop_a, manager, paid_history
):
    response = _api(manager).get(api_url(shop_a, "xlsx/"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "statement-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "日期"
    assert "期初余额" in rows[1][5]
    debits = [row[6] for row in rows[2:-1] if row[6] is not None]
    assert debits == [1000, 500]
    assert all(isinstance(value, int | float | Decimal) for value in debits)
    assert rows[-1][8] == 300
    assert isinstance(rows[2][0], dt.datetime)
    assert rows[2][4] == dt.datetime(2026, 10, 1)  # the month, as a real date


@requires_pdf
@pytest.mark.parametrize("language, title", [("en", "Statement of account"), ("zh-hans", "对账单")])
def test_the_pdf_renders_in_both_languages(shop_a, manager, paid_history, language, title):
    response = _api(manager).get(api_url(shop_a, "pdf/"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace(" ", "")
    assert title.replace(" ", "") in text
    assert "300.00" in text and "-200.00" in text
    assert "wx-yunkefu" in text


# --- The manager's page -------------------------------------------------------------------------


def test_the_manager_page_shows_the_statement_and_links_its_files(shop_a, manager, paid_history):
    client = Client()
    client.force_login(manager)
    url = reverse("web:shop-statement", args=[shop_a.pk])
    html = client.get(f"{url}?{PERIOD}").content.decode()
    assert "Opening balance" in html and "Closing balance" in html
    assert "-200.00" in html and "300.00" in html
    assert reverse("web:shop-statement-pdf", args=[shop_a.pk]) in html
    assert reverse("web:shop-statement-xlsx", args=[shop_a.pk]) in html
    assert url in client.get(reverse("web:shop-detail", args=[shop_a.pk])).content.decode()
    refused = client.get(f"{url}?date_from=2026-12-01&date_to=2026-11-01").content.decode()
    assert "The start date must be on or before the end date." in refused


def test_the_manager_page_is_for_managers(shop_a, owner_a, paid_history):
    client = Client()
    client.force_login(owner_a)
    response = client.get(reverse("web:shop-statement", args=[shop_a.pk]))
    assert response.status_code == 302  # owners are sent to the portal


# --- Invoices: due date, paid, balance, how to pay -------------------------------------------


def test_the_invoice_pdf_says_what_is_due_and_how_to_pay(shop_a, paid_history):
    november = paid_history["november"]
    november.refresh_from_db()
    html = render_invoice_html(november, "en")
    assert "Due date" in html and "2026-12-17" in html  # issued 2 December, 15 days' terms
    assert "Amount paid" in html and "200.00" in html  # the shop's credit used
    assert "Balance due" in html and "300.00" in html
    assert "5719 0000 0000 0000" in html and "wx-yunkefu" in html
    assert "Alipay" not in html  # not configured: left out
    assert november.number in html.split("Reference to quote")[1][:200]
    chinese = render_invoice_html(november, "zh-hans")
    assert "到期日" in chinese and "付款方式" in chinese


def test_a_paid_invoice_pdf_asks_for_nothing(shop_a, paid_history):
    october = paid_history["october"]
    october.refresh_from_db()
    assert october.status == "paid"
    html = render_invoice_html(october, "en")
    assert "Balance due" in html and "settled" in html
    assert "How to pay" not in html


def test_the_manager_invoice_page_shows_the_settlement(manager, paid_history):
    client = Client()
    client.force_login(manager)
    html = client.get(reverse("web:invoice-detail", args=[paid_history["november"].pk]))
    html = html.content.decode()
    assert "Due date" in html and "2026-12-17" in html and "How to pay" in html


# --- Payment terms --------------------------------------------------------------------------------


def test_payment_terms_are_set_through_the_api_from_0_to_365_days(shop_a, manager):
    client = _api(manager)
    url = f"/api/v1/shops/{shop_a.pk}/"
    assert client.patch(url, {"payment_terms_days": 30}, format="json").status_code == 200
    shop_a.refresh_from_db()
    assert shop_a.payment_terms_days == 30
    refused = client.patch(url, {"payment_terms_days": 366}, format="json")
    assert refused.status_code == 400 and "payment_terms_days" in refused.json()
    assert client.patch(url, {"payment_terms_days": None}, format="json").status_code == 200
    shop_a.refresh_from_db()
    assert shop_a.payment_terms_days is None


def test_the_service_refuses_terms_beyond_a_year(shop_a, manager):
    from django.core.exceptions import ValidationError

    from shops.services import shop_update

    with pytest.raises(ValidationError) as refused:
        shop_update(shop=shop_a, actor=manager, data={"payment_terms_days": 400})
    assert "payment_terms_days" in refused.value.message_dict


def test_the_shop_form_and_page_show_the_terms_and_the_default(shop_a, manager):
    client = Client()
    client.force_login(manager)
    form = client.get(reverse("web:shop-edit", args=[shop_a.pk])).content.decode()
    assert "the agency&#x27;s default, 15 days" in form
    detail = client.get(reverse("web:shop-detail", args=[shop_a.pk])).content.decode()
    assert "15 days after issue" in detail and "(the agency's default)" in detail
    shop_a.payment_terms_days = 30
    shop_a.save(update_fields=["payment_terms_days"])
    detail = client.get(reverse("web:shop-detail", args=[shop_a.pk])).content.decode()
    assert "30 days after issue" in detail
