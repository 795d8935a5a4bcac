"""The ingest benchmark runs end to end on a few rows (its figures are for bench/, not here)."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ingest.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_ingest", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _databases() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the ingest benchmark measures PostgreSQL's COPY floor: set DATABASE_URL=postgres://...",
)
# Transactional: the benchmark creates, migrates and drops its own database, outside any
# transaction of the test's.
@pytest.mark.django_db(transaction=True)
def test_benchmark_times_json_csv_and_the_copy_floor_then_drops_its_database(capsys):
    bench = _bench_module()
    test_database = connection.settings_dict["NAME"]

    status = bench.main(["--rows", "60", "--repeat", "2"])

    out = capsys.readouterr().out
    assert status == 0, out
    assert out.startswith(f"database: postgresql {test_database}_ingest_bench (created")
    assert "stored rows:   same for the floor, JSON and CSV (60 rows" in out
    assert "answers as expected" in out
    for label in ("COPY floor", "JSON over HTTP", "CSV over HTTP"):
        for step in ("insert", "update"):
            assert re.search(rf"^{label}, {step} +\d+\.\d{{3}} +[\d,]+ +\d+\.\d\dx$", out, re.M)
    assert re.fullmatch(
        r"worst ratio to the COPY floor: \d+\.\d\dx \((JSON|CSV) over HTTP, (insert|update)\)",
        out.strip().splitlines()[-1],
    )
    # Its database is gone again, and the tests' own is the connection's once more.
    assert connection.settings_dict["NAME"] == test_database
    assert f"{test_database}_ingest_bench" not in _databases()


def test_benchmark_needs_postgresql(capsys, db):
    if connection.vendor == "postgresql":
        pytest.skip("answered on SQLite only")
    assert _bench_module().main(["--rows", "10"]) == 2
    assert "needs PostgreSQL" in capsys.readouterr().out
