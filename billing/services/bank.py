"""Bank statements (银行流水): import a CSV/XLSX of date, payer, amount, memo; propose for each
line the invoice it pays; a manager confirms (a bank-transfer payment) or ignores each line.

Reading: CSV in UTF-8 (with or without BOM) or GB18030 (a superset of GBK, what a Chinese bank
portal or Excel on Chinese Windows saves), or an ``.xlsx`` workbook's first sheet. The header is
the first of the first ten non-blank lines that names at least two known columns, in Chinese or
English (``BANK_HEADERS``): bank exports put the account and period above it. Rows are numbered
from 1 under the header, blank lines not counted. Every refused row is reported at once
(``BankStatementError``, 400) and nothing is stored.

Proposals, in this order (``BankMatch``):

1. ``number``: the memo holds an invoice number (``INV-YYYY-NNNNNN``) of an issued invoice;
2. ``payer_amount``: the payer equals a shop's billing name or name (spaces and case aside) and
   the amount equals the balance of one of that shop's issued invoices (the oldest due first);
3. ``none``: the manager chooses.

Duplicates: a line is a duplicate when a confirmed line of another statement has the same date,
payer, amount and memo (``selectors.bank_statement_lines`` computes it when read, so a line
imported before its twin was confirmed is flagged too). Banks give no stable transaction id in
every export, and these four fields are what a person compares.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from agency.access import require_manager
from agency.errors import NotFound, RowError, RowErrors, StateConflict
from agency.models import User
from billing.choices import BankLineStatus, BankMatch, PaymentMethod
from billing.models import BankStatement, BankStatementLine, Invoice
from billing.services.payments import (
    PAYER_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
    amount_clean,
    payment_record,
    received_on_clean,
)

XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"
HEADER_SEARCH_LINES = 10
MAX_LINES = 5000
MAX_FILE_BYTES = 5 * 1024 * 1024
MEMO_MAX_LENGTH = 500
FILE_NAME_MAX_LENGTH = 200
INVOICE_NUMBER = re.compile(r"INV-?(\d{4})-?(\d{6})", re.IGNORECASE)

BANK_HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("date", "日期", "交易日期", "入账日期", "记账日期"),
    "payer": ("payer", "付款方", "对方户名", "付款人", "付款户名", "对方账户名称"),
    "amount": ("amount", "金额", "收入金额", "贷方金额", "收入"),
    "memo": ("memo", "附言", "摘要", "用途", "备注"),
}
REQUIRED = ("date", "payer", "amount")


class BankStatementError(RowErrors):
    """The statement was refused; ``errors`` says where and why (answered as 400)."""

    def summary(self, count: int) -> str:
        return gettext("The statement has %(count)s error(s); nothing was saved.") % {
            "count": count
        }


def _refuse(message: str) -> BankStatementError:
    return BankStatementError([RowError(None, "file", message)])


def _header_key(text: str) -> str | None:
    key = re.sub(r"[\s:：]|[(（][^)）]*[)）]", "", text).lower()
    for name, labels in BANK_HEADERS.items():
        if key in labels:
            return name
    return None


# --- Reading ------------------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(
        gettext(
            "The file is neither UTF-8 nor GBK text; save it from Excel as CSV or as an Excel "
            "workbook (.xlsx)."
        )
    )


def _csv_records(text: str) -> list[list[Any]]:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:
        raise _refuse(
            gettext("Not a readable CSV file (line %(line)s).") % {"line": reader.line_num}
        ) from exc


def _xlsx_records(raw: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise _refuse(gettext("Not a readable Excel workbook (.xlsx).")) from exc
    try:
        if not workbook.worksheets:
            return []
        return [list(values) for values in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _records(raw: bytes, name: str) -> list[list[Any]]:
    if raw.startswith(XLSX_SIGNATURE) or name.lower().endswith(".xlsx"):
        return _xlsx_records(raw)
    if raw.startswith(XLS_SIGNATURE) or name.lower().endswith(".xls"):
        raise _refuse(
            gettext(
                "This is an old Excel file (.xls); save it as an Excel workbook (.xlsx) or as CSV."
            )
        )
    return _csv_records(_decode(raw))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _date(value: Any) -> Any:
    """A date cell as a date when its text is one of the banks' usual forms; else as it is."""
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().split(" ")[0].split("T")[0]
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return text


def _amount(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps numbers as binary floats: the shortest text of it is what the cell shows.
        return Decimal(repr(value)).quantize(Decimal("0.01")) if value == value else ""
    return re.sub(r"[,，¥￥\s]|元$|^CNY", "", str(value))


def _clean_text(value: Any) -> str:
    return "".join(char if ord(char) >= 32 and ord(char) != 127 else " " for char in str(value))


def bank_statement_rows(raw: bytes, *, name: str = "") -> list[dict[str, Any]]:
    """The statement's lines as ``{"position", "received_on", "payer", "amount", "memo"}``;
    ``BankStatementError`` with every problem found."""
    lines = [
        [_cell(value) for value in record]
        for record in _records(raw, name)
        if any(_cell(value) != "" for value in record)
    ]
    header_at = next(
        (
            index
            for index, record in enumerate(lines[:HEADER_SEARCH_LINES])
            if sum(_header_key(str(value)) is not None for value in record) >= 2
        ),
        None,
    )
    columns_text = "日期/date, 付款方/payer, 金额/amount, 附言/memo"
    if header_at is None:
        raise _refuse(
            gettext("No header found; the file's first row must name the columns: %(columns)s.")
            % {"columns": columns_text}
        )
    columns: dict[str, int] = {}
    for index, value in enumerate(lines[header_at]):
        key = _header_key(str(value))
        if key is not None and key not in columns:
            columns[key] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise BankStatementError(
            [
                RowError(
                    0,
                    column,
                    gettext("The header has no %(column)s column.") % {"column": column},
                )
                for column in missing
            ]
        )
    body = lines[header_at + 1 :]
    if not body or all(
        columns["amount"] >= len(record) or record[columns["amount"]] == "" for record in body
    ):
        raise _refuse(gettext("The statement has no lines under its header."))
    if len(body) > MAX_LINES:
        raise _refuse(
            gettext("A statement has at most %(limit)s lines; this one has %(count)s.")
            % {"limit": MAX_LINES, "count": len(body)}
        )
    errors: list[RowError] = []
    rows: list[dict[str, Any]] = []
    for position, record in enumerate(body, start=1):

        def cell(key: str, record: list[Any] = record) -> Any:
            index = columns.get(key)
            return record[index] if index is not None and index < len(record) else ""

        if cell("amount") == "":
            # Money paid out: its amount is in another column (支出/借方), not ours to match.
            continue
        row: dict[str, Any] = {"position": position}
        for key, clean in (
            ("received_on", lambda: received_on_clean(_date(cell("date")))),
            ("amount", lambda: amount_clean(_amount(cell("amount")))),
        ):
            try:
                row[key] = clean()
            except ValidationError as error:
                for message in error.messages:
                    errors.append(RowError(position, key, message))
        row["payer"] = _clean_text(cell("payer")).strip()
        row["memo"] = _clean_text(cell("memo")).strip()
        for key, limit in (("payer", PAYER_MAX_LENGTH), ("memo", MEMO_MAX_LENGTH)):
            if len(row[key]) > limit:
                errors.append(
                    RowError(
                        position,
                        key,
                        gettext("Keep this to %(limit)d characters (it has %(length)d).")
                        % {"limit": limit, "length": len(row[key])},
                    )
                )
        rows.append(row)
    if errors:
        raise BankStatementError(errors)
    return rows


# --- Proposals ----------------------------------------------------------------------------------


def _name_key(text: str) -> str:
    return re.sub(r"\s", "", text).casefold()


def _proposals(rows: Iterable[dict[str, Any]]) -> list[tuple[Invoice | None, str]]:
    """(invoice, match) for each row, in a few queries whatever the number of rows."""
    from shops.models import Shop

    rows = list(rows)
    numbers = {
        f"INV-{found.group(1)}-{found.group(2)}"
        for row in rows
        if (found := INVOICE_NUMBER.search(row["memo"]))
    }
    by_number = {
        invoice.number: invoice
        for invoice in Invoice.objects.filter(number__in=numbers, status=Invoice.Status.ISSUED)
    }
    payers = {_name_key(row["payer"]) for row in rows if row["payer"]}
    shop_ids_by_name: dict[str, set[int]] = {}
    if payers:
        for shop_id, name, billing_name in Shop.objects.values_list("id", "name", "billing_name"):
            for text in (name, billing_name):
                if text and _name_key(text) in payers:
                    shop_ids_by_name.setdefault(_name_key(text), set()).add(shop_id)
    open_by_shop: dict[int, list[Invoice]] = {}
    shop_ids = set().union(*shop_ids_by_name.values()) if shop_ids_by_name else set()
    for invoice in Invoice.objects.filter(
        shop_id__in=shop_ids, status=Invoice.Status.ISSUED
    ).order_by("due_date", "id"):
        open_by_shop.setdefault(invoice.shop_id, []).append(invoice)
    proposals: list[tuple[Invoice | None, str]] = []
    for row in rows:
        found = INVOICE_NUMBER.search(row["memo"])
        invoice = by_number.get(f"INV-{found.group(1)}-{found.group(2)}") if found else None
        if invoice is not None:
            proposals.append((invoice, BankMatch.NUMBER))
            continue
        candidates = [
            invoice
            for shop_id in sorted(shop_ids_by_name.get(_name_key(row["payer"]), ()))
            for invoice in open_by_shop.get(shop_id, [])
            if invoice.balance == row["amount"]
        ]
        if candidates:
            oldest = min(candidates, key=lambda i: (i.due_date or dt.date.max, i.pk))
            proposals.append((oldest, BankMatch.PAYER_AMOUNT))
        else:
            proposals.append((None, BankMatch.NONE))
    return proposals


# --- Writes -------------------------------------------------------------------------------------


@transaction.atomic
def bank_statement_import(
    *, file: IO[bytes] | bytes, actor: User | None, name: str = ""
) -> BankStatement:
    """Store a bank statement and its lines, each with its proposed invoice; refuses the whole
    file (``BankStatementError``) when any row is wrong."""
    require_manager(actor)
    raw = file.read() if hasattr(file, "read") else file
    name = (name or getattr(file, "name", "") or "statement").strip()[:FILE_NAME_MAX_LENGTH]
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if not raw:
        raise _refuse(gettext("The file is empty."))
    if len(raw) > MAX_FILE_BYTES:
        raise _refuse(gettext("The file is too large (at most 5 MB)."))
    rows = bank_statement_rows(raw, name=name)
    statement = BankStatement.objects.create(file_name=name, uploaded_by=actor)
    BankStatementLine.objects.bulk_create(
        [
            BankStatementLine(
                statement=statement,
                proposed_invoice=invoice,
                match=match,
                **row,
            )
            for row, (invoice, match) in zip(rows, _proposals(rows), strict=True)
        ]
    )
    return statement


def _locked_line(statement_id: int, position: int) -> BankStatementLine:
    line = (
        BankStatementLine.objects.select_for_update()
        .filter(statement_id=statement_id, position=position)
        .first()
    )
    if line is None:
        raise NotFound(gettext("No such line of a bank statement."))
    return line


def _line_state_conflict(line: BankStatementLine) -> StateConflict:
    if line.status == BankLineStatus.CONFIRMED:
        return StateConflict(
            gettext("Line %(row)s is already confirmed: its payment is recorded.")
            % {"row": line.position}
        )
    return StateConflict(
        gettext("Line %(row)s was ignored; it cannot be confirmed.") % {"row": line.position}
    )


@transaction.atomic
def bank_line_confirm(
    *,
    statement_id: int,
    position: int,
    actor: User | None,
    invoice_id: int | None = None,
    excess_to_credit: bool = False,
) -> BankStatementLine:
    """Record the line's money as a bank-transfer payment of its proposed invoice (or
    ``invoice_id``, the manager's choice) and mark the line confirmed, in one transaction. A
    line confirmed or ignored already is refused (``StateConflict``): nothing is paid twice."""
    require_manager(actor)
    line = _locked_line(statement_id, position)
    if line.status != BankLineStatus.OPEN:
        raise _line_state_conflict(line)
    target = invoice_id if invoice_id is not None else line.proposed_invoice_id
    if target is None:
        raise ValidationError(
            {"invoice": [gettext("Choose the invoice this money pays; nothing was proposed.")]}
        )
    if not Invoice.objects.filter(pk=target).exists():
        raise ValidationError({"invoice": [gettext("No such invoice.")]})
    payment = payment_record(
        invoice_id=target,
        amount=line.amount,
        method=PaymentMethod.BANK_TRANSFER,
        received_on=line.received_on,
        payer=line.payer[:PAYER_MAX_LENGTH],
        reference=line.memo[:REFERENCE_MAX_LENGTH].strip(),
        actor=actor,
        excess_to_credit=excess_to_credit,
    )
    line.status = BankLineStatus.CONFIRMED
    line.payment = payment
    line.proposed_invoice_id = target
    line.save(update_fields=["status", "payment", "proposed_invoice"])
    return line


@transaction.atomic
def bank_line_ignore(*, statement_id: int, position: int, actor: User | None) -> BankStatementLine:
    """Set a line aside (not money for an invoice: a refund, interest, another business). A
    confirmed line cannot be ignored; ignoring twice changes nothing."""
    require_manager(actor)
    line = _locked_line(statement_id, position)
    if line.status == BankLineStatus.CONFIRMED:
        raise _line_state_conflict(line)
    if line.status != BankLineStatus.IGNORED:
        line.status = BankLineStatus.IGNORED
        line.save(update_fields=["status"])
    return line
