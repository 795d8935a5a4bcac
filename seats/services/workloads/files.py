"""Reading workload files: CSV in UTF-8 or GBK, Excel workbooks, English or Chinese headers.

A file becomes a ``WorkloadFile``: its rows keyed by field, each with its number, the header
text of each field (errors name a column as the file wrote it), the columns the app does not
use (``ignored_columns``, in file order), the summary rows skipped (``skipped_rows``), and the
header's problems, which are reported together with the rows' by ``workload_bulk_upsert``.

Encodings: UTF-8 with or without BOM, then GB18030 (a superset of GBK, what Excel saves a CSV
in on a Chinese Windows), UTF-16 with a BOM (Excel's "Unicode text", tab-separated). An ``.xlsx``
workbook (recognised by its zip signature or its name) is read from its first sheet with
openpyxl, date cells as dates and numbers as numbers.

Rows are numbered from 1, the first line under the header; blank lines are skipped and not
counted, summary lines (合计, 汇总, 平均值, Total...) are counted, so row numbers match the lines a
person sees, and skipped. Title lines above the header (生意参谋 puts the shop and the period
there) are passed over: the header is the first of the first lines that names two known columns.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from operator import itemgetter
from typing import IO, Any

from django.utils.translation import gettext

from agency.errors import RowError
from seats.services.workloads.columns import (
    CHINESE_HEADERS,
    COLUMNS,
    HEADER_FIELDS,
    REQUIRED_FIELDS,
    WorkloadBulkError,
    header_key,
    is_summary_cell,
    max_rows,
    too_many_rows_error,
)

XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"  # the old binary Excel format openpyxl cannot read
HEADER_SEARCH_LINES = 10


@dataclass
class WorkloadFile:
    """A workload file read into rows of cells by field, not yet validated."""

    labels: dict[str, str] = field(default_factory=dict)
    """Field -> the header text naming it in the file (or, for a column it lacks, the name a
    file in its language would use)."""
    missing: frozenset[str] = frozenset()
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    cells: dict[str, list[Any]] | None = None
    """When every line of the file is a row, numbered 1, 2, ..., the rows' cells field by
    field (the columns the header names): the checks read them column by column, and ``rows``
    are assembled from them when asked for."""
    _rows: list[tuple[int, dict[str, Any]]] | None = field(default=None, init=False, repr=False)

    @property
    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        """The rows, each with its number (from 1, the first line under the header)."""
        if self._rows is None:
            cells = self.cells or {}
            values = zip(*cells.values(), strict=True)
            self._rows = list(enumerate(map(dict, map(zip, repeat(tuple(cells)), values)), 1))
        return self._rows

    @rows.setter
    def rows(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        self._rows, self.cells = rows, None

    @property
    def plain_rows(self) -> list[dict[str, Any]]:
        """The rows' cells by field, for a preview."""
        return [cells for _, cells in self.rows]


def _refuse(message: str) -> WorkloadBulkError:
    return WorkloadBulkError([RowError(None, "file", message)])


def read_workload_file(file: IO[bytes] | IO[str] | bytes | str, *, name: str = "") -> WorkloadFile:
    """Read a workload CSV or XLSX file (see the module's docstring); raises
    ``WorkloadBulkError`` only when the file cannot be read at all."""
    raw = file.read() if hasattr(file, "read") else file
    name = (name or getattr(file, "name", "") or "").lower()
    if isinstance(raw, str):
        return _read_records(_csv_records(raw.removeprefix("\ufeff")), text=True)
    if raw.startswith(XLSX_SIGNATURE) or name.endswith(".xlsx"):
        return _read_records(_xlsx_records(raw))
    if raw.startswith(XLS_SIGNATURE) or name.endswith(".xls"):
        raise _refuse(
            gettext(
                "This is an old Excel file (.xls); save it as an Excel workbook (.xlsx) or as CSV."
            )
        )
    return _read_records(_csv_records(_decode(raw)), text=True)


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
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


def _csv_records(text: str) -> list[list[str]]:
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


def _cell(value: Any) -> Any:
    """A cell as the row parsers take it: text trimmed, dates as dates, numbers as numbers."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    return value


def _header_text(value: Any) -> str:
    value = _cell(value)
    return value if isinstance(value, str) else str(value)


def _known_columns(record: list[Any]) -> int:
    return sum(header_key(_header_text(value)) in HEADER_FIELDS for value in record)


def _read_records(records: list[list[Any]], *, text: bool = False) -> WorkloadFile:
    """The file's lines (``text``: a CSV's, every cell a string) read into a ``WorkloadFile``."""
    if text:  # trimmed below: the cells of the columns used once per distinct text
        lines = [record for record in records if "".join(record).strip()]  # not blank
    else:  # every cell as the parsers take it, once
        trimmed = (
            [value.strip() if value.__class__ is str else _cell(value) for value in record]
            for record in records
        )
        lines = [cells for cells in trimmed if cells.count("") < len(cells)]  # not blank
    if not lines:
        return WorkloadFile(
            labels={name: name for name in COLUMNS},
            missing=frozenset(COLUMNS),
            errors=[
                RowError(
                    0,
                    None,
                    gettext("The file is empty; the header must name: %(columns)s.")
                    % {"columns": ", ".join(COLUMNS)},
                )
            ],
        )
    start = 0
    if _known_columns(lines[0]) < 2:
        start = next(
            (
                index
                for index, record in enumerate(lines[:HEADER_SEARCH_LINES])
                if _known_columns(record) >= 2
            ),
            0,
        )
    upload = _read_header([_header_text(value) for value in lines[start]])
    columns = upload.columns
    width = len(lines[start])
    first_cells = {columns.get("agent"), columns.get("date"), 0} - {None}
    limit = max_rows()
    names = list(columns)
    # A line that has every column the header names gives them in one step.
    take = itemgetter(*columns.values()) if len(columns) > 1 else None
    needed = max(columns.values(), default=-1) + 1
    summary: dict[Any, bool] = {}  # by cell: the agents and dates of a file repeat

    def is_summary_line(cells: list[Any]) -> bool:
        for index in first_cells:
            if index < len(cells):
                cell = cells[index]
                found = summary.get(cell)
                if found is None:
                    found = summary[cell] = is_summary_cell(cell)
                if found:
                    return True
        return False

    data = lines[start + 1 :]
    if take is not None and _plain_lines(data, needed, width, first_cells, limit):
        upload.file.cells = {
            name: _trimmed(list(map(itemgetter(index), data)))
            if text
            else list(map(itemgetter(index), data))
            for name, index in columns.items()
        }
        return upload.file
    upload.file.rows = []
    if text:
        data = [list(map(str.strip, cells)) for cells in data]
    for number, cells in enumerate(data, start=1):
        if number > limit:
            upload.file.errors.append(
                too_many_rows_error(gettext("more than %(limit)s") % {"limit": limit})
            )
            upload.file.rows = []
            break
        if is_summary_line(cells):
            upload.file.skipped_rows += 1
            continue
        if len(cells) > width and cells[width:].count("") < len(cells) - width:
            upload.file.errors.append(
                RowError(
                    number,
                    None,
                    gettext("The line has %(cells)s cells; the header names %(columns)s.")
                    % {"cells": len(cells), "columns": width},
                )
            )
        if take is not None and len(cells) >= needed:
            row = dict(zip(names, take(cells), strict=True))
        else:
            row = {
                name: cells[index] if index < len(cells) else "" for name, index in columns.items()
            }
        upload.file.rows.append((number, row))
    return upload.file


def _trimmed(cells: list[str]) -> list[str]:
    """Text cells trimmed, each distinct text once."""
    trimmed = {cell: cell.strip() for cell in set(cells)}
    return list(map(trimmed.__getitem__, cells))


def _plain_lines(
    lines: list[list[Any]], needed: int, width: int, first_cells: set[int], limit: int
) -> bool:
    """Whether every line is a row as the header has it, with every column (``needed`` cells,
    at most ``width``), none a summary line, and no more of them than ``limit``: then each
    line is its row, with nothing to report or skip."""
    if not lines:
        return True
    lengths = set(map(len, lines))
    if len(lines) > limit or min(lengths) < needed or max(lengths) > width:
        return False
    return not any(
        is_summary_cell(cell) for index in first_cells for cell in {line[index] for line in lines}
    )


@dataclass
class _Header:
    file: WorkloadFile
    columns: dict[str, int]


def _read_header(header: list[str]) -> _Header:
    """Which column holds which field; the others are ignored. Header errors are row 0."""
    columns: dict[str, int] = {}
    ranks: dict[str, int] = {}
    ignored: list[int] = []
    errors: list[RowError] = []
    for index, text in enumerate(header):
        if not text:
            continue  # a trailing separator: nothing to ignore by name
        known = HEADER_FIELDS.get(header_key(text))
        if known is None:
            ignored.append(index)
            continue
        name, rank = known
        if name not in columns:
            columns[name], ranks[name] = index, rank
        elif header_key(header[columns[name]]) == header_key(text):
            errors.append(RowError(0, text, gettext("This column appears twice in the header.")))
        elif rank < ranks[name]:  # 询单人数 counts, 咨询人数 is ignored, in whichever order
            ignored.append(columns[name])
            columns[name], ranks[name] = index, rank
        else:
            ignored.append(index)
    chinese = any(rank > 0 for rank in ranks.values()) or any(not text.isascii() for text in header)
    labels = {
        name: header[columns[name]]
        if name in columns
        else (CHINESE_HEADERS[name][0] if chinese else name)
        for name in COLUMNS
    }
    errors.extend(
        RowError(0, labels[name], gettext("This column is missing from the header."))
        for name in REQUIRED_FIELDS
        if name not in columns
    )
    upload = WorkloadFile(
        labels=labels,
        missing=frozenset(name for name in COLUMNS if name not in columns),
        ignored_columns=[header[index] for index in sorted(ignored)],
        errors=errors,
    )
    return _Header(upload, columns)
