"""The credit-note API: managers credit, owners read their shops' notes, agents 403; 400 per
field, 404 for an invoice out of sight, 409 for drafts and void invoices; filters, constant
queries; the PDF in both languages."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from billing.documents import pdf_rendering_unavailable
from billing.models import CreditNote, Invoice
from billing.services import credit_note_create
from tests.billing.pdf_text import pdf_text
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/credit-notes/"
requires_pdf = pytest.mark.skipif(
    pdf_rendering_unavailable() is not None,
    reason=f"PDF rendering unavailable here: {pdf_rendering_unavailable()}",
)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


_numbers = iter(range(1, 10_000))


def _invoice(shop, *, status="issued", total="3000.00"):
    total = Decimal(total)
    return Invoice.objects.create(
        shop=shop,
        month=dt.date(2026, 10, 1),
        status=status,
        number=None if status == "draft" else f"INV-2026-{next(_numbers):06d}",
        total=total,
        amount_paid=total if status == "paid" else Decimal("0.00"),
        issued_at=None if status == "draft" else dt.datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI),
        paid_at=dt.datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI) if status == "paid" else None,
    )


def _note(invoice, manager, amount="100.00"):
    return credit_note_create(
        invoice_id=invoice.pk, amount=amount, reason="Two days not served", actor=manager
    )


def test_a_manager_credits_an_invoice(manager_api, shop_a):
    invoice = _invoice(shop_a, status="paid")
    response = manager_api.post(
        URL, {"invoice": invoice.pk, "amount": "500.00", "reason": "Service down"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "CN-2026-000001"
    assert body["invoice_number"] == invoice.number
    assert (body["amount"], body["applied"], body["excess"]) == ("500.00", "0.00", "500.00")
    assert body["shop"] == shop_a.pk and body["red_letter_fapiao_needed"] is False


def test_more_than_left_to_credit_is_a_400_naming_what_is_left(manager_api, shop_a, manager):
    invoice = _invoice(shop_a)
    _note(invoice, manager, "2500.00")
    response = manager_api.post(
        URL, {"invoice": invoice.pk, "amount": "600.00", "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "500.00" in response.json()["amount"][0]


def test_missing_and_bad_fields_are_400_per_field(manager_api, shop_a):
    invoice = _invoice(shop_a)
    response = manager_api.post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"invoice", "amount", "reason"}
    response = manager_api.post(
        URL, {"invoice": invoice.pk, "amount": "1.234", "reason": " "}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"amount", "reason"}
    assert not CreditNote.objects.exists()


@pytest.mark.parametrize("status", ["draft", "void"])
def test_drafts_and_void_invoices_are_a_409(manager_api, shop_a, status):
    invoice = _invoice(shop_a, status="draft")
    Invoice.objects.filter(pk=invoice.pk).update(status=status)
    response = manager_api.post(
        URL, {"invoice": invoice.pk, "amount": "10.00", "reason": "x"}, format="json"
    )
    assert response.status_code == 409


def test_an_unknown_invoice_is_a_404(manager_api):
    response = manager_api.post(
        URL, {"invoice": 987654, "amount": "10.00", "reason": "x"}, format="json"
    )
    assert response.status_code == 404


def test_owners_may_not_credit_and_agents_see_nothing(owner_a_api, shop_a, manager, db):
    from tests.conftest import _client_for
    from tests.factories import AgentFactory

    invoice = _invoice(shop_a)
    response = owner_a_api.post(
        URL, {"invoice": invoice.pk, "amount": "10.00", "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    agent_user = UserFactory()
    AgentFactory(user=agent_user)
    agent_api = _client_for(agent_user)
    assert agent_api.get(URL).status_code == 403


def test_owners_read_only_their_shops_notes(owner_a_api, shop_a, shop_b, manager):
    mine = _note(_invoice(shop_a), manager)
    theirs = _note(_invoice(shop_b), manager)
    body = owner_a_api.get(URL).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert owner_a_api.get(f"{URL}{mine.pk}/").status_code == 200
    assert owner_a_api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert owner_a_api.get(f"{URL}{theirs.pk}/pdf/").status_code == 404


def test_filters_by_invoice_shop_and_issue_dates(manager_api, shop_a, shop_b, manager):
    first = _note(_invoice(shop_a), manager)
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI), tick=False):
        later_invoice = _invoice(shop_b)
        later = _note(later_invoice, manager)

    def ids(query):
        response = manager_api.get(URL + query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [later.pk, first.pk]
    assert ids(f"?shop={shop_a.pk}") == [first.pk]
    assert ids(f"?invoice={later_invoice.pk}") == [later.pk]
    assert ids("?issued_from=2026-11-11") == [later.pk]
    assert ids("?issued_to=2026-11-10") == [first.pk]
    assert ids("?issued_from=2026-11-10&issued_to=2026-11-20") == [later.pk, first.pk]
    assert manager_api.get(URL + "?issued_from=11/10").status_code == 400


def test_the_list_costs_the_same_queries_for_2_or_20_notes(
    manager_api, manager, django_assert_max_num_queries
):
    def create(count):
        for _ in range(count):
            _note(_invoice(ShopFactory(owner=UserFactory())), manager)

    create(2)
    with django_assert_max_num_queries(6) as few:
        assert manager_api.get(URL).status_code == 200
    create(18)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(manager_api.get(URL).json()["results"]) == 20


@requires_pdf
@pytest.mark.parametrize(
    "lang, words",
    [
        ("", ["红冲单", "两天未服务"]),
        ("?lang=zh-hans", ["红冲单", "红字发票"]),
        ("?lang=en", ["Credit", "note", "red-letter"]),
    ],
)
def test_the_pdf_prints_the_note_in_either_language(owner_a_api, shop_a, manager, lang, words):
    from billing.models import FapiaoRequest

    invoice = _invoice(shop_a, status="paid")
    FapiaoRequest.objects.create(
        invoice=invoice,
        type="general",
        status="issued",
        buyer_name="杭州小店有限公司",
        tax_id="91350100M000100Y43",
        fapiao_number="12345678",
        fapiao_date=dt.date(2026, 11, 4),
    )
    note = credit_note_create(
        invoice_id=invoice.pk, amount="1200.00", reason="两天未服务", actor=manager
    )
    response = owner_a_api.get(f"{URL}{note.pk}/pdf/{lang}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{note.number}.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for word in [note.number, invoice.number, "1,200.00", *words]:
        assert word in text, (word, text)


def test_an_unknown_pdf_language_is_a_400(owner_a_api, shop_a, manager):
    note = _note(_invoice(shop_a), manager)
    response = owner_a_api.get(f"{URL}{note.pk}/pdf/?lang=fr")
    assert response.status_code == 400
    assert "lang" in response.json()
