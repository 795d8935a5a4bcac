"""Credit notes (红冲单): full and partial, never more than is left to credit, gapless numbers per
year, the shop's credit they leave, the red-letter fapiao flag, void refused once an invoice is
paid or credited, the webhook and the owner's email."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from agency.errors import StateConflict
from agency.models import Webhook, WebhookDelivery
from billing.models import CreditNote, CreditNoteSequence, FapiaoRequest, Invoice, Payment
from billing.services import (
    bill_month,
    credit_note_create,
    credit_note_email_send,
    invoice_issue,
    invoice_pay,
    invoice_void,
    payment_record,
    shop_credit_balance,
)
from tests.billing.factories import NOVEMBER, OCTOBER, confirmed_turnover, monthly_contract
from tests.factories import ManagerFactory, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTER_ISSUE = dt.datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def after_issue():
    with time_machine.travel(AFTER_ISSUE, tick=False):
        yield


@pytest.fixture
def manager(db):
    return ManagerFactory(username="manager")


_numbers = iter(range(1, 10_000))


def _invoice(*, status="issued", total="3000.00", shop=None):
    shop = shop or ShopFactory(owner=UserFactory(email="owner@example.com"))
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


def _credit(invoice, amount, manager, reason="Two days not served"):
    return credit_note_create(invoice_id=invoice.pk, amount=amount, reason=reason, actor=manager)


# --- Full and partial ----------------------------------------------------------------------------


def test_a_partial_credit_note_reduces_an_issued_invoices_balance(after_issue, manager):
    invoice = _invoice()
    note = _credit(invoice, "500.00", manager)
    invoice.refresh_from_db()
    assert note.number == "CN-2026-000001"
    assert (note.amount, note.applied, note.excess) == (Decimal("500.00"),) * 2 + (Decimal(0),)
    assert invoice.status == "issued"
    assert invoice.amount_credited == Decimal("500.00")
    assert invoice.balance == Decimal("2500.00")
    assert invoice.creditable == Decimal("2500.00")
    assert shop_credit_balance(shop_id=invoice.shop_id) == 0


def test_a_full_credit_note_settles_an_issued_invoice(after_issue, manager):
    invoice = _invoice()
    _credit(invoice, "3000.00", manager)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert invoice.balance == 0 and invoice.creditable == 0
    assert shop_credit_balance(shop_id=invoice.shop_id) == 0


def test_a_credit_note_on_a_paid_invoice_becomes_the_shops_credit(after_issue, manager):
    invoice = _invoice(status="paid")
    note = _credit(invoice, "800.00", manager)
    assert note.applied == 0 and note.excess == Decimal("800.00")
    assert shop_credit_balance(shop_id=invoice.shop_id) == Decimal("800.00")


def test_on_a_part_paid_invoice_the_balance_takes_what_it_can_and_the_rest_is_credit(
    after_issue, manager
):
    invoice = _invoice()
    payment_record(
        invoice_id=invoice.pk,
        amount="2000.00",
        method="bank_transfer",
        received_on="2026-11-08",
        actor=manager,
    )
    note = _credit(invoice, "1500.00", manager)
    invoice.refresh_from_db()
    assert (note.applied, note.excess) == (Decimal("1000.00"), Decimal("500.00"))
    assert invoice.status == "paid"
    assert shop_credit_balance(shop_id=invoice.shop_id) == Decimal("500.00")


def test_more_than_left_to_credit_is_refused_naming_what_is_left(after_issue, manager):
    invoice = _invoice()
    _credit(invoice, "2000.00", manager)
    with pytest.raises(ValidationError) as refused:
        _credit(invoice, "1000.01", manager)
    assert "1,000.00" in refused.value.message_dict["amount"][0]
    assert CreditNote.objects.count() == 1
    _credit(invoice, "1000.00", manager)  # exactly what is left


@pytest.mark.parametrize(
    "amount, reason, fields",
    [
        ("0", "why", {"amount"}),
        ("-5", "why", {"amount"}),
        ("12.345", "why", {"amount"}),
        ("abc", "", {"amount", "reason"}),
        ("10.00", "   ", {"reason"}),
        ("10.00", "x" * 501, {"reason"}),
    ],
)
def test_bad_amounts_and_reasons_are_refused_per_field(
    after_issue, manager, amount, reason, fields
):
    invoice = _invoice()
    with pytest.raises(ValidationError) as refused:
        _credit(invoice, amount, manager, reason=reason)
    assert set(refused.value.message_dict) == fields


@pytest.mark.parametrize("status", ["draft", "void"])
def test_draft_and_void_invoices_are_not_credited(after_issue, manager, status):
    invoice = _invoice(status="draft")
    if status == "void":
        Invoice.objects.filter(pk=invoice.pk).update(status="void")
    with pytest.raises(StateConflict):
        _credit(invoice, "10.00", manager)


def test_only_managers_credit(after_issue):
    from django.core.exceptions import PermissionDenied

    from agency.errors import NotPermitted

    invoice = _invoice()
    with pytest.raises((PermissionDenied, NotPermitted)):
        _credit(invoice, "10.00", invoice.shop.owner)


# --- Numbers -------------------------------------------------------------------------------------


def test_numbers_are_gapless_within_a_year_and_a_refused_note_takes_none(manager):
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 0, tzinfo=SHANGHAI), tick=False):
        invoice = _invoice(total="100.00")
        first = _credit(invoice, "10.00", manager)
        with pytest.raises(ValidationError):
            _credit(invoice, "95.00", manager)  # more than left: refused, no number taken
        second = _credit(invoice, "20.00", manager)
    assert (first.number, second.number) == ("CN-2026-000001", "CN-2026-000002")
    # Shanghai's new year starts at 16:00 UTC on 31 December.
    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        third = _credit(invoice, "30.00", manager)
        fourth = _credit(invoice, "40.00", manager)
    assert (third.number, fourth.number) == ("CN-2027-000001", "CN-2027-000002")
    assert {row.year: row.last_number for row in CreditNoteSequence.objects.all()} == {
        2026: 2,
        2027: 2,
    }


# --- Red-letter fapiao ---------------------------------------------------------------------------


def _fapiao(invoice, status):
    return FapiaoRequest.objects.create(
        invoice=invoice,
        type="general",
        status=status,
        buyer_name="杭州小店有限公司",
        tax_id="91350100M000100Y43",
        fapiao_number="12345678" if status == "issued" else "",
        fapiao_date=dt.date(2026, 11, 4) if status == "issued" else None,
    )


def test_a_credit_note_on_an_invoice_with_an_issued_fapiao_needs_a_red_letter_fapiao(
    after_issue, manager
):
    invoice = _invoice()
    _fapiao(invoice, "issued")
    assert _credit(invoice, "100.00", manager).red_letter_fapiao_needed is True


@pytest.mark.parametrize("status", [None, "requested", "cancelled"])
def test_no_red_letter_fapiao_without_an_issued_fapiao(after_issue, manager, status):
    invoice = _invoice()
    if status:
        _fapiao(invoice, status)
    assert _credit(invoice, "100.00", manager).red_letter_fapiao_needed is False


# --- Void only before anything is paid or credited -----------------------------------------------


def test_void_is_allowed_before_payments_and_credit_notes(after_issue, manager):
    invoice = _invoice()
    assert invoice_void(invoice_id=invoice.pk, actor=manager, reason="Billed twice").status == (
        "void"
    )


def test_void_is_refused_after_a_credit_note(after_issue, manager):
    invoice = _invoice()
    _credit(invoice, "100.00", manager)
    with pytest.raises(StateConflict) as refused:
        invoice_void(invoice_id=invoice.pk, actor=manager, reason="Billed twice")
    assert "credit note" in refused.value.message


def test_void_is_refused_after_a_part_payment(after_issue, manager):
    invoice = _invoice()
    payment_record(
        invoice_id=invoice.pk,
        amount="100.00",
        method="bank_transfer",
        received_on="2026-11-08",
        actor=manager,
    )
    with pytest.raises(StateConflict):
        invoice_void(invoice_id=invoice.pk, actor=manager, reason="Billed twice")


# --- Done when: a partial credit note on a paid invoice is used by next month's invoice ----------


def test_partial_credit_note_on_paid_invoice_becomes_credit_used_by_next_months_invoice(manager):
    shop = ShopFactory(owner=UserFactory(email="owner@example.com"))
    monthly_contract(shop)  # 3000.00 a month plus commission
    confirmed_turnover(shop, "100000.00", month=OCTOBER)
    confirmed_turnover(shop, "100000.00", month=NOVEMBER)
    with time_machine.travel(dt.datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI), tick=False):
        bill_month(month=OCTOBER)
        october = Invoice.objects.get(shop=shop, month=OCTOBER)
        october = invoice_pay(
            invoice_id=invoice_issue(invoice_id=october.pk, actor=manager).pk, actor=manager
        )
        assert october.status == "paid"
        note = _credit(october, "1200.00", manager, reason="Service down 12 days")
    assert note.applied == 0 and note.excess == Decimal("1200.00")
    assert shop_credit_balance(shop_id=shop.pk) == Decimal("1200.00")
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        bill_month(month=NOVEMBER)
        november = Invoice.objects.get(shop=shop, month=NOVEMBER)
        november = invoice_issue(invoice_id=november.pk, actor=manager)
    november.refresh_from_db()
    [payment] = Payment.objects.filter(invoice=november)
    assert payment.method == "credit"
    assert payment.amount == Decimal("1200.00")
    assert november.amount_paid == Decimal("1200.00")
    assert november.balance == november.total - Decimal("1200.00")
    assert november.status == "issued"
    assert shop_credit_balance(shop_id=shop.pk) == 0


# --- Webhook and email ---------------------------------------------------------------------------


def test_a_credit_note_publishes_credit_note_created_as_the_api_shows_it(after_issue, manager):
    invoice = _invoice()
    Webhook.objects.create(
        owner=invoice.shop.owner,
        url="https://hooks.example.com/",
        events=["credit_note.created"],
        secret="x",
    )
    note = _credit(invoice, "300.00", manager)
    [delivery] = WebhookDelivery.objects.filter(event="credit_note.created")
    assert delivery.payload["id"] == note.pk
    assert delivery.payload["number"] == note.number
    assert delivery.payload["amount"] == "300.00"
    assert delivery.payload["invoice_number"] == invoice.number


def test_the_owner_is_emailed_once_in_their_language(
    after_issue, manager, django_capture_on_commit_callbacks
):
    invoice = _invoice()
    invoice.shop.owner.language = "zh-hans"
    invoice.shop.owner.save()
    _fapiao(invoice, "issued")
    with django_capture_on_commit_callbacks(execute=True):
        note = _credit(invoice, "300.00", manager)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert note.number in message.subject and invoice.number in message.subject
    assert "红冲单" in message.subject
    assert "300.00" in message.body and "红字发票" in message.body
    # Delivered again (a retry, a worker lost after sending): no second mail.
    assert credit_note_email_send(credit_note_id=note.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_send_is_sent_by_the_retry(after_issue, manager, monkeypatch):
    import billing.services.credit_notes as credit_notes

    invoice = _invoice(status="paid")
    note = _credit(invoice, "300.00", manager)

    def refuse(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(credit_notes, "owner_email_send", refuse)
    with pytest.raises(OSError):
        credit_note_email_send(credit_note_id=note.pk)
    monkeypatch.undo()
    assert credit_note_email_send(credit_note_id=note.pk) is True
    assert len(mail.outbox) == 1
    assert "credit balance" in mail.outbox[0].body or "余额" in mail.outbox[0].body
