"""The partitions benchmark runs end to end on a few rows (its figures are for bench/, not here)."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parents[2] / "bench" / "partitions.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_partitions", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_benchmark_times_both_tables_and_drops_its_schema(capsys):
    bench = _bench_module()
    jit_before = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            jit_before = cursor.fetchone()[0]
    status = bench.main(["--agents", "4", "--days", "40", "--repeat", "1"])

    out = capsys.readouterr().out
    assert status == 0, out
    if connection.vendor != "postgresql":
        assert out.startswith("partitions:   needs PostgreSQL")
        return
    assert out.startswith("database: postgresql") and ", JIT off" in out.splitlines()[0]
    assert "seeded 1,440 rows (4 agents, 40 days from 2025-01-01, 9 shops each)" in out
    assert "2 month partitions" in out
    for row in (
        "one shop's month",
        "one agent's last 14 days",
        "one agent's last 28 days",
        "one day, all agents",
        "nightly roll-up (one day per agent)",
        "one row by id",
        "upsert one day (ON CONFLICT, all updated)",
        "oldest month away (DELETE / DETACH+DROP)",
    ):
        assert re.search(re.escape(row) + r" +\d+\.\d\d +\d+\.\d\d +\d+\.\d\dx", out), row
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(r"reads by date, partitioned / plain \(geometric mean\): \d+\.\d\dx", last)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regnamespace(%s)", [bench.SCHEMA])
        assert cursor.fetchone()[0] is None
        cursor.execute("SHOW jit")  # the session's JIT setting is given back
        assert cursor.fetchone()[0] == jit_before
