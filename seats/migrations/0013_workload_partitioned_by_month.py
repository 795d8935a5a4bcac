"""The workload table partitioned by month on PostgreSQL; SQLite keeps its one table.

At 3,000 agents the table grows by some 10 million rows a year, and every read the app makes of
it is bounded by dates (a shop's month, an agent's last 14 or 28 days, one day's roll-up), so
``PARTITION BY RANGE (date)`` with one partition per calendar month lets PostgreSQL read only
the months a query asks for, keeps each month's indexes small, and lets a month be detached or
dropped whole instead of deleted row by row.

What changes in the database and what does not:

* Every column, ``CHECK``, ``UNIQUE``, foreign key and index the model state has at this point
  is created again on the partitioned table, read from the state (``apps.get_model``), not
  written out here, so a later ``AddIndex``/``AddConstraint`` on the model applies to the parent
  and PostgreSQL cascades it to every partition. A unique constraint must contain the partition
  key: ``workload_one_per_key`` (agent, shop, date, shift) does, so ``INSERT ... ON CONFLICT
  (agent_id, shop_id, date, shift)`` works as before.
* The primary key becomes ``(id, date)`` (PostgreSQL requires the partition key in it); the model
  keeps ``id`` as its primary key and ids stay unique because one sequence hands them all out.
  PostgreSQL 15 has no identity columns on partitioned tables, so ``id`` takes its default from
  a sequence of the same name Django's identity had (``seats_workloadrecord_id_seq``), owned by
  the column, which ``pg_get_serial_sequence`` (Django's sequence resets) finds as before.
* Partitions ``seats_workloadrecord_pYYYYMM`` from the month of the oldest row (the current
  month on an empty table) to ``MONTHS_AHEAD`` months after the current one, and
  ``seats_workloadrecord_default`` for any date outside them. The beat task
  ``seats.tasks.ensure_workload_partitions`` keeps months ahead created and moves rows out of
  the default partition into their month (``seats/services/partitions.py``).
* Nothing else refers to the table: no foreign key points at it (none could: ``id`` alone is no
  longer unique in the database's eyes), it has no trigger and no history table. Were a foreign
  key to point at the old table, its ``DROP TABLE`` would fail and roll everything back rather
  than drop the key.

Every row is copied with its id in the migration's transaction; the table is locked (reads too)
from the rename to the commit. Reversible: the reverse builds the ordinary table from the model
state again (``create_model``) and copies the rows back.
"""

from datetime import date

from django.db import migrations
from django.utils import timezone

MONTHS_AHEAD = 3


def _month_add(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _relkind(cursor, table: str) -> str | None:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return row[0] if row else None


def _strip_names(schema_editor, table: str) -> None:
    """Drop the constraints and indexes of ``table`` (about to be copied and dropped), so that
    the table built in its place can take their names."""
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND conparentid = 0 ORDER BY contype = 'p'",
            [table],
        )
        constraints = [row[0] for row in cursor.fetchall()]
    for name in constraints:
        schema_editor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass",
            [table],
        )
        indexes = [row[0] for row in cursor.fetchall()]
    for name in indexes:
        schema_editor.execute(f"DROP INDEX {quote(name)}")


def _columns(model) -> list[str]:
    return [field.column for field in model._meta.local_concrete_fields]


def partition_by_month(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    model = apps.get_model("seats", "WorkloadRecord")
    table = model._meta.db_table
    quote = schema_editor.quote_name
    with connection.cursor() as cursor:
        if _relkind(cursor, table) == "p":
            return
    pk = model._meta.pk
    key = model._meta.get_field("date").column
    old = f"{table}_unpartitioned"
    sequence = f"{table}_{pk.column}_seq"

    schema_editor.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(old)}")
    _strip_names(schema_editor, old)

    definitions = [f"{quote(pk.column)} {pk.db_type(connection)} NOT NULL"]
    params: list = []
    for field in model._meta.local_concrete_fields:
        if field is pk:
            continue
        sql, field_params = schema_editor.column_sql(model, field)
        definitions.append(f"{quote(field.column)} {sql}")
        params.extend(field_params or [])
    definitions.append(f"PRIMARY KEY ({quote(pk.column)}, {quote(key)})")
    schema_editor.execute(
        f"CREATE TABLE {quote(table)} ({', '.join(definitions)}) PARTITION BY RANGE ({quote(key)})",
        params or None,
    )

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min({quote(key)}) FROM {quote(old)}")
        oldest = cursor.fetchone()[0]
    this_month = timezone.localdate().replace(day=1)
    month = min(oldest.replace(day=1), this_month) if oldest else this_month
    last = _month_add(this_month, MONTHS_AHEAD)
    while month <= last:
        following = _month_add(month, 1)
        schema_editor.execute(
            f"CREATE TABLE {quote(f'{table}_p{month:%Y%m}')} PARTITION OF {quote(table)} "
            f"FOR VALUES FROM ('{month.isoformat()}') TO ('{following.isoformat()}')"
        )
        month = following
    schema_editor.execute(
        f"CREATE TABLE {quote(f'{table}_default')} PARTITION OF {quote(table)} DEFAULT"
    )

    columns = ", ".join(quote(column) for column in _columns(model))
    schema_editor.execute(
        f"INSERT INTO {quote(table)} ({columns}) SELECT {columns} FROM {quote(old)}"
    )
    # Django's identity sequence goes with the old table; its successor continues after the
    # highest id, so every id stays unique across all partitions.
    schema_editor.execute(f"DROP TABLE {quote(old)}")
    schema_editor.execute(
        f"CREATE SEQUENCE {quote(sequence)} AS bigint OWNED BY {quote(table)}.{quote(pk.column)}"
    )
    schema_editor.execute(
        f"SELECT setval(%s, COALESCE(max({quote(pk.column)}), 0) + 1, false) FROM {quote(table)}",
        [sequence],
    )
    schema_editor.execute(
        f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(pk.column)} "
        f"SET DEFAULT nextval('{sequence}'::regclass)"
    )

    # Constraints, foreign keys and indexes after the rows: building an index once is cheaper
    # than maintaining it row by row. All of them come from the model state.
    for fields in model._meta.unique_together:
        columns_of = [model._meta.get_field(name) for name in fields]
        schema_editor.execute(schema_editor._create_unique_sql(model, columns_of))
    for constraint in model._meta.constraints:
        schema_editor.add_constraint(model, constraint)
    for field in model._meta.local_concrete_fields:
        if field.remote_field and field.db_constraint:
            schema_editor.execute(
                schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
            )
    for statement in schema_editor._model_indexes_sql(model):
        schema_editor.execute(statement)


def unpartition(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    model = apps.get_model("seats", "WorkloadRecord")
    table = model._meta.db_table
    quote = schema_editor.quote_name
    with connection.cursor() as cursor:
        if _relkind(cursor, table) != "p":
            return
    pk = model._meta.pk
    old = f"{table}_partitioned"

    schema_editor.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(old)}")
    _strip_names(schema_editor, old)
    # The sequence has the name the identity of the ordinary table will take.
    schema_editor.execute(f"ALTER TABLE {quote(old)} ALTER COLUMN {quote(pk.column)} DROP DEFAULT")
    schema_editor.execute(f"DROP SEQUENCE {quote(f'{table}_{pk.column}_seq')}")

    schema_editor.create_model(model)  # indexes and foreign keys come at the end (deferred)
    columns = ", ".join(quote(column) for column in _columns(model))
    schema_editor.execute(
        f"INSERT INTO {quote(table)} ({columns}) SELECT {columns} FROM {quote(old)}"
    )
    schema_editor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(max({quote(pk.column)}), 0) + 1, "
        f"false) FROM {quote(table)}",
        [table, pk.column],
    )
    schema_editor.execute(f"DROP TABLE {quote(old)}")  # its partitions with it


class Migration(migrations.Migration):
    dependencies = [
        ("seats", "0012_agentdailyload_date_index"),
    ]

    operations = [
        migrations.RunPython(partition_by_month, unpartition, elidable=False),
    ]
