"""Fapiao requests: only for issued or paid invoices, one live request per invoice, a checked
unified social credit code, the 专票 fields, a recorded fapiao that never changes, and owners
reaching only their shops' requests."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from agency.errors import NotFound, NotPermitted, StateConflict
from billing.credit_codes import credit_code_is_valid, credit_code_normalize
from billing.models import FapiaoRequest, Invoice
from billing.services import (
    fapiao_issue_record,
    fapiao_request_cancel,
    fapiao_request_create,
    red_letter_fapiao_needed,
)
from tests.factories import AgentFactory, ManagerFactory, ShopFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
VALID = "91350100M000100Y43"
GENERAL = {"type": "general", "buyer_name": "杭州小店有限公司", "tax_id": VALID}
SPECIAL = {
    **GENERAL,
    "type": "special",
    "address": "杭州市西湖区文三路 1 号",
    "phone": "0571-88888888",
    "bank_name": "招商银行杭州分行",
    "bank_account": "571900000000001",
}


# --- The unified social credit code (pure) -------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91440300708461136T", "914403001922038216", "91110108551385082Q"],
)
def test_real_unified_social_credit_codes_are_valid(code):
    assert credit_code_is_valid(code)


@pytest.mark.parametrize(
    "code, why",
    [
        ("91350100M000100Y44", "wrong check character"),
        ("91350100M000100Y4", "17 characters"),
        ("91350100M000100Y433", "19 characters"),
        ("91350100I000100Y43", "I is not in the charset"),
        ("91350100O000100Y43", "O is not in the charset"),
        ("91350100S000100Y43", "S is not in the charset"),
        ("91350100m000100Y43", "lower case before normalising"),
        ("911100001000127898", "check character should be U"),
        ("", "empty"),
    ],
)
def test_invalid_unified_social_credit_codes_are_refused(code, why):
    assert not credit_code_is_valid(code), why


def test_credit_codes_are_normalised_before_the_check():
    assert credit_code_normalize(" 91350100m000 100y43 ") == VALID
    assert credit_code_normalize(None) == ""


# --- Rules ---------------------------------------------------------------------------------------


@pytest.fixture
def after_issue():
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def _invoice(*, status="issued", owner=None, number="INV-2026-0001"):
    shop = ShopFactory(owner=owner or UserFactory())
    return Invoice.objects.create(
        shop=shop,
        month=dt.date(2026, 10, 1),
        status=status,
        number=None if status == "draft" else number,
        total=Decimal("3000.00"),
        issued_at=None if status == "draft" else dt.datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI),
    )


@pytest.mark.django_db
def test_an_owner_requests_a_fapiao_for_an_issued_invoice(after_issue):
    invoice = _invoice()
    request = fapiao_request_create(
        invoice_id=invoice.pk, actor=invoice.shop.owner, data=dict(GENERAL)
    )
    assert request.status == "requested"
    assert request.requested_by == invoice.shop.owner
    assert request.history.count() == 1


@pytest.mark.django_db
def test_a_paid_invoice_may_have_a_fapiao_too(after_issue):
    invoice = _invoice(status="paid")
    assert fapiao_request_create(invoice_id=invoice.pk, actor=ManagerFactory(), data=GENERAL)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "void"])
def test_draft_and_void_invoices_get_no_fapiao(after_issue, status):
    invoice = _invoice(status="draft")
    if status == "void":
        Invoice.objects.filter(pk=invoice.pk).update(status="void")
    with pytest.raises(StateConflict):
        fapiao_request_create(invoice_id=invoice.pk, actor=invoice.shop.owner, data=GENERAL)


@pytest.mark.django_db
def test_one_live_request_per_invoice_and_the_conflict_names_it(after_issue):
    invoice = _invoice()
    owner = invoice.shop.owner
    first = fapiao_request_create(invoice_id=invoice.pk, actor=owner, data=GENERAL)
    with pytest.raises(StateConflict) as refused:
        fapiao_request_create(invoice_id=invoice.pk, actor=owner, data=GENERAL)
    assert f"#{first.pk}" in refused.value.message
    assert refused.value.extra == {"fapiao_request": first.pk}
    fapiao_request_cancel(request_id=first.pk, actor=owner)
    assert fapiao_request_create(invoice_id=invoice.pk, actor=owner, data=GENERAL)


@pytest.mark.django_db
def test_a_bad_credit_code_is_refused_on_its_field(after_issue):
    invoice = _invoice()
    with pytest.raises(ValidationError) as refused:
        fapiao_request_create(
            invoice_id=invoice.pk,
            actor=invoice.shop.owner,
            data={**GENERAL, "tax_id": "91350100M000100Y44"},
        )
    assert set(refused.value.message_dict) == {"tax_id"}


@pytest.mark.django_db
def test_a_special_fapiao_needs_address_phone_bank_and_account(after_issue):
    invoice = _invoice()
    with pytest.raises(ValidationError) as refused:
        fapiao_request_create(
            invoice_id=invoice.pk, actor=invoice.shop.owner, data={**GENERAL, "type": "special"}
        )
    assert set(refused.value.message_dict) == {"address", "phone", "bank_name", "bank_account"}
    assert fapiao_request_create(invoice_id=invoice.pk, actor=invoice.shop.owner, data=SPECIAL)


@pytest.mark.django_db
def test_an_unknown_type_is_refused_on_its_field(after_issue):
    invoice = _invoice()
    with pytest.raises(ValidationError) as refused:
        fapiao_request_create(
            invoice_id=invoice.pk, actor=invoice.shop.owner, data={**GENERAL, "type": "gold"}
        )
    assert "type" in refused.value.message_dict


@pytest.mark.django_db
def test_another_owners_invoice_is_not_found(after_issue):
    invoice = _invoice()
    with pytest.raises(NotFound):
        fapiao_request_create(invoice_id=invoice.pk, actor=UserFactory(), data=GENERAL)


@pytest.fixture
def requested(after_issue):
    invoice = _invoice()
    return fapiao_request_create(invoice_id=invoice.pk, actor=invoice.shop.owner, data=GENERAL)


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["26332000000012345678", "12345678"])
def test_managers_record_a_digital_or_an_older_fapiao(requested, number):
    manager = ManagerFactory()
    issued = fapiao_issue_record(
        request_id=requested.pk,
        actor=manager,
        fapiao_number=number,
        fapiao_date=dt.date(2026, 11, 5),
    )
    assert (issued.status, issued.fapiao_number, issued.issued_by) == ("issued", number, manager)
    assert red_letter_fapiao_needed(invoice_id=requested.invoice_id)


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["1234567", "123456789", "2633200000001234567", "ABCDEFGH", ""])
def test_a_fapiao_number_has_20_or_8_digits(requested, number):
    with pytest.raises(ValidationError) as refused:
        fapiao_issue_record(
            request_id=requested.pk,
            actor=ManagerFactory(),
            fapiao_number=number,
            fapiao_date=dt.date(2026, 11, 5),
        )
    assert set(refused.value.message_dict) == {"fapiao_number"}


@pytest.mark.django_db
@pytest.mark.parametrize("day", [dt.date(2026, 11, 11), dt.date(2026, 11, 2)])
def test_the_fapiao_date_is_neither_future_nor_before_the_invoice(requested, day):
    with pytest.raises(ValidationError) as refused:
        fapiao_issue_record(
            request_id=requested.pk,
            actor=ManagerFactory(),
            fapiao_number="12345678",
            fapiao_date=day,
        )
    assert set(refused.value.message_dict) == {"fapiao_date"}


@pytest.mark.django_db
def test_a_recorded_fapiao_never_changes(requested):
    manager = ManagerFactory()
    fapiao_issue_record(
        request_id=requested.pk,
        actor=manager,
        fapiao_number="12345678",
        fapiao_date=dt.date(2026, 11, 5),
    )
    with pytest.raises(StateConflict):
        fapiao_issue_record(
            request_id=requested.pk,
            actor=manager,
            fapiao_number="87654321",
            fapiao_date=dt.date(2026, 11, 5),
        )
    with pytest.raises(StateConflict):
        fapiao_request_cancel(request_id=requested.pk, actor=manager)
    assert FapiaoRequest.objects.get(pk=requested.pk).fapiao_number == "12345678"


@pytest.mark.django_db
def test_only_managers_record_a_fapiao(requested):
    with pytest.raises(NotPermitted):
        fapiao_issue_record(
            request_id=requested.pk,
            actor=requested.invoice.shop.owner,
            fapiao_number="12345678",
            fapiao_date=dt.date(2026, 11, 5),
        )


@pytest.mark.django_db
def test_no_red_letter_fapiao_without_an_issued_fapiao(requested):
    assert not red_letter_fapiao_needed(invoice_id=requested.invoice_id)


# --- API -----------------------------------------------------------------------------------------


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_api_request_defaults_to_the_shops_billing_details_and_answers_201(after_issue):
    invoice = _invoice()
    invoice.shop.billing_name = "杭州小店有限公司"
    invoice.shop.tax_id = VALID
    invoice.shop.save()
    response = _client(invoice.shop.owner).post(
        f"/api/v1/invoices/{invoice.pk}/fapiao-request/", {"type": "general"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["buyer_name"], body["tax_id"], body["status"]) == (
        "杭州小店有限公司",
        VALID,
        "requested",
    )


@pytest.mark.django_db
def test_api_answers_400_with_the_field_and_409_for_a_draft(after_issue):
    invoice = _invoice()
    client = _client(invoice.shop.owner)
    bad = client.post(
        f"/api/v1/invoices/{invoice.pk}/fapiao-request/",
        {**GENERAL, "tax_id": "91350100M000100Y44"},
        format="json",
    )
    assert bad.status_code == 400
    assert "tax_id" in bad.json()
    draft = _invoice(status="draft", owner=invoice.shop.owner)
    conflict = client.post(f"/api/v1/invoices/{draft.pk}/fapiao-request/", GENERAL, format="json")
    assert conflict.status_code == 409


@pytest.mark.django_db
def test_api_issue_then_change_answers_409(requested):
    client = _client(ManagerFactory())
    url = f"/api/v1/fapiao-requests/{requested.pk}/issue/"
    first = client.post(
        url, {"fapiao_number": "12345678", "fapiao_date": "2026-11-05"}, format="json"
    )
    assert first.status_code == 200, first.content
    assert first.json()["fapiao_number"] == "12345678"
    again = client.post(
        url, {"fapiao_number": "87654321", "fapiao_date": "2026-11-05"}, format="json"
    )
    assert again.status_code == 409


@pytest.mark.django_db
def test_api_list_puts_waiting_requests_first_and_filters_by_status(
    after_issue, django_assert_max_num_queries
):
    manager = ManagerFactory()
    for index in range(3):
        invoice = _invoice(number=f"INV-2026-00010{index}")
        fapiao_request_create(invoice_id=invoice.pk, actor=invoice.shop.owner, data=GENERAL)
    first = FapiaoRequest.objects.order_by("id").first()
    fapiao_issue_record(
        request_id=first.pk,
        actor=manager,
        fapiao_number="12345678",
        fapiao_date=dt.date(2026, 11, 5),
    )
    client = _client(manager)
    with django_assert_max_num_queries(6):
        rows = client.get("/api/v1/fapiao-requests/").json()["results"]
    assert [row["status"] for row in rows] == ["requested", "requested", "issued"]
    waiting = client.get("/api/v1/fapiao-requests/?status=requested").json()["results"]
    assert len(waiting) == 2


@pytest.mark.django_db
def test_api_owner_cancels_a_waiting_request(requested):
    response = _client(requested.invoice.shop.owner).post(
        f"/api/v1/fapiao-requests/{requested.pk}/cancel/", {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


@pytest.mark.django_db
def test_api_agents_get_403(requested):
    user = UserFactory()
    AgentFactory(user=user)
    response = _client(user).get("/api/v1/fapiao-requests/")
    assert response.status_code == 403


@pytest.mark.django_db
def test_managers_are_emailed_when_a_request_arrives(
    after_issue, django_capture_on_commit_callbacks
):
    from django.core import mail

    ManagerFactory(email="boss@example.com")
    invoice = _invoice()
    with django_capture_on_commit_callbacks(execute=True):
        fapiao_request_create(invoice_id=invoice.pk, actor=invoice.shop.owner, data=GENERAL)
    assert [message.to for message in mail.outbox] == [["boss@example.com"]]
    assert VALID in mail.outbox[0].body
