"""The large-agency benchmark runs end to end at a tiny size (its figures are for bench/)."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.db import connection

from seats.models import AgentDailyLoad, WorkloadRecord
from shops.models import DsrRating

BENCH = Path(__file__).resolve().parents[2] / "bench" / "scale.py"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="bench/scale.py builds its agencies with COPY: it needs PostgreSQL (DATABASE_URL)",
)


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_scale", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Transactional: the benchmark vacuums the tables it filled, which no transaction allows.
@pytest.mark.django_db(transaction=True)
def test_benchmark_builds_both_sizes_and_times_every_page(capsys):
    bench = _bench_module()

    status = bench.main(["--tiny", "--here"])

    out = capsys.readouterr().out
    assert status == 0, out
    assert "demo: 4 agents, 2 seats, 4 shops" in out
    assert "large: 6 agents, 3 seats, 6 shops" in out
    for label, _, _ in bench.pages({"agent": 1, "shop": 1, "days": 40}, bench.clock.today()):
        row = re.search(rf"^{re.escape(label)} +[\d.]+ +(\d+) +[\d.]+ +(\d+) +[\d.]+x", out, re.M)
        assert row, f"{label} missing:\n{out}"
        # The same queries at both sizes.
        assert row.group(1) == row.group(2), row.group(0)
    assert re.fullmatch(r"worst large / demo: \d+\.\d\dx", out.strip().splitlines()[-1])
    # The large agency is what is left: its roll-up covers every past day of its workloads.
    assert DsrRating.objects.count() == 6 * bench.RATINGS_PER_SHOP
    past = WorkloadRecord.objects.filter(date__lt=bench.clock.today())
    assert AgentDailyLoad.objects.count() == past.values("agent_id", "date").distinct().count()


@pytest.mark.django_db
def test_benchmark_refuses_to_empty_a_database_that_is_not_a_test_one(monkeypatch, capsys):
    bench = _bench_module()
    monkeypatch.setitem(connection.settings_dict, "NAME", "agency")
    assert bench.main(["--tiny", "--here"]) == 2
    assert "only on a test database" in capsys.readouterr().out
