"""An invoice's life: draft -> issued -> paid, or void; gapless numbers; the owner's email."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

from agency.errors import NotPermitted, StateConflict
from billing.models import Invoice, InvoiceSequence
from billing.services import (
    bill_month,
    invoice_issue,
    invoice_number_next,
    invoice_pay,
    invoice_void,
)
from tests.billing.factories import OCTOBER, confirmed_turnover, monthly_contract
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def billed_draft(shop, *, turnover: str | None = "100000.00") -> Invoice:
    monthly_contract(shop)
    if turnover is not None:
        confirmed_turnover(shop, turnover)
    bill_month(month=OCTOBER)
    return Invoice.objects.get(shop=shop, month=OCTOBER, status="draft")


def in_state(shop, status: str, manager) -> Invoice:
    invoice = billed_draft(shop)
    if status in ("issued", "paid"):
        invoice = invoice_issue(invoice_id=invoice.pk, actor=manager)
    if status == "paid":
        invoice = invoice_pay(invoice_id=invoice.pk, actor=manager)
    if status == "void":
        invoice = invoice_void(invoice_id=invoice.pk, actor=manager, reason="Billed twice")
    return invoice


# --- Transitions ------------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_issuing_a_draft_numbers_it_and_records_who_did_it(shop_a, manager):
    draft = billed_draft(shop_a)
    issued = invoice_issue(invoice_id=draft.pk, actor=manager)
    issued.refresh_from_db()
    assert issued.status == "issued"
    assert issued.number == "INV-2026-000001"
    assert issued.issued_at == dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)
    assert issued.history.first().history_user == manager


def test_an_invoice_awaiting_turnover_cannot_be_issued(shop_a, manager):
    draft = billed_draft(shop_a, turnover=None)
    assert draft.awaiting_turnover
    with pytest.raises(StateConflict, match="awaits the shop's confirmed turnover"):
        invoice_issue(invoice_id=draft.pk, actor=manager)
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", None)
    assert not InvoiceSequence.objects.exists()


@pytest.mark.parametrize("status", ["issued", "paid", "void"])
def test_only_a_draft_can_be_issued(shop_a, manager, status):
    invoice = in_state(shop_a, status, manager)
    with pytest.raises(StateConflict, match="Only a draft can be issued"):
        invoice_issue(invoice_id=invoice.pk, actor=manager)


def test_an_issued_invoice_is_paid(shop_a, manager):
    invoice = in_state(shop_a, "issued", manager)
    paid = invoice_pay(invoice_id=invoice.pk, actor=manager)
    assert paid.status == "paid"
    assert paid.paid_at is not None
    assert paid.number == invoice.number


@pytest.mark.parametrize("status", ["draft", "paid", "void"])
def test_only_an_issued_invoice_can_be_paid(shop_a, manager, status):
    invoice = in_state(shop_a, status, manager)
    with pytest.raises(StateConflict, match="Only an issued invoice can be paid"):
        invoice_pay(invoice_id=invoice.pk, actor=manager)


@pytest.mark.parametrize("status", ["draft", "issued"])
def test_a_draft_or_an_issued_invoice_can_be_voided(shop_a, manager, status):
    invoice = in_state(shop_a, status, manager)
    voided = invoice_void(invoice_id=invoice.pk, actor=manager, reason="Wrong plan")
    assert voided.status == "void"
    assert voided.voided_at is not None
    # A voided number stays used: numbering is gapless, not reused.
    assert (voided.number is None) == (status == "draft")


@pytest.mark.parametrize(
    ("status", "message"), [("paid", "paid invoice cannot be voided"), ("void", "already void")]
)
def test_a_paid_or_void_invoice_cannot_be_voided(shop_a, manager, status, message):
    invoice = in_state(shop_a, status, manager)
    with pytest.raises(StateConflict, match=message):
        invoice_void(invoice_id=invoice.pk, actor=manager, reason="Wrong plan")


def test_only_managers_change_invoices(shop_a, owner_a, manager):
    draft = billed_draft(shop_a)
    with pytest.raises(NotPermitted):
        invoice_issue(invoice_id=draft.pk, actor=owner_a)
    issued = invoice_issue(invoice_id=draft.pk, actor=None)  # the system itself may
    assert issued.status == "issued"


# --- Numbers: INV-YYYY-NNNNNN, gapless per year of issue -----------------------------------------


def test_fifty_issues_get_numbers_1_to_50_without_gaps(manager):
    shops = [ShopFactory() for _ in range(50)]
    for shop in shops:
        monthly_contract(shop)
        confirmed_turnover(shop, "1000.00")
    bill_month(month=OCTOBER)
    with time_machine.travel(dt.datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI), tick=False):
        for invoice in Invoice.objects.order_by("shop_id"):
            invoice_issue(invoice_id=invoice.pk, actor=manager)

    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-2026-{n:06d}" for n in range(1, 51)]
    assert InvoiceSequence.objects.get(year=2026).last_number == 50


def test_a_refused_issue_takes_no_number(shop_a, shop_b, manager):
    blocked = billed_draft(shop_a, turnover=None)
    ready = billed_draft(shop_b)
    with pytest.raises(StateConflict):
        invoice_issue(invoice_id=blocked.pk, actor=manager)
    assert invoice_issue(invoice_id=ready.pk, actor=manager).number.endswith("-000001")


def test_the_year_of_a_number_is_the_shanghai_year_of_issue(shop_a, shop_b, manager):
    first, second = billed_draft(shop_a), billed_draft(shop_b)
    # 2026-12-31 16:30 UTC is already 2027-01-01 00:30 in Shanghai.
    with time_machine.travel(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), tick=False):
        assert invoice_issue(invoice_id=first.pk, actor=manager).number == "INV-2027-000001"
    with time_machine.travel(dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC), tick=False):
        assert invoice_issue(invoice_id=second.pk, actor=manager).number == "INV-2026-000001"


def test_numbers_start_again_at_1_each_year():
    InvoiceSequence.objects.create(year=2026, last_number=41)
    with transaction.atomic():
        assert invoice_number_next(year=2026) == "INV-2026-000042"
        assert invoice_number_next(year=2027) == "INV-2027-000001"


@pytest.mark.django_db(transaction=True)
def test_a_number_is_only_taken_inside_a_transaction():
    with pytest.raises(RuntimeError):
        invoice_number_next(year=2026)


# --- The owner's email --------------------------------------------------------------------------


def test_issuing_emails_the_shop_owner_with_the_number_in_the_subject(
    manager, django_capture_on_commit_callbacks
):
    owner = UserFactory(
        username="li", email="li@shop.example", first_name="Li", last_name="Wei", language="en"
    )
    shop = ShopFactory(owner=owner, name="小米旗舰店")
    draft = billed_draft(shop)
    with django_capture_on_commit_callbacks(execute=True):
        issued = invoice_issue(invoice_id=draft.pk, actor=manager)

    [message] = mail.outbox
    assert message.to == ["li@shop.example"]
    assert issued.number in message.subject
    assert "小米旗舰店" in message.subject
    assert "2026-10" in message.body
    assert "Total: 6,000.00 CNY" in message.body
    assert "Li Wei" in message.body


@pytest.mark.parametrize("name", ["Line\r\nBreak Shop", "Tab\tShop\u2028", "Bcc: x\nShop"])
def test_a_shop_name_with_line_breaks_never_loses_the_owners_email(
    manager, django_capture_on_commit_callbacks, name
):
    owner = UserFactory(email="li@shop.example", language="en")
    draft = billed_draft(ShopFactory(owner=owner, name=name))
    with django_capture_on_commit_callbacks(execute=True):
        issued = invoice_issue(invoice_id=draft.pk, actor=manager)

    [message] = mail.outbox
    assert issued.number in message.subject
    assert "\n" not in message.subject and "\r" not in message.subject
    message.message()  # the headers it would send: no BadHeaderError


def test_an_owner_who_chose_chinese_gets_the_email_in_chinese(
    manager, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="wang@shop.example", language="zh-hans")
    shop = ShopFactory(owner=owner, name="小米旗舰店")
    draft = billed_draft(shop)
    with django_capture_on_commit_callbacks(execute=True):
        issued = invoice_issue(invoice_id=draft.pk, actor=manager)

    [message] = mail.outbox
    assert message.subject == f"【客服外包公司】账单 {issued.number}：小米旗舰店，2026-10"
    assert f"{issued.number}" in message.body
    assert "合计：6,000.00 元" in message.body
    assert "Total" not in message.body


def test_no_email_before_the_issue_commits_nor_when_it_is_refused(
    shop_a, manager, django_capture_on_commit_callbacks
):
    draft = billed_draft(shop_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invoice_issue(invoice_id=draft.pk, actor=manager)
    assert len(callbacks) == 1
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(StateConflict):
        invoice_issue(invoice_id=draft.pk, actor=manager)
    assert mail.outbox == []


def test_an_owner_without_email_gets_none_and_the_issue_stands(
    manager, django_capture_on_commit_callbacks
):
    shop = ShopFactory(owner=UserFactory(email=""))
    draft = billed_draft(shop)
    with django_capture_on_commit_callbacks(execute=True):
        issued = invoice_issue(invoice_id=draft.pk, actor=manager)
    assert mail.outbox == []
    assert issued.status == "issued"


def test_a_failing_mail_server_does_not_undo_the_issue(
    shop_a, manager, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("agency.emails.send_mail", refuse)
    draft = billed_draft(shop_a)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_issue(invoice_id=draft.pk, actor=manager)
    draft.refresh_from_db()
    assert draft.status == "issued"
    assert draft.total == Decimal("6000.00")


# --- What is issued is the figures as they stand ------------------------------------------------


@time_machine.travel(dt.datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_a_contract_added_after_the_run_is_billed_when_the_draft_is_issued(manager):
    from tests.factories import ContractFactory

    shop = ShopFactory()
    ContractFactory(
        shop=shop,
        plan="temporary",
        price=Decimal("100.00"),
        commission_tiers=[],
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 10, 3),
    )
    bill_month(month=OCTOBER)
    draft = Invoice.objects.get(shop=shop, month=OCTOBER)
    assert draft.total == Decimal("300.00") and not draft.awaiting_turnover

    monthly_contract(shop, start=dt.date(2026, 10, 1))  # no turnover confirmed yet
    with pytest.raises(StateConflict, match="awaits the shop's confirmed turnover"):
        invoice_issue(invoice_id=draft.pk, actor=manager)

    draft.refresh_from_db()
    assert draft.status == "draft" and draft.awaiting_turnover
    assert draft.total == Decimal("3300.00")  # the base fee is on the draft now

    confirmed_turnover(shop, "100000.00")
    issued = invoice_issue(invoice_id=draft.pk, actor=manager)
    assert issued.status == "issued"
    assert issued.total == Decimal("3300.00") + Decimal("3000.00")


def test_the_database_refuses_a_second_invoice_with_an_issued_number(shop_a, shop_b):
    Invoice.objects.create(shop=shop_a, month=OCTOBER, status="issued", number="INV-2026-000001")
    # Many drafts share "no number" (NULL) without clashing.
    Invoice.objects.create(shop=shop_a, month=OCTOBER.replace(month=9))
    Invoice.objects.create(shop=shop_b, month=OCTOBER.replace(month=9))

    with (
        pytest.raises(IntegrityError, match=r"invoice_number_unique|billing_invoice\.number"),
        transaction.atomic(),
    ):
        Invoice.objects.create(
            shop=shop_b, month=OCTOBER, status="issued", number="INV-2026-000001"
        )
