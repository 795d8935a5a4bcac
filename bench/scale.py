#!/usr/bin/env python
"""Benchmark: do the pages grow with the agency? The same pages at demo size and at large size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/scale.py
    DATABASE_URL=... .venv/bin/python bench/scale.py --agents 3000      # ~2 M workload rows
    DATABASE_URL=... .venv/bin/python bench/scale.py --tiny             # a few rows, seconds

PostgreSQL only. It creates a database of its own on the server of ``DATABASE_URL``
(``scale_bench_<pid>``), migrates it, copies it for the large agency
(``scale_bench_<pid>_large``), and drops both at the end (``--keep`` keeps them, to run
``EXPLAIN`` on them). Nothing is written to the configured database.

One builder makes both agencies, by the number of agents (``--demo-agents``, default 20 as the
demo; ``--agents``, default 300): half as many seats (a day and a night agent each), as many
shops as agents, two per seat, each on a contract that began with the history, ``--days`` of
daily workloads (default 365) ending with the shifts of today that have begun, 400 DSR ratings
a shop over the year (120,000 at 300 shops), sub-accounts, confirmed turnover of every month,
and every month of the history billed with the app's own ``bill_month`` (the months before last
issued and paid with ``invoice_issue`` and ``invoice_pay``, a few left overdue). Rows are
written with ``COPY`` (psycopg 3), the workloads then moved into their month's partitions by
the app's ``workload_partitions_ensure`` as the beat job would; the nightly roll-up of the
agents' daily load (``AgentDailyLoad``) and of the shops' (``ShopDailyLoad``) are made for every
past day by one ``INSERT ... SELECT`` each with the roll-up's own aggregates
(``seats.services.rollup``: inquiries summed per agent and date, banded with the configured
thresholds; per shop and date with the day shift's), and today's capacity window
(``ShopLoadWindow``) by the roll-up's own ``shop_load_window_write``, as the nightly job would
have left them. Figures are random from a fixed
seed: each run draws the same agency.

Each agent serves its seat's shops on its shift, so a year is about 700 workload rows an agent
(210,000 at 300 agents, 2.1 M at 3,000); ``--days 1825`` makes five years (about 1.1 M rows at
300 agents) for a table that has grown for years.

It then times, in process with the Django test client (DEBUG off, as a manager or as a shop's
owner), the median of ``--repeat`` requests of each page and endpoint, with its query count,
at both sizes in turns (a demo request, then a large one, each after an untimed one: the two
sizes meet the same machine), and prints per page the large / demo ratio. With ``--here``
(the tests' one database) one size is built and timed, then the other. The target is
1.5x: a page must not grow with the agency. The last line reads ``worst large / demo: N.NNx``.
"""

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The test settings: DEBUG off, mail kept in memory, static files served as they are.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from agency import clock  # noqa: E402
from agency.choices import Plan, Shift  # noqa: E402
from agency.months import month_last_day  # noqa: E402

TARGET = 1.5
warnings.filterwarnings("ignore", message="No directory at")
RATINGS_PER_SHOP = 400
DEFAULT_TIERS = (
    '[{"from": "0.00", "rate": "0.0300"}, {"from": "100000.00", "rate": "0.0200"}, '
    '{"from": "500000.00", "rate": "0.0100"}]'
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯婷雪琳欣怡"
CATEGORIES = ["女装", "母婴", "家居", "美妆", "数码", "食品", "户外", "宠物"]
PLATFORMS = ["taobao", "tmall", "pinduoduo", "jd", "douyin"]
# Tables the builder fills or the app fills as it goes (billing), emptied between the sizes.
TRUNCATE = (
    "agency_user, seats_agent, seats_seat, shops_shop, shops_contract, seats_seatassignment, "
    "seats_subaccount, seats_workloadrecord, seats_agentdailyload, shops_dsrrating, "
    "shops_turnoverreport, billing_invoice, billing_invoicesequence, billing_billingrun"
)


def _name(index: int) -> str:
    return (
        SURNAMES[index % len(SURNAMES)]
        + GIVEN[(index // len(SURNAMES)) % len(GIVEN)]
        + (GIVEN[(index * 7) % len(GIVEN)] if index >= len(SURNAMES) * len(GIVEN) // 2 else "")
    )


def _copy(cursor, table: str, columns: str, rows) -> int:
    """COPY ``rows`` into ``table`` (``columns`` named with spaces between them)."""
    count = 0
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns.split())}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _ids(cursor, table: str) -> list[int]:
    cursor.execute(f"SELECT id FROM {table} ORDER BY id")
    return [row[0] for row in cursor.fetchall()]


# --- The builder ---------------------------------------------------------------------------------


def build(
    *, agents: int, days: int, today: date, issued_months: int | None = None, seed: int = 20261201
) -> dict:
    """Fill the (empty) database with an agency of ``agents`` agents; return what was made.

    ``issued_months``: issue and pay only that many months before last (the older ones stay
    drafts), as issuing goes one invoice at a time; all of them by default."""
    from agency.models import User
    from billing.models import Invoice
    from billing.services import bill_month, invoice_due_date, invoice_issue, invoice_pay
    from seats.services.partitions import workload_partitions_ensure
    from seats.services.rollup import shop_load_window_write

    rng = random.Random(seed)
    seats = max(1, agents // 2)
    shops = seats * 2
    start = today - timedelta(days=days - 1)
    now = clock.now()
    made = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # People: one manager, an owner for every two shops (the portal's owner has two).
        users = [("bench-manager", True, "经理", "manager@bench.example")]
        users += [
            (f"owner{n:05d}", False, _name(n + 3), f"owner{n:05d}@shops.example")
            for n in range((shops + 1) // 2)
        ]
        _copy(
            cursor,
            "agency_user",
            "password is_superuser username first_name last_name email is_staff is_active "
            "date_joined language",
            (
                ("!", False, u, first, "", email, staff, True, now, "")
                for u, staff, first, email in users
            ),
        )
        user_ids = _ids(cursor, "agency_user")
        manager_id, owner_ids = user_ids[0], user_ids[1:]
        _copy(
            cursor,
            "seats_agent",
            "created_at updated_at name employee_no hired_on status base_salary email",
            (
                (
                    now,
                    now,
                    _name(n),
                    f"E{n:06d}",
                    start - timedelta(days=30),
                    "active",
                    Decimal(rng.choice((4800, 5200, 5600, 6000))),
                    f"e{n:06d}@bench.example",
                )
                for n in range(seats * 2)
            ),
        )
        agent_ids = _ids(cursor, "seats_agent")
        _copy(
            cursor,
            "seats_seat",
            "created_at updated_at code name overhead",
            (
                (now, now, f"S{n + 1:04d}", f"{n // 20 + 1}号组", Decimal("1500.00"))
                for n in range(seats)
            ),
        )
        seat_ids = _ids(cursor, "seats_seat")
        holder = {}
        assignments = []
        for n, seat_id in enumerate(seat_ids):
            for k, shift in enumerate((Shift.DAY, Shift.NIGHT)):
                holder[(seat_id, shift)] = agent_ids[2 * n + k]
                assignments.append((now, now, shift, start, None, agent_ids[2 * n + k], seat_id))
        _copy(
            cursor,
            "seats_seatassignment",
            "created_at updated_at shift start_date end_date agent_id seat_id",
            assignments,
        )
        shop_rows = []
        for n in range(shops):
            shop_rows.append(
                (
                    now,
                    now,
                    f"{_name(n + 11)}的{CATEGORIES[n % len(CATEGORIES)]}店",
                    PLATFORMS[n % len(PLATFORMS)],
                    f"SCALE{n + 1:06d}",
                    CATEGORIES[n % len(CATEGORIES)],
                    "active",
                    rng.randint(35, 75) * 2,
                    "",
                    owner_ids[n // 2],
                    "",
                    "",
                    "",
                    "",
                )
            )
        _copy(
            cursor,
            "shops_shop",
            "created_at updated_at name platform platform_shop_id category status "
            "daily_inquiries_estimate briefing owner_id billing_address billing_email "
            "billing_name tax_id",
            shop_rows,
        )
        shop_ids = _ids(cursor, "shops_shop")
        estimate = {shop_id: row[7] for shop_id, row in zip(shop_ids, shop_rows, strict=True)}
        # Contracts: shops 2n and 2n+1 on seat n; one shop in eight on the day shift only.
        contracts, served = [], []
        for n, shop_id in enumerate(shop_ids):
            seat_id = seat_ids[n // 2]
            one_shift = n % 8 == 5
            plan = Plan.SHIFT if one_shift else Plan.FULL_DAY
            contracts.append(
                (
                    now,
                    now,
                    plan,
                    Shift.DAY if one_shift else None,
                    start,
                    None,
                    Decimal("3800.00") if one_shift else Decimal("6800.00"),
                    "graduated",
                    DEFAULT_TIERS,
                    seat_id,
                    shop_id,
                )
            )
            served.append(
                (seat_id, shop_id, (Shift.DAY,) if one_shift else (Shift.DAY, Shift.NIGHT))
            )
        _copy(
            cursor,
            "shops_contract",
            "created_at updated_at plan shift start_date end_date price commission_mode "
            "commission_tiers seat_id shop_id",
            contracts,
        )
        names = dict(zip(shop_ids, (row[2] for row in shop_rows), strict=True))
        agent_name = {agent_id: _name(n) for n, agent_id in enumerate(agent_ids)}
        _copy(
            cursor,
            "seats_subaccount",
            "created_at updated_at name granted_on revoked_on agent_id shop_id",
            (
                (
                    now,
                    now,
                    f"{names[shop_id]}:{agent_name[holder[(seat_id, shift)]]}",
                    start,
                    None,
                    holder[(seat_id, shift)],
                    shop_id,
                )
                for seat_id, shop_id, shifts in served
                for shift in shifts
            ),
        )

        # Workloads: every shop, shift and day, by the seat-shift's agent; today's begun shifts.
        def workloads():
            for offset in range(days):
                day = start + timedelta(days=offset)
                weekday = {0: 1.05, 5: 0.94, 6: 1.02}.get(day.weekday(), 1.0)
                for seat_id, shop_id, shifts in served:
                    for shift in shifts:
                        if day == today and not clock.shift_has_begun(day, shift, now):
                            continue
                        share = 1.0 if len(shifts) == 1 else (0.55 if shift == Shift.DAY else 0.45)
                        base = estimate[shop_id] * share * weekday
                        inquiries = max(0, round(rng.gauss(base, base * 0.08)))
                        conversions = int(inquiries * rng.uniform(0.35, 0.75))
                        buyer = inquiries * rng.randint(4, 8)
                        yield (
                            now,
                            now,
                            day,
                            shift,
                            inquiries,
                            conversions,
                            buyer,
                            int(buyer * rng.uniform(0.9, 1.6)),
                            int(rng.triangular(8, 200, 35)),
                            Decimal(f"{conversions * rng.uniform(60, 260):.2f}"),
                            holder[(seat_id, shift)],
                            shop_id,
                        )

        made["workloads"] = _copy(
            cursor,
            "seats_workloadrecord",
            "created_at updated_at date shift inquiries conversions buyer_messages "
            "agent_messages first_response_seconds sales_amount agent_id shop_id",
            workloads(),
        )
        # Each month's rows in its own partition (PostgreSQL), as the beat job leaves them.
        workload_partitions_ensure(today=today)
        # The nightly roll-up of every past day, set-based (the roll-up's aggregate and bands).
        bounds = settings.AGENCY
        cursor.execute(
            """
            INSERT INTO seats_agentdailyload (agent_id, date, inquiries, band, alerted_at)
            SELECT agent_id, date, total,
                   CASE WHEN total > %(over)s THEN 'overloaded'
                        WHEN total >= %(strained)s THEN 'strained'
                        WHEN total >= %(busy)s THEN 'busy'
                        WHEN total >= %(normal)s THEN 'normal' ELSE 'idle' END, NULL
            FROM (SELECT agent_id, date, sum(inquiries) AS total FROM seats_workloadrecord
                  WHERE date < %(today)s GROUP BY agent_id, date) AS days
            """,
            {
                "over": bounds["LOAD_OVERLOADED_ABOVE"],
                "strained": bounds["LOAD_STRAINED_FROM"],
                "busy": bounds["LOAD_BUSY_FROM"],
                "normal": bounds["LOAD_NORMAL_FROM"],
                "today": today,
            },
        )
        made["daily loads"] = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO seats_shopdailyload (shop_id, date, inquiries, day_inquiries)
            SELECT shop_id, date, sum(inquiries),
                   sum(CASE WHEN shift = 'day' THEN inquiries ELSE 0 END)
            FROM seats_workloadrecord WHERE date < %(today)s GROUP BY shop_id, date
            """,
            {"today": today},
        )
        tz = clock.now().tzinfo

        def ratings():
            for shop_id in shop_ids:
                quality = rng.uniform(4.3, 4.9)
                for number in range(RATINGS_PER_SHOP):
                    days_ago = rng.randint(0, 364)
                    rated = datetime.combine(
                        today - timedelta(days=days_ago), dtime(rng.randint(9, 23)), tzinfo=tz
                    )
                    yield (
                        f"buyer{rng.randint(1, 300)}",
                        f"{shop_id}-{number:06d}",
                        rated,
                        rng.random() > 0.08,
                        *(
                            max(1, min(5, round(rng.gauss(mean, 0.6))))
                            for mean in (quality, quality + 0.1 - days_ago / 1800, quality - 0.1)
                        ),
                        now,
                        shop_id,
                    )

        made["DSR ratings"] = _copy(
            cursor,
            "shops_dsrrating",
            "buyer order_id rated_at paid_with_alipay description service logistics "
            "created_at shop_id",
            ratings(),
        )
        # Turnover: every month before this one reported by the owner and confirmed.
        months = []
        month = start.replace(day=1)
        while month <= today:
            months.append(month)
            month = month_last_day(month) + timedelta(days=1)
        made["turnover reports"] = _copy(
            cursor,
            "shops_turnoverreport",
            "created_at updated_at month amount status confirmed_at confirmed_by_id shop_id "
            "submitted_by_id",
            (
                (
                    now,
                    now,
                    month,
                    Decimal(estimate[shop_id] * 30 * rng.randint(15, 30)),
                    "confirmed",
                    now,
                    manager_id,
                    shop_id,
                    owner_ids[n // 2],
                )
                for month in months[:-1]
                for n, shop_id in enumerate(shop_ids)
            ),
        )
    # Billing with the app's services: every month billed, the months before last issued and
    # paid (but one invoice in ten of the month before last, overdue).
    for month in months:
        bill_month(month=month)
    issue_before = months[-2] if len(months) > 1 else months[-1]
    drafts = Invoice.objects.filter(month__lt=issue_before).order_by("month", "shop_id")
    if issued_months is not None:
        drafts = drafts.filter(month__in=months[:-2][-issued_months:] if issued_months else [])
    to_issue = list(drafts.values_list("pk", "month"))
    last_issued = max((month for _, month in to_issue), default=None)
    manager = User.objects.get(pk=manager_id)
    tz = clock.now().tzinfo
    for n, (invoice_id, month) in enumerate(to_issue):
        invoice = invoice_issue(invoice_id=invoice_id, actor=manager)
        # Issued on the 3rd of the month after, as the agency does.
        issued_on = month_last_day(month) + timedelta(days=3)
        Invoice.objects.filter(pk=invoice_id).update(
            issued_at=datetime.combine(issued_on, dtime(10), tzinfo=tz),
            due_date=invoice_due_date(shop=invoice.shop, issued_on=issued_on),
        )
        if month != last_issued or n % 10:
            invoice_pay(
                invoice_id=invoice_id, actor=manager, received_on=issued_on + timedelta(days=9)
            )
    made["invoices"] = Invoice.objects.count()
    made["issued"] = len(to_issue)
    # The capacity window the nightly run stores for today, with the app's own function.
    shop_load_window_write(as_of=today)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a table that stopped changing
    made.update(agents=len(agent_ids), seats=seats, shops=shops, owner=owner_ids[0])
    made.update(manager=manager_id, agent=agent_ids[0], shop=shop_ids[0], days=days)
    return made


# --- The pages -----------------------------------------------------------------------------------


def pages(made: dict, today: date) -> list[tuple[str, str, str]]:
    """(label, who asks, URL) of each page and endpoint timed."""
    agent, shop = made["agent"], made["shop"]
    year_ago = today - timedelta(days=min(made["days"], 366) - 1)
    return [
        ("dashboard", "manager", "/"),
        ("shop list", "manager", "/shops/"),
        ("agent page", "manager", f"/agents/{agent}/"),
        ("seats board", "manager", "/seats/"),
        ("reports", "manager", "/reports/"),
        ("portal shop (owner)", "owner", f"/portal/shops/{shop}/"),
        (
            "API agent load (a year)",
            "manager",
            f"/api/v1/agents/{agent}/load/?date_from={year_ago}&date_to={today}",
        ),
        ("API seat capacity", "manager", "/api/v1/seats/capacity/?inquiries=60"),
        ("API shop DSR", "owner", f"/api/v1/shops/{shop}/dsr/"),
        ("API shop DSR trend", "owner", f"/api/v1/shops/{shop}/dsr/trend/"),
    ]


def _clients(made: dict) -> dict:
    from agency.models import User

    clients = {}
    for who in ("manager", "owner"):
        client = Client()
        client.force_login(User.objects.get(pk=made[who]))
        clients[who] = client
    return clients


def _timed_get(label: str, client: Client, url: str) -> tuple[float, int]:
    """One untimed request of ``url``, then one timed: (seconds, queries)."""
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{label}: {url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        client.get(url)
        seconds = time.perf_counter() - began
    return seconds, len(captured)


def time_pages(made: dict, today: date, repeat: int) -> dict[str, tuple[float, int]]:
    """One size's pages, each ``repeat`` times after one untimed request."""
    clients = _clients(made)
    results = {}
    for label, who, url in pages(made, today):
        client = clients[who]
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{label}: {url} answered {response.status_code}")
        times, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - began)
            queries = len(captured)
        results[label] = (statistics.median(times) * 1000, queries)
    return results


def time_pages_in_turns(
    databases: dict[str, str], made: dict[str, dict], today: date, repeat: int
) -> dict[str, dict[str, tuple[float, int]]]:
    """Both sizes' pages in turns, each size in its own database: for each page, ``repeat``
    rounds of a demo request and a large one (each after an untimed one, as the connection is
    new), so that whatever the machine does meanwhile (the server writing out the large
    build, another process) falls on both sizes alike rather than on the one timed later."""
    clients, listed = {}, {}
    for size, name in databases.items():
        _use_database(name)
        clients[size] = _clients(made[size])
        listed[size] = pages(made[size], today)
    results = {size: {} for size in databases}
    for at, (label, _, _) in enumerate(listed["demo"]):
        times = {size: [] for size in databases}
        queries = {}
        for _ in range(repeat):
            for size, name in databases.items():
                _, who, url = listed[size][at]
                _use_database(name)
                seconds, queries[size] = _timed_get(label, clients[size][who], url)
                times[size].append(seconds)
        for size in databases:
            results[size][label] = (statistics.median(times[size]) * 1000, queries[size])
    return results


# --- The database --------------------------------------------------------------------------------


def _server_execute(sql: str) -> None:
    import psycopg

    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as server:
        server.execute(sql)


def _use_database(name: str) -> None:
    for target in (settings.DATABASES["default"], connections["default"].settings_dict):
        target["NAME"] = name
    connection.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=300, help="agents of the large agency")
    parser.add_argument("--demo-agents", type=int, default=20, help="agents of the demo-size one")
    parser.add_argument("--days", type=int, default=365, help="days of workload history")
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page")
    parser.add_argument(
        "--issued-months",
        type=int,
        default=None,
        help="issue and pay only the last N months before last (default: every one)",
    )
    parser.add_argument("--tiny", action="store_true", help="6 and 4 agents, 40 days, 2 requests")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument(
        "--here",
        action="store_true",
        help="use the configured database (a test database only: its tables are emptied)",
    )
    args = parser.parse_args(argv)
    if args.tiny:
        args.agents, args.demo_agents, args.days, args.repeat = 6, 4, 40, 2
    if connection.vendor != "postgresql":
        print("database: needs PostgreSQL (set DATABASE_URL)")
        return 2
    original = connection.settings_dict["NAME"]
    if args.here and not original.startswith("test_"):
        print("--here empties the tables: only on a test database (test_...)")
        return 2
    if settings.DEBUG:
        print("DEBUG is on: the figures would not be those of the site")
        return 2
    name = original if args.here else f"scale_bench_{os.getpid()}"
    if not args.here:
        from django.core.management import call_command

        _server_execute(f'CREATE DATABASE "{name}"')
        _use_database(name)
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(
            f"database: postgresql {name} "
            f"(created, migrated in {time.perf_counter() - began:.0f} s)"
        )
    else:
        print(f"database: postgresql {name} (the configured one, emptied)")
    today = clock.today()
    results = {}
    # Each size in a database of its own (the second a copy of the first, migrated), so that
    # their pages are timed in turns; --here has the one test database: one size, then the other.
    databases = {"demo": name} if args.here else {"demo": name, "large": f"{name}_large"}
    made_by_size = {}
    try:
        if not args.here:
            connection.close()
            _server_execute(f'CREATE DATABASE "{databases["large"]}" TEMPLATE "{name}"')
        for size, agents in (("demo", args.demo_agents), ("large", args.agents)):
            _use_database(databases.get(size, name))
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {TRUNCATE} RESTART IDENTITY CASCADE")
            began = time.perf_counter()
            made = build(
                agents=agents, days=args.days, today=today, issued_months=args.issued_months
            )
            print(
                f"{size}: {made['agents']:,} agents, {made['seats']:,} seats, {made['shops']:,} "
                f"shops, {made['workloads']:,} workload rows over {args.days} days, "
                f"{made['daily loads']:,} daily loads, {made['DSR ratings']:,} DSR ratings, "
                f"{made['turnover reports']:,} turnover reports, {made['invoices']:,} invoices "
                f"({made['issued']:,} issued) built in {time.perf_counter() - began:.1f} s"
            )
            made_by_size[size] = made
            if args.here:
                results[size] = time_pages(made, today, args.repeat)
        if not args.here:
            results = time_pages_in_turns(databases, made_by_size, today, args.repeat)
        print(f"\nmedian of {args.repeat} requests (ms), queries; target large / demo <= {TARGET}x")
        print(f"{'page':<26}{'demo ms':>9}{'q':>5}{'large ms':>10}{'q':>5}{'large/demo':>12}")
        worst = 0.0
        for label, (demo_ms, demo_q) in results["demo"].items():
            large_ms, large_q = results["large"][label]
            ratio = large_ms / demo_ms
            worst = max(worst, ratio)
            flag = "" if ratio <= TARGET else "  over"
            print(
                f"{label:<26}{demo_ms:>9.1f}{demo_q:>5}{large_ms:>10.1f}{large_q:>5}"
                f"{ratio:>11.2f}x{flag}"
            )
        print(f"worst large / demo: {worst:.2f}x")
    finally:
        if not args.here:
            _use_database(original)
            for kept in databases.values():
                if not args.keep:
                    _server_execute(f'DROP DATABASE IF EXISTS "{kept}" WITH (FORCE)')
                else:
                    print(f"kept database {kept}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
