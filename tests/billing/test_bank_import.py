"""Bank statements: GBK CSV and XLSX with Chinese headers, proposals by invoice number in the
memo or by payer and amount, row errors reported together, confirm pays once, ignore."""

import csv
import io
from decimal import Decimal

import pytest
import time_machine
from openpyxl import Workbook

from agency.errors import StateConflict
from billing.models import BankStatement, Payment
from billing.selectors import bank_statement_lines
from billing.services import (
    BankStatementError,
    bank_line_confirm,
    bank_line_ignore,
    bank_statement_import,
)
from tests.billing.payment_world import PAY_DAY, issued_invoice

pytestmark = pytest.mark.django_db
URL = "/api/v1/bank-statements/"


@pytest.fixture(autouse=True)
def pay_day():
    with time_machine.travel(PAY_DAY, tick=False):
        yield


def _gbk_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("gbk")


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def invoices(shop_a, shop_b, manager):
    shop_b.billing_name = "杭州乙商贸有限公司"
    shop_b.save(update_fields=["billing_name"])
    return issued_invoice(shop_a, manager), issued_invoice(shop_b, manager, total="1500.00")


def test_a_gbk_csv_with_chinese_headers_proposes_by_number_and_by_payer_and_amount(
    manager, invoices
):
    by_number, by_payer = invoices
    raw = _gbk_csv(
        [
            ["账号: 6222 0000", "", "", ""],
            ["交易日期", "对方户名", "贷方金额", "摘要"],
            ["2026-11-02", "某公司", "1,000.00", f"货款 {by_number.number}"],
            ["2026/11/03", "杭州乙商贸有限公司", "1500.00", "服务费"],
            ["20261103", "路人甲", "88.00", "不明"],
        ]
    )
    statement = bank_statement_import(file=raw, name="流水.csv", actor=manager)
    lines = list(bank_statement_lines(statement_id=statement.pk))
    assert [(line.position, line.match, line.proposed_invoice_id) for line in lines] == [
        (1, "number", by_number.pk),
        (2, "payer_amount", by_payer.pk),
        (3, "none", None),
    ]
    assert lines[0].amount == Decimal("1000.00")
    assert str(lines[1].received_on) == "2026-11-03"


def test_an_xlsx_with_chinese_headers_and_date_cells_is_read(manager, invoices):
    import datetime as dt

    by_number, _ = invoices
    raw = _xlsx(
        [
            ["日期", "付款方", "金额", "附言"],
            [dt.datetime(2026, 11, 2), "甲公司", 3000, by_number.number.lower()],
        ]
    )
    statement = bank_statement_import(file=raw, name="statement.xlsx", actor=manager)
    [line] = bank_statement_lines(statement_id=statement.pk)
    assert (line.amount, line.match, line.proposed_invoice_id) == (
        Decimal("3000.00"),
        "number",
        by_number.pk,
    )


def test_an_utf8_csv_with_a_bom_and_english_headers_is_read(manager, invoices):
    raw = "\ufeffdate,payer,amount,memo\n2026-11-01,Someone,12.50,hello\n".encode()
    statement = bank_statement_import(file=raw, name="s.csv", actor=manager)
    [line] = bank_statement_lines(statement_id=statement.pk)
    assert (line.payer, line.amount, line.memo) == ("Someone", Decimal("12.50"), "hello")


def test_row_errors_are_reported_together_and_nothing_is_stored(manager):
    raw = _gbk_csv(
        [
            ["日期", "付款人", "金额", "用途"],
            ["2026-13-01", "甲", "10", ""],
            ["2026-11-01", "乙", "abc", ""],
            ["2026-11-30", "丙", "5", ""],
        ]
    )
    with pytest.raises(BankStatementError) as refused:
        bank_statement_import(file=raw, name="bad.csv", actor=manager)
    assert [(e.row, e.field) for e in refused.value.errors] == [
        (1, "received_on"),
        (2, "amount"),
        (3, "received_on"),
    ]
    assert not BankStatement.objects.exists()


def test_a_header_without_an_amount_column_is_refused(manager):
    with pytest.raises(BankStatementError) as refused:
        bank_statement_import(
            file=_gbk_csv([["日期", "付款方"], ["2026-11-01", "x"]]), actor=manager
        )
    assert [(e.row, e.field) for e in refused.value.errors] == [(0, "amount")]


def _one_line_statement(manager, invoice, amount="3000.00"):
    raw = _gbk_csv(
        [["日期", "付款方", "金额", "附言"], ["2026-11-02", "甲", amount, invoice.number]]
    )
    return bank_statement_import(file=raw, name="s.csv", actor=manager)


def test_confirming_a_line_records_a_bank_transfer_and_twice_pays_once(manager, invoices):
    invoice, _ = invoices
    statement = _one_line_statement(manager, invoice)
    line = bank_line_confirm(statement_id=statement.pk, position=1, actor=manager)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    payment = line.payment
    assert (payment.method, payment.payer, payment.reference, str(payment.received_on)) == (
        "bank_transfer",
        "甲",
        invoice.number,
        "2026-11-02",
    )
    with pytest.raises(StateConflict):
        bank_line_confirm(statement_id=statement.pk, position=1, actor=manager)
    assert Payment.objects.count() == 1


def test_a_line_imported_again_is_flagged_a_duplicate(manager, invoices):
    invoice, _ = invoices
    first = _one_line_statement(manager, invoice, amount="100.00")
    bank_line_confirm(statement_id=first.pk, position=1, actor=manager)
    again = _one_line_statement(manager, invoice, amount="100.00")
    [line] = bank_statement_lines(statement_id=again.pk)
    assert line.duplicate
    [original] = bank_statement_lines(statement_id=first.pk)
    assert not original.duplicate


def test_an_ignored_line_is_not_confirmed(manager, invoices):
    invoice, _ = invoices
    statement = _one_line_statement(manager, invoice)
    bank_line_ignore(statement_id=statement.pk, position=1, actor=manager)
    with pytest.raises(StateConflict):
        bank_line_confirm(statement_id=statement.pk, position=1, actor=manager)


# --- API ----------------------------------------------------------------------------------------


def test_the_api_imports_proposes_and_confirms_with_another_invoice(manager_api, invoices):
    by_number, other = invoices
    upload = io.BytesIO(
        _gbk_csv([["日期", "付款方", "金额", "摘要"], ["2026-11-02", "x", "1500.00", "?"]])
    )
    upload.name = "流水.csv"
    created = manager_api.post(URL, {"file": upload}, format="multipart")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["lines"][0]["match"] == "none"
    confirm = f"{URL}{body['id']}/lines/1/confirm/"
    assert manager_api.post(confirm, {}, format="json").status_code == 400
    answer = manager_api.post(confirm, {"invoice": other.pk}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "confirmed"
    assert manager_api.post(confirm, {"invoice": other.pk}, format="json").status_code == 409
    assert manager_api.post(f"{URL}{body['id']}/lines/1/ignore/").status_code == 409
    assert manager_api.get(URL).json()["results"][0]["open_count"] == 0


def test_the_api_answers_row_errors_with_400(manager_api):
    upload = io.BytesIO(_gbk_csv([["日期", "付款方", "金额"], ["x", "y", "z"]]))
    upload.name = "bad.csv"
    response = manager_api.post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"received_on", "amount"}


def test_owners_get_403(owner_a_api):
    assert owner_a_api.get(URL).status_code == 403
