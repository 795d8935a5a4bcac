"""Set-based writes of a payroll run: one statement per kind of write, whatever the agent count.

Django's ``bulk_create`` splits its inserts into batches of 999 parameters on SQLite (a few dozen
payslips) and ``bulk_update`` builds one ``CASE WHEN`` per row, so both would make a run's query
count grow with the number of agents. Here the rows travel as **one JSON parameter** that the
database turns back into a table (``jsonb_to_recordset`` on PostgreSQL, ``json_each`` on SQLite):
inserting the new payslips and updating the changed drafts are one statement each. Money crosses
as decimal strings (never floats), so the stored values are exactly what the ORM would store.
"""

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection

from payroll.models import Payslip

# (payslip field, SQL type on PostgreSQL) of the figures a run writes.
FIGURE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("base_salary", "numeric"),
    ("days_in_month", "integer"),
    ("employed_days", "integer"),
    ("unpaid_leave_days", "integer"),
    ("base_pay", "numeric"),
    ("deductions", "numeric"),
    ("attributed_sales", "numeric"),
    ("commission_rate", "numeric"),
    ("commission", "numeric"),
    ("score", "numeric"),
    ("grade", "text"),
    ("bonus", "numeric"),
    ("cover_shifts", "integer"),
    ("cover_allowance", "numeric"),
    ("total", "numeric"),
    ("details", "jsonb"),
    ("figures_hash", "text"),
)


def _recordset(columns: Sequence[tuple[str, str]]) -> str:
    """SQL for a table ``r`` with ``columns`` read from one JSON parameter (a list of objects)."""
    if connection.vendor == "postgresql":
        typed = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
        return f"jsonb_to_recordset(%s::jsonb) AS r({typed})"
    picked = ", ".join(
        # json_extract turns a JSON object into its text, which is how SQLite stores JSONField.
        f"json_extract(value, '$.{name}') AS {name}"
        for name, _ in columns
    )
    return f"(SELECT {picked} FROM json_each(%s)) AS r"


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, separators=(",", ":"), default=str)


def _table() -> str:
    return connection.ops.quote_name(Payslip._meta.db_table)


def _column(name: str) -> str:
    return connection.ops.quote_name(Payslip._meta.get_field(name).column)


def insert_payslips(*, month: date, now: datetime, rows: list[dict[str, Any]]) -> int:
    """Insert draft payslips of ``month`` from rows with ``agent_id``, ``adjustments`` and every
    field of ``FIGURE_COLUMNS``. One statement. Returns the rows inserted."""
    if not rows:
        return 0
    if connection.vendor not in ("postgresql", "sqlite"):  # pragma: no cover
        Payslip.objects.bulk_create(
            [
                Payslip(month=month, status=Payslip.Status.DRAFT, created_at=now, **row)
                for row in rows
            ]
        )
        return len(rows)
    columns = [("agent_id", "bigint"), ("adjustments", "numeric"), *FIGURE_COLUMNS]
    names = [name for name, _ in columns]
    targets = ", ".join(
        [_column("month"), _column("status"), _column("created_at"), _column("updated_at")]
        + [_column("agent" if name == "agent_id" else name) for name in names]
    )
    picked = ", ".join(f"r.{name}" for name in names)
    sql = f"INSERT INTO {_table()} ({targets}) SELECT %s, %s, %s, %s, {picked} FROM " + _recordset(
        columns
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [
        connection.ops.adapt_datefield_value(month),
        Payslip.Status.DRAFT.value,
        stamp,
        stamp,
        _json(rows),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(rows)


def update_payslips(*, now: datetime, rows: list[dict[str, Any]]) -> int:
    """Rewrite the figures (and total) of draft payslips from rows with ``id`` and every field of
    ``FIGURE_COLUMNS``. One statement; approved payslips are left alone whatever the rows say."""
    if not rows:
        return 0
    if connection.vendor not in ("postgresql", "sqlite"):  # pragma: no cover
        fields = [name for name, _ in FIGURE_COLUMNS]
        Payslip.objects.bulk_update(
            [Payslip(pk=row["id"], updated_at=now, **{f: row[f] for f in fields}) for row in rows],
            [*fields, "updated_at"],
        )
        return len(rows)
    columns = [("id", "bigint"), *FIGURE_COLUMNS]
    table = _table()
    assignments = ", ".join(
        [f"{_column(name)} = r.{name}" for name, _ in FIGURE_COLUMNS]
        + [f"{_column('updated_at')} = %s"]
    )
    sql = (
        f"UPDATE {table} SET {assignments} FROM "
        + _recordset(columns)
        + f" WHERE {table}.{_column('id')} = r.id AND {table}.{_column('status')} = %s"
    )
    params = [
        connection.ops.adapt_datetimefield_value(now),
        _json(rows),
        Payslip.Status.DRAFT.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
