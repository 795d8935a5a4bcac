"""The ingest write: COPY and one INSERT ... ON CONFLICT on PostgreSQL, batches elsewhere; both
store the same rows and answer the same counts, all rows or none, a file sent again replaces."""

import copy
import datetime as dt
import gc
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from seats.models import Agent, WorkloadRecord
from seats.services import (
    WorkloadBulkError,
    cycle_collection_paused,
    read_workload_file,
    workload_bulk_upsert,
)
from seats.services.workloads import rows as rows_module
from seats.services.workloads import upsert
from shops.models import Shop
from tests.factories import AgentFactory, ShopFactory

BULK = "/api/v1/workloads/bulk/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_SENT = dt.datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI)
SENT_AGAIN = dt.datetime(2026, 10, 16, 11, 30, tzinfo=SHANGHAI)
STORED = (
    "agent_id",
    "shop_id",
    "date",
    "shift",
    "inquiries",
    "conversions",
    "buyer_messages",
    "agent_messages",
    "first_response_seconds",
    "sales_amount",
)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's (DATABASE_URL)"
)


def _rows(count: int, *, version: int = 0) -> list[dict]:
    """``count`` rows of 25 agents and 4 shops in September 2026; ``version`` changes the
    figures. The agents are named by employee number and the shops by name, as files do."""
    agents = [AgentFactory(employee_no=f"ING-{n:02d}") for n in range(25)]
    shops = [ShopFactory(name=f"Ingest shop {n}") for n in range(4)]
    return _rows_of(count, agents, shops, version=version)


def _rows_of(count: int, agents, shops, *, version: int = 0) -> list[dict]:
    rows = []
    for i in range(count):
        rows.append(
            {
                "agent": agents[i % 25].employee_no,
                "shop": shops[(i // 25) % 4].name,
                "date": (dt.date(2026, 9, 1) + dt.timedelta(days=i // 100)).isoformat(),
                "shift": "night" if i % 2 else "day",
                "inquiries": 50 + (i + version) % 40,
                "conversions": (i + version) % 30,
                # Unknown figures stay unknown on both paths.
                "buyer_messages": None if i % 7 == 0 else 300 + version,
                "agent_messages": str(320 + i % 5),
                "first_response_seconds": "18.5" if i % 3 else 40,
                "sales_amount": f"¥{1000 + i + version:,}.50",
            }
        )
    return rows


def _table() -> list[tuple]:
    return sorted(WorkloadRecord.objects.values_list(*STORED))


def _stamps() -> dict[tuple, tuple[dt.datetime, dt.datetime]]:
    return {
        row[:4]: row[4:]
        for row in WorkloadRecord.objects.values_list(
            "agent_id", "shop_id", "date", "shift", "created_at", "updated_at"
        )
    }


def _write_with(monkeypatch, path: str) -> None:
    """Make every write take ``path`` ("copy" or "batched"), whatever the database."""
    writer = upsert._copy_upsert if path == "copy" else upsert._batched_upsert
    monkeypatch.setattr(upsert, "_copy_upsert", writer)
    monkeypatch.setattr(upsert, "_batched_upsert", writer)


@postgresql_only
def test_postgresql_writes_through_copy_and_one_insert_on_the_unique_key(db):
    rows = _rows(3_000)
    with CaptureQueriesContext(connection) as queries:
        result = workload_bulk_upsert(rows=rows)
    assert (result.created, result.updated) == (3_000, 0)
    statements = [query["sql"] for query in queries]
    table = WorkloadRecord._meta.db_table
    copies = [sql for sql in statements if sql.startswith("COPY ")]
    writes = [sql for sql in statements if f'INSERT INTO "{table}"' in sql]
    assert len(copies) == 1 and "FROM STDIN" in copies[0]
    assert len(writes) == 1
    assert 'ON CONFLICT ("agent_id", "shop_id", "date", "shift") DO UPDATE' in writes[0]
    assert "VALUES" not in writes[0]  # set-based: the rows come from the COPY, not the SQL
    assert len(statements) <= 10  # names resolved (3), temporary table, COPY, INSERT, roll-up
    assert WorkloadRecord.objects.count() == 3_000


def test_sqlite_keeps_the_batched_write(db, monkeypatch):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's path (no DATABASE_URL)")

    def refuse(values):
        raise AssertionError("COPY is PostgreSQL's")

    monkeypatch.setattr(upsert, "_copy_upsert", refuse)
    result = workload_bulk_upsert(rows=_rows(300))
    assert (result.created, result.updated) == (300, 0)


@postgresql_only
def test_copy_and_batched_writes_store_the_same_rows_and_answer_the_same(db, monkeypatch):
    agents = [AgentFactory(employee_no=f"ING-{n:02d}") for n in range(25)]
    shops = [ShopFactory(name=f"Ingest shop {n}") for n in range(4)]
    first = _rows_of(2_000, agents, shops)
    again = _rows_of(2_000, agents, shops, version=1)[500:] + _rows_of(2_400, agents, shops)[2_000:]
    outcomes = {}
    for path in ("copy", "batched"):
        WorkloadRecord.objects.all().delete()
        _write_with(monkeypatch, path)
        with time_machine.travel(FIRST_SENT, tick=False):
            answers = [workload_bulk_upsert(rows=first).as_dict()]
        created = _stamps()
        with time_machine.travel(SENT_AGAIN, tick=False):
            answers.append(workload_bulk_upsert(rows=again).as_dict())
        stamps = _stamps()
        outcomes[path] = (answers, _table())
        # A replaced workload keeps when it was created; a new one is created now.
        sent_again = _keys(again)
        for key, (created_at, updated_at) in stamps.items():
            assert created_at == (FIRST_SENT if key in created else SENT_AGAIN)
            assert updated_at == (SENT_AGAIN if key in sent_again else FIRST_SENT)
    assert outcomes["copy"] == outcomes["batched"]
    answers, table = outcomes["copy"]
    assert [(a["created"], a["updated"]) for a in answers] == [(2_000, 0), (400, 1_500)]
    assert len(table) == 2_400


def _keys(rows: list[dict]) -> set[tuple]:
    agents = dict(Agent.objects.values_list("employee_no", "pk"))
    shops = dict(Shop.objects.values_list("name", "pk"))
    return {
        (agents[r["agent"]], shops[r["shop"]], dt.date.fromisoformat(r["date"]), r["shift"])
        for r in rows
    }


def test_one_bad_row_keeps_none_of_the_upload_and_leaves_stored_rows_alone(db):
    rows = _rows(2_000)
    workload_bulk_upsert(rows=rows[:100])
    before = _table()
    changed = _rows_of(2_000, *_cast(), version=3)
    changed[1_499]["conversions"] = changed[1_499]["inquiries"] + 1
    with pytest.raises(WorkloadBulkError) as refused:
        workload_bulk_upsert(rows=changed)
    assert [(e.row, e.field) for e in refused.value.errors] == [(1_500, "conversions")]
    assert _table() == before


def _cast() -> tuple[list, list]:
    return list(Agent.objects.order_by("employee_no")), list(Shop.objects.order_by("name"))


def _csv(rows: list[dict]) -> SimpleUploadedFile:
    header = list(rows[0])
    lines = [",".join(header)] + [
        ",".join(f'"{"" if row[name] is None else row[name]}"' for name in header) for row in rows
    ]
    return SimpleUploadedFile("day.csv", ("\n".join(lines) + "\n").encode(), "text/csv")


def test_a_file_sent_again_updates_every_row_and_creates_none(manager_api):
    rows = _rows(1_200)
    first = manager_api.post(BULK, {"file": _csv(rows)}, format="multipart")
    assert first.status_code == 200, first.content
    assert (first.json()["created"], first.json()["updated"]) == (1_200, 0)
    stored = _table()
    again = manager_api.post(BULK, {"file": _csv(rows)}, format="multipart")
    assert (again.json()["created"], again.json()["updated"]) == (0, 1_200)
    assert _table() == stored
    changed = _rows_of(1_200, *_cast(), version=1)
    third = manager_api.post(BULK, {"file": _csv(changed)}, format="multipart")
    assert (third.json()["created"], third.json()["updated"]) == (0, 1_200)
    assert _table() != stored and len(_table()) == 1_200


@postgresql_only
@pytest.mark.django_db(transaction=True)  # committed for real: the tables go at commit
def test_uploads_in_one_transaction_each_have_their_own_temporary_table():
    rows = _rows(500)
    with transaction.atomic():
        assert workload_bulk_upsert(rows=rows[:300]).created == 300
        result = workload_bulk_upsert(rows=rows)
    assert (result.created, result.updated) == (200, 300)
    with connection.cursor() as cursor:  # dropped at commit
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'workload_upload_%%'")
        assert cursor.fetchone()[0] == 0


def test_a_value_seen_before_is_not_taken_for_an_equal_one_of_another_type(db):
    """Parsed values are remembered for an upload: 1 and True are equal in Python, but a count
    of true is refused, and a bad value is refused on every row that has it."""
    rows = _rows(4)
    rows[0]["inquiries"], rows[0]["conversions"] = 1, 1
    rows[1]["inquiries"], rows[1]["conversions"] = True, 1
    rows[2]["date"] = rows[3]["date"] = "2026-13-01"
    with pytest.raises(WorkloadBulkError) as refused:
        workload_bulk_upsert(rows=rows)
    assert [(e.row, e.field) for e in refused.value.errors] == [
        (2, "inquiries"),
        (3, "date"),
        (4, "date"),
    ]


def test_the_cycle_collector_is_paused_during_an_upload_and_resumed_after(db, monkeypatch):
    seen = []
    real = upsert._upsert

    def spy(rows):
        seen.append(gc.isenabled())
        return real(rows)

    monkeypatch.setattr(upsert, "_upsert", spy)
    assert gc.isenabled()
    workload_bulk_upsert(rows=_rows(3))
    with pytest.raises(WorkloadBulkError):
        workload_bulk_upsert(rows=[{"agent": "nobody"}])
    assert seen == [False, False]
    assert gc.isenabled()
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()  # a caller that paused it resumes it itself
    finally:
        gc.enable()


def test_amounts_are_stored_to_the_cent(db):
    rows = _rows(2)
    rows[0]["sales_amount"] = "1,234.5"
    workload_bulk_upsert(rows=rows)
    assert Decimal("1234.50") in WorkloadRecord.objects.values_list("sales_amount", flat=True)


def test_an_unknown_shop_is_refused_on_every_row_that_names_it(db):
    """Agent and shop names resolved once serve the next rows; a shop refused is refused on
    each of its rows, with the same agent as a row that resolved well before."""
    rows = _rows(4)
    rows[2]["agent"] = rows[3]["agent"] = rows[0]["agent"]
    rows[2]["shop"] = rows[3]["shop"] = "No such shop"
    rows[3]["date"] = "2026-09-20"
    with pytest.raises(WorkloadBulkError) as refused:
        workload_bulk_upsert(rows=rows)
    assert [(e.row, e.field) for e in refused.value.errors] == [(3, "shop"), (4, "shop")]


# --- Column by column, errors as row by row -----------------------------------------------------


def _row_by_row(monkeypatch) -> None:
    """Make every upload take the row-by-row check: each row cleaned by ``clean_row``, then
    resolved, given its roster shift and checked for time and duplicates on its own."""
    real = upsert.clean_columns

    def every_row_refused(rows, **options):
        columns, _ = real(rows, **options)
        return columns, list(range(len(columns["agent"])))

    monkeypatch.setattr(upsert, "clean_columns", every_row_refused)


def _outcome(rows) -> tuple[str, object]:
    try:
        with transaction.atomic():
            answer = workload_bulk_upsert(rows=rows).as_dict()
            stored = _table()
            transaction.set_rollback(True)
    except WorkloadBulkError as exc:
        return "refused", (exc.message, exc.extra)
    return "stored", (answer, stored)


def _messy(rows: list) -> list:
    """Bad rows first, in the middle and last, several bad fields in one row, values of every
    JSON type, and errors that only resolving names, the clock and the keys can find."""
    rows[0].update(date="2026-13-01", shift="full", inquiries=-1, sales_amount="1.234", x=1)
    rows[0]["conversions"] = True
    rows[1].update(inquiries=2.5, conversions=80.0, buyer_messages=[1], agent_messages=" ")
    rows[2].update(agent="nobody", shop="No such shop", first_response_seconds="-3")
    rows[3].update(inquiries=10, conversions=11, date="2026/9/1", shift="晚班")
    rows[149] = ["not", "an", "object"]
    rows[150].update(inquiries=None, conversions="", agent="")
    rows[151].update(agent=rows[152]["agent"], shop=rows[152]["shop"], date=rows[152]["date"])
    rows[151]["shift"] = rows[152]["shift"]  # the same workload as the next row
    rows[200].update(date="2099-01-01", sales_amount=Decimal("12.5"), inquiries=Decimal(80))
    rows[201].update(shop="\u0000", agent=1.5, first_response_seconds=float("nan"))
    rows[-1].update(date=None, shift=None, inquiries="1,234", conversions="1,2345")
    return rows


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_messy, id="bad rows everywhere"),
        pytest.param(lambda rows: [*rows[:-1], {**rows[0], "agent": "nobody"}], id="a name"),
        pytest.param(lambda rows: [*rows, rows[100]], id="a workload twice, last"),
        pytest.param(lambda rows: [{**rows[0], "date": "2026-12-01"}, *rows[1:]], id="not begun"),
        pytest.param(lambda rows: [{**row, "shift": None} for row in rows], id="no shift"),
        pytest.param(lambda rows: rows + rows[:2], id="too many rows"),
        pytest.param(lambda rows: rows, id="valid"),
    ],
)
@time_machine.travel(dt.datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_column_by_column_finds_what_row_by_row_finds_in_the_same_order(
    db, monkeypatch, settings, change
):
    settings.AGENCY = {**settings.AGENCY, "WORKLOAD_BULK_MAX_ROWS": 300}
    rows = change(_rows(300))
    column_by_column = _outcome(copy.deepcopy(rows))
    _row_by_row(monkeypatch)
    assert column_by_column == _outcome(copy.deepcopy(rows))
    assert column_by_column[0] == "stored" or column_by_column[1][1]["errors"]


def test_a_file_with_header_and_row_errors_finds_what_row_by_row_finds(db, monkeypatch):
    rows = _rows(200)
    for row in rows:
        del row["conversions"]
    rows[10]["inquiries"], rows[20]["date"], rows[30]["agent"] = "x", "", "nobody"
    text = _csv(rows).read()
    column_by_column = _outcome(read_workload_file(text))
    _row_by_row(monkeypatch)
    assert column_by_column == _outcome(read_workload_file(text))
    assert [error["row"] for error in column_by_column[1][1]["errors"]] == [0, 11, 21, 31]


def test_a_valid_upload_is_checked_column_by_column(db, monkeypatch):
    """No row of a valid upload is cleaned, resolved or checked on its own."""

    def row_by_row(*args, **kwargs):
        raise AssertionError("checked row by row")

    monkeypatch.setattr(rows_module, "clean_row", row_by_row)
    monkeypatch.setattr(upsert, "resolve_references", row_by_row)
    rows = _rows(2_000)
    assert workload_bulk_upsert(rows=rows).created == 2_000
    assert read_workload_file(_csv(rows).read()).rows  # the file's cells, read
    assert workload_bulk_upsert(rows=read_workload_file(_csv(rows).read())).updated == 2_000


def test_copy_text_writes_null_escapes_text_and_writes_numbers_dates_and_amounts_as_is():
    values = [
        (1, 2, dt.date(2026, 9, 1), "day", 80, 0, None, 5, 19, Decimal("1234.50")),
        (1, 3, dt.date(2026, 9, 1), "a\\b\tc\nd\re", 80, 0, 7, None, None, None),
    ]
    assert upsert._copy_text(values) == (
        "1\t2\t2026-09-01\tday\t80\t0\t\\N\t5\t19\t1234.50\n"
        "1\t3\t2026-09-01\ta\\\\b\\tc\\nd\\re\t80\t0\t7\t\\N\t\\N\t\\N\n"
    )


@postgresql_only
def test_copy_text_reads_back_as_the_values_written(db):
    values = [
        (1, 2, dt.date(2026, 9, 1), "a\\b\tc\nd\re", 80, 0, None, 5, 19, Decimal("1234.50")),
        (1, 3, dt.date(2100, 12, 31), "night", 2_147_483_647, 0, 0, None, None, Decimal("0.00")),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE copied (a bigint, b bigint, d date, s text, i integer, "
            "c integer, bm integer, am integer, f integer, m numeric(14, 2))"
        )
        with cursor.cursor.copy("COPY copied FROM STDIN") as copy:
            copy.write(upsert._copy_text(values))
        cursor.execute("SELECT * FROM copied ORDER BY b")
        assert cursor.fetchall() == values
        cursor.execute("DROP TABLE copied")
