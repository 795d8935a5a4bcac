"""``agency.db.bound_cursor``: the SQL every API request runs is prepared on PostgreSQL (parsed
and planned once per connection), read and logged as through Django's own cursor; Django's
other queries are never prepared; ``DATABASE_PREPARE_THRESHOLD`` turns it off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import NotSupportedError, close_old_connections, connection, connections
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from agency.db import bound_cursor
from shops.models import Shop
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


def test_the_bound_cursor_reads_what_djangos_reads_and_is_logged():
    ShopFactory.create_batch(3)
    queryset = Shop.objects.order_by("id").values_list("id", "name")
    sql, params = queryset.query.sql_with_params()
    with CaptureQueriesContext(connection) as captured, bound_cursor("default") as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    assert rows == list(queryset)
    assert [query["sql"] for query in captured.captured_queries] == [sql]


@on_postgresql
def test_an_api_requests_sql_is_prepared_after_a_few_requests_and_others_never(manager):
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    assert threshold == 5
    ShopFactory.create_batch(3)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(manager)[1]}")
    for _ in range(threshold + 1):
        assert client.get("/api/v1/shops/", {"page_size": 100}).json()["count"] == 3
        Shop.objects.filter(name__startswith="x").count()  # a query of Django's own cursor
    prepared = _prepared()
    assert any("knox_authtoken" in sql for sql in prepared), prepared  # the token look-up
    assert any(sql.startswith('SELECT COUNT(*) AS "__count" FROM "shops_shop"') for sql in prepared)
    assert any('"shops_shop"."platform_shop_id"' in sql for sql in prepared)  # the page
    assert not any("LIKE" in sql for sql in prepared)


def test_an_empty_threshold_turns_preparing_off():
    script = """
import importlib, os
import agency.settings.base as base
found = []
for value in ("", "3", None):
    os.environ.pop("DATABASE_PREPARE_THRESHOLD", None)
    if value is not None:
        os.environ["DATABASE_PREPARE_THRESHOLD"] = value
    found.append(importlib.reload(base).DATABASES["default"]["OPTIONS"]["prepare_threshold"])
print(found)
"""
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",  # read, never opened
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[None, 3, 5]"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_statement_a_migration_changed_fails_once_and_its_connection_is_replaced():
    other = connections.create_connection("default")  # another process, migrating
    try:
        with other.cursor() as cursor:
            cursor.execute("CREATE TABLE prepared_probe (id integer, name varchar(20))")
            cursor.execute("INSERT INTO prepared_probe VALUES (1, 'a')")
        sql = "SELECT id, name FROM prepared_probe WHERE id = %s"
        for _ in range(connection.settings_dict["OPTIONS"]["prepare_threshold"] + 1):
            with bound_cursor("default") as cursor:
                cursor.execute(sql, [1])
                assert cursor.fetchall() == [(1, "a")]
        assert any("prepared_probe" in statement for statement in _prepared())
        with other.cursor() as cursor:
            cursor.execute("ALTER TABLE prepared_probe ALTER COLUMN id TYPE bigint")
        with pytest.raises(NotSupportedError), bound_cursor("default") as cursor:
            cursor.execute(sql, [1])
        close_old_connections()  # the end of the request
        assert connection.connection is None
        with bound_cursor("default") as cursor:  # a new connection
            cursor.execute(sql, [1])
            assert cursor.fetchall() == [(1, "a")]
    finally:
        with other.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS prepared_probe")
        other.close()
