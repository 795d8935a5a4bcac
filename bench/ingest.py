#!/usr/bin/env python
"""Benchmark: upsert N workload rows over HTTP (JSON and CSV) and compare with COPY + one INSERT.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agency .venv/bin/python bench/ingest.py
    .venv/bin/python bench/ingest.py --rows 2000 --repeat 3

Needs PostgreSQL: next to DATABASE_URL's database it creates its own, ``<name>_ingest_bench``
(dropped first if a broken run left it behind), migrates it, turns JIT off there, and drops it at
the end, so the figures never depend on other data and nothing of it is left behind. It seeds a
manager with an API token, 200 agents, 100 shops and their seats (two agents each, a day and a
night shift), then builds one upload of N rows (default 10,000): 50 days of work of every agent
on its seat's shop and shift, long past, naming the agent by employee number and the shop by
name, as an export does. The CSV carries the Chinese template's header.

Each repetition times, in an order that rotates between repetitions:

* *JSON* and *CSV*: a POST of the upload to ``/api/v1/workloads/bulk/`` through Django's whole
  request stack in-process (the test client with the token: middleware, authentication,
  parsing, validation, the write, the answer), first into an empty table (*insert*, N created)
  then again with every figure changed (*update*, N replaced), each committed;
* the *COPY floor*: the same rows, their agents and shops already resolved to ids, written by
  hand with psycopg: ``COPY`` into a temporary table and one ``INSERT ... SELECT ... ON CONFLICT
  (agent_id, shop_id, date, shift) DO UPDATE``, committed; insert, then update.

The table is emptied (untimed) before each insert. The stored rows after each run are compared
with the floor's, column by column (all but ids and timestamps), and the answers' counts with
N created and N updated. It prints the median of each with rows/s and its ratio to the floor of
the same kind, the last line reading ``worst ratio to the COPY floor: N.NNx (<case>)``.
"""

import argparse
import csv
import io
import json
import os
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings.dev")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.client import BOUNDARY, encode_multipart  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from knox.models import AuthToken  # noqa: E402
from psycopg import sql  # noqa: E402

from agency.choices import Shift  # noqa: E402
from agency.models import User  # noqa: E402
from seats.models import Agent, Seat, SeatAssignment, WorkloadRecord  # noqa: E402
from seats.services.workloads.columns import TEMPLATE_COLUMNS, TEMPLATE_HEADERS  # noqa: E402
from shops.models import Shop  # noqa: E402

URL = "/api/v1/workloads/bulk/"
AGENTS = 200  # two per seat, a day and a night one; a seat serves one shop
FIRST_DAY = date(2001, 1, 1)  # long past: nothing is refused as a shift not begun yet
FIGURES = (
    "inquiries",
    "conversions",
    "buyer_messages",
    "agent_messages",
    "first_response_seconds",
    "sales_amount",
)
STORED = ("agent_id", "shop_id", "date", "shift", *FIGURES)
KINDS = ("floor", "json", "csv")
LABELS = {"floor": "COPY floor", "json": "JSON over HTTP", "csv": "CSV over HTTP"}


# --- The bench's own database -----------------------------------------------------------------


def _server(dbname: str) -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        autocommit=True,
    )


@contextmanager
def bench_database(name: str):
    """Create and migrate ``name``, point Django's connection at it, drop it at the end."""
    database = sql.Identifier(name)
    with _server("postgres") as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        server.execute(sql.SQL("CREATE DATABASE {}").format(database))
        server.execute(sql.SQL("ALTER DATABASE {} SET jit = off").format(database))
    params = connection.settings_dict
    before = params["NAME"]
    connection.close()
    params["NAME"] = name
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        connection.close()
        params["NAME"] = before
        with _server("postgres") as server:
            server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))


# --- Seeding and the upload -------------------------------------------------------------------


def seed() -> tuple[str, list[Agent], list[Shop]]:
    """A manager's API token, the agents, the shops and the seats; bulk inserts only."""
    manager = User.objects.create(username="bench-manager", is_staff=True)
    owner = User.objects.create(username="bench-owner")
    _, token = AuthToken.objects.create(user=manager)
    agents = Agent.objects.bulk_create(
        Agent(
            name=f"Bench agent {n}",
            employee_no=f"B{n:04d}",
            hired_on=date(2000, 1, 1),
            base_salary=Decimal("1500.00"),
        )
        for n in range(AGENTS)
    )
    shops = Shop.objects.bulk_create(
        Shop(
            owner=owner,
            name=f"Bench shop {n}",
            platform=Shop.Platform.OTHER,
            platform_shop_id=f"BENCH-{n:04d}",
            status=Shop.Status.ACTIVE,
            daily_inquiries_estimate=100,
        )
        for n in range(AGENTS // 2)
    )
    seats = Seat.objects.bulk_create(
        Seat(code=f"B{n:03d}", name=f"Bench seat {n}") for n in range(AGENTS // 2)
    )
    SeatAssignment.objects.bulk_create(
        SeatAssignment(
            seat=seats[n // 2],
            agent=agent,
            shift=Shift.DAY if n % 2 == 0 else Shift.NIGHT,
            start_date=date(2000, 1, 1),
        )
        for n, agent in enumerate(agents)
    )
    return token, agents, shops


def upload_rows(count: int, agents: list[Agent], shops: list[Shop], version: int) -> list[dict]:
    """``count`` rows as an export names them; ``version`` changes every figure."""
    rows = []
    for i in range(count):
        n = i % AGENTS
        inquiries = 40 + (i + version) % 60
        rows.append(
            {
                "date": FIRST_DAY + timedelta(days=i // AGENTS),
                "shift": Shift.DAY if n % 2 == 0 else Shift.NIGHT,
                "agent": agents[n].employee_no,
                "shop": shops[n // 2].name,
                "inquiries": inquiries,
                "conversions": (i + version) % 40,
                "buyer_messages": 300 + (i + version) % 7,
                "agent_messages": 330 + version,
                "first_response_seconds": 20 + (i + version) % 50,
                "sales_amount": Decimal("1234.50") + version,
            }
        )
    return rows


def json_body(rows: list[dict]) -> bytes:
    text = [
        {**row, "date": row["date"].isoformat(), "sales_amount": str(row["sales_amount"])}
        for row in rows
    ]
    return json.dumps(text, ensure_ascii=False, separators=(",", ":")).encode()


def csv_body(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS["zh"])
    shift_words = {Shift.DAY: "白班", Shift.NIGHT: "晚班"}
    for row in rows:
        cells = {**row, "shift": shift_words[row["shift"]]}
        writer.writerow([cells[name] for name in TEMPLATE_COLUMNS])
    upload = io.BytesIO(out.getvalue().encode("utf-8-sig"))
    upload.name = "workloads.csv"
    return encode_multipart(BOUNDARY, {"file": upload})


def floor_rows(rows: list[dict], agents: list[Agent], shops: list[Shop]) -> list[tuple]:
    """The rows with their agent and shop as ids, as the floor writes them."""
    agent_ids = {agent.employee_no: agent.pk for agent in agents}
    shop_ids = {shop.name: shop.pk for shop in shops}
    return [
        (agent_ids[row["agent"]], shop_ids[row["shop"]], row["date"], row["shift"])
        + tuple(row[name] for name in FIGURES)
        for row in rows
    ]


# --- What is timed ----------------------------------------------------------------------------

TABLE = WorkloadRecord._meta.db_table
FLOOR_TABLE_SQL = """
CREATE TEMPORARY TABLE floor_upload (
    agent_id bigint, shop_id bigint, date date, shift varchar(10), inquiries integer,
    conversions integer, buyer_messages integer, agent_messages integer,
    first_response_seconds integer, sales_amount numeric(14, 2)
) ON COMMIT DROP
"""
FLOOR_COPY_SQL = f"COPY floor_upload ({', '.join(STORED)}) FROM STDIN"
FLOOR_INSERT_SQL = f"""
INSERT INTO {TABLE} ({", ".join(STORED)}, created_at, updated_at)
SELECT {", ".join(STORED)}, now(), now() FROM floor_upload
ON CONFLICT (agent_id, shop_id, date, shift) DO UPDATE SET
    {", ".join(f"{name} = EXCLUDED.{name}" for name in FIGURES)}, updated_at = EXCLUDED.updated_at
"""


def floor(values: list[tuple]) -> float:
    """COPY into a temporary table and one INSERT ... ON CONFLICT, committed."""
    connection.ensure_connection()
    raw = connection.connection
    started = time.perf_counter()
    with raw.transaction(), raw.cursor() as cursor:
        cursor.execute(FLOOR_TABLE_SQL)
        with cursor.copy(FLOOR_COPY_SQL) as copy:
            for row in values:
                copy.write_row(row)
        cursor.execute(FLOOR_INSERT_SQL)
    return time.perf_counter() - started


def post(client: Client, body: bytes, content_type: str) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post(URL, data=body, content_type=content_type)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{URL} answered {response.status_code}: {response.content[:500]!r}")
    return seconds, response.json()


def empty_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")


def stored() -> list[tuple]:
    return sorted(WorkloadRecord.objects.values_list(*STORED))


def median(values: list[float]) -> float:
    return statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (medians are shown)")
    args = parser.parse_args(argv)

    if connection.vendor != "postgresql":
        print(f"database: {connection.vendor}: needs PostgreSQL (set DATABASE_URL=postgres://...)")
        return 2
    limit = settings.AGENCY["WORKLOAD_BULK_MAX_ROWS"]
    if not 0 < args.rows <= limit:
        parser.error(f"--rows must be 1..{limit} (WORKLOAD_BULK_MAX_ROWS)")
    name = f"{connection.settings_dict['NAME']}_ingest_bench"[:63]
    print(f"database: postgresql {name} (created for the run, dropped after), JIT off")
    started = time.perf_counter()
    # Production answers with DEBUG off: no query is kept in memory for the debug page.
    with bench_database(name), override_settings(DEBUG=False):
        seconds = time.perf_counter() - started
        return _measure(args, seconds)


def _measure(args: argparse.Namespace, migrated_in: float) -> int:
    started = time.perf_counter()
    token, agents, shops = seed()
    uploads = [upload_rows(args.rows, agents, shops, version) for version in (0, 1)]
    bodies = {
        "json": [json_body(rows) for rows in uploads],
        "csv": [csv_body(rows) for rows in uploads],
        "floor": [floor_rows(rows, agents, shops) for rows in uploads],
    }
    content_types = {
        "json": "application/json",
        "csv": f"multipart/form-data; boundary={BOUNDARY}",
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"migrated in {migrated_in:.1f} s; seeded {len(agents)} agents, {len(shops)} shops and "
        f"their seats in {time.perf_counter() - started:.1f} s; upload of {args.rows:,} rows: "
        f"JSON {len(bodies['json'][0]) / 1e6:.2f} MB, CSV {len(bodies['csv'][0]) / 1e6:.2f} MB"
    )
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="localhost")
    times: dict[tuple[str, str], list[float]] = {
        (kind, step): [] for kind in KINDS for step in ("insert", "update")
    }
    expected = None
    status = 0
    for attempt in range(args.repeat):
        order = KINDS[attempt % len(KINDS) :] + KINDS[: attempt % len(KINDS)]
        for kind in order:
            empty_table()
            for step, version in (("insert", 0), ("update", 1)):
                if kind == "floor":
                    seconds, answer = floor(bodies["floor"][version]), None
                else:
                    seconds, answer = post(client, bodies[kind][version], content_types[kind])
                times[kind, step].append(seconds)
                if answer is not None:
                    counts = (answer["created"], answer["updated"])
                    wanted = (args.rows, 0) if step == "insert" else (0, args.rows)
                    if counts != wanted:
                        print(f"{kind} {step}: created/updated {counts}, expected {wanted}")
                        status = 1
            if attempt == 0:  # the rows each way stores, compared once
                rows = stored()
                expected = expected or (kind, rows)
                if rows != expected[1]:
                    print(f"stored rows: {kind} differs from {expected[0]}")
                    status = 1
    print(
        f"stored rows:   {'same' if status == 0 else 'DIFFERENT'} for the floor, JSON and CSV "
        f"({args.rows:,} rows, every column but ids and timestamps); answers "
        f"{'as expected' if status == 0 else 'WRONG'}"
    )
    print()
    print(f"{'median of ' + str(args.repeat):34} {'seconds':>8} {'rows/s':>9} {'/ floor':>8}")
    worst = (0.0, "")
    for step in ("insert", "update"):
        base = median(times["floor", step])
        for kind in KINDS:
            seconds = median(times[kind, step])
            ratio = seconds / base
            label = f"{LABELS[kind]}, {step}"
            print(f"{label:34} {seconds:8.3f} {args.rows / seconds:9,.0f} {ratio:7.2f}x")
            if kind != "floor" and ratio > worst[0]:
                worst = (ratio, label)
    print(f"worst ratio to the COPY floor: {worst[0]:.2f}x ({worst[1]})")
    return status


if __name__ == "__main__":
    sys.exit(main())
