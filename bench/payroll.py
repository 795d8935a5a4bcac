#!/usr/bin/env python
"""Benchmark: a payroll month of N agents, timed, with its query count, against one SQL statement.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agency_bench .venv/bin/python bench/payroll.py
    .venv/bin/python bench/payroll.py --agents 200         # SQLite: no floor, figures only

Seeds N agents (default 1,000) into the configured database, two per seat (day and night), with
base salaries, a tenth hired inside the month, a twentieth leaving inside it, a fifth with an own
commission rate; a month of workloads (one row per agent and day, with sales), unpaid leave for
every seventh agent and a few covers. Its own rows are recognised by their employee number
(``BENCHPAY-...``) and deleted first, so it can be run again and again; the month paid (2001-01)
is far from real data.

Then it times the payroll service (``pay_month``) for the month (best of 3, the month's payslips
deleted untimed before each) and a rerun (drafts recomputed, none changed: nothing written), and
counts their queries. On PostgreSQL it times the *floor*: one statement computing every agent's
base pay (prorated by the days employed) and commission (attributed sales x rate) with nothing
written, best of 5, prints the ratio run / floor and checks that both give the same base pay and
commission for every agent.
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from agency.choices import Shift  # noqa: E402
from agency.models import User  # noqa: E402
from agency.months import days_in_month, month_last_day  # noqa: E402
from payroll.models import PayBook, PayrollMonth, Payslip, PayslipAdjustment  # noqa: E402
from payroll.selectors import pay_book_for  # noqa: E402
from payroll.services.runs import pay_month  # noqa: E402
from seats.models import (  # noqa: E402
    Agent,
    CoverAssignment,
    Leave,
    Seat,
    SeatAssignment,
    WorkloadRecord,
)
from shops.models import Shop  # noqa: E402

MONTH = date(2001, 1, 1)  # 31 days, long ended, far from real data
PREFIX = "BENCHPAY-"

FLOOR_SQL = """
WITH bounds AS (
    SELECT %(first)s::date AS first_day, %(last)s::date AS last_day, %(dim)s::int AS dim
),
employed AS (
    SELECT a.id, a.base_salary, COALESCE(a.commission_rate, %(rate)s) AS rate, b.dim,
           LEAST(COALESCE(a.left_on, b.last_day), b.last_day)
               - GREATEST(a.hired_on, b.first_day) + 1 AS days
    FROM seats_agent a CROSS JOIN bounds b
    WHERE a.hired_on <= b.last_day
      AND (a.left_on >= b.first_day OR (a.left_on IS NULL AND a.status <> 'left'))
),
sales AS (
    SELECT w.agent_id, SUM(w.sales_amount) AS amount
    FROM seats_workloadrecord w CROSS JOIN bounds b
    WHERE w.date BETWEEN b.first_day AND b.last_day AND w.agent_id IS NOT NULL
    GROUP BY w.agent_id
)
SELECT e.id,
       CASE WHEN e.days = e.dim THEN e.base_salary
            ELSE round(e.base_salary * e.days / e.dim, 2) END AS base_pay,
       CASE WHEN s.amount > 0 AND e.rate > 0 THEN round(s.amount * e.rate, 2)
            ELSE 0.00 END AS commission
FROM employed e LEFT JOIN sales s ON s.agent_id = e.id
"""


def analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def unpay() -> None:
    """Delete the month's payroll (untimed, before each timed first run)."""
    with transaction.atomic():
        PayslipAdjustment.objects.filter(payslip__month=MONTH)._raw_delete(connection.alias)
        Payslip.objects.filter(month=MONTH)._raw_delete(connection.alias)
        PayrollMonth.objects.filter(month=MONTH).delete()


def clean() -> None:
    """Delete the benchmark's own rows (and nothing else), children first."""
    analyze()
    unpay()
    agents = Agent.objects.filter(employee_no__startswith=PREFIX)
    with transaction.atomic():
        for queryset in (
            WorkloadRecord.objects.filter(agent__in=agents),
            Leave.objects.filter(agent__in=agents),
            CoverAssignment.objects.filter(agent__in=agents),
            SeatAssignment.objects.filter(agent__in=agents),
            Seat.objects.filter(code__startswith=PREFIX),
            Shop.objects.filter(platform_shop_id__startswith=PREFIX),
            agents,
        ):
            queryset._raw_delete(queryset.db)


def seed(count: int) -> dict[str, int]:
    owner, _ = User.objects.get_or_create(
        username="bench-owner", defaults={"email": "bench-owner@example.com"}
    )
    last = month_last_day(MONTH)
    with transaction.atomic():
        shop = Shop.objects.create(
            owner=owner,
            name="Bench payroll shop",
            platform=Shop.Platform.OTHER,
            platform_shop_id=f"{PREFIX}SHOP",
            status=Shop.Status.ACTIVE,
            daily_inquiries_estimate=100,
        )
        Agent.objects.bulk_create(
            [
                Agent(
                    name=f"Bench agent {n:05d}",
                    employee_no=f"{PREFIX}{n:05d}",
                    hired_on=MONTH + timedelta(days=n % 28) if n % 10 == 3 else date(2000, 1, 1),
                    left_on=MONTH + timedelta(days=10 + n % 20) if n % 20 == 7 else None,
                    base_salary=Decimal(3000 + (n * 37) % 2000),
                    commission_rate=Decimal("0.0030") if n % 5 == 1 else None,
                )
                for n in range(count)
            ],
            batch_size=2000,
        )
        agents = list(
            Agent.objects.filter(employee_no__startswith=PREFIX)
            .order_by("employee_no")
            .values_list("pk", flat=True)
        )
        Seat.objects.bulk_create(
            [Seat(code=f"{PREFIX}{n:05d}") for n in range((count + 1) // 2)], batch_size=2000
        )
        seats = list(
            Seat.objects.filter(code__startswith=PREFIX)
            .order_by("code")
            .values_list("pk", flat=True)
        )
        SeatAssignment.objects.bulk_create(
            [
                SeatAssignment(
                    seat_id=seats[n // 2],
                    agent_id=agent_id,
                    shift=Shift.DAY if n % 2 == 0 else Shift.NIGHT,
                    start_date=date(2000, 1, 1),
                )
                for n, agent_id in enumerate(agents)
            ],
            batch_size=2000,
        )
        Leave.objects.bulk_create(
            [
                Leave(
                    agent_id=agent_id,
                    start_date=MONTH + timedelta(days=14),
                    end_date=MONTH + timedelta(days=15),
                    unpaid=True,
                    status="approved",
                )
                for n, agent_id in enumerate(agents)
                if n % 7 == 0
            ],
            batch_size=2000,
        )
        # Every seventh agent's seat-shift is covered on their leave days by the agent of the
        # same shift on the next seat.
        CoverAssignment.objects.bulk_create(
            [
                CoverAssignment(
                    seat_id=seats[n // 2],
                    shift=Shift.DAY if n % 2 == 0 else Shift.NIGHT,
                    agent_id=agents[n + 2],
                    start_date=MONTH + timedelta(days=14),
                    end_date=MONTH + timedelta(days=15),
                )
                for n in range(len(agents) - 2)
                if n % 7 == 0 and n % 20 != 7
            ],
            batch_size=2000,
        )
        rows = 0
        batch: list[WorkloadRecord] = []
        for n, agent_id in enumerate(agents):
            for day in range(days_in_month(MONTH)):
                when = MONTH + timedelta(days=day)
                if when > last:
                    break
                batch.append(
                    WorkloadRecord(
                        agent_id=agent_id,
                        shop_id=shop.pk,
                        date=when,
                        shift=Shift.DAY if n % 2 == 0 else Shift.NIGHT,
                        inquiries=60 + (n + day) % 60,
                        conversions=20 + (n + day) % 40,
                        buyer_messages=300,
                        agent_messages=360,
                        first_response_seconds=20 + n % 150,
                        sales_amount=Decimal(500 + (n * 13 + day * 7) % 1500) + Decimal("0.35"),
                    )
                )
            if len(batch) >= 20_000:
                WorkloadRecord.objects.bulk_create(batch, batch_size=5000)
                rows += len(batch)
                batch = []
        WorkloadRecord.objects.bulk_create(batch, batch_size=5000)
        rows += len(batch)
    analyze()
    return {"agents": len(agents), "seats": len(seats), "workloads": rows}


def timed_run() -> tuple[float, int, tuple[int, int]]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        outcome = pay_month(month=MONTH)
        seconds = time.perf_counter() - started
    return seconds, len(queries), outcome


def month_figures() -> dict[int, tuple[Decimal, Decimal]]:
    return {
        agent_id: (base_pay, commission)
        for agent_id, base_pay, commission in Payslip.objects.filter(month=MONTH).values_list(
            "agent_id", "base_pay", "commission"
        )
    }


def floor() -> tuple[float, dict[int, tuple[Decimal, Decimal]]]:
    book = pay_book_for(MONTH)
    params = {
        "first": MONTH,
        "last": month_last_day(MONTH),
        "dim": days_in_month(MONTH),
        "rate": book.commission_rate,
    }
    best, rows = None, []
    for _ in range(5):
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(FLOOR_SQL, params)
            rows = cursor.fetchall()
            seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best, {agent_id: (Decimal(b), Decimal(c)) for agent_id, b, c in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="leave the bench rows behind")
    args = parser.parse_args(argv)

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if PayBook.objects.filter(effective_from__lte=MONTH).exists():
        print("note: a pay book is in force in the bench month; its rates apply")
    started = time.perf_counter()
    clean()
    seeded = seed(args.agents)
    print(
        f"seeded:        {seeded['agents']:,} agents on {seeded['seats']:,} seats, "
        f"{seeded['workloads']:,} workload rows in {time.perf_counter() - started:.1f} s"
    )
    try:
        firsts = []
        for _ in range(3):
            unpay()
            analyze()
            firsts.append(timed_run())
        first_seconds, first_queries, (created, _) = min(firsts)
        print(
            f"payroll run (best of 3): {first_seconds:.3f} s, {first_queries} queries "
            f"({created:,} payslips created)"
        )
        reruns = [timed_run() for _ in range(3)]
        rerun_seconds, rerun_queries, (re_created, re_updated) = min(reruns)
        print(
            f"rerun (best of 3): {rerun_seconds:.3f} s, {rerun_queries} queries "
            f"({re_created} created, {re_updated:,} drafts recomputed, none changed)"
        )
        figures = month_figures()
        print(
            "base pay + commission: "
            f"{sum((b + c for b, c in figures.values()), Decimal('0.00')):,.2f} CNY "
            f"over {len(figures):,} payslips"
        )
        if connection.vendor != "postgresql":
            print("floor:         needs PostgreSQL (set DATABASE_URL=postgres://...)")
        else:
            floor_seconds, floor_figures = floor()
            print(f"floor (1 SQL, best of 5): {floor_seconds:.3f} s")
            print(
                f"ratio:         run/floor {first_seconds / floor_seconds:.1f}x, "
                f"rerun/floor {rerun_seconds / floor_seconds:.1f}x"
            )
            same = floor_figures == figures
            print(f"figures match: {'yes' if same else 'NO'} (base pay and commission per agent)")
            if not same:
                differing = [
                    agent_id
                    for agent_id in floor_figures.keys() | figures.keys()
                    if floor_figures.get(agent_id) != figures.get(agent_id)
                ]
                print(f"  {len(differing)} agents differ, e.g. {differing[:5]}")
                return 1
    finally:
        if not args.keep:
            clean()
    return 0


if __name__ == "__main__":
    sys.exit(main())
