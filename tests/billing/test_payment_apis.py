"""/api/v1/payments/: managers record payments (201, 400 per field, 404, 409), everyone within
their rights reads them; payment.received is published to webhooks."""

import json
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.models import Webhook, WebhookDelivery
from billing.services import invoice_void
from tests.billing.payment_world import PAY_DAY, draft_invoice, issued_invoice
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/"


@pytest.fixture(autouse=True)
def pay_day():
    with time_machine.travel(PAY_DAY, tick=False):
        yield


def _body(invoice, amount, **extra):
    return {
        "invoice": invoice.pk,
        "amount": amount,
        "method": "bank_transfer",
        "received_on": "2026-11-03",
        **extra,
    }


def test_a_manager_records_a_bank_transfer_in_two_parts_and_the_invoice_is_paid(
    manager_api, shop_a, manager
):
    invoice = issued_invoice(shop_a, manager)
    first = manager_api.post(URL, _body(invoice, "1200.00", reference="汇款1"), format="json")
    assert first.status_code == 201, first.content
    assert (first.json()["amount"], first.json()["applied"]) == ("1200.00", "1200.00")
    shown = manager_api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (shown["status"], shown["amount_paid"], shown["balance"]) == (
        "issued",
        "1200.00",
        "1800.00",
    )
    second = manager_api.post(URL, _body(invoice, "1800.00"), format="json")
    assert second.status_code == 201, second.content
    shown = manager_api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (shown["status"], shown["balance"], shown["overdue"]) == ("paid", "0.00", False)


def test_an_overpayment_answers_400_naming_the_balance(manager_api, shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    response = manager_api.post(URL, _body(invoice, "3000.50"), format="json")
    assert response.status_code == 400
    assert "3,000.00" in response.json()["amount"][0]


def test_an_overpayment_recorded_as_credit_is_accepted(manager_api, shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    response = manager_api.post(
        URL, _body(invoice, "3000.50", excess_to_credit=True), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["excess"] == "0.50"


@pytest.mark.parametrize(
    "field, value",
    [("amount", "12.345"), ("amount", "-1"), ("method", "credit"), ("received_on", "2026-11-04")],
)
def test_bad_fields_answer_400_on_the_field(manager_api, shop_a, manager, field, value):
    invoice = issued_invoice(shop_a, manager)
    response = manager_api.post(URL, {**_body(invoice, "10.00"), field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("state", ["draft", "void", "paid"])
def test_a_payment_of_an_invoice_not_issued_answers_409(manager_api, shop_a, manager, state):
    if state == "draft":
        invoice = draft_invoice(shop_a)
    else:
        invoice = issued_invoice(shop_a, manager)
        if state == "void":
            invoice_void(invoice_id=invoice.pk, actor=manager, reason="Wrong")
        else:
            manager_api.post(f"/api/v1/invoices/{invoice.pk}/pay/")
    response = manager_api.post(URL, _body(invoice, "10.00"), format="json")
    assert response.status_code == 409, response.content


def test_an_unknown_invoice_answers_404(manager_api):
    response = manager_api.post(URL, {"invoice": 999999, "amount": "1", "method": "cash"})
    assert response.status_code == 404


def test_owners_read_theirs_and_may_not_record(manager_api, owner_a_api, shop_a, shop_b, manager):
    mine = issued_invoice(shop_a, manager)
    theirs = issued_invoice(shop_b, manager)
    manager_api.post(URL, _body(mine, "10.00"), format="json")
    other = manager_api.post(URL, _body(theirs, "20.00"), format="json").json()
    rows = owner_a_api.get(URL).json()["results"]
    assert [row["shop"] for row in rows] == [shop_a.pk]
    assert owner_a_api.get(f"{URL}{other['id']}/").status_code == 404
    assert owner_a_api.post(URL, _body(mine, "10.00"), format="json").status_code == 403


def test_filters_and_newest_first(manager_api, shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    manager_api.post(URL, _body(invoice, "10.00", received_on="2026-11-01"), format="json")
    manager_api.post(URL, _body(invoice, "20.00", method="cash"), format="json")
    rows = manager_api.get(URL).json()["results"]
    assert [row["amount"] for row in rows] == ["20.00", "10.00"]
    assert manager_api.get(URL + "?method=cash").json()["count"] == 1
    assert manager_api.get(URL + "?received_to=2026-11-02").json()["count"] == 1
    assert manager_api.get(URL + f"?invoice={invoice.pk}").json()["count"] == 2
    assert manager_api.get(URL + f"?shop={shop_a.pk + 100}").json()["count"] == 0


def test_the_list_costs_the_same_queries_for_2_and_many_payments(manager_api, manager):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert manager_api.get(URL).status_code == 200
        return len(queries)

    for _ in range(2):
        invoice = issued_invoice(ShopFactory(), manager)
        manager_api.post(URL, _body(invoice, "10.00"), format="json")
    few = count()
    for _ in range(4):
        invoice = issued_invoice(ShopFactory(), manager)
        manager_api.post(URL, _body(invoice, "10.00"), format="json")
    assert count() == few


def test_the_old_pay_route_works_with_no_body_and_takes_method_and_date(
    manager_api, shop_a, shop_b, manager
):
    plain = issued_invoice(shop_a, manager)
    assert manager_api.post(f"/api/v1/invoices/{plain.pk}/pay/").json()["status"] == "paid"
    assert plain.payments.get().amount == Decimal("3000.00")
    detailed = issued_invoice(shop_b, manager)
    response = manager_api.post(
        f"/api/v1/invoices/{detailed.pk}/pay/",
        {"method": "wechat", "received_on": "2026-11-02", "reference": "WX1"},
        format="json",
    )
    assert response.status_code == 200, response.content
    payment = detailed.payments.get()
    assert (payment.method, str(payment.received_on), payment.reference) == (
        "wechat",
        "2026-11-02",
        "WX1",
    )
    bad = manager_api.post(
        f"/api/v1/invoices/{detailed.pk}/pay/", {"method": "credit"}, format="json"
    )
    assert bad.status_code == 400


def test_payment_received_is_published_to_webhooks(
    manager_api, shop_a, manager, owner_a, django_capture_on_commit_callbacks
):
    Webhook.objects.create(
        owner=owner_a,
        url="https://hooks.example.com/pay",
        events=["payment.received"],
        secret="s" * 64,
    )
    invoice = issued_invoice(shop_a, manager)
    with django_capture_on_commit_callbacks():
        manager_api.post(URL, _body(invoice, "100.00"), format="json")
    delivery = WebhookDelivery.objects.get(event="payment.received")
    payload = (
        delivery.payload if isinstance(delivery.payload, dict) else json.loads(delivery.payload)
    )
    assert (payload["amount"], payload["invoice_number"], payload["method"]) == (
        "100.00",
        invoice.number,
        "bank_transfer",
    )
