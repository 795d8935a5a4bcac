"""The API benchmark runs end to end on a few shops (its figures are for bench/, not here)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parents[2] / "bench" / "api.py"


@pytest.mark.django_db
def test_benchmark_serves_both_apps_compares_their_answers_and_drops_its_database():
    if connection.vendor != "postgresql":
        pytest.skip("the API bench needs PostgreSQL (DATABASE_URL=postgres://...)")
    result = subprocess.run(
        [sys.executable, str(BENCH), "--shops", "12", "--duration", "0.4", "--rounds", "2"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"]},
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr[-3000:]
    name = re.search(r"database: postgresql (\S+) \(created; dropped at the end\)", out).group(1)
    assert "same answers: yes (every endpoint, byte for byte)" in out
    for endpoint in ("shops", "invoices", "workloads"):
        for size in (100, 500):
            assert re.search(rf"^{endpoint} {size} +ratio +\d+\.\d\dx$", out, re.M), out
            assert re.search(rf"^{endpoint} {size} +floor +\d", out, re.M)
    assert re.fullmatch(
        r"worst ratio .*: \d+\.\d\dx \(target 2\.00x\)", out.strip().splitlines()[-1]
    )
    with connection.cursor() as cursor:  # its database is gone again
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
        assert cursor.fetchone()[0] == 0
