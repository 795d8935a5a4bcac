"""The write: every row validated first, then all of them upserted in one transaction.

All rows or none: any error rejects the whole upload with every error found, the header's and
the rows' together, as ``{"row", "field", "message"}``. ``field`` is the column as the file's
header wrote it (日期 when the file said 日期), or the field name for the JSON API. Errors about
the whole upload (not a list, too many rows, an unreadable file) have ``"row": null``; errors
about a file's header have ``"row": 0``.

The checks run column by column (``rows.clean_columns``); when the columns show every row
valid (each names its agent and shop by one match, a shift that has begun, no workload twice)
the rows are written straight from them, otherwise every row is checked on its own, as the
errors are reported. The write is set-based, so 10,000 rows cost a handful of queries:
references are resolved for all rows at once (``resolve``), then the validated rows, plain
tuples, are written:

- on PostgreSQL with ``COPY`` (one text, formatted column by column) into a temporary table
  dropped at commit, then ONE statement,
  ``INSERT ... SELECT ... ON CONFLICT (agent_id, shop_id, date, shift) DO UPDATE``, that also
  counts the keys already stored (a CTE reading the table as it was before the statement): the
  cost of the bare database write, where a compiled multi-row ``INSERT`` costs several times that;
- elsewhere (SQLite) the keys already stored are read in one query per 2,000 agents, then the
  rows go through ``bulk_create(update_conflicts=True)`` in batches.

Both write the same rows and answer the same counts: a created workload gets ``created_at`` and
``updated_at``, a replaced one keeps its ``created_at``. Sending a workload again replaces it
whole: a figure the new upload leaves out becomes unknown.
"""

import gc
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from agency import clock
from agency.choices import Shift
from agency.errors import RowError
from seats.models import WorkloadRecord
from seats.services.rollup import agent_daily_load_refresh
from seats.services.workloads.columns import (
    COLUMNS,
    COUNT_FIELDS,
    WorkloadBulkError,
    max_rows,
    too_many_rows_error,
)
from seats.services.workloads.files import WorkloadFile
from seats.services.workloads.resolve import (
    Names,
    fill_shifts_from_roster,
    names_of_columns,
    resolve_columns,
    resolve_references,
)
from seats.services.workloads.rows import Columns, clean_columns, clean_rows

UPDATED_FIELDS = [*COUNT_FIELDS, "sales_amount", "updated_at"]
KEY_COLUMNS = ("agent_id", "shop_id", "date", "shift")
# A validated row as written: the key, then the figures, in this order.
ROW_COLUMNS = (*KEY_COLUMNS, *COUNT_FIELDS, "sales_amount")
FIGURES = ROW_COLUMNS[len(KEY_COLUMNS) :]
_DATE = ROW_COLUMNS.index("date")
ID_CHUNK = 2000  # ids per IN (...) list: well under every database's parameter limit
WRITE_BATCH = 2000


@dataclass(frozen=True)
class BulkResult:
    created: int
    updated: int
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "ignored_columns": self.ignored_columns,
            "skipped_rows": self.skipped_rows,
        }


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


def _chunks(values: Iterable[int], size: int = ID_CHUNK) -> Iterator[list[int]]:
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


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


def _from_json(rows: Any) -> WorkloadFile:
    if not isinstance(rows, list):
        raise WorkloadBulkError([RowError(None, None, gettext("Send a list of workload rows."))])
    if len(rows) > max_rows():
        raise WorkloadBulkError([too_many_rows_error(len(rows))])
    upload = WorkloadFile(labels={name: name for name in COLUMNS})
    upload.rows = list(enumerate(rows, start=1))
    return upload


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector paused for the duration of an upload, then resumed.

    An upload of 10,000 rows keeps a few hundred thousand small objects alive at once (the rows
    read, their parsed values); so many new objects set off the collector, which then walks
    every object of the process, a few times per upload: a quarter of a second, as long as the
    database takes to store the rows. Nothing an upload allocates forms a cycle: reference
    counting frees all of it either way. Nested uses leave the outermost to resume it.
    """
    paused_here = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused_here:
            gc.enable()


def workload_bulk_upsert(*, rows: list[dict[str, Any]] | WorkloadFile) -> BulkResult:
    """Validate every row, then insert new workloads and replace the stored ones, atomically.

    ``rows`` is a JSON list of row objects (the API; unknown fields are refused) or a file read
    by ``read_workload_file`` (unknown columns are ignored and named in the result). Raises
    ``WorkloadBulkError`` listing every problem found when anything is wrong: a header without
    a required column, an unknown or ambiguous agent or shop, a bad date, a shift not day/night
    and none in the roster, negative or non-whole counts, conversions above inquiries, bad
    money, the same (agent, shop, date, shift) twice in the upload, a shift that has not begun
    yet (``workload_time_error``).
    """
    with cycle_collection_paused():
        return _upsert(rows)


def _upsert(rows: list[dict[str, Any]] | WorkloadFile) -> BulkResult:
    strict = not isinstance(rows, WorkloadFile)
    upload = _from_json(rows) if strict else rows
    checked = clean_columns(
        () if upload.cells is not None else upload.rows,
        cells=upload.cells,
        missing=upload.missing,
        strict=strict,
    )
    moment = clock.now()  # one reading of the clock for every row
    values = names = None
    if not upload.errors and not checked[1]:
        columns = checked[0]
        names = names_of_columns(columns["agent"], columns["shop"], columns["date"])
        values = _valid_values(columns, names, moment)
    if values is None:  # perhaps an error: every row checked on its own
        values = _checked_rows(upload, checked, names, moment, strict=strict)

    with transaction.atomic():
        if not values:
            updated = 0
        elif connection.vendor == "postgresql":
            updated = _copy_upsert(values)
        else:
            updated = _batched_upsert(values)
        agent_daily_load_refresh(days=set(map(itemgetter(2), values)))
    return BulkResult(
        created=len(values) - updated,
        updated=updated,
        ignored_columns=list(upload.ignored_columns),
        skipped_rows=upload.skipped_rows,
    )


def _valid_values(columns: Columns, names: Names, moment: datetime) -> list[tuple] | None:
    """The rows to write, when the columns show at once that every row is valid: each names
    its agent and shop by one match, and a shift that has begun, no workload twice. None when
    a row needs to be looked at on its own (``_checked_rows``)."""
    ids = resolve_columns(columns["agent"], columns["shop"], names)
    if ids is None:
        return None
    days, shifts = columns["date"], columns["shift"]
    if any(
        shift is None or workload_time_error(day, shift, moment) is not None
        for day, shift in set(zip(days, shifts, strict=True))
    ):
        return None  # a shift from the roster, or one that has not begun
    values = list(
        zip(
            map(itemgetter(0), ids),
            map(itemgetter(1), ids),
            days,
            shifts,
            *(columns[name] for name in FIGURES),
            strict=True,
        )
    )
    if len(set(map(itemgetter(0, 1, 2, 3), values))) < len(values):
        return None  # a workload sent twice
    return values


def _checked_rows(
    upload: WorkloadFile,
    checked: tuple[Columns, list[int]],
    names: Names | None,
    moment: datetime,
    *,
    strict: bool,
) -> list[tuple]:
    """Every row checked on its own: the rows to write, or ``WorkloadBulkError`` with every
    error found, by row."""
    labels = upload.labels
    errors: list[RowError] = list(upload.errors)
    cleaned_rows, row_errors = clean_rows(
        upload.rows, labels=labels, missing=upload.missing, strict=strict, checked=checked
    )
    errors.extend(row_errors)
    errors.extend(resolve_references(cleaned_rows, labels=labels, names=names))
    errors.extend(fill_shifts_from_roster(cleaned_rows, labels=labels))

    too_early: dict[tuple[date, str], tuple[str, str] | None] = {}  # by date and shift
    first_row_of: dict[tuple, int] = {}
    for number, cleaned in cleaned_rows:
        if cleaned.get("date") and cleaned.get("shift"):
            when = (cleaned["date"], cleaned["shift"])
            if when not in too_early:
                too_early[when] = workload_time_error(*when, moment)
            if (future := too_early[when]) is not None:
                errors.append(RowError(number, labels[future[0]], future[1]))
        key = tuple(map(cleaned.get, KEY_COLUMNS))
        if None not in key:
            if key in first_row_of:
                message = gettext(
                    "Same agent, shop, date and shift as row %(row)s; send each workload once."
                )
                errors.append(RowError(number, None, message % {"row": first_row_of[key]}))
            else:
                first_row_of[key] = number
    if errors:
        raise WorkloadBulkError(errors)
    as_row = itemgetter(*ROW_COLUMNS)
    return [as_row(cleaned) for _, cleaned in cleaned_rows]


def _batched_upsert(values: list[tuple]) -> int:
    """Write the rows with ``bulk_create``; returns how many replaced a stored workload."""
    updated = len(_stored_keys({row[:4] for row in values}))
    WorkloadRecord.objects.bulk_create(
        [WorkloadRecord(**dict(zip(ROW_COLUMNS, row, strict=True))) for row in values],
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["agent", "shop", "date", "shift"],
        update_fields=UPDATED_FIELDS,
    )
    return updated


# Each upload its own temporary table: two uploads in one transaction (a preview rolled back
# later, a command importing several files) never meet, and every one is dropped at commit.
_upload_tables = itertools.count(1)


def _copy_upsert(values: list[tuple]) -> int:
    """PostgreSQL: ``COPY`` the rows into a temporary table, then one ``INSERT ... SELECT ...
    ON CONFLICT`` on the unique key (whatever the table's physical layout: partitions included).
    Returns how many rows replaced a stored workload: the stored keys are counted in the same
    statement, which reads the table as it was before its insert (one snapshot for all of a
    statement's parts)."""
    quote = connection.ops.quote_name
    meta = WorkloadRecord._meta
    column = {name: quote(meta.get_field(name).column) for name in (*ROW_COLUMNS, *UPDATED_FIELDS)}
    table = quote(meta.db_table)
    upload = quote(f"workload_upload_{next(_upload_tables)}")
    definitions = ", ".join(
        f"{column[name]} {meta.get_field(name).db_type(connection)}" for name in ROW_COLUMNS
    )
    columns = ", ".join(column[name] for name in ROW_COLUMNS)
    keys = ", ".join(column[name] for name in KEY_COLUMNS)
    same_key = " AND ".join(
        f"stored.{column[name]} = upload.{column[name]}" for name in KEY_COLUMNS
    )
    replaced = ", ".join(f"{column[name]} = EXCLUDED.{column[name]}" for name in UPDATED_FIELDS)
    created_at = quote(meta.get_field("created_at").column)
    copy_sql = f"COPY {upload} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {upload} ({definitions}) ON COMMIT DROP")
        # Counted with the queries where they are logged (DEBUG, query-count tests) like any.
        logged = cursor.debug_sql(copy_sql) if hasattr(cursor, "debug_sql") else nullcontext()
        with logged, cursor.cursor.copy(copy_sql) as copy:
            copy.write(_copy_text(values))
        # The stored side of the count is bounded by the upload's dates, which the planner
        # knows: only their month partitions, and of those only the dates, are read (the temporary
        # table has no statistics; joined without the bounds, the count read every stored
        # workload, 0.25 s at a year of 300 agents and growing with the table).
        dates = [row[_DATE] for row in values]
        cursor.execute(
            f"""
            WITH stored_keys AS (
                SELECT count(*) AS stored
                FROM {upload} upload JOIN {table} stored ON {same_key}
                WHERE stored.{column["date"]} BETWEEN %(first)s AND %(last)s
            ), written AS (
                INSERT INTO {table} ({columns}, {created_at}, {column["updated_at"]})
                SELECT {columns}, %(now)s, %(now)s FROM {upload}
                ON CONFLICT ({keys}) DO UPDATE SET {replaced}
            )
            SELECT stored FROM stored_keys
            """,
            {"now": timezone.now(), "first": min(dates), "last": max(dates)},
        )
        return cursor.fetchone()[0]


# COPY's text format: a backslash escapes these in a value, and \N is NULL.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: Any) -> str:
    """One value as psycopg writes it for ``COPY ... FROM STDIN`` in text format: the numbers,
    amounts and dates as ``str`` writes them (``2026-11-27``), text escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


def _copy_text(values: list[tuple]) -> str:
    """The rows (one at least) in ``COPY``'s text format, each distinct value of a column
    written once (the dates, agents, shops and most figures repeat): about half the cost of
    handing psycopg the rows one by one."""
    columns = []
    for column in zip(*values, strict=True):
        written = {value: _copy_field(value) for value in set(column)}
        columns.append(map(written.__getitem__, column))
    return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"
