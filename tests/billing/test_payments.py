"""Getting paid: payments in parts, the invoice paid at a balance of 0, overpayments refused or
kept as the shop's credit balance, which the next issued invoice uses."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from agency.errors import StateConflict
from billing.models import CreditEntry, Payment
from billing.selectors import payment_list, shop_credit_balance
from billing.services import invoice_pay, invoice_void, payment_record
from tests.billing.factories import NOVEMBER
from tests.billing.payment_world import PAY_DAY, draft_invoice, issued_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pay_day():
    with time_machine.travel(PAY_DAY, tick=False):
        yield


def _pay(invoice, manager, amount, **kwargs):
    return payment_record(
        invoice_id=invoice.pk,
        amount=amount,
        method=kwargs.pop("method", "bank_transfer"),
        received_on=kwargs.pop("received_on", "2026-11-03"),
        actor=manager,
        **kwargs,
    )


def test_a_bank_transfer_in_two_parts_pays_the_invoice(shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    _pay(invoice, manager, "1000.00", reference="first half", payer="Shop A Ltd")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.balance) == (
        "issued",
        Decimal("1000.00"),
        Decimal("2000.00"),
    )
    _pay(invoice, manager, "2000.00")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == ("paid", Decimal("0.00"))
    assert invoice.paid_at is not None
    assert [p.amount for p in invoice.payments.order_by("id")] == [
        Decimal("1000.00"),
        Decimal("2000.00"),
    ]


def test_an_overpayment_is_refused_naming_the_balance(shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    with pytest.raises(ValidationError) as refused:
        _pay(invoice, manager, "3000.01")
    [message] = refused.value.message_dict["amount"]
    assert "3,000.00" in message or "3000.00" in message
    assert not Payment.objects.exists()


def test_an_overpayment_kept_as_credit_is_used_by_the_next_issued_invoice(shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    payment = _pay(invoice, manager, "3500.00", excess_to_credit=True)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert (payment.applied, payment.excess) == (Decimal("3000.00"), Decimal("500.00"))
    assert shop_credit_balance(shop_id=shop_a.pk) == Decimal("500.00")

    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0, tzinfo=PAY_DAY.tzinfo), tick=False):
        november = issued_invoice(shop_a, manager, month=NOVEMBER)
    assert november.amount_paid == Decimal("500.00")
    assert november.balance == november.total - Decimal("500.00")
    assert shop_credit_balance(shop_id=shop_a.pk) == Decimal("0.00")
    assert november.payments.get().method == "credit"
    assert list(CreditEntry.objects.values_list("kind", flat=True)) == ["overpayment", "used"]


@pytest.mark.parametrize("state", ["draft", "void", "paid"])
def test_only_an_issued_invoice_takes_a_payment(shop_a, manager, state):
    if state == "draft":
        invoice = draft_invoice(shop_a)
    else:
        invoice = issued_invoice(shop_a, manager)
        if state == "void":
            invoice_void(invoice_id=invoice.pk, actor=manager, reason="Wrong month")
        else:
            invoice_pay(invoice_id=invoice.pk, actor=manager)
    with pytest.raises(StateConflict):
        _pay(invoice, manager, "10.00")


def test_money_is_not_received_in_the_future(shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    with pytest.raises(ValidationError) as refused:
        _pay(invoice, manager, "10.00", received_on="2026-11-04")
    assert list(refused.value.message_dict) == ["received_on"]


def test_the_old_pay_action_records_a_payment_of_the_balance(shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    _pay(invoice, manager, "1000.00")
    paid = invoice_pay(
        invoice_id=invoice.pk, actor=manager, method="alipay", reference="2026110322001"
    )
    assert paid.status == "paid"
    last = paid.payments.order_by("-id").first()
    assert (last.amount, last.method, last.reference, last.received_on) == (
        Decimal("2000.00"),
        "alipay",
        "2026110322001",
        dt.date(2026, 11, 3),
    )


def test_owners_read_only_their_shops_payments(shop_a, shop_b, manager, owner_a):
    _pay(issued_invoice(shop_a, manager), manager, "10.00")
    _pay(issued_invoice(shop_b, manager), manager, "20.00")
    assert {p.shop_id for p in payment_list(user=owner_a)} == {shop_a.pk}
    assert payment_list(user=manager).count() == 2
