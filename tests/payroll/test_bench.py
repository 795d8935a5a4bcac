"""The payroll benchmark runs end to end on a few agents (its figures are for bench/, not here)."""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection

from payroll.models import Payslip
from seats.models import Agent

BENCH = Path(__file__).resolve().parents[2] / "bench" / "payroll.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_payroll", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_benchmark_pays_its_agents_checks_the_floor_and_cleans_up(capsys):
    bench = _bench_module()

    status = bench.main(["--agents", "12"])

    out = capsys.readouterr().out
    assert status == 0, out
    assert "payroll run (best of 3)" in out
    assert "(12 payslips created)" in out
    assert "0 created, 12 drafts recomputed, none changed" in out
    if connection.vendor == "postgresql":
        assert "figures match: yes" in out
    else:
        assert "floor:         needs PostgreSQL" in out
    assert not Agent.objects.filter(employee_no__startswith=bench.PREFIX).exists()
    assert not Payslip.objects.filter(month=bench.MONTH).exists()
