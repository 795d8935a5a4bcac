"""The workload table partitioned by month on PostgreSQL (migration 0012), and the beat task
that keeps month partitions ahead and the default partition empty.

Months here are long past (2003), so no test depends on the months the migration created around
the real date of the test run: rows of 2003 land in the default partition until a test creates
their month. Partitions created in a test go with its transaction.
"""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.db import connection, migrations, models
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import OperationalError
from django.test.utils import CaptureQueriesContext

from agency import clock
from agency.choices import Shift
from seats import tasks
from seats.models import WorkloadRecord
from seats.services import partitions
from seats.services.partitions import workload_partitions, workload_partitions_ensure
from seats.services.workloads import workload_bulk_upsert
from tests.factories import AgentFactory, ShopFactory, WorkloadFactory

TABLE = "seats_workloadrecord"
D = dt.date
NEEDS_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the workload table is partitioned on PostgreSQL only; SQLite keeps one table",
)


def partition_of(record: WorkloadRecord) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [record.pk])
        return cursor.fetchone()[0]


def months(ranges) -> list[str]:
    return [f"{first:%Y-%m}" for _, first, _ in ranges]


def frozen(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, 0), tick=False)


@pytest.fixture
def agent(db):
    return AgentFactory()


@pytest.fixture
def shop(db):
    return ShopFactory()


# --- SQLite -------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
def test_on_sqlite_the_table_is_one_table_and_the_beat_task_does_nothing(db):
    assert tasks.ensure_workload_partitions() == {
        "partitioned": False,
        "created": [],
        "moved_rows": 0,
    }


# --- The partitioned table ----------------------------------------------------------------------


@NEEDS_POSTGRESQL
def test_the_table_keeps_every_constraint_and_index_of_the_model_and_a_key_with_the_date(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
        assert cursor.fetchone()[0] == "p"
        constraints = connection.introspection.get_constraints(cursor, TABLE)
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        assert cursor.fetchone()[0] == "public.seats_workloadrecord_id_seq"
    primary = [c for c in constraints.values() if c["primary_key"]]
    assert [c["columns"] for c in primary] == [["id", "date"]]
    for constraint in WorkloadRecord._meta.constraints:
        assert constraint.name in constraints, constraint.name
    assert constraints["workload_one_per_key"]["unique"]
    assert constraints["workload_one_per_key"]["columns"] == [
        "agent_id",
        "shop_id",
        "date",
        "shift",
    ]
    for index in WorkloadRecord._meta.indexes:
        assert constraints[index.name]["columns"] == [
            WorkloadRecord._meta.get_field(name).column for name in index.fields
        ]
    foreign = {c["columns"][0]: c["foreign_key"] for c in constraints.values() if c["foreign_key"]}
    assert foreign == {"agent_id": ("seats_agent", "id"), "shop_id": ("shops_shop", "id")}
    indexed = {tuple(c["columns"]) for c in constraints.values() if c["index"]}
    assert {("agent_id",), ("shop_id",)} <= indexed  # the foreign keys' own indexes
    ranges, default = workload_partitions()
    assert default == f"{TABLE}_default"
    assert ranges  # the months around the migration's date


@NEEDS_POSTGRESQL
def test_rows_land_in_their_months_partition_and_move_when_their_date_changes(agent, shop):
    workload_partitions_ensure(today=D(2003, 2, 10))

    february = WorkloadFactory(agent=agent, shop=shop, date=D(2003, 2, 28))
    march = WorkloadFactory(agent=agent, shop=shop, date=D(2003, 3, 1))
    outside = WorkloadFactory(agent=agent, shop=shop, date=D(2002, 12, 31))

    assert partition_of(february) == f"{TABLE}_p200302"
    assert partition_of(march) == f"{TABLE}_p200303"
    assert partition_of(outside) == f"{TABLE}_default"
    # A date changed in the admin moves the row; its id stays and is found by it.
    march.date = D(2003, 4, 2)
    march.save(update_fields=["date"])
    assert partition_of(march) == f"{TABLE}_p200304"
    assert WorkloadRecord.objects.get(pk=march.pk).date == D(2003, 4, 2)
    assert len({february.pk, march.pk, outside.pk}) == 3


@NEEDS_POSTGRESQL
def test_an_upload_counts_stored_rows_in_its_own_dates_partitions_only(agent, shop):
    # The count of rows an upload replaces joins its temporary table, which has no statistics,
    # with the stored workloads: bounded by the upload's dates, the plan reads the partitions
    # of those dates only, not every stored workload.
    workload_partitions_ensure(today=D(2003, 2, 10))
    WorkloadFactory(agent=agent, shop=shop, date=D(2003, 3, 5))
    row = {"agent": agent.pk, "shop": shop.pk, "date": "2003-02-11", "shift": "day"}
    with CaptureQueriesContext(connection) as queries:
        workload_bulk_upsert(rows=[{**row, "inquiries": 10, "conversions": 1}])
    [upsert_sql] = [query["sql"] for query in queries if "ON CONFLICT" in query["sql"]]
    with connection.cursor() as cursor:  # the upload's table lives until the test's rollback
        cursor.execute(f"EXPLAIN {upsert_sql}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert f"{TABLE}_p200302" in plan
    assert f"{TABLE}_p200303" not in plan and f"{TABLE}_default" not in plan


@NEEDS_POSTGRESQL
def test_checks_still_refuse_bad_rows_in_every_partition(agent, shop):
    from django.db import IntegrityError, transaction

    workload_partitions_ensure(today=D(2003, 2, 10))
    for day in (D(2003, 2, 1), D(1999, 1, 1)):  # a month partition, the default partition
        with pytest.raises(IntegrityError), transaction.atomic():
            WorkloadFactory(agent=agent, shop=shop, date=day, inquiries=1, conversions=2)
        WorkloadFactory(agent=agent, shop=shop, date=day, shift=Shift.DAY)
        with pytest.raises(IntegrityError), transaction.atomic():
            WorkloadFactory(agent=agent, shop=shop, date=day, shift=Shift.DAY)


@NEEDS_POSTGRESQL
def test_upserts_on_the_four_keys_insert_then_replace_in_the_partition(agent, shop):
    workload_partitions_ensure(today=D(2003, 2, 10))
    rows = [
        {
            "agent": agent.pk,
            "shop": shop.pk,
            "date": "2003-02-14",
            "shift": "day",
            "inquiries": 80,
            "conversions": 30,
        }
    ]
    assert workload_bulk_upsert(rows=rows).created == 1
    rows[0]["inquiries"] = 90
    result = workload_bulk_upsert(rows=rows)
    assert (result.created, result.updated) == (0, 1)
    record = WorkloadRecord.objects.get()
    assert record.inquiries == 90
    assert partition_of(record) == f"{TABLE}_p200302"

    # The statement an ingest through a temporary table sends: ON CONFLICT on the four keys.
    # (``RETURNING xmax`` to tell inserts from updates is refused on a partitioned table.)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (created_at, updated_at, agent_id, shop_id, date, shift, "
            "inquiries, conversions) VALUES (now(), now(), %s, %s, %s, 'day', 95, 31), "
            "(now(), now(), %s, %s, %s, 'night', 10, 1) "
            "ON CONFLICT (agent_id, shop_id, date, shift) DO UPDATE "
            "SET inquiries = EXCLUDED.inquiries, conversions = EXCLUDED.conversions "
            "RETURNING id",
            [agent.pk, shop.pk, D(2003, 2, 14), agent.pk, shop.pk, D(2003, 2, 14)],
        )
        returned = cursor.fetchall()
    assert returned[0] == (record.pk,) and returned[1][0] > record.pk
    assert sorted(WorkloadRecord.objects.values_list("shift", "inquiries")) == [
        ("day", 95),
        ("night", 10),
    ]


@NEEDS_POSTGRESQL
def test_an_ingest_copied_into_a_temporary_table_upserts_into_the_partitions(agent, shop):
    workload_partitions_ensure(today=D(2003, 2, 10))
    stored = WorkloadFactory(agent=agent, shop=shop, date=D(2003, 2, 3), inquiries=50)
    columns = "agent_id, shop_id, date, shift, inquiries, conversions"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE staging ON COMMIT DROP AS SELECT {columns} FROM {TABLE} "
            "WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY staging ({columns}) FROM STDIN") as copy:
            copy.write_row((agent.pk, shop.pk, D(2003, 2, 3), "day", 70, 7))  # stored: updated
            copy.write_row((agent.pk, shop.pk, D(2003, 3, 9), "day", 30, 3))  # a new month
            copy.write_row((agent.pk, shop.pk, D(1999, 9, 9), "day", 10, 1))  # the default
        cursor.execute(
            f"INSERT INTO {TABLE} (created_at, updated_at, {columns}) "
            f"SELECT now(), now(), {columns} FROM staging "
            "ON CONFLICT (agent_id, shop_id, date, shift) DO UPDATE "
            "SET inquiries = EXCLUDED.inquiries, conversions = EXCLUDED.conversions"
        )
        cursor.execute("DROP TABLE staging")
    records = {r.date: r for r in WorkloadRecord.objects.all()}
    assert records[D(2003, 2, 3)].pk == stored.pk and records[D(2003, 2, 3)].inquiries == 70
    assert [partition_of(records[day]) for day in sorted(records)] == [
        f"{TABLE}_default",
        f"{TABLE}_p200302",
        f"{TABLE}_p200303",
    ]


@NEEDS_POSTGRESQL
def test_an_index_and_a_constraint_added_later_by_migrations_reach_every_partition(agent, shop):
    workload_partitions_ensure(today=D(2003, 2, 10))
    index = models.Index(fields=["agent", "date"], name="workload_agent_date_test")
    check = models.CheckConstraint(
        condition=models.Q(inquiries__lte=100_000), name="workload_inquiries_sane_test"
    )
    operations = [
        migrations.AddIndex("workloadrecord", index),
        migrations.AddConstraint("workloadrecord", check),
    ]
    state = MigrationExecutor(connection).loader.project_state()
    with connection.schema_editor() as editor:
        for operation in operations:
            after = state.clone()
            operation.state_forwards("seats", after)
            operation.database_forwards("seats", editor, state, after)
            state = after
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass",
            ["workload_agent_date_test"],
        )
        children = cursor.fetchone()[0]
    ranges, default = workload_partitions()
    assert children == len(ranges) + 1  # every month and the default partition
    # A month created afterwards gets both from its parent.
    workload_partitions_ensure(today=D(2004, 6, 1))
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, f"{TABLE}_p200406")
    assert any(c["columns"] == ["agent_id", "date"] and c["index"] for c in constraints.values())
    assert "workload_inquiries_sane_test" in constraints
    with connection.schema_editor() as editor:
        for operation in reversed(operations):  # RemoveIndex/RemoveConstraint, as a rollback does
            operation.database_backwards("seats", editor, state, state)
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    assert "workload_agent_date_test" not in constraints
    assert "workload_inquiries_sane_test" not in constraints


# --- The beat task ------------------------------------------------------------------------------


@NEEDS_POSTGRESQL
def test_the_beat_task_creates_this_month_and_three_ahead_once(db):
    with frozen(D(2003, 11, 20)):
        first = tasks.ensure_workload_partitions()
        again = tasks.ensure_workload_partitions()
    assert first == {
        "partitioned": True,
        "created": ["2003-11", "2003-12", "2004-01", "2004-02"],
        "moved_rows": 0,
    }
    assert again == {"partitioned": True, "created": [], "moved_rows": 0}
    ranges, _ = workload_partitions()
    assert [m for m in months(ranges) if m < "2005"] == ["2003-11", "2003-12", "2004-01", "2004-02"]


@NEEDS_POSTGRESQL
def test_a_month_created_late_takes_its_rows_out_of_the_default_partition(agent, shop):
    early = WorkloadFactory(agent=agent, shop=shop, date=D(2003, 5, 1), shift=Shift.DAY)
    late = WorkloadFactory(agent=agent, shop=shop, date=D(2003, 5, 31), shift=Shift.NIGHT)
    older = WorkloadFactory(agent=agent, shop=shop, date=D(2001, 7, 4))
    assert {partition_of(r) for r in (early, late, older)} == {f"{TABLE}_default"}

    with frozen(D(2003, 5, 31)):
        result = tasks.ensure_workload_partitions()

    # Every month found in the default partition is created too, so it is left empty.
    assert result["created"] == ["2001-07", "2003-05", "2003-06", "2003-07", "2003-08"]
    assert result["moved_rows"] == 3
    assert partition_of(early) == partition_of(late) == f"{TABLE}_p200305"
    assert partition_of(older) == f"{TABLE}_p200107"
    assert WorkloadRecord.objects.count() == 3
    stored = WorkloadRecord.objects.get(pk=late.pk)
    assert (stored.shift, stored.inquiries, stored.created_at) == (
        late.shift,
        late.inquiries,
        late.created_at,
    )
    with frozen(D(2003, 5, 31)):
        assert tasks.ensure_workload_partitions()["created"] == []


@NEEDS_POSTGRESQL
def test_a_month_another_run_created_meanwhile_is_left_alone(db):
    real = partitions.workload_partitions
    calls = []

    def seen_before_the_other_run(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # the first look, before the lock: nothing of 2003 yet
            return [], real()[1]
        return real()

    workload_partitions_ensure(today=D(2003, 3, 1), months_ahead=0)
    with mock.patch.object(partitions, "workload_partitions", seen_before_the_other_run):
        result = workload_partitions_ensure(today=D(2003, 3, 1), months_ahead=0)
    assert result.created == []


@NEEDS_POSTGRESQL
def test_the_beat_task_is_scheduled_and_retries_when_the_table_is_busy(db, settings):
    from agency.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["daily-workload-partitions"]
    assert entry["task"] in app.tasks
    calls = []

    def busy(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("canceling statement due to lock timeout")
        return partitions.PartitionResult(partitioned=True)

    with mock.patch.object(tasks, "workload_partitions_ensure", busy):
        result = tasks.ensure_workload_partitions.apply(throw=False).get()
    assert len(calls) == 2 and result["partitioned"] is True


# --- The migration ------------------------------------------------------------------------------


@NEEDS_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_to_one_table_and_forward_again_keeping_every_row():
    agent, shop = AgentFactory(), ShopFactory()
    # The migration creates months from the oldest row's to three after the real date's.
    two_months_ago = (clock.today().replace(day=1) - dt.timedelta(days=40)).replace(day=5)
    kept = [
        WorkloadFactory(agent=agent, shop=shop, date=day)
        for day in (two_months_ago, two_months_ago + dt.timedelta(days=1), D(2090, 1, 1))
    ]
    before = sorted(WorkloadRecord.objects.values_list("id", "date", "inquiries"))
    executor = MigrationExecutor(connection)
    leaf = executor.loader.graph.leaf_nodes("seats")
    try:
        executor.migrate([("seats", "0012_agentdailyload_date_index")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
            assert cursor.fetchone()[0] == "r"
        assert sorted(WorkloadRecord.objects.values_list("id", "date", "inquiries")) == before
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaf)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
        assert cursor.fetchone()[0] == "p"
    assert sorted(WorkloadRecord.objects.values_list("id", "date", "inquiries")) == before
    assert partition_of(kept[0]) == f"{TABLE}_p{two_months_ago:%Y%m}"
    assert partition_of(kept[2]) == f"{TABLE}_default"
    new = WorkloadFactory(agent=agent, shop=shop, date=two_months_ago + dt.timedelta(days=2))
    assert new.pk > max(row[0] for row in before)
