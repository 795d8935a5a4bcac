"""Workload ingest: daily exports (CSV) or API lists, upserted by (agent, shop, date, shift).

All rows or none: every row is validated first and any error rejects the whole upload with a list
of ``{"row", "field", "message"}``. Rows are numbered from 1 in the order sent; in a CSV file the
header is not counted (row 1 is the first data line) and blank lines are skipped and not counted.
Errors about the whole upload (not a list, too many rows, not UTF-8) have ``"row": null``; errors
about the CSV header have ``"row": 0``.

The write is set-based, so 10,000 rows cost a handful of queries: the referenced agents and shops
are fetched in one query each, the keys already stored in one more, then the rows are written with
``INSERT ... ON CONFLICT (agent, shop, date, shift) DO UPDATE`` in batches.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from agency import clock
from agency.choices import Shift
from agency.errors import RowError, RowErrors
from seats.models import Agent, WorkloadRecord
from seats.services.rollup import agent_daily_load_refresh

KEY_FIELDS = ("agent", "shop", "date", "shift")
COUNT_FIELDS = (
    "inquiries",
    "conversions",
    "buyer_messages",
    "agent_messages",
    "first_response_seconds",
)
COLUMNS = (*KEY_FIELDS, *COUNT_FIELDS, "sales_amount")
# Read-only fields of the API's output: a client may send back what it read.
OUTPUT_ONLY_FIELDS = frozenset({"id", "conversion_rate", "answer_ratio", "first_response_miss"})
UPDATED_FIELDS = [*COUNT_FIELDS, "sales_amount", "updated_at"]

MAX_COUNT = 2_147_483_647  # the columns are 32-bit on every database
MAX_MONEY = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
ID_CHUNK = 2000  # ids per IN (...) list: well under every database's parameter limit
WRITE_BATCH = 2000

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHOLE = re.compile(r"^\d+$")


@dataclass(frozen=True)
class BulkResult:
    created: int
    updated: int


class WorkloadBulkError(RowErrors):
    """The upload was refused; ``errors`` says where and why (answered as 400)."""

    def summary(self, count: int) -> str:
        return gettext("The upload has %(count)s error(s); nothing was saved.") % {"count": count}


def _max_rows() -> int:
    return settings.AGENCY["WORKLOAD_BULK_MAX_ROWS"]


def _too_many_rows_error(count: int | str) -> RowError:
    return RowError(None, None, f"At most {_max_rows()} rows per upload; got {count}.")


# --- CSV ---------------------------------------------------------------------------------------


def parse_workload_csv(file: IO[bytes] | IO[str] | bytes | str) -> list[dict[str, str]]:
    """Read a workload CSV (UTF-8, with or without BOM, LF or CRLF) into rows for the upsert.

    The first line is the header with the column names of ``COLUMNS`` (any order, case and
    surrounding spaces ignored). Returns one dict of strings per non-blank data line.
    """
    raw = file.read() if hasattr(file, "read") else file
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise WorkloadBulkError(
                [
                    RowError(
                        None,
                        "file",
                        f"The file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8.",
                    )
                ]
            ) from exc
    else:
        text = raw.removeprefix("\ufeff")

    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[dict[str, str]] = []
    errors: list[RowError] = []
    header: list[str] | None = None
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue  # blank lines are skipped and not counted
            if header is None:
                header = [name.strip().lower() for name in record]
                errors = _header_errors(header)
                if errors:
                    raise WorkloadBulkError(errors)
                continue
            number = len(rows) + 1
            if number > _max_rows():
                raise WorkloadBulkError([_too_many_rows_error(f"more than {_max_rows()}")])
            if len(record) > len(header):
                errors.append(
                    RowError(
                        number,
                        None,
                        f"The line has {len(record)} cells; the header names {len(header)}.",
                    )
                )
            cells = [cell.strip() for cell in record] + [""] * (len(header) - len(record))
            # Columns with a blank name (a trailing separator in the header) are ignored.
            pairs = zip(header, cells[: len(header)], strict=True)
            rows.append({name: cell for name, cell in pairs if name})
    except csv.Error as exc:
        raise WorkloadBulkError(
            [RowError(None, "file", f"Not a readable CSV file (line {reader.line_num}): {exc}")]
        ) from exc
    if header is None:
        raise WorkloadBulkError(
            [RowError(0, None, f"The file is empty; the header must name: {', '.join(COLUMNS)}.")]
        )
    if errors:
        raise WorkloadBulkError(errors)
    return rows


def _header_errors(header: list[str]) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for name in header:
        if not name:
            continue
        if name in seen:
            errors.append(RowError(0, name, "This column appears twice in the header."))
        elif name not in COLUMNS and name not in OUTPUT_ONLY_FIELDS:
            errors.append(
                RowError(0, name, f"Unknown column; the columns are: {', '.join(COLUMNS)}.")
            )
        seen.add(name)
    for name in COLUMNS:
        if name not in seen:
            errors.append(RowError(0, name, "This column is missing from the header."))
    return errors


# --- Validation of one row ---------------------------------------------------------------------


class _FieldError(ValueError):
    pass


def _present(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _FieldError("This field is required.")
    return value.strip() if isinstance(value, str) else value


def _whole_number(value: Any, what: str) -> int:
    value = _present(value)
    if isinstance(value, bool):
        raise _FieldError(f"Expected {what}, got {value!r}.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE.match(value):
        number = int(value)
    elif isinstance(value, str) and value.startswith("-") and _WHOLE.match(value[1:]):
        raise _FieldError("Must not be negative.")
    else:
        raise _FieldError(f"Expected {what}, got {value!r}.")
    if number < 0:
        raise _FieldError("Must not be negative.")
    if number > MAX_COUNT:
        raise _FieldError(f"Must be at most {MAX_COUNT}.")
    return number


def _date(value: Any) -> date:
    value = _present(value)
    if not isinstance(value, str) or not _DATE.match(value):
        raise _FieldError(f"Expected a date as YYYY-MM-DD, got {value!r}.")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _FieldError(f"{value!r} is not a valid date.") from exc


def _shift(value: Any) -> str:
    value = _present(value)
    shift = value.lower() if isinstance(value, str) else value
    if shift not in Shift.values:
        raise _FieldError(f"Shift must be one of {', '.join(Shift.values)}, got {value!r}.")
    return shift


def _money(value: Any) -> Decimal:
    value = _present(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _FieldError(f"Expected an amount such as 1234.50, got {value!r}.")
    try:
        # repr() of a float is its shortest round-trip form: 12.3 stays 12.3, never 12.2999...
        amount = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation as exc:
        raise _FieldError(f"Expected an amount such as 1234.50, got {value!r}.") from exc
    if not amount.is_finite():
        raise _FieldError(f"Expected an amount such as 1234.50, got {value!r}.")
    if amount < 0:
        raise _FieldError("Must not be negative.")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise _FieldError("At most 2 decimal places.")
    if amount > MAX_MONEY:
        raise _FieldError(f"Must be at most {MAX_MONEY}.")
    return amount.quantize(Decimal("0.01"))


_PARSERS = {
    "agent": lambda v: _whole_number(v, "an agent id"),
    "shop": lambda v: _whole_number(v, "a shop id"),
    "date": _date,
    "shift": _shift,
    **{name: (lambda v: _whole_number(v, "a whole number")) for name in COUNT_FIELDS},
    "sales_amount": _money,
}


def _clean_row(number: int, row: Any) -> tuple[dict[str, Any], list[RowError]]:
    if not isinstance(row, dict):
        return {}, [RowError(number, None, "Each row must be an object with the workload fields.")]
    errors = [
        RowError(number, str(key), f"Unknown field; the fields are: {', '.join(COLUMNS)}.")
        for key in row
        if key not in COLUMNS and key not in OUTPUT_ONLY_FIELDS
    ]
    cleaned: dict[str, Any] = {}
    for field in COLUMNS:
        try:
            cleaned[field] = _PARSERS[field](row.get(field))
        except _FieldError as exc:
            errors.append(RowError(number, field, str(exc)))
    if (
        "conversions" in cleaned
        and "inquiries" in cleaned
        and cleaned["conversions"] > cleaned["inquiries"]
    ):
        errors.append(
            RowError(
                number,
                "conversions",
                f"Conversions ({cleaned['conversions']}) cannot exceed inquiries "
                f"({cleaned['inquiries']}).",
            )
        )
    return cleaned, errors


def workload_time_error(day: date, shift: str, moment=None) -> tuple[str, str] | None:
    """Nothing is worked in the future: ``(field, message)`` when ``shift`` of ``day`` has not
    begun yet (a date after today in Shanghai, or today's day shift before 09:00 and night shift
    before 17:00), else ``None``. ``moment`` lets an upload read the clock once for all its rows.
    """
    moment = moment or clock.now()
    if day > moment.date():
        return "date", gettext(
            "%(date)s is in the future (today is %(today)s): workloads are recorded for shifts "
            "that have begun."
        ) % {"date": day.isoformat(), "today": moment.date().isoformat()}
    if not clock.shift_has_begun(day, shift, moment):
        if shift == Shift.NIGHT:
            return "shift", gettext(
                "Today's night shift begins at 17:00; record its workload once it has begun."
            )
        return "shift", gettext(
            "Today's day shift begins at 09:00; record its workload once it has begun."
        )
    return None


# --- Upsert ------------------------------------------------------------------------------------


def _chunks(values: Iterable[int], size: int = ID_CHUNK) -> Iterator[list[int]]:
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _existing_ids(model, ids: set[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(model.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _stored_keys(keys: set[tuple[int, int, date, str]]) -> set[tuple[int, int, date, str]]:
    """Which of ``keys`` are stored already: one query per chunk of agents over the date span."""
    if not keys:
        return set()
    dates = [key[2] for key in keys]
    stored: set[tuple[int, int, date, str]] = set()
    for chunk in _chunks({key[0] for key in keys}):
        stored.update(
            WorkloadRecord.objects.filter(
                agent_id__in=chunk, date__gte=min(dates), date__lte=max(dates)
            ).values_list("agent_id", "shop_id", "date", "shift")
        )
    return stored & keys


def workload_bulk_upsert(*, rows: list[dict[str, Any]]) -> BulkResult:
    """Validate every row, then insert new workloads and replace the stored ones, atomically.

    Raises ``WorkloadBulkError`` listing every problem found when any row is invalid: unknown
    agent or shop, bad date, shift not day/night, negative or non-whole counts, conversions above
    inquiries, bad money, the same (agent, shop, date, shift) twice in the upload, a shift that
    has not begun yet (``workload_time_error``).
    """
    if not isinstance(rows, list):
        raise WorkloadBulkError([RowError(None, None, "Send a list of workload rows.")])
    if len(rows) > _max_rows():
        raise WorkloadBulkError([_too_many_rows_error(len(rows))])

    errors: list[RowError] = []
    cleaned_rows: list[tuple[int, dict[str, Any]]] = []
    moment = clock.now()
    for number, row in enumerate(rows, start=1):
        cleaned, row_errors = _clean_row(number, row)
        errors.extend(row_errors)
        if "date" in cleaned and "shift" in cleaned:
            future = workload_time_error(cleaned["date"], cleaned["shift"], moment)
            if future is not None:
                errors.append(RowError(number, *future))
        cleaned_rows.append((number, cleaned))

    agents = _existing_ids(Agent, {c["agent"] for _, c in cleaned_rows if "agent" in c})
    shops = _existing_ids(
        WorkloadRecord._meta.get_field("shop").related_model,  # the shop the row names
        {c["shop"] for _, c in cleaned_rows if "shop" in c},
    )
    first_row_of: dict[tuple, int] = {}
    for number, cleaned in cleaned_rows:
        if "agent" in cleaned and cleaned["agent"] not in agents:
            errors.append(RowError(number, "agent", f"Unknown agent id {cleaned['agent']}."))
        if "shop" in cleaned and cleaned["shop"] not in shops:
            errors.append(RowError(number, "shop", f"Unknown shop id {cleaned['shop']}."))
        if all(field in cleaned for field in KEY_FIELDS):
            key = tuple(cleaned[field] for field in KEY_FIELDS)
            if key in first_row_of:
                errors.append(
                    RowError(
                        number,
                        None,
                        f"Same agent, shop, date and shift as row {first_row_of[key]}; "
                        "send each workload once.",
                    )
                )
            else:
                first_row_of[key] = number
    if errors:
        raise WorkloadBulkError(errors)

    records = [
        WorkloadRecord(
            agent_id=c["agent"],
            shop_id=c["shop"],
            date=c["date"],
            shift=c["shift"],
            **{field: c[field] for field in (*COUNT_FIELDS, "sales_amount")},
        )
        for _, c in cleaned_rows
    ]
    with transaction.atomic():
        updated = len(_stored_keys(set(first_row_of)))
        WorkloadRecord.objects.bulk_create(
            records,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["agent", "shop", "date", "shift"],
            update_fields=UPDATED_FIELDS,
        )
        agent_daily_load_refresh(days={record.date for record in records})
    return BulkResult(created=len(records) - updated, updated=updated)
