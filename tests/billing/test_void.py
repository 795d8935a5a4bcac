"""Voids say why: the reason is required and stored, the owner of an issued invoice is told, and
the manager bills the shop's month again at once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from agency.errors import ApplicationError, StateConflict
from billing.documents import render_invoice_html
from billing.models import Invoice
from billing.services import (
    bill_month,
    invoice_issue,
    invoice_pay,
    invoice_rebill,
    invoice_void,
    invoice_void_email_send,
    shop_month_bill,
)
from tests.billing.factories import NOVEMBER, OCTOBER, confirmed_turnover, monthly_contract
from tests.billing.test_documents import _laid_out_text, requires_pdf
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
REASON = "The October turnover was misreported by the owner."


@pytest.fixture(autouse=True)
def after_october():
    """Early November: October has ended, so its invoices can be issued."""
    with time_machine.travel(dt.datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def draft_of(shop) -> Invoice:
    monthly_contract(shop)
    confirmed_turnover(shop, "100000.00")
    bill_month(month=OCTOBER)
    return Invoice.objects.get(shop=shop, month=OCTOBER, status="draft")


def issued_of(shop, manager) -> Invoice:
    return invoice_issue(invoice_id=draft_of(shop).pk, actor=manager)


# --- The reason -------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_void_without_a_reason_is_refused_on_the_reason_field(shop_a, manager, reason):
    draft = draft_of(shop_a)
    with pytest.raises(ValidationError) as refused:
        invoice_void(invoice_id=draft.pk, actor=manager, reason=reason)
    assert refused.value.message_dict == {"reason": ["Say why the invoice is voided."]}
    draft.refresh_from_db()
    assert (draft.status, draft.void_reason, draft.voided_at) == ("draft", "", None)


def test_a_void_reason_is_at_most_500_characters(shop_a, manager):
    draft = draft_of(shop_a)
    with pytest.raises(ValidationError) as refused:
        invoice_void(invoice_id=draft.pk, actor=manager, reason="x" * 501)
    assert refused.value.message_dict == {
        "reason": ["Keep the reason to 500 characters (it has 501)."]
    }
    voided = invoice_void(invoice_id=draft.pk, actor=manager, reason=f"  {'x' * 500}  ")
    assert voided.void_reason == "x" * 500


def test_the_reason_message_is_translated(shop_a, manager):
    draft = draft_of(shop_a)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        invoice_void(invoice_id=draft.pk, actor=manager, reason=" ")
    assert refused.value.message_dict == {"reason": ["请说明作废此账单的原因。"]}


def test_the_reason_is_stored_stripped_on_the_invoice_and_in_its_history(shop_a, manager):
    issued = issued_of(shop_a, manager)
    invoice_void(invoice_id=issued.pk, actor=manager, reason=f"  {REASON}\n")

    issued.refresh_from_db()
    assert (issued.status, issued.void_reason) == ("void", REASON)
    latest = issued.history.first()
    assert (latest.status, latest.void_reason, latest.history_user) == ("void", REASON, manager)
    assert latest.history_change_reason == f"voided: {REASON}"


def test_a_long_reason_is_whole_on_the_invoice_and_cut_in_the_change_reason(shop_a, manager):
    reason = "A long explanation. " * 20  # 400 characters
    voided = invoice_void(invoice_id=draft_of(shop_a).pk, actor=manager, reason=reason)
    latest = voided.history.first()
    assert latest.void_reason == reason.strip()
    assert len(latest.history_change_reason) <= 100  # the history's column holds 100


def test_the_database_refuses_an_issued_invoice_made_void_without_a_reason(shop_a, manager):
    issued = issued_of(shop_a, manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=issued.pk).update(status="void")
    # A draft never reached the owner: its void needs no reason at the database level.
    other = draft_of(ShopFactory())
    Invoice.objects.filter(pk=other.pk).update(status="void")


def test_a_paid_invoice_is_not_voided_even_with_a_reason(shop_a, manager):
    paid = invoice_pay(invoice_id=issued_of(shop_a, manager).pk, actor=manager)
    with pytest.raises(StateConflict, match="paid invoice cannot be voided"):
        invoice_void(invoice_id=paid.pk, actor=manager, reason=REASON)


# --- Telling the owner ------------------------------------------------------------------------


def test_voiding_an_issued_invoice_emails_the_owner_the_reason_after_commit(
    manager, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="li@shop.example", first_name="Li", last_name="Wei", language="en")
    shop = ShopFactory(owner=owner, name="Harbour Kites")
    issued = issued_of(shop, manager)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)
    assert mail.outbox == []  # nothing before the void commits
    for callback in callbacks:
        callback()

    [message] = mail.outbox
    assert message.to == ["li@shop.example"]
    assert message.subject == (
        f"[Customer Service Agency] Invoice {issued.number} voided: Harbour Kites, 2026-10"
    )
    assert "Hello Li Wei," in message.body
    assert f"Invoice {issued.number} for Harbour Kites, 2026-10, has been voided" in message.body
    assert f"Reason: {REASON}" in message.body
    assert "a corrected invoice with a new number follows" in message.body


def test_an_owner_who_chose_chinese_is_told_of_the_void_in_chinese(
    manager, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="wang@shop.example", language="zh-hans")
    shop = ShopFactory(owner=owner, name="小鹿童装旗舰店")
    issued = issued_of(shop, manager)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        invoice_void(invoice_id=issued.pk, actor=manager, reason="营业额填报有误")

    [message] = mail.outbox
    assert (
        message.subject == f"【客服外包公司】账单 {issued.number} 已作废：小鹿童装旗舰店，2026-10"
    )
    assert f"账单 {issued.number}（小鹿童装旗舰店，2026-10）已作废，您无需支付。" in message.body
    assert "作废原因：营业额填报有误" in message.body
    assert "另开一张新编号的更正账单" in message.body
    assert "Reason" not in message.body and "voided" not in message.body


def test_voiding_a_draft_tells_nobody(shop_a, manager, django_capture_on_commit_callbacks):
    draft = draft_of(shop_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invoice_void(invoice_id=draft.pk, actor=manager, reason=REASON)
    assert callbacks == []
    assert mail.outbox == []
    assert invoice_void_email_send(invoice_id=draft.pk) is False  # nor would the task


def test_the_void_email_is_sent_once_however_often_the_task_runs(
    shop_a, manager, django_capture_on_commit_callbacks
):
    issued = issued_of(shop_a, manager)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)
    assert len(mail.outbox) == 1

    assert invoice_void_email_send(invoice_id=issued.pk) is False  # delivered again
    assert len(mail.outbox) == 1
    issued.refresh_from_db()
    assert issued.void_notice_sent_at is not None


def test_a_void_email_that_fails_is_sent_by_the_retry(shop_a, manager, monkeypatch):
    issued = issued_of(shop_a, manager)
    invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)
    mail.outbox.clear()

    def refuse(**kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("agency.emails.send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        invoice_void_email_send(invoice_id=issued.pk)
    monkeypatch.undo()

    assert invoice_void_email_send(invoice_id=issued.pk) is True
    [message] = mail.outbox
    assert REASON in message.body


def test_a_failing_mail_server_does_not_undo_the_void(
    shop_a, manager, django_capture_on_commit_callbacks, monkeypatch
):
    issued = issued_of(shop_a, manager)

    def refuse(**kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("agency.emails.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)
    issued.refresh_from_db()
    assert (issued.status, issued.void_reason) == ("void", REASON)


def test_the_void_email_task_sends_through_the_service(shop_a, manager):
    from billing.tasks import send_invoice_void_email

    issued = issued_of(shop_a, manager)
    invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)
    mail.outbox.clear()
    send_invoice_void_email.delay(issued.pk)
    send_invoice_void_email.delay(issued.pk)
    assert len(mail.outbox) == 1
    assert send_invoice_void_email.autoretry_for == (OSError,)


# --- Billing the month again ------------------------------------------------------------------


def test_a_shops_month_is_billed_again_at_once_after_a_void(shop_a, shop_b, manager):
    issued = issued_of(shop_a, manager)
    other = draft_of(shop_b)
    invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)

    draft = shop_month_bill(shop_id=shop_a.pk, month=OCTOBER, actor=manager)

    assert (draft.shop_id, draft.month, draft.status, draft.number) == (
        shop_a.pk,
        OCTOBER,
        "draft",
        None,
    )
    assert draft.pk != issued.pk and draft.total == issued.total
    assert draft.history.first().history_user == manager
    # Only that shop: the other shop's draft is as the run left it.
    assert Invoice.objects.get(pk=other.pk).updated_at == other.updated_at


def test_rebilling_a_void_invoice_makes_the_new_draft(shop_a, manager):
    issued = issued_of(shop_a, manager)
    invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)
    draft = invoice_rebill(invoice_id=issued.pk, actor=manager)
    assert (draft.shop_id, draft.month, draft.status) == (shop_a.pk, OCTOBER, "draft")


def test_only_a_void_invoices_month_is_billed_again(shop_a, manager):
    issued = issued_of(shop_a, manager)
    with pytest.raises(StateConflict, match="Only the month of a void invoice"):
        invoice_rebill(invoice_id=issued.pk, actor=manager)


def test_a_month_with_a_live_invoice_is_not_billed_again(shop_a, manager):
    issued = issued_of(shop_a, manager)
    with pytest.raises(ApplicationError, match="already has an invoice for 2026-10"):
        shop_month_bill(shop_id=shop_a.pk, month=OCTOBER, actor=manager)
    assert Invoice.objects.filter(shop=shop_a).get() == issued


def test_a_shop_without_a_contract_in_the_month_is_not_billed(manager):
    shop = ShopFactory(name="Idle shop")
    with pytest.raises(ApplicationError, match="Idle shop has no contract active in 2026-10"):
        shop_month_bill(shop_id=shop.pk, month=OCTOBER, actor=manager)
    assert not Invoice.objects.filter(shop=shop).exists()


def test_a_month_that_has_not_started_is_not_billed_again(shop_a, manager):
    monthly_contract(shop_a)
    december = dt.date(2026, 12, 1)
    with pytest.raises(ApplicationError, match="2026-12 has not started yet"):
        shop_month_bill(shop_id=shop_a.pk, month=december, actor=manager)
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as refused:
        shop_month_bill(shop_id=shop_a.pk, month=december, actor=manager)
    assert refused.value.message == "2026-12 尚未开始；该月开始后才能为Shop A出账。"
    # The month in progress has started: it may be billed (as a preview).
    assert shop_month_bill(shop_id=shop_a.pk, month=NOVEMBER, actor=manager).month == NOVEMBER
    assert not Invoice.objects.filter(month=december).exists()


def test_only_managers_bill_a_month_again(shop_a, owner_a, manager):
    from agency.errors import NotPermitted

    issued = issued_of(shop_a, manager)
    invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)
    with pytest.raises(NotPermitted):
        invoice_rebill(invoice_id=issued.pk, actor=owner_a)
    with pytest.raises(NotPermitted):
        shop_month_bill(shop_id=shop_a.pk, month=OCTOBER, actor=owner_a)


# --- The API ----------------------------------------------------------------------------------

INVOICES = "/api/v1/invoices/"


def test_the_api_refuses_a_void_without_a_reason_naming_the_field(manager_api, shop_a, manager):
    issued = issued_of(shop_a, manager)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = manager_api.post(f"{INVOICES}{issued.pk}/void/", body, format="json")
        assert response.status_code == 400, body
        assert list(response.json()) == ["reason"]
    too_long = manager_api.post(
        f"{INVOICES}{issued.pk}/void/", {"reason": "x" * 501}, format="json"
    )
    assert (too_long.status_code, list(too_long.json())) == (400, ["reason"])
    issued.refresh_from_db()
    assert issued.status == "issued"


def test_the_api_voids_with_a_reason_and_shows_it(manager_api, owner_a_api, shop_a, manager):
    issued = issued_of(shop_a, manager)
    response = manager_api.post(
        f"{INVOICES}{issued.pk}/void/", {"reason": f" {REASON} "}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["void_reason"]) == ("void", REASON)
    # The owner reads it too.
    assert owner_a_api.get(f"{INVOICES}{issued.pk}/").json()["void_reason"] == REASON
    assert manager_api.get(f"{INVOICES}{draft_of(ShopFactory()).pk}/").json()["void_reason"] == ""


def test_a_service_refusal_of_the_reason_is_a_400_on_the_field(manager_api, shop_a, monkeypatch):
    draft = draft_of(shop_a)

    def refuse(**kwargs):
        raise ValidationError({"reason": ["Say why the invoice is voided."]})

    monkeypatch.setattr("billing.services.invoice_void", refuse)
    response = manager_api.post(f"{INVOICES}{draft.pk}/void/", {"reason": "x"}, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"reason": ["Say why the invoice is voided."]},
    )


def test_the_api_bills_a_void_invoices_month_again(manager_api, owner_a_api, shop_a, manager):
    issued = issued_of(shop_a, manager)
    assert manager_api.post(f"{INVOICES}{issued.pk}/rebill/").status_code == 409  # not void
    invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)
    assert owner_a_api.post(f"{INVOICES}{issued.pk}/rebill/").status_code == 403

    response = manager_api.post(f"{INVOICES}{issued.pk}/rebill/")

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["month"], body["shop"]) == ("draft", "2026-10", shop_a.pk)
    assert body["id"] != issued.pk
    again = manager_api.post(f"{INVOICES}{issued.pk}/rebill/")
    assert again.status_code == 400
    assert "already has an invoice for 2026-10" in again.json()["detail"]


def test_the_schema_documents_the_void_reason(client):
    schema = client.get("/api/schema/?format=json").json()
    void = schema["paths"]["/api/v1/invoices/{id}/void/"]["post"]
    body = void["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    component = schema["components"]["schemas"][body]
    assert component["required"] == ["reason"]
    assert component["properties"]["reason"]["maxLength"] == 500
    assert {"200", "400", "404", "409"} <= set(void["responses"])
    invoice = schema["components"]["schemas"]["Invoice"]["properties"]["void_reason"]
    assert invoice["readOnly"] is True
    rebill = schema["paths"]["/api/v1/invoices/{id}/rebill/"]["post"]
    assert {"201", "400", "404", "409"} <= set(rebill["responses"])


# --- The PDF ----------------------------------------------------------------------------------


@requires_pdf
def test_the_pdf_of_a_void_invoice_prints_void_and_the_reason(shop_a, manager):
    issued = issued_of(shop_a, manager)
    voided = invoice_void(invoice_id=issued.pk, actor=manager, reason=REASON)
    assert f"VOID: {REASON}" in _laid_out_text(render_invoice_html(voided))

    chinese = issued_of(ShopFactory(name="小鹿童装旗舰店"), manager)
    voided = invoice_void(invoice_id=chinese.pk, actor=manager, reason="营业额有误")
    with translation.override("zh-hans"):
        text = _laid_out_text(render_invoice_html(voided))
    assert "已作废：营业额有误" in text and "小鹿童装旗舰店" in text
