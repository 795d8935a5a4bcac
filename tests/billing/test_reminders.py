"""Payment reminders (催款): before the due date and on set days after it, once each, the latest
stage only after missed days, stopping when paid; ``invoice.overdue`` once per invoice."""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from agency.models import Webhook, WebhookDelivery
from billing import tasks
from billing.models import Invoice, PaymentReminder
from billing.receivables import receivables
from billing.services import bill_month, invoice_issue, invoice_pay, payment_record
from billing.services.reminders import (
    payment_reminder_send,
    payment_reminders_send,
    reminder_stage_due,
    reminder_stages,
)
from tests.billing.factories import OCTOBER, confirmed_turnover, monthly_contract

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
ISSUED_ON = dt.date(2026, 11, 3)  # default terms, 15 days: due on 2026-11-18
DUE = dt.date(2026, 11, 18)


@contextmanager
def on(day: dt.date, hour: int = 9):
    with time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, 30, tzinfo=SHANGHAI), tick=False
    ):
        yield day


def issued_invoice(shop, manager) -> Invoice:
    if not shop.owner.language:  # new accounts read Chinese; these tests read English
        shop.owner.language = "en"
        shop.owner.save(update_fields=["language"])
    monthly_contract(shop)
    confirmed_turnover(shop, "100000.00")
    with on(ISSUED_ON, 10):
        bill_month(month=OCTOBER)
        draft = Invoice.objects.get(shop=shop, month=OCTOBER, status="draft")
        invoice = invoice_issue(invoice_id=draft.pk, actor=manager)
    assert invoice.due_date == DUE
    mail.outbox.clear()
    return invoice


def run(day: dt.date):
    with on(day):
        return payment_reminders_send(today=day)


def days_sent(invoice) -> list[int]:
    return list(PaymentReminder.objects.filter(invoice=invoice).values_list("days", flat=True))


@pytest.fixture
def overdue_hook(manager):
    return Webhook.objects.create(
        owner=manager,
        url="https://hooks.example.com/m",
        events=["invoice.overdue"],
        secret="s" * 64,
    )


# --- The done-when ----------------------------------------------------------------------------


def test_done_when_an_overdue_invoice_gets_its_reminders_and_shows_in_the_ageing_report(
    shop_a, manager, overdue_hook
):
    invoice = issued_invoice(shop_a, manager)

    run(DUE - dt.timedelta(days=4))  # before the first stage: nothing
    assert mail.outbox == [] and days_sent(invoice) == []

    run(DUE - dt.timedelta(days=3))
    assert days_sent(invoice) == [-3]
    [before] = mail.outbox
    assert before.to == [shop_a.invoice_email]
    assert invoice.number in before.subject and "is due on" in before.body

    run(DUE)  # the due date itself: not overdue yet, and "due in 3 days" would be wrong
    assert days_sent(invoice) == [-3] and len(mail.outbox) == 1
    assert not WebhookDelivery.objects.exists()

    run(DUE + dt.timedelta(days=1))
    assert days_sent(invoice) == [-3, 1]
    assert "1 day overdue" in mail.outbox[-1].body
    [event] = WebhookDelivery.objects.filter(event="invoice.overdue")
    assert (event.payload["number"], event.payload["overdue"]) == (invoice.number, True)
    invoice.refresh_from_db()
    assert invoice.overdue_published_at is not None

    run(DUE + dt.timedelta(days=7))
    assert days_sent(invoice) == [-3, 1, 7]
    assert "7 days overdue" in mail.outbox[-1].body
    assert WebhookDelivery.objects.filter(event="invoice.overdue").count() == 1  # once

    report = receivables(as_of=DUE + dt.timedelta(days=7))
    [row] = report.rows
    assert row.shop_id == shop_a.pk
    assert row.amounts["days_1_30"] == invoice.total
    assert row.amounts["current"] == row.amounts["days_31_60"] == Decimal("0.00")

    with on(DUE + dt.timedelta(days=10)):
        invoice_pay(invoice_id=invoice.pk, actor=manager)
    mail.outbox.clear()
    for day in (15, 30, 45):
        run(DUE + dt.timedelta(days=day))
    assert mail.outbox == [] and days_sent(invoice) == [-3, 1, 7]
    assert receivables(as_of=DUE + dt.timedelta(days=45)).rows == []


def test_a_rerun_on_the_same_day_sends_nothing_twice(shop_a, manager, overdue_hook):
    invoice = issued_invoice(shop_a, manager)
    first = run(DUE + dt.timedelta(days=1))
    second = run(DUE + dt.timedelta(days=1))
    assert (first.reminders, first.overdue_published) == (1, 1)
    assert (second.reminders, second.overdue_published) == (0, 0)
    assert len(mail.outbox) == 1 and days_sent(invoice) == [1]
    assert WebhookDelivery.objects.count() == 1


def test_the_task_sends_the_days_reminders(shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    with on(DUE + dt.timedelta(days=7)):
        tasks.send_payment_reminders.apply().get()
        tasks.send_payment_reminders.apply().get()
    assert days_sent(invoice) == [7] and len(mail.outbox) == 1


# --- Catch-up ---------------------------------------------------------------------------------


def test_after_missed_days_only_the_latest_stage_reached_is_sent(shop_a, manager):
    """The job was down from before the due date to day 20: the owner gets the day-15 reminder
    only, not the -3, 1 and 7 ones in a burst; the next is day 30."""
    invoice = issued_invoice(shop_a, manager)
    run(DUE + dt.timedelta(days=20))
    assert days_sent(invoice) == [15] and len(mail.outbox) == 1
    assert "20 days overdue" in mail.outbox[0].body
    run(DUE + dt.timedelta(days=21))
    assert days_sent(invoice) == [15]
    run(DUE + dt.timedelta(days=31))
    assert days_sent(invoice) == [15, 30]


def test_a_stage_is_never_sent_after_a_later_one():
    stages = [-3, 1, 7, 15, 30]
    due = DUE
    assert (
        reminder_stage_due(
            due_date=due, today=due + dt.timedelta(days=8), last_sent=15, stages=stages
        )
        is None
    )
    assert (
        reminder_stage_due(
            due_date=due, today=due + dt.timedelta(days=8), last_sent=1, stages=stages
        )
        == 7
    )
    assert (
        reminder_stage_due(
            due_date=due, today=due - dt.timedelta(days=1), last_sent=None, stages=stages
        )
        == -3
    )
    assert reminder_stage_due(due_date=due, today=due, last_sent=None, stages=stages) is None
    assert (
        reminder_stage_due(
            due_date=due, today=due + dt.timedelta(days=400), last_sent=None, stages=stages
        )
        == 30
    )


@override_settings(
    AGENCY_PAYMENTS={
        "TERMS_DAYS": 15,
        "REMINDER_DAYS_BEFORE": [5, 1],
        "REMINDER_DAYS_AFTER": [3],
        "ALIPAY_ACCOUNT": "",
        "WECHAT_PAY_ACCOUNT": "",
    }
)
def test_the_schedule_comes_from_the_settings(shop_a, manager):
    assert reminder_stages() == [-5, -1, 3]
    invoice = issued_invoice(shop_a, manager)
    for offset in range(-6, 5):
        run(DUE + dt.timedelta(days=offset))
    assert days_sent(invoice) == [-5, -1, 3]


# --- Stops when paid ----------------------------------------------------------------------------


def test_a_part_payment_leaves_the_balance_reminded(shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    with on(DUE, 11):
        payment_record(
            invoice_id=invoice.pk,
            amount=Decimal("100.00"),
            method="alipay",
            received_on=DUE,
            reference="",
            actor=manager,
        )
    run(DUE + dt.timedelta(days=1))
    [reminder] = mail.outbox
    balance = invoice.total - Decimal("100.00")
    assert f"{balance:,.2f}" in reminder.body
    assert "100.00" in reminder.body


def test_a_paid_invoice_gets_no_reminder_even_when_picked_before_payment(shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    with on(DUE + dt.timedelta(days=1), 8):
        invoice_pay(invoice_id=invoice.pk, actor=manager)
    # Chosen by a job that read the invoice before it was paid: the claim checks again.
    assert (
        payment_reminder_send(invoice_id=invoice.pk, stage=1, today=DUE + dt.timedelta(days=1))
        is False
    )
    run(DUE + dt.timedelta(days=1))
    assert mail.outbox == [] and days_sent(invoice) == []


# --- Language, contents ----------------------------------------------------------------------


@override_settings(
    AGENCY_LEGAL={
        "NAME_ZH": "某某客服外包有限公司",
        "NAME_EN": "Example Services Ltd",
        "ADDRESS": "",
        "TAX_ID": "",
        "BANK_NAME": "招商银行上海分行",
        "BANK_ACCOUNT": "6225880212345678",
    },
    AGENCY_PAYMENTS={
        "TERMS_DAYS": 15,
        "REMINDER_DAYS_BEFORE": [3],
        "REMINDER_DAYS_AFTER": [1, 7, 15, 30],
        "ALIPAY_ACCOUNT": "pay@example.com",
        "WECHAT_PAY_ACCOUNT": "wx-agency",
    },
)
def test_a_chinese_speaking_owner_gets_the_reminder_in_chinese_with_where_to_pay(
    shop_a, owner_a, manager
):
    owner_a.language = "zh-hans"
    owner_a.save(update_fields=["language"])
    invoice = issued_invoice(shop_a, manager)
    run(DUE + dt.timedelta(days=7))
    [message] = mail.outbox
    assert "逾期" in message.subject and invoice.number in message.subject
    assert "逾期 7 天" in message.body
    assert "6225880212345678" in message.body and "招商银行上海分行" in message.body
    assert "pay@example.com" in message.body and "wx-agency" in message.body
    assert "2026-11-18" in message.body or "2026年11月18日" in message.body
    assert "Overdue" not in message.body


def test_an_english_reminder_names_number_shop_total_balance_and_due_date(shop_a, manager):
    invoice = issued_invoice(shop_a, manager)
    run(DUE - dt.timedelta(days=3))
    [message] = mail.outbox
    for text in (invoice.number, shop_a.name, f"{invoice.total:,.2f}", "in 3 days"):
        assert text in message.body, text


# --- Failure and retry --------------------------------------------------------------------------


def test_a_failing_send_is_retried_and_sends_once(shop_a, shop_b, manager):
    first, second = issued_invoice(shop_a, manager), issued_invoice(shop_b, manager)
    real_send = mail.send_mail
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionRefusedError("mail server down")
        return real_send(*args, **kwargs)

    with mock.patch("agency.emails.send_mail", side_effect=flaky):
        with pytest.raises(ConnectionRefusedError):
            run(DUE + dt.timedelta(days=1))
        # The other invoice's reminder went out; the failed one is not recorded.
        assert len(mail.outbox) == 1
        assert sorted(days_sent(first) + days_sent(second)) == [1]
        run(DUE + dt.timedelta(days=1))  # Celery's retry
        run(DUE + dt.timedelta(days=1))  # and a task delivered twice
    assert len(mail.outbox) == 2
    assert days_sent(first) == [1] and days_sent(second) == [1]


def test_the_task_retries_on_a_mail_server_error():
    assert OSError in tasks.send_payment_reminders.autoretry_for
    assert tasks.send_payment_reminders.acks_late


def test_an_owner_without_an_address_is_not_looked_at_again(shop_a, owner_a, manager):
    invoice = issued_invoice(shop_a, manager)
    owner_a.email = ""
    owner_a.save(update_fields=["email"])
    shop_a.billing_email = ""
    shop_a.save(update_fields=["billing_email"])
    run(DUE + dt.timedelta(days=1))
    assert mail.outbox == []
    [reminder] = PaymentReminder.objects.filter(invoice=invoice)
    assert reminder.recipient == ""


# --- Queries ----------------------------------------------------------------------------------


def test_candidates_are_found_in_one_query(shop_a, manager, django_assert_num_queries):
    issued_invoice(shop_a, manager)
    run(DUE + dt.timedelta(days=1))
    with on(DUE + dt.timedelta(days=2)), django_assert_num_queries(1):
        payment_reminders_send(today=DUE + dt.timedelta(days=2))
