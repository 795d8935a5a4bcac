"""The statement of account (对账单, billing.statements): invoices are debits, money received and
credit notes credits, each line with the running balance; a payment from the shop's credit
balance is no line (the overpayment already lowered the balance); a negative balance is the
shop's credit. DOMAIN.md, "Getting paid"."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from billing.models import Invoice, Payment
from billing.services import bill_month, credit_note_create, invoice_issue, payment_record
from billing.statements import (
    payment_details,
    render_statement_html,
    shop_statement,
    statement_period,
)
from tests.billing.factories import NOVEMBER, OCTOBER, day_plan_contract

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI), tick=False
    )


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def money(text: str) -> Decimal:
    return Decimal(text)


def history(shop, manager) -> dict[str, Invoice]:
    """October billed 1,000.00 (10 service days x 100.00) and issued on 3 November; 400.00
    received on 10 November; a 100.00 credit note on 12 November; 700.00 received on 20 November
    (500.00 settles October, 200.00 is the shop's credit); November billed 500.00 and issued on
    2 December, 200.00 of it settled from the credit at once."""
    day_plan_contract(shop, start=d("2026-10-01"), end=d("2026-10-10"))
    day_plan_contract(shop, start=d("2026-11-01"), end=d("2026-11-05"))
    with at(d("2026-11-03")):
        bill_month(month=OCTOBER)
        october = Invoice.objects.get(shop=shop, month=OCTOBER, status="draft")
        october = invoice_issue(invoice_id=october.pk, actor=manager)
    assert october.total == money("1000.00")
    with at(d("2026-11-10")):
        payment_record(
            invoice_id=october.pk,
            amount="400.00",
            method="bank_transfer",
            received_on="2026-11-10",
            reference="BANK-1",
            actor=manager,
        )
    with at(d("2026-11-12")):
        credit_note_create(
            invoice_id=october.pk, amount="100.00", reason="Two days not served.", actor=manager
        )
    with at(d("2026-11-20")):
        payment_record(
            invoice_id=october.pk,
            amount="700.00",
            method="alipay",
            received_on="2026-11-20",
            actor=manager,
            excess_to_credit=True,
        )
    with at(d("2026-12-02")):
        bill_month(month=NOVEMBER)
        november = Invoice.objects.get(shop=shop, month=NOVEMBER, status="draft")
        november = invoice_issue(invoice_id=november.pk, actor=manager)
    assert november.total == money("500.00")
    assert Payment.objects.filter(invoice=november, method="credit").get().amount == money("200.00")
    return {"october": october, "november": november}


def test_running_and_closing_balance_of_invoices_payments_credit_notes_and_credit_used(
    shop_a, manager
):
    invoices = history(shop_a, manager)
    with at(d("2026-12-05")), translation.override("en"):
        statement = shop_statement(shop=shop_a, date_from=d("2026-11-01"), date_to=d("2026-12-05"))
    rows = [
        (line.day, line.kind, line.debit, line.credit, line.balance) for line in statement.lines
    ]
    assert rows == [
        (d("2026-11-03"), "invoice", money("1000.00"), None, money("1000.00")),
        (d("2026-11-10"), "payment", None, money("400.00"), money("600.00")),
        (d("2026-11-12"), "credit_note", None, money("100.00"), money("500.00")),
        (d("2026-11-20"), "payment", None, money("700.00"), money("-200.00")),
        # The 200.00 of credit used on November's invoice is no line: it is no money received.
        (d("2026-12-02"), "invoice", money("500.00"), None, money("300.00")),
    ]
    assert statement.opening_balance == money("0.00")
    assert statement.closing_balance == money("300.00")
    # The closing balance is what the shop's invoices still ask, less its credit.
    invoices["november"].refresh_from_db()
    assert statement.closing_balance == invoices["november"].balance
    assert (statement.total_debit, statement.total_credit) == (money("1500.00"), money("1200.00"))
    assert statement.lines[0].number == invoices["october"].number
    assert statement.lines[0].month == OCTOBER
    assert statement.lines[1].number == "BANK-1"
    assert statement.lines[2].number.startswith("CN-2026-")
    assert "Two days not served." in statement.lines[2].description


def test_the_opening_balance_is_what_was_owed_before_the_period_and_may_be_credit(shop_a, manager):
    history(shop_a, manager)
    with at(d("2026-12-05")):
        november = shop_statement(shop=shop_a, date_from=d("2026-11-15"), date_to=d("2026-11-30"))
        december = shop_statement(shop=shop_a, date_from=d("2026-12-01"), date_to=d("2026-12-05"))
    assert november.opening_balance == money("500.00")  # 1,000 - 400 - 100
    assert [line.kind for line in november.lines] == ["payment"]
    assert november.closing_balance == money("-200.00")
    assert november.in_credit and november.credit_amount == money("200.00")
    assert december.opening_balance == money("-200.00")
    assert december.closing_balance == money("300.00")
    assert not december.in_credit


def test_a_period_with_no_movements_has_its_opening_balance_as_closing(shop_a, manager):
    history(shop_a, manager)
    with at(d("2026-12-05")):
        quiet = shop_statement(shop=shop_a, date_from=d("2026-11-21"), date_to=d("2026-12-01"))
    assert quiet.lines == ()
    assert quiet.opening_balance == quiet.closing_balance == money("-200.00")


def test_drafts_and_void_invoices_are_not_on_the_statement(shop_a, manager):
    from billing.services import invoice_void

    day_plan_contract(shop_a, start=d("2026-10-01"), end=d("2026-10-10"))
    with at(d("2026-11-03")):
        bill_month(month=OCTOBER)
        draft = Invoice.objects.get(shop=shop_a, month=OCTOBER, status="draft")
        assert (
            shop_statement(shop=shop_a, date_from=d("2026-11-01"), date_to=d("2026-11-03")).lines
            == ()
        )
        issued = invoice_issue(invoice_id=draft.pk, actor=manager)
        invoice_void(invoice_id=issued.pk, actor=manager, reason="Billed the wrong shop.")
        statement = shop_statement(shop=shop_a, date_from=d("2026-11-01"), date_to=d("2026-11-03"))
    assert statement.lines == ()
    assert statement.closing_balance == 0


def test_an_invoice_issued_late_in_the_shanghai_evening_counts_on_its_shanghai_date(
    shop_a, manager
):
    day_plan_contract(shop_a, start=d("2026-10-01"), end=d("2026-10-10"))
    # 23:30 on 31 October... is still October; 00:30 on 1 November in Shanghai is 31 October UTC.
    with at(d("2026-11-01"), hour=0):
        bill_month(month=OCTOBER)
        draft = Invoice.objects.get(shop=shop_a, month=OCTOBER, status="draft")
        invoice_issue(invoice_id=draft.pk, actor=manager)
    with at(d("2026-11-05")):
        october = shop_statement(shop=shop_a, date_from=d("2026-10-01"), date_to=d("2026-10-31"))
        november = shop_statement(shop=shop_a, date_from=d("2026-11-01"), date_to=d("2026-11-05"))
    assert october.lines == ()
    assert [line.day for line in november.lines] == [d("2026-11-01")]


def test_the_statement_costs_three_queries_whatever_the_history(shop_a, shop_b, manager):
    history(shop_a, manager)
    with at(d("2026-12-05")):
        with CaptureQueriesContext(connection) as empty:
            shop_statement(shop=shop_b, date_from=d("2026-11-01"), date_to=d("2026-12-05"))
        with CaptureQueriesContext(connection) as full:
            statement = shop_statement(
                shop=shop_a, date_from=d("2026-11-01"), date_to=d("2026-12-05")
            )
            [line.description for line in statement.lines]
    assert len(empty) == len(full) == 3, [q["sql"] for q in full.captured_queries]


# --- The period -------------------------------------------------------------------------------


def test_the_period_defaults_to_this_month_so_far():
    today = d("2026-11-17")
    assert statement_period(date_from=None, date_to=None, today=today) == (
        d("2026-11-01"),
        today,
    )
    assert statement_period(date_from=None, date_to=d("2026-09-20"), today=today) == (
        d("2026-09-01"),
        d("2026-09-20"),
    )
    assert statement_period(date_from=d("2026-10-05"), date_to=None, today=today) == (
        d("2026-10-05"),
        today,
    )


@pytest.mark.parametrize(
    "date_from, date_to, field",
    [
        ("2026-11-10", "2026-11-01", "date_from"),  # ends before it starts
        ("2026-11-01", "2026-11-18", "date_to"),  # ends in the future
        ("2026-11-18", None, "date_from"),  # starts in the future
        ("2023-11-17", "2026-11-17", "date_to"),  # longer than three years
    ],
)
def test_a_period_out_of_order_in_the_future_or_too_long_is_refused_by_field(
    date_from, date_to, field
):
    with pytest.raises(ValidationError) as refused:
        statement_period(
            date_from=d(date_from),
            date_to=d(date_to) if date_to else None,
            today=d("2026-11-17"),
        )
    assert field in refused.value.message_dict


def test_three_years_less_a_day_is_allowed():
    assert statement_period(
        date_from=d("2023-11-18"), date_to=d("2026-11-17"), today=d("2026-11-17")
    ) == (d("2023-11-18"), d("2026-11-17"))


# --- Payment details ----------------------------------------------------------------------------


def test_payment_details_come_from_the_settings_and_empty_ones_are_left_out(settings):
    settings.AGENCY_LEGAL = {
        **settings.AGENCY_LEGAL,
        "BANK_NAME": "招商银行上海分行",
        "BANK_ACCOUNT": "1219 0000 1234",
    }
    settings.AGENCY_PAYMENTS = {
        **settings.AGENCY_PAYMENTS,
        "ALIPAY_ACCOUNT": "pay@agency.example",
        "WECHAT_PAY_ACCOUNT": "",
    }
    details = payment_details("en")
    assert (details.bank_name, details.bank_account, details.alipay_account) == (
        "招商银行上海分行",
        "1219 0000 1234",
        "pay@agency.example",
    )
    assert details
    settings.AGENCY_LEGAL = {**settings.AGENCY_LEGAL, "BANK_NAME": "", "BANK_ACCOUNT": ""}
    settings.AGENCY_PAYMENTS = {**settings.AGENCY_PAYMENTS, "ALIPAY_ACCOUNT": ""}
    assert not payment_details("en")


@pytest.mark.parametrize("language, words", [("en", "Statement of account"), ("zh-hans", "对账单")])
def test_the_statement_document_speaks_the_readers_language(shop_a, manager, language, words):
    history(shop_a, manager)
    with at(d("2026-12-05")):
        statement = shop_statement(shop=shop_a, date_from=d("2026-11-01"), date_to=d("2026-11-30"))
        html = render_statement_html(statement, language)
    assert words in html
    assert "-200.00" in html
