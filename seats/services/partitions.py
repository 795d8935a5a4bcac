"""Monthly partitions of the workload table on PostgreSQL (migration 0012), kept ahead of time.

The table ``seats_workloadrecord`` is ``PARTITION BY RANGE (date)``: one partition per calendar
month (``seats_workloadrecord_pYYYYMM``) and a default partition for dates no month partition
covers. A row whose month has no partition still lands (in the default partition), so nothing
is ever refused for want of a partition; but the default partition is not pruned by month, and
PostgreSQL refuses to create a month's partition while the default partition holds rows of that
month. ``workload_partitions_ensure`` therefore:

* creates the partitions of the current month and of ``MONTHS_AHEAD`` months after it, so new
  rows find their month's partition before the month begins;
* moves rows out of the default partition into their month's partition, created for them, in
  one transaction per month (rows keep their ids; nobody sees them missing or twice).

Safe to run again and again (beat runs it daily) and by two workers at once: each month is
checked again after taking the table's lock, and a month that exists is left alone. The lock
(``ACCESS EXCLUSIVE`` on the table, which ``CREATE TABLE ... PARTITION OF`` needs anyway) is
held only while a month is created, and waited for at most ``LOCK_TIMEOUT``; a run that times
out raises ``OperationalError`` and the task retries later. On SQLite, or on a table that is not
partitioned, it does nothing.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction

from agency import clock
from seats.models import WorkloadRecord

MONTHS_AHEAD = 3
LOCK_TIMEOUT = "10s"
_BOUND = re.compile(r"FOR VALUES FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)")


@dataclass(frozen=True)
class PartitionResult:
    partitioned: bool
    created: list[str] = field(default_factory=list)  # months, YYYY-MM
    moved_rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "partitioned": self.partitioned,
            "created": self.created,
            "moved_rows": self.moved_rows,
        }


def _month_add(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _table() -> str:
    return WorkloadRecord._meta.db_table


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def workload_partitioned() -> bool:
    """Whether the workload table is partitioned (PostgreSQL after migration 0012)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [_table()])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def workload_partitions() -> tuple[list[tuple[str, date, date]], str | None]:
    """The month partitions as (name, first day, day after the last) in date order, and the
    name of the default partition (None without one). Bounds are read from the catalogue, so
    partitions are recognised by what they cover, not by their names."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [_table()],
        )
        rows = cursor.fetchall()
    ranges, default = [], None
    for name, bound in rows:
        if bound == "DEFAULT":
            default = name
        elif match := _BOUND.search(bound):
            ranges.append(
                (name, date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2)))
            )
    return sorted(ranges, key=lambda item: item[1]), default


def _covered(month: date, ranges: list[tuple[str, date, date]]) -> bool:
    following = _month_add(month, 1)
    return any(first < following and month < end for _, first, end in ranges)


def _default_months(default: str | None) -> set[date]:
    if default is None:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', {_quote('date')}::timestamp)::date "
            f"FROM {_quote(default)}"
        )
        return {row[0] for row in cursor.fetchall()}


def _create_month(month: date) -> int | None:
    """Create ``month``'s partition, moving its rows out of the default partition first; the
    rows moved, or None when another run created it meanwhile. One transaction."""
    table = _table()
    following = _month_add(month, 1)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"LOCK TABLE {_quote(table)} IN ACCESS EXCLUSIVE MODE")
        ranges, default = workload_partitions()
        if _covered(month, ranges):
            return None
        moved = 0
        bounds = [month, following]
        if default is not None:
            # PostgreSQL checks that the default partition holds no row of the new month: take
            # them out (into a temporary table dropped at commit), then put them back in.
            cursor.execute(
                f"CREATE TEMPORARY TABLE workload_moving (LIKE {_quote(table)}) ON COMMIT DROP"
            )
            cursor.execute(
                f"WITH moved AS (DELETE FROM {_quote(default)} WHERE {_quote('date')} >= %s "
                f"AND {_quote('date')} < %s RETURNING *) INSERT INTO workload_moving "
                f"SELECT * FROM moved",
                bounds,
            )
            moved = cursor.rowcount
        cursor.execute(
            f"CREATE TABLE {_quote(f'{table}_p{month:%Y%m}')} PARTITION OF {_quote(table)} "
            f"FOR VALUES FROM (%s) TO (%s)",
            bounds,
        )
        if default is not None:
            cursor.execute(f"INSERT INTO {_quote(table)} SELECT * FROM workload_moving")
            cursor.execute("DROP TABLE workload_moving")
    return moved


def workload_partitions_ensure(
    *, today: date | None = None, months_ahead: int = MONTHS_AHEAD
) -> PartitionResult:
    """Create the month partitions of ``today``'s month (Shanghai) and ``months_ahead`` months
    after it, and of every month with rows in the default partition (moving those rows in).
    Returns the months created and the rows moved; idempotent."""
    if not workload_partitioned():
        return PartitionResult(partitioned=False)
    this_month = (today or clock.today()).replace(day=1)
    ranges, default = workload_partitions()
    wanted = {_month_add(this_month, n) for n in range(months_ahead + 1)}
    wanted |= _default_months(default)
    created, moved_rows = [], 0
    for month in sorted(wanted):
        if _covered(month, ranges):
            continue
        moved = _create_month(month)
        if moved is not None:
            created.append(f"{month:%Y-%m}")
            moved_rows += moved
    return PartitionResult(partitioned=True, created=created, moved_rows=moved_rows)
