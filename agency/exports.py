"""Tables people download: CSV and Excel files that owners and accountants open as they are.

A table is its columns (a key, a header in the reader's language, a kind) and its rows (mappings
from key to value). The same table writes as:

* **CSV**: UTF-8 with a byte-order mark and CRLF line ends, so Excel and WPS on a Chinese Windows
  read the Chinese names right instead of guessing GBK. Numbers are plain machine numbers
  (``1016.13``, no grouping, no currency) so spreadsheets read them as numbers; dates are
  ``2026-11-30``; months and choices are written as people read them in the active language.
* **XLSX** (openpyxl): numbers and dates are real numbers and dates in cells with number formats
  (``#,##0.00`` for money, ``yyyy-mm-dd`` for dates), a bold header row that stays in view
  (frozen panes) and columns wide enough for their contents.

Spreadsheets run a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula, and shop names, agent names and descriptions are typed by people: every text cell that
starts so is written with a leading apostrophe. Numbers the exporter writes itself (money, counts,
percentages, a negative margin) are never touched.

Headers and choice labels are gettext (lazy) strings, evaluated when the file is written, so the
file speaks the language active then: the request's.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agency.formatting import as_decimal, month_text
from agency.money import round_money

UTF8_BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"
    MONTH = "month"
    MONEY = "money"
    COUNT = "count"
    PERCENT = "percent"
    """A ratio (0.7234), shown as a percentage (72.3%)."""
    CHOICE = "choice"
    """A stored value (``tmall``) shown by its label in the active language (天猫)."""


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

XLSX_FORMATS = {
    Kind.DATE: "yyyy-mm-dd",
    Kind.MONEY: "#,##0.00",
    Kind.COUNT: "#,##0",
    Kind.PERCENT: "0.0%",
}
# A month cell is the month's first day, shown by the month rule (docs/web.md, "Dates and
# numbers"): 2026年11月 in Chinese, November 2026 in English.
XLSX_MONTH_FORMATS = {"zh-hans": 'yyyy"年"m"月"', "en": "mmmm yyyy"}


@dataclass(frozen=True)
class Column:
    key: str
    header: Any
    """A (lazy) translated string: the column's name in the reader's language."""
    kind: Kind = Kind.TEXT
    choices: Mapping[str, Any] = field(default_factory=dict)
    """For ``Kind.CHOICE``: stored value -> (lazy) label; an unknown value is written as is."""


YES_NO = {True: _("yes"), False: _("no")}


# --- Cells ------------------------------------------------------------------------------------


def safe_text(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, date) else None


def _choice_label(column: Column, value: Any) -> str:
    label = column.choices.get(value, value)
    return "" if label is None else str(label)


def csv_cell(column: Column, value: Any) -> str:
    """How ``value`` reads in a CSV cell of ``column``."""
    if value is None or value == "":
        return ""
    kind = column.kind
    if kind == Kind.DATE:
        day = _as_date(value)
        return f"{day:%Y-%m-%d}" if day else safe_text(str(value))
    if kind == Kind.MONTH:
        day = _as_date(value)
        return month_text(day) if day else safe_text(str(value))
    if kind in (Kind.MONEY, Kind.COUNT, Kind.PERCENT):
        number = as_decimal(value)
        if number is None:
            return ""
        if kind == Kind.MONEY:
            return f"{round_money(number):.2f}"
        if kind == Kind.COUNT:
            return str(int(number))
        return f"{(number * 100).quantize(Decimal('0.1'))}%"
    if kind == Kind.CHOICE:
        return safe_text(_choice_label(column, value))
    return safe_text(str(value))


def xlsx_cell(column: Column, value: Any) -> tuple[Any, str | None]:
    """(the value openpyxl stores, its number format or None) for ``value`` in ``column``."""
    if value is None or value == "":
        return None, None
    kind = column.kind
    if kind in (Kind.DATE, Kind.MONTH):
        day = _as_date(value)
        if day is None:
            return safe_text(str(value)), None
        if kind == Kind.MONTH:
            language = (get_language() or "en").lower()
            return day.replace(day=1), XLSX_MONTH_FORMATS.get(language, "yyyy-mm")
        return day, XLSX_FORMATS[Kind.DATE]
    if kind in (Kind.MONEY, Kind.COUNT, Kind.PERCENT):
        number = as_decimal(value)
        if number is None:
            return None, None
        if kind == Kind.MONEY:
            return round_money(number), XLSX_FORMATS[kind]
        if kind == Kind.COUNT:
            return int(number), XLSX_FORMATS[kind]
        return number, XLSX_FORMATS[kind]
    if kind == Kind.CHOICE:
        return safe_text(_choice_label(column, value)), None
    return safe_text(str(value)), None


# --- Files ------------------------------------------------------------------------------------


def table_csv(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The table as CSV bytes: UTF-8 with a BOM, CRLF line ends, a header row first."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(str(column.header)) for column in columns])
    for row in rows:
        writer.writerow([csv_cell(column, row.get(column.key)) for column in columns])
    return buffer.getvalue().encode("utf-8")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH = 8, 60


def table_xlsx(
    columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], *, sheet_title: str
) -> bytes:
    """The table as an XLSX workbook of one sheet (see the module's docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _SHEET_TITLE_FORBIDDEN.sub(" ", str(sheet_title))[:31] or "Sheet1"
    headers = [safe_text(str(column.header)) for column in columns]
    sheet.append(headers)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    widths = [display_width(header) for header in headers]
    for row_number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns):
            value, number_format = xlsx_cell(column, row.get(column.key))
            cell = sheet.cell(row=row_number, column=index + 1, value=value)
            if number_format:
                cell.number_format = number_format
            shown = csv_cell(column, row.get(column.key))
            if column.kind == Kind.MONEY and shown:
                shown = f"{Decimal(shown):,.2f}"
            widths[index] = max(widths[index], display_width(shown))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Responses --------------------------------------------------------------------------------


def _ascii_fallback(filename: str) -> str:
    """``filename`` for clients that do not read RFC 5987: what is not plain ASCII is left out
    ("workloads-小鹿童装-2026-11-01.csv" -> "workloads-2026-11-01.csv")."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "", stem)
    stem = re.sub(r"-{2,}", "-", stem).strip("-_.") or "export"
    return f"{stem}.{extension}" if extension else stem


def attachment_header(filename: str) -> str:
    """A Content-Disposition for ``filename``: ``filename=`` always, and ``filename*=`` (RFC 5987,
    UTF-8) when the name is not plain ASCII, so a Chinese shop name survives the download."""
    fallback = _ascii_fallback(filename)
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def filename_part(text: str) -> str:
    """A shop's name (or any text) made safe inside a file name, Chinese characters kept."""
    cleaned = re.sub(r'[\\/:*?"<>|\s]+', "-", text.strip())
    return cleaned.strip("-.")[:60] or "export"


def table_response(
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    *,
    export_format: ExportFormat | str,
    filename: str,
    sheet_title: str,
) -> HttpResponse:
    """The table as a downloadable file; ``filename`` is without its extension."""
    export_format = ExportFormat(export_format)
    writers: dict[ExportFormat, Callable[[], bytes]] = {
        ExportFormat.CSV: lambda: table_csv(columns, rows),
        ExportFormat.XLSX: lambda: table_xlsx(columns, rows, sheet_title=sheet_title),
    }
    response = HttpResponse(writers[export_format](), content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = attachment_header(f"{filename}.{export_format}")
    response["Cache-Control"] = "private"
    return response
