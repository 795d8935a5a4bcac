"""Set-based writes of a billing run: one statement per kind of write, whatever the shop count.

Django's ``bulk_create`` splits its inserts into batches of 999 parameters on SQLite (about 90
invoices), and ``bulk_update`` builds one ``CASE WHEN id = ...`` per row, which PostgreSQL
evaluates row by row against every branch: thousands of shops make both slow and the query count
grow with the shop count. Here the rows travel as **one JSON parameter** that the database turns
back into a table (``jsonb_to_recordset`` on PostgreSQL, ``json_each`` on SQLite), so creating
the invoices, inserting their lines, updating the drafts and writing their history are one
statement each.

Money crosses as decimal strings (never floats), dates and times through Django's own adapters,
so the stored values are exactly what the ORM would have stored. On other databases (or SQLite
before 3.35, which lacks ``RETURNING``) the same functions fall back to the ORM's bulk methods.
"""

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.dateparse import parse_datetime

from billing.models import Invoice, InvoiceLine

SET_BASED = True
"""Tests switch this off to check that the ORM fallback writes the same figures."""


def set_based() -> bool:
    if not SET_BASED:
        return False
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.features.can_return_rows_from_bulk_insert


def _recordset(columns: Sequence[tuple[str, str]]) -> str:
    """SQL for a table ``r`` with ``columns`` read from one JSON parameter (a list of objects)."""
    if connection.vendor == "postgresql":
        typed = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
        return f"jsonb_to_recordset(%s::jsonb) AS r({typed})"
    picked = ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name, _ in columns)
    return f"(SELECT {picked} FROM json_each(%s)) AS r"


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, separators=(",", ":"), default=str)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def reserve_invoice_ids(shop_ids: Sequence[int]) -> dict[int, int]:
    """{shop id: an invoice id} taken from the invoice table's own sequence, one a shop, for
    ``insert_drafts(ids=...)`` (PostgreSQL; one query)."""
    if not shop_ids:
        return {}
    # The sequence is looked up once (a materialised CTE): ``nextval(pg_get_serial_sequence(...))``
    # looked it up again for every id, some 30 ms of a 5,000-shop run instead of 3.
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
            "SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
            [Invoice._meta.db_table, Invoice._meta.pk.column, len(shop_ids)],
        )
        ids = [invoice_id for (invoice_id,) in cursor.fetchall()]
    return dict(zip(shop_ids, ids, strict=True))


def streams_lines() -> bool:
    """Whether a run may send the lines of its new drafts while it works out the next shops
    (``lines_copy``): PostgreSQL, whose foreign keys are checked at commit, so lines may reach
    the table before their invoice."""
    return set_based() and connection.vendor == "postgresql"


class LinesStream:
    """The open ``COPY`` of ``lines_copy``: ``write`` sends the lines a thousand at a time, so
    the server stores them while the caller works on; ``flush`` sends what is left at once."""

    def __init__(self, copy) -> None:
        self._copy = copy
        self._pending: list[str] = []
        self.count = 0

    def write(self, invoice_id: int, texts: Sequence[str]) -> None:
        """Send (soon) one invoice's lines, as their ``line_copy_text``."""
        pending = self._pending
        pending.extend(f"{invoice_id}{text}" for text in texts)
        self.count += len(texts)
        if len(pending) >= COPY_CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._copy.write("".join(self._pending))
            self._pending.clear()


@contextmanager
def lines_copy() -> Iterator[LinesStream]:
    """A ``COPY`` into the invoice lines left open for the ``with`` block, which gets a
    ``LinesStream`` to write to. Nothing else may use the connection meanwhile. The ``COPY``
    ends with the block, once the server has stored every line: whatever the caller does after
    a ``flush`` and before the block ends is done while the server stores the last lines."""
    sql = (
        f"COPY {_table(InvoiceLine)} "
        f"({', '.join(_column(InvoiceLine, name) for _, name, _ in LINE_FIELDS)}) FROM STDIN"
    )
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        stream = LinesStream(copy)
        yield stream
        stream.flush()
    _log_copy(sql, stream.count, started)


_DRAFT_COPY_COLUMNS = ["id", "created_at", "updated_at", "shop", "month", "status"] + [
    "awaiting_turnover",
    "total",
    "figures_hash",
]


def drafts_copy_text(
    *, month: date, now: datetime, rows: list[dict[str, Any]], ids: dict[int, int]
) -> str:
    """The drafts of ``insert_drafts`` (``rows``, under the ``ids`` reserved for their shops) as
    ``COPY`` text (PostgreSQL), for a caller that makes it while the server is busy."""
    head = f"\t{now.isoformat()}\t{now.isoformat()}\t"
    tail = f"\t{month.isoformat()}\t{Invoice.Status.DRAFT.value}\t"
    return "".join(
        f"{ids[row['shop_id']]}{head}{row['shop_id']}{tail}"
        f"{'t' if row['awaiting_turnover'] else 'f'}\t{row['total']}\t{row['figures_hash']}\n"
        for row in rows
    )


def insert_drafts(
    *,
    month: date,
    now: datetime,
    rows: list[dict[str, Any]],
    ids: dict[int, int] | None = None,
    copy_text: str | None = None,
) -> dict[int, int]:
    """Create drafts from ``{"shop_id", "total", "awaiting_turnover", "figures_hash"}`` rows,
    with the ids ``reserve_invoice_ids`` gave their shops when ``ids`` is given (PostgreSQL).
    ``copy_text``, when given, is ``drafts_copy_text`` of the same rows and ids, made already.

    Returns the new invoice id of each shop.
    """
    if not rows:
        return {}
    if not set_based():
        invoices = Invoice.objects.bulk_create(
            [
                Invoice(
                    shop_id=row["shop_id"],
                    month=month,
                    status=Invoice.Status.DRAFT,
                    total=row["total"],
                    awaiting_turnover=row["awaiting_turnover"],
                    figures_hash=row["figures_hash"],
                )
                for row in rows
            ]
        )
        if invoices and invoices[0].pk is None:  # a database that returns no ids
            return dict(
                Invoice.objects.filter(
                    month=month,
                    status=Invoice.Status.DRAFT,
                    shop_id__in=[row["shop_id"] for row in rows],
                ).values_list("shop_id", "id")
            )
        return {invoice.shop_id: invoice.pk for invoice in invoices}

    if connection.vendor == "postgresql":
        # Ids reserved from the table's own sequence, then the rows streamed with COPY.
        if ids is None:
            ids = reserve_invoice_ids([row["shop_id"] for row in rows])
        if copy_text is None:
            copy_text = drafts_copy_text(month=month, now=now, rows=rows, ids=ids)
        _copy_text(Invoice, _DRAFT_COPY_COLUMNS, [copy_text], len(rows))
        return {row["shop_id"]: ids[row["shop_id"]] for row in rows}
    ops = connection.ops
    c = lambda name: _column(Invoice, name)  # noqa: E731
    sql = (
        f"INSERT INTO {_table(Invoice)} ({c('created_at')}, {c('updated_at')}, {c('shop')}, "
        f"{c('month')}, {c('status')}, {c('awaiting_turnover')}, {c('total')}, "
        f"{c('figures_hash')}) "
        f"SELECT %s, %s, r.shop_id, %s, %s, r.awaiting_turnover, r.total, r.figures_hash FROM "
        + _recordset(
            [
                ("shop_id", "bigint"),
                ("awaiting_turnover", "boolean"),
                ("total", "numeric"),
                ("figures_hash", "text"),
            ]
        )
        + f" RETURNING {c('id')}, {c('shop')}"
    )
    stamp = ops.adapt_datetimefield_value(now)
    params = [
        stamp,
        stamp,
        ops.adapt_datefield_value(month),
        Invoice.Status.DRAFT.value,
        _json(rows),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {shop_id: invoice_id for invoice_id, shop_id in cursor.fetchall()}


def update_drafts(*, now: datetime, rows: list[dict[str, Any]]) -> None:
    """Set a draft's ``total``, ``awaiting_turnover``, ``figures_hash`` from ``{"id", ...}`` rows.

    ``updated_at`` moves only for rows whose ``touched`` is true (total or flag changed).
    """
    if not rows:
        return
    if not set_based():
        for touched in (True, False):
            fields = ["total", "awaiting_turnover", "figures_hash"]
            Invoice.objects.bulk_update(
                [
                    Invoice(
                        pk=row["id"],
                        total=row["total"],
                        awaiting_turnover=row["awaiting_turnover"],
                        figures_hash=row["figures_hash"],
                        updated_at=now,
                    )
                    for row in rows
                    if row["touched"] is touched
                ],
                [*fields, "updated_at"] if touched else fields,
            )
        return
    table = _table(Invoice)
    c = lambda name: _column(Invoice, name)  # noqa: E731
    sql = (
        f"UPDATE {table} SET {c('total')} = r.total, "
        f"{c('awaiting_turnover')} = r.awaiting_turnover, "
        f"{c('figures_hash')} = r.figures_hash, "
        f"{c('updated_at')} = CASE WHEN r.touched THEN %s ELSE {table}.{c('updated_at')} END FROM "
        + _recordset(
            [
                ("id", "bigint"),
                ("awaiting_turnover", "boolean"),
                ("total", "numeric"),
                ("figures_hash", "text"),
                ("touched", "boolean"),
            ]
        )
        + f" WHERE {table}.{c('id')} = r.id"
    )
    picked = [
        {key: row[key] for key in ("id", "awaiting_turnover", "total", "figures_hash", "touched")}
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), _json(picked)])


def delete_lines(*, invoice_ids: list[int]) -> None:
    """Delete the lines of the given invoices.

    Keyed on the invoice ids rather than a join on month and status: right after a run has
    inserted thousands of rows the planner's statistics still describe the empty tables, and
    the ORM's ``id IN (SELECT ... JOIN ...)`` then becomes a nested loop over both tables.
    """
    if not invoice_ids:
        return
    if not set_based():
        InvoiceLine.objects.filter(invoice_id__in=invoice_ids).delete()
        return
    sql = (
        f"DELETE FROM {_table(InvoiceLine)} WHERE {_column(InvoiceLine, 'invoice')} IN "
        f"(SELECT r.id FROM " + _recordset([("id", "bigint")]) + ")"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_json([{"id": pk} for pk in invoice_ids])])


LINE_FIELDS = (
    ("invoice_id", "invoice", "bigint"),
    ("contract_id", "contract", "bigint"),
    ("kind", "kind", "text"),
    ("description", "description", "text"),
    ("quantity", "quantity", "numeric"),
    ("unit_price", "unit_price", "numeric"),
    ("amount", "amount", "numeric"),
    ("details", "details", "jsonb"),
    ("position", "position", "integer"),
)
"""An invoice line as the run hands it over: a tuple in this order (``details`` a dict)."""

details_json = json.JSONEncoder(separators=(",", ":")).encode
"""A line's ``details`` as the JSON text that is stored (and hashed into a draft's digest)."""


def copy_escape(text: str) -> str:
    """``text`` as a field of PostgreSQL's COPY text format (backslash, tab, newlines escaped)."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def line_copy_text(row: tuple, details_text: str = "") -> str:
    """A line (a tuple in ``LINE_FIELDS`` order without the invoice id) as the COPY text that
    follows its invoice id; ``details_text``, when given, is its details' ``details_json``
    already made. A run makes it once per line: it hashes it for the draft's digest and
    ``insert_lines`` sends it as is."""
    contract_id, kind, description, quantity, unit_price, amount, details, position = row
    columns = line_columns_text(
        kind, description, quantity, unit_price, amount, details_text or details_json(details)
    )
    return f"\t{contract_id}\t{columns}\t{position}\n"


def line_columns_text(
    kind: str,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    amount: Decimal,
    details_text: str,
) -> str:
    """The part of a line's COPY text from its kind to its details (``details_text``: their
    ``details_json``), which lines of the same figures share whatever their contract and
    position: ``line_copy_text`` is ``\\t{contract}\\t{this}\\t{position}\\n``."""
    # str(), not format(): a Decimal's text is the same, three times sooner.
    return (
        f"{kind}\t{copy_escape(description)}\t{quantity!s}\t{unit_price!s}"
        f"\t{amount!s}\t{copy_escape(details_text)}"
    )


def _encode_line(invoice_id: int, row: tuple) -> str:
    """A line (``invoice_id`` and a tuple in ``LINE_FIELDS`` order without it) as COPY text."""
    return f"{invoice_id}{line_copy_text(row)}"


def _log_copy(sql: str, count: int, started: float) -> None:
    # Django's cursor wrapper does not see a COPY: log it so query counts stay honest.
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {count} rows", "time": f"{time.monotonic() - started:.3f}"}
        )


def _copy_text(model, columns: Sequence[str], chunks: Iterable[str], count: int) -> None:
    """Stream ``chunks`` (rows already in COPY text format) into ``model``'s table.

    ``COPY ... FROM STDIN`` is the fastest way in: no statement text to parse per row, and rows
    built as strings (constant columns formatted once per run, not adapted field by field).
    Each chunk is sent as soon as it is built, so the server stores one while the next is
    being encoded.
    """
    sql = f"COPY {_table(model)} ({', '.join(_column(model, name) for name in columns)}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for chunk in chunks:
            copy.write(chunk)
    _log_copy(sql, count, started)


COPY_CHUNK_ROWS = 1000


def insert_lines(lines: list[tuple[int, tuple]], copy_texts: Sequence[str] | None = None) -> None:
    """Insert invoice lines given as ``(invoice_id, line)``.

    ``line`` is a tuple in ``LINE_FIELDS`` order without the invoice id (``details`` a dict).
    ``copy_texts``, when given, holds each line's ``line_copy_text`` already made (in the order
    of ``lines``).
    """
    if not lines:
        return
    if set_based() and connection.vendor == "postgresql":
        if copy_texts is None:
            copy_texts = [line_copy_text(line) for _, line in lines]
        _copy_text(
            InvoiceLine,
            [field for _, field, _ in LINE_FIELDS],
            (
                "".join(
                    [
                        f"{invoice_id}{text}"
                        for (invoice_id, _), text in zip(
                            lines[at : at + COPY_CHUNK_ROWS],
                            copy_texts[at : at + COPY_CHUNK_ROWS],
                            strict=True,
                        )
                    ]
                )
                for at in range(0, len(lines), COPY_CHUNK_ROWS)
            ),
            len(lines),
        )
        return
    keys = [key for key, _, _ in LINE_FIELDS]
    rows = [(invoice_id, *line) for invoice_id, line in lines]
    if not set_based():
        InvoiceLine.objects.bulk_create(
            [InvoiceLine(**dict(zip(keys, row, strict=True))) for row in rows]
        )
        return
    columns = ", ".join(_column(InvoiceLine, field) for _, field, _ in LINE_FIELDS)
    # json_extract gives an object's JSON text, which is how SQLite stores a JSONField.
    picked = ", ".join(f"json(r.{key})" if key == "details" else f"r.{key}" for key in keys)
    sql = f"INSERT INTO {_table(InvoiceLine)} ({columns}) SELECT {picked} FROM " + _recordset(
        [(key, sql_type) for key, _, sql_type in LINE_FIELDS]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_json([dict(zip(keys, row, strict=True)) for row in rows])])


def _datetime(value: datetime | str) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"Not a date and time: {value!r}")
    # A database without time zones (SQLite) keeps UTC without saying so.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _timestamp_text(value: datetime | str, adapt=None) -> str:
    """A timestamp for a statement: the database's own text as it is, a datetime adapted."""
    if isinstance(value, str):
        return value
    return adapt(value) if adapt else value.isoformat()


_HISTORY_COPY_COLUMNS = [
    "id",
    "shop",
    "created_at",
    "total",
    "awaiting_turnover",
    "history_type",
    "month",
    "status",
    "updated_at",
    "history_date",
    "history_user",
    "history_change_reason",
]


def history_copy_text(
    *, month: date, now: datetime, rows: list[dict[str, Any]], user_id: int | None, reason: str
) -> str:
    """The history rows of ``record_history`` as ``COPY`` text (PostgreSQL), for a caller that
    makes it while the server is busy."""
    stamp = now.isoformat()
    user = "\\N" if user_id is None else str(user_id)  # \N: NULL in COPY's text format
    tail = (
        f"\t{month.isoformat()}\t{Invoice.Status.DRAFT.value}\t{stamp}\t{stamp}"
        f"\t{user}\t{copy_escape(reason)}\n"
    )
    return "".join(
        # A new draft was created ``now``: its stamp is written out once, not once a row.
        f"{row['id']}\t{row['shop_id']}"
        f"\t{stamp if row['created_at'] is now else _timestamp_text(row['created_at'])}"
        f"\t{row['total']}\t{'t' if row['awaiting_turnover'] else 'f'}"
        f"\t{row['history_type']}{tail}"
        for row in rows
    )


def record_history(
    *,
    month: date,
    now: datetime,
    rows: list[dict[str, Any]],
    user_id: int | None,
    reason: str,
    copy_text: str | None = None,
) -> None:
    """Write one history row per draft written, from what was written.

    ``rows`` hold ``id``, ``shop_id``, ``created_at`` (a datetime, or the database's own text
    of one, as read back from the invoice), ``total``, ``awaiting_turnover`` and
    ``history_type`` ("+" created, "~" changed). The ORM writes history from ``save()``; here the
    rows are inserted in one statement with the same columns, so an invoice's history shows every
    draft the runs made of it. ``copy_text``, when given, is ``history_copy_text`` of the same
    arguments, made already.
    """
    if not rows:
        return
    history_model = Invoice.history.model
    if not set_based():
        history_model.objects.bulk_create(
            [
                history_model(
                    id=row["id"],
                    shop_id=row["shop_id"],
                    month=month,
                    status=Invoice.Status.DRAFT,
                    created_at=_datetime(row["created_at"]),
                    updated_at=now,
                    total=row["total"],
                    awaiting_turnover=row["awaiting_turnover"],
                    history_date=now,
                    history_type=row["history_type"],
                    history_user_id=user_id,
                    history_change_reason=reason,
                )
                for row in rows
            ]
        )
        return
    if connection.vendor == "postgresql":
        if copy_text is None:
            copy_text = history_copy_text(
                month=month, now=now, rows=rows, user_id=user_id, reason=reason
            )
        _copy_text(history_model, _HISTORY_COPY_COLUMNS, [copy_text], len(rows))
        return
    c = lambda name: _column(history_model, name)  # noqa: E731
    sql = (
        f"INSERT INTO {_table(history_model)} ({c('id')}, {c('shop')}, {c('created_at')}, "
        f"{c('total')}, {c('awaiting_turnover')}, {c('history_type')}, {c('month')}, "
        f"{c('status')}, {c('updated_at')}, {c('history_date')}, {c('history_user')}, "
        f"{c('history_change_reason')}) "
        "SELECT r.id, r.shop_id, r.created_at, r.total, r.awaiting_turnover, r.history_type, "
        "%s, %s, %s, %s, %s, %s FROM "
        + _recordset(
            [
                ("id", "bigint"),
                ("shop_id", "bigint"),
                ("created_at", "timestamptz"),
                ("total", "numeric"),
                ("awaiting_turnover", "boolean"),
                ("history_type", "text"),
            ]
        )
    )
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    adapted = [
        {**row, "created_at": _timestamp_text(row["created_at"], ops.adapt_datetimefield_value)}
        for row in rows
    ]
    params = [
        ops.adapt_datefield_value(month),
        Invoice.Status.DRAFT.value,
        stamp,
        stamp,
        user_id,
        reason,
        _json(adapted),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
