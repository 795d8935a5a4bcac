"""The billing benchmark runs end to end on a few shops (its figures are for bench/, not here)."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.db import connection

from billing.models import Invoice
from shops.models import Shop

BENCH = Path(__file__).resolve().parents[2] / "bench" / "billing.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_billing", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Transactional: on PostgreSQL the benchmark vacuums between runs, which no transaction allows.
@pytest.mark.django_db(transaction=True)
def test_benchmark_bills_its_shops_checks_both_floors_and_cleans_up(capsys):
    bench = _bench_module()
    jit_before = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            jit_before = cursor.fetchone()[0]

    status = bench.main(["--shops", "12", "--no-workloads"])

    out = capsys.readouterr().out
    assert status == 0, out
    assert "billing run (best of 3)" in out
    assert "(12 invoices created" in out
    assert "0 created, 12 drafts recomputed, none changed" in out
    if connection.vendor == "postgresql":
        assert out.startswith("database: postgresql") and ", JIT off" in out.splitlines()[0]
        assert "totals match:  yes" in out
        assert "12 invoices, " in out and "same rows:     yes" in out
        for row in ("compute floor", "storing only", "store floor (1 SQL computing and storing)"):
            assert row in out
        assert re.fullmatch(r"first run / store floor: \d+\.\d\dx", out.strip().splitlines()[-1])
        with connection.cursor() as cursor:  # the session's JIT setting is given back
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == jit_before
    else:
        assert "floor:         needs PostgreSQL" in out
    # Its own rows, and only those, are gone again.
    assert not Shop.objects.filter(platform_shop_id__startswith=bench.PREFIX).exists()
    assert not Invoice.objects.filter(month=bench.MONTH).exists()
