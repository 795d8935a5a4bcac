#!/usr/bin/env python
"""Benchmark: the workload table's typical queries, partitioned by month against one table.

    DATABASE_URL=postgres://postgres@127.0.0.1/agency_bench .venv/bin/python bench/partitions.py
    ... bench/partitions.py --agents 300                  # a tenth: 985,500 rows

PostgreSQL only (on SQLite it says so and stops). A year of workloads of 3,000 agents by default
(``--agents``, ``--days`` from 2025-01-01, ``--shops-per-agent`` 9: 9,855,000 rows, the "ten times
beyond" size of docs/operations.md): agents in pairs (day and night shift) serve the same nine
shops, one row per agent, shop and day, generated inside the server (``INSERT ... SELECT`` over
``generate_series``, day by day as uploads arrive) into two tables of a scratch schema
``bench_partitions``, dropped at the end:

* ``plain``: one table, primary key ``(id)``, as before migration 0012;
* ``parted``: ``PARTITION BY RANGE (date)``, one partition per month and a default one,
  primary key ``(id, date)``, as after it.

Both get the check constraints of ``seats_workloadrecord`` and the same indexes (its own, read
from the catalogue), are built after the rows are in and analysed. Then, with JIT off, each
query runs ``--repeat`` times on each table, the two taking turns (best of, hot cache), under
``EXPLAIN (ANALYZE)``, planning and execution time added up (``--keep`` leaves the schema,
``--reuse`` measures it again without building):

* one shop's month (the portal's and the billing run's read), one agent's last 14 and 28 days
  (the overload window and the scorecard), one day of all agents (the workload list), the
  nightly roll-up's sum per agent of one day, one row by id (the API's and the admin's detail);
* the ingest's upsert of one day's rows (``INSERT ... ON CONFLICT (agent_id, shop_id, date,
  shift) DO UPDATE`` from a staging table), rolled back;
* taking the oldest month away: ``DELETE`` of its rows against ``DETACH`` and ``DROP`` of its
  partition (wall time), rolled back.

It prints the figures with the partitioned table's ratio to the plain one (below 1.00x: the
partitioned table is faster) and ends with the geometric mean of that ratio over the five reads
bounded by dates: ``reads by date, partitioned / plain (geometric mean): N.NNx``.
"""

import argparse
import math
import os
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

SCHEMA = "bench_partitions"
SOURCE = "seats_workloadrecord"
FIRST_DAY = date(2025, 1, 1)

GENERATE = """
INSERT INTO {table} (id, created_at, updated_at, date, shift, inquiries, conversions,
                     buyer_messages, agent_messages, first_response_seconds, sales_amount,
                     agent_id, shop_id)
SELECT row_number() OVER (ORDER BY d, a, k), now(), now(), %(first)s::date + d,
       CASE WHEN a %% 2 = 1 THEN 'day' ELSE 'night' END,
       q.inquiries, q.inquiries / 3, q.inquiries * 5, q.inquiries * 6, 20 + (a + d) %% 40,
       q.inquiries * 37.50, a, (a - 1) / 2 * %(per)s + k + 1
FROM generate_series(0, %(days)s - 1) AS d
CROSS JOIN generate_series(1, %(agents)s) AS a
CROSS JOIN generate_series(0, %(per)s - 1) AS k
CROSS JOIN LATERAL (SELECT (a * 7 + d * 13 + k * 31) %% 120 AS inquiries) AS q
ORDER BY d, a, k
"""


def _month_add(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _run(cursor, sql: str, params=None) -> None:
    cursor.execute(sql, params)


def _indexes(cursor) -> list[str]:
    """The workload table's index definitions but its primary key's, table name left out."""
    cursor.execute(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass "
        "AND NOT indisprimary ORDER BY indexrelid",
        [SOURCE],
    )
    return [row[0] for row in cursor.fetchall()]


def build(cursor, *, agents: int, days: int, per: int) -> dict[str, float]:
    timings = {}
    _run(cursor, f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    _run(cursor, f"CREATE SCHEMA {SCHEMA}")
    like = f"(LIKE public.{SOURCE} INCLUDING CONSTRAINTS)"
    _run(cursor, f"CREATE TABLE {SCHEMA}.plain {like}")
    _run(cursor, f"CREATE TABLE {SCHEMA}.parted {like} PARTITION BY RANGE (date)")
    last_day = FIRST_DAY + timedelta(days=days - 1)
    month = FIRST_DAY.replace(day=1)
    while month <= last_day:
        following = _month_add(month, 1)
        _run(
            cursor,
            f"CREATE TABLE {SCHEMA}.parted_p{month:%Y%m} PARTITION OF {SCHEMA}.parted "
            f"FOR VALUES FROM ('{month}') TO ('{following}')",
        )
        month = following
    _run(cursor, f"CREATE TABLE {SCHEMA}.parted_default PARTITION OF {SCHEMA}.parted DEFAULT")

    started = time.perf_counter()
    _run(
        cursor,
        GENERATE.format(table=f"{SCHEMA}.plain"),
        {"first": FIRST_DAY, "days": days, "agents": agents, "per": per},
    )
    timings["generate rows into the plain table"] = time.perf_counter() - started
    started = time.perf_counter()
    _run(cursor, f"INSERT INTO {SCHEMA}.parted SELECT * FROM {SCHEMA}.plain")
    timings["copy them into the partitioned table"] = time.perf_counter() - started

    definitions = _indexes(cursor)
    for table, key in (("plain", "id"), ("parted", "id, date")):
        started = time.perf_counter()
        _run(cursor, f"ALTER TABLE {SCHEMA}.{table} ADD PRIMARY KEY ({key})")
        for definition in definitions:
            statement = re.sub(
                r"ON (ONLY )?(public\.)?" + SOURCE + r"\b", f"ON {SCHEMA}.{table}", definition
            )
            statement = re.sub(r"INDEX (\S+) ON", rf"INDEX {table}_\1 ON", statement)
            _run(cursor, statement)
        _run(cursor, f"ANALYZE {SCHEMA}.{table}")
        timings[f"index and analyse {table}"] = time.perf_counter() - started
    return timings


def _explained(cursor, sql: str, params: list) -> float:
    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
    plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else plan
    return (plan["Planning Time"] + plan["Execution Time"]) / 1000


def _rolled_back(statements) -> float:
    """Wall time of ``statements(cursor)`` in a transaction that is then rolled back."""
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        statements(cursor)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def _best_of_both(plain, parted, repeat: int) -> tuple[float, float]:
    """Best of ``repeat`` for each, the two taking turns, so that a busy moment of the machine
    falls on both alike."""
    best = [math.inf, math.inf]
    for _ in range(repeat):
        best[0] = min(best[0], plain())
        best[1] = min(best[1], parted())
    return best[0], best[1]


def measure(*, agents: int, days: int, per: int, repeat: int) -> list[tuple[str, float, float]]:
    last_day = FIRST_DAY + timedelta(days=days - 1)
    month = last_day.replace(day=1)
    month_end = _month_add(month, 1) - timedelta(days=1)
    agent = max(1, agents // 2)
    shop = (agent - 1) // 2 * per + 1
    reads = [
        (
            "one shop's month",
            "SELECT agent_id, date, shift, inquiries, conversions, sales_amount FROM {t} "
            "WHERE shop_id = %s AND date >= %s AND date <= %s",
            [shop, month, month_end],
        ),
        *[
            (
                f"one agent's last {n} days",
                "SELECT shop_id, date, sum(inquiries) FROM {t} "
                "WHERE agent_id = %s AND date >= %s AND date <= %s GROUP BY shop_id, date",
                [agent, last_day - timedelta(days=n - 1), last_day],
            )
            for n in (14, 28)
        ],
        (
            "one day, all agents",
            "SELECT * FROM {t} WHERE date = %s ORDER BY agent_id, shop_id, shift",
            [last_day],
        ),
        (
            "nightly roll-up (one day per agent)",
            "SELECT agent_id, date, sum(inquiries) FROM {t} WHERE date = %s "
            "GROUP BY agent_id, date",
            [last_day],
        ),
        ("one row by id", "SELECT * FROM {t} WHERE id = %s", [agents * per * (days // 2)]),
    ]
    rows = []
    with connection.cursor() as cursor:
        for label, sql, params in reads:
            plain, parted = _best_of_both(
                lambda sql=sql, params=params: _explained(
                    cursor, sql.format(t=f"{SCHEMA}.plain"), params
                ),
                lambda sql=sql, params=params: _explained(
                    cursor, sql.format(t=f"{SCHEMA}.parted"), params
                ),
                repeat,
            )
            rows.append((label, plain, parted))

    def upsert(table: str):
        def statements(cursor) -> None:
            cursor.execute(
                f"CREATE TEMPORARY TABLE staging ON COMMIT DROP AS "
                f"SELECT * FROM {SCHEMA}.plain WHERE date = %s",
                [last_day],
            )
            cursor.execute(
                f"EXPLAIN ANALYZE INSERT INTO {SCHEMA}.{table} SELECT * FROM staging "
                "ON CONFLICT (agent_id, shop_id, date, shift) DO UPDATE "
                "SET inquiries = EXCLUDED.inquiries + 1, updated_at = EXCLUDED.updated_at"
            )

        return statements

    rows.append(
        (
            "upsert one day (ON CONFLICT, all updated)",
            *_best_of_both(
                lambda: _rolled_back(upsert("plain")),
                lambda: _rolled_back(upsert("parted")),
                repeat,
            ),
        )
    )
    oldest = FIRST_DAY.replace(day=1)

    def delete_month(cursor) -> None:
        cursor.execute(
            f"DELETE FROM {SCHEMA}.plain WHERE date >= %s AND date < %s",
            [oldest, _month_add(oldest, 1)],
        )

    def drop_partition(cursor) -> None:
        cursor.execute(
            f"ALTER TABLE {SCHEMA}.parted DETACH PARTITION {SCHEMA}.parted_p{oldest:%Y%m}"
        )
        cursor.execute(f"DROP TABLE {SCHEMA}.parted_p{oldest:%Y%m}")

    rows.append(
        (
            "oldest month away (DELETE / DETACH+DROP)",
            *_best_of_both(
                lambda: _rolled_back(delete_month), lambda: _rolled_back(drop_partition), repeat
            ),
        )
    )
    return rows


def _sizes(cursor) -> tuple[int, int]:
    cursor.execute(f"SELECT pg_total_relation_size('{SCHEMA}.plain')")
    plain = cursor.fetchone()[0]
    cursor.execute(
        f"SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('{SCHEMA}.parted')"
    )
    return plain, int(cursor.fetchone()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=3000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--shops-per-agent", type=int, default=9)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch schema (to measure it again)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure the schema a --keep run left, build nothing"
    )
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("partitions:   needs PostgreSQL (the workload table is partitioned there only)")
        return 0
    per = args.shops_per_agent
    total = args.agents * args.days * per
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit_before = cursor.fetchone()[0]
        cursor.execute("SET jit = off")
        try:
            print(f"database: postgresql {connection.settings_dict['NAME']}, JIT off")
            months = len({(FIRST_DAY + timedelta(days=n)).replace(day=1) for n in range(args.days)})
            if args.reuse:
                print(f"measuring the tables a --keep run left: {total:,} rows expected")
            else:
                started = time.perf_counter()
                timings = build(cursor, agents=args.agents, days=args.days, per=per)
                print(
                    f"seeded {total:,} rows ({args.agents:,} agents, {args.days} days from "
                    f"{FIRST_DAY}, {per} shops each) into both tables in "
                    f"{time.perf_counter() - started:.1f} s; {months} month partitions"
                )
                for label, seconds in timings.items():
                    print(f"  {label}: {seconds:.1f} s")
            plain_bytes, parted_bytes = _sizes(cursor)
            print(
                f"size with indexes: plain {plain_bytes / 2**20:,.0f} MB, "
                f"partitioned {parted_bytes / 2**20:,.0f} MB"
            )
            rows = measure(agents=args.agents, days=args.days, per=per, repeat=args.repeat)
            print()
            print(
                f"{'best of ' + str(args.repeat) + ', ms':<44}{'plain':>10}{'partitioned':>13}"
                f"{'part/plain':>12}"
            )
            for label, plain, parted in rows:
                print(
                    f"{label:<44}{plain * 1000:>10.2f}{parted * 1000:>13.2f}"
                    f"{parted / plain:>11.2f}x"
                )
            # The reads bounded by dates, which partitions are for; the lookup by id is shown
            # above on its own (it probes every partition's primary key).
            reads = [parted / plain for label, plain, parted in rows[:5]]
            mean = math.exp(sum(math.log(r) for r in reads) / len(reads))
            print(f"reads by date, partitioned / plain (geometric mean): {mean:.2f}x")
        finally:
            if not args.keep:
                cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            cursor.execute(f"SET jit = {jit_before}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
