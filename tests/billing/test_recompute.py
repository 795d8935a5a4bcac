"""Confirming a turnover recomputes the shop's draft for that month (DOMAIN.md, "Billing")."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.errors import StateConflict
from billing.models import Invoice
from billing.services import (
    bill_month,
    invoice_draft_recompute,
    invoice_issue,
    invoice_pay,
    invoice_void,
    turnover_confirm,
    turnover_correct,
)
from tests.billing.factories import NOVEMBER, OCTOBER, confirmed_turnover, monthly_contract
from tests.factories import ShopFactory, TurnoverReportFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def draft_of(shop, month=OCTOBER) -> Invoice:
    return Invoice.objects.get(shop=shop, month=month, status="draft")


def test_confirming_the_turnover_gives_the_draft_its_commission_line(shop_a, manager):
    monthly_contract(shop_a, start=dt.date(2026, 10, 11))
    report = TurnoverReportFactory(shop=shop_a, month=OCTOBER, amount=D("300000.00"))
    bill_month(month=OCTOBER)
    draft = draft_of(shop_a)
    assert draft.awaiting_turnover
    assert list(draft.lines.values_list("kind", flat=True)) == ["base_fee"]

    turnover_confirm(report_id=report.pk, actor=manager)

    draft.refresh_from_db()
    assert not draft.awaiting_turnover
    assert list(draft.lines.values_list("kind", "amount")) == [
        ("base_fee", D("2032.26")),  # 3,000 x 21/31
        ("commission", D("5064.52")),
    ]
    assert draft.total == D("7096.78")
    # ... and it can be issued now.
    assert invoice_issue(invoice_id=draft.pk, actor=manager).status == "issued"


def test_confirming_through_the_api_recomputes_the_draft(shop_a, manager_api):
    monthly_contract(shop_a)
    report = TurnoverReportFactory(shop=shop_a, month=OCTOBER, amount=D("100000.00"))
    bill_month(month=OCTOBER)

    response = manager_api.post(f"/api/v1/turnover-reports/{report.pk}/confirm/")

    assert response.status_code == 200, response.content
    invoice = manager_api.get(f"/api/v1/invoices/{draft_of(shop_a).pk}/").json()
    assert invoice["awaiting_turnover"] is False
    assert [line["kind"] for line in invoice["lines"]] == ["base_fee", "commission"]
    assert invoice["total"] == "6000.00"


def test_recompute_touches_only_that_shop_and_month(shop_a, shop_b):
    for shop in (shop_a, shop_b):
        monthly_contract(shop)
    bill_month(month=OCTOBER)
    bill_month(month=NOVEMBER)
    for shop, month in ((shop_a, OCTOBER), (shop_b, OCTOBER), (shop_a, NOVEMBER)):
        confirmed_turnover(shop, "100000.00", month=month)

    recomputed = invoice_draft_recompute(shop_id=shop_a.pk, month=OCTOBER)

    assert recomputed == draft_of(shop_a)
    assert recomputed.total == D("6000.00")
    assert draft_of(shop_b).awaiting_turnover
    assert draft_of(shop_a, NOVEMBER).awaiting_turnover


def test_without_a_draft_recompute_does_nothing(shop_a, manager):
    """No run yet: the next run reads the confirmed turnover. Issued: never changes."""
    monthly_contract(shop_a)
    confirmed_turnover(shop_a, "100000.00")
    assert invoice_draft_recompute(shop_id=shop_a.pk, month=OCTOBER) is None
    assert not Invoice.objects.exists()

    bill_month(month=OCTOBER)
    issued = invoice_issue(invoice_id=draft_of(shop_a).pk, actor=manager)
    shop_a.contracts.update(price=D("1.00"))
    assert invoice_draft_recompute(shop_id=shop_a.pk, month=OCTOBER) is None
    issued.refresh_from_db()
    assert issued.total == D("6000.00")


def test_recompute_costs_a_few_queries(shop_a):
    monthly_contract(shop_a)
    bill_month(month=OCTOBER)
    confirmed_turnover(shop_a, "100000.00")
    with CaptureQueriesContext(connection) as queries:
        invoice_draft_recompute(shop_id=shop_a.pk, month=OCTOBER)
    assert len(queries) <= 12


def test_confirming_turnover_of_a_contract_that_cannot_be_billed_is_refused_with_a_reason(
    shop_a, manager_api
):
    broken = monthly_contract(shop_a, tiers=[{"from": "50.00", "rate": "0.03"}])
    report = TurnoverReportFactory(shop=shop_a, month=OCTOBER, amount=D("1000.00"))
    bill_month(month=OCTOBER)  # awaiting turnover: the tiers are not needed yet

    response = manager_api.post(f"/api/v1/turnover-reports/{report.pk}/confirm/")

    assert response.status_code == 400
    assert f"Contract {broken.pk}" in response.json()["detail"]
    report.refresh_from_db()
    assert report.status == "submitted"  # nothing half-done


# --- Correcting a confirmed turnover --------------------------------------------------------------


def report_url(report) -> str:
    return f"/api/v1/turnover-reports/{report.pk}/"


def test_a_manager_corrects_a_confirmed_turnover_and_the_draft_follows(
    shop_a, manager, manager_api
):
    monthly_contract(shop_a)
    report = confirmed_turnover(shop_a, "100000.00")
    bill_month(month=OCTOBER)
    assert draft_of(shop_a).total == D("6000.00")  # 3,000 + 3 % of 100,000

    response = manager_api.patch(report_url(report), {"amount": "300000.00"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() | {"status": "confirmed", "amount": "300000.00"} == response.json()
    draft = draft_of(shop_a)
    assert draft.total == D("10000.00")  # 3,000 + 3,000 + 4,000
    recomputed = draft.history.first()
    assert (recomputed.history_user, recomputed.history_change_reason) == (
        manager,
        "recomputed: confirmed turnover corrected",
    )
    change = report.history.first()
    assert (change.history_user, change.history_change_reason) == (
        manager,
        "confirmed amount corrected from 100000.00",
    )


def test_a_confirmed_turnover_without_a_draft_yet_is_corrected_for_the_next_run(
    shop_a, manager_api
):
    monthly_contract(shop_a)
    report = confirmed_turnover(shop_a, "100000.00")

    assert manager_api.patch(report_url(report), {"amount": "1.00"}, format="json").status_code == (
        200
    )

    bill_month(month=OCTOBER)
    assert draft_of(shop_a).total == D("3000.03")


@pytest.mark.parametrize("status", ["issued", "paid"])
def test_the_turnover_behind_an_issued_invoice_is_not_corrected(
    shop_a, manager, manager_api, status
):
    monthly_contract(shop_a)
    report = confirmed_turnover(shop_a, "100000.00")
    bill_month(month=OCTOBER)
    invoice = invoice_issue(invoice_id=draft_of(shop_a).pk, actor=manager)
    if status == "paid":
        invoice = invoice_pay(invoice_id=invoice.pk, actor=manager)

    response = manager_api.patch(report_url(report), {"amount": "300000.00"}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Invoice {invoice.number} was issued with this turnover and never changes. Void it "
        "first, then correct the turnover and bill 2026-10 again."
    )
    report.refresh_from_db()
    invoice.refresh_from_db()
    assert (report.amount, invoice.total) == (D("100000.00"), D("6000.00"))


def test_after_voiding_the_invoice_the_turnover_is_corrected_and_billed_again(
    shop_a, manager, manager_api
):
    monthly_contract(shop_a)
    report = confirmed_turnover(shop_a, "100000.00")
    bill_month(month=OCTOBER)
    issued = invoice_issue(invoice_id=draft_of(shop_a).pk, actor=manager)
    invoice_void(invoice_id=issued.pk, actor=manager, reason="Turnover was misreported")

    response = manager_api.patch(report_url(report), {"amount": "300000.00"}, format="json")
    assert response.status_code == 200, response.content
    bill_month(month=OCTOBER)

    assert draft_of(shop_a).total == D("10000.00")
    issued.refresh_from_db()
    assert (issued.status, issued.total) == ("void", D("6000.00"))


def test_an_owner_cannot_correct_a_confirmed_turnover(shop_a, owner_a_api):
    monthly_contract(shop_a)
    report = confirmed_turnover(shop_a, "100000.00")
    bill_month(month=OCTOBER)

    response = owner_a_api.patch(report_url(report), {"amount": "1.00"}, format="json")

    assert response.status_code == 409
    assert "only the agency can correct it now" in response.json()["detail"]
    report.refresh_from_db()
    assert report.amount == D("100000.00")
    assert draft_of(shop_a).total == D("6000.00")


def test_a_bad_corrected_amount_is_a_400_and_changes_nothing(shop_a, manager_api):
    monthly_contract(shop_a)
    report = confirmed_turnover(shop_a, "100000.00")
    bill_month(month=OCTOBER)

    response = manager_api.patch(report_url(report), {"amount": "-5.00"}, format="json")

    assert response.status_code == 400
    assert "amount" in response.json()
    report.refresh_from_db()
    assert report.amount == D("100000.00")


def test_the_owner_is_told_when_the_agency_corrects_a_confirmed_turnover(
    manager, django_capture_on_commit_callbacks
):
    owner = UserFactory(
        username="li", email="li@shop.example", first_name="Li", last_name="Wei", language="en"
    )
    shop = ShopFactory(owner=owner, name="小米旗舰店")
    monthly_contract(shop)
    report = confirmed_turnover(shop, "100000.00")
    bill_month(month=OCTOBER)

    with django_capture_on_commit_callbacks(execute=True):
        turnover_correct(report_id=report.pk, actor=manager, amount=D("300000.00"))

    [message] = mail.outbox
    assert message.to == ["li@shop.example"]
    assert message.subject == "[Customer Service Agency] Turnover corrected: 小米旗舰店, 2026-10"
    assert "Hello Li Wei," in message.body
    assert "100,000.00 CNY is now 300,000.00 CNY" in message.body
    assert "its total is now 10,000.00 CNY" in message.body


def test_an_owner_who_chose_chinese_is_told_in_chinese(manager, django_capture_on_commit_callbacks):
    shop = ShopFactory(owner=UserFactory(email="o@shop.example", language="zh-hans"), name="小店")
    report = confirmed_turnover(shop, "100000.00")

    with django_capture_on_commit_callbacks(execute=True):
        turnover_correct(report_id=report.pk, actor=manager, amount=D("1.00"))

    [message] = mail.outbox
    assert message.subject == "【客服外包公司】营业额已更正：小店，2026-10"
    assert "由 100,000.00 元改为 1.00 元" in message.body


def test_without_a_draft_the_email_says_the_invoice_will_follow(
    manager, django_capture_on_commit_callbacks
):
    shop = ShopFactory(owner=UserFactory(email="owner@shop.example", language="en"))
    report = confirmed_turnover(shop, "100000.00")

    with django_capture_on_commit_callbacks(execute=True):
        turnover_correct(report_id=report.pk, actor=manager, amount=D("1.00"))

    [message] = mail.outbox
    assert "will be made with the corrected figure" in message.body


@pytest.mark.parametrize("case", ["same amount", "submitted", "refused", "no email"])
def test_no_email_when_nothing_confirmed_changed(manager, django_capture_on_commit_callbacks, case):
    shop = ShopFactory(owner=UserFactory(email="" if case == "no email" else "o@shop.example"))
    monthly_contract(shop)
    if case == "submitted":
        report = TurnoverReportFactory(shop=shop, month=OCTOBER, amount=D("100000.00"))
    else:
        report = confirmed_turnover(shop, "100000.00")
    bill_month(month=OCTOBER)
    if case == "refused":
        invoice_issue(invoice_id=draft_of(shop).pk, actor=manager)
    amount = D("100000.00") if case == "same amount" else D("5.00")

    with django_capture_on_commit_callbacks(execute=True):
        if case == "refused":
            with pytest.raises(StateConflict):
                turnover_correct(report_id=report.pk, actor=manager, amount=amount)
        else:
            turnover_correct(report_id=report.pk, actor=manager, amount=amount)

    assert mail.outbox == []


def test_a_failing_mail_server_does_not_undo_the_correction(
    shop_a, manager, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("agency.emails.send_mail", refuse)
    monthly_contract(shop_a)
    report = confirmed_turnover(shop_a, "100000.00")
    bill_month(month=OCTOBER)

    with django_capture_on_commit_callbacks(execute=True):
        turnover_correct(report_id=report.pk, actor=manager, amount=D("300000.00"))

    report.refresh_from_db()
    assert report.amount == D("300000.00")
    assert draft_of(shop_a).total == D("10000.00")


def test_each_email_tells_the_figures_of_its_own_correction(
    shop_a, manager, django_capture_on_commit_callbacks
):
    shop_a.owner.language = "en"
    shop_a.owner.save(update_fields=["language"])
    monthly_contract(shop_a)
    report = confirmed_turnover(shop_a, "100000.00")
    bill_month(month=OCTOBER)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        turnover_correct(report_id=report.pk, actor=manager, amount=D("300000.00"))
        turnover_correct(report_id=report.pk, actor=manager, amount=D("200000.00"))
    for callback in callbacks:  # sent only after both corrections
        callback()

    first, second = (message.body for message in mail.outbox)
    assert "100,000.00 CNY is now 300,000.00 CNY" in first
    assert "its total is now 10,000.00 CNY" in first
    assert "300,000.00 CNY is now 200,000.00 CNY" in second
    assert "its total is now 8,000.00 CNY" in second
