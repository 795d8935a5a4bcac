#!/usr/bin/env python
"""Benchmark: the API's busiest lists served by gunicorn, against a bare WSGI floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/api.py
    .venv/bin/python bench/api.py --shops 2000 --duration 5 --port 18100

Needs PostgreSQL: ``DATABASE_URL`` names the server (its database is left alone). The bench
creates a database of its own next to it (``<name>_apibench_<pid>``), migrates it, seeds it
(``bench/billing.py``'s shops, contracts, turnover and a month of workloads, the month billed,
some invoices issued and paid) and drops it at the end, whatever happens.

It then starts two servers on 127.0.0.1, each ``gunicorn`` with ``--workers`` sync workers
(2): the project (``agency.wsgi``, DEBUG off, its middleware, logging and settings as deployed)
on ``--port`` and the *floor* on ``--port`` + 1: a bare WSGI app in this file, plain psycopg
with one connection per worker, which checks the same token (one query on knox's table, the
SHA-512 digest compared) and answers the same JSON bytes for the same request, from hand-written
SQL. Before timing, every endpoint's answers are compared byte for byte (exit 1 if they differ).

Each endpoint (shops, invoices, workloads at page sizes 100 and 500) is then driven by a
bounded client, ``--connections`` (4) threads each sending one request after another for
``--duration`` seconds per server, the project and the floor taking turns in ``--rounds``
slices so both see the same machine. It prints requests per second, p50 and p99 latency and
the project's ratio to the floor (floor req/s / project req/s; the target is 2.0x at most).
"""

import argparse
import hashlib
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from decimal import Decimal
from hmac import compare_digest
from pathlib import Path
from urllib import parse
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = [
    ("shops", "/api/v1/shops/", 100),
    ("shops", "/api/v1/shops/", 500),
    ("invoices", "/api/v1/invoices/", 100),
    ("invoices", "/api/v1/invoices/", 500),
    ("workloads", "/api/v1/workloads/", 100),
    ("workloads", "/api/v1/workloads/", 500),
]
HOST = "127.0.0.1"

# --- The floor: a bare WSGI app -------------------------------------------------------------
# Served by gunicorn from this file (``api:floor_app``); it imports nothing of the project and
# reads the database named by BENCH_FLOOR_DSN over one psycopg connection per worker.

SHANGHAI = ZoneInfo("Asia/Shanghai")
TOKEN_KEY_LENGTH = 15  # knox's CONSTANTS.TOKEN_KEY_LENGTH
FIRST_RESPONSE_MISS_SECONDS = 120  # the project's default (settings.AGENCY)
_floor_connection = None

TOKEN_SQL = """
SELECT t.digest, u.is_active, u.is_staff FROM knox_authtoken t
JOIN agency_user u ON u.id = t.user_id
WHERE t.token_key = %s AND (t.expiry IS NULL OR t.expiry > now())
"""
SHOPS_SQL = """
SELECT s.id, s.name, s.platform, s.platform_shop_id, s.category, s.status, u.username,
       s.daily_inquiries_estimate, s.briefing, s.billing_name, s.tax_id, s.billing_address,
       s.billing_email, s.payment_terms_days
FROM shops_shop s JOIN agency_user u ON u.id = s.owner_id
ORDER BY s.name, s.id LIMIT %s OFFSET %s
"""
SHOP_FIELDS = (
    "id",
    "name",
    "platform",
    "platform_shop_id",
    "category",
    "status",
    "owner",
    "daily_inquiries_estimate",
    "briefing",
    "billing_name",
    "tax_id",
    "billing_address",
    "billing_email",
    "payment_terms_days",
)
INVOICES_SQL = """
SELECT i.id, i.number, i.shop_id, s.name, i.month, i.status, i.awaiting_turnover, i.total,
       i.amount_paid, i.amount_credited, i.due_date, i.issued_at, i.paid_at, i.voided_at,
       i.void_reason, i.created_at, i.updated_at
FROM billing_invoice i JOIN shops_shop s ON s.id = i.shop_id
ORDER BY i.month DESC, i.shop_id, i.id DESC LIMIT %s OFFSET %s
"""
LINES_SQL = """
SELECT invoice_id, id, kind, contract_id, description, quantity, unit_price, amount, details::text
FROM billing_invoiceline WHERE invoice_id = ANY(%s) ORDER BY invoice_id, position, id
"""
WORKLOADS_SQL = """
SELECT id, agent_id, shop_id, to_char(date, 'YYYY-MM-DD'), shift, inquiries, conversions,
       buyer_messages, agent_messages, first_response_seconds, sales_amount::text,
       (round(conversions::numeric / NULLIF(inquiries, 0), 4))::text,
       (round(agent_messages::numeric / NULLIF(buyer_messages, 0), 4))::text,
       first_response_seconds > %s
FROM seats_workloadrecord ORDER BY date DESC, agent_id, shop_id, shift LIMIT %s OFFSET %s
"""
COUNT_SQL = {
    "shops": "SELECT count(*) FROM shops_shop",
    "invoices": "SELECT count(*) FROM billing_invoice",
    "workloads": "SELECT count(*) FROM seats_workloadrecord",
}


def _floor_cursor():
    global _floor_connection
    if _floor_connection is None:
        import psycopg

        _floor_connection = psycopg.connect(os.environ["BENCH_FLOOR_DSN"], autocommit=True)
    return _floor_connection.cursor()


def _text(value) -> str | None:
    return None if value is None else f"{value:f}"


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(SHANGHAI).isoformat()


def _quantity(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _shops(cursor, limit: int, offset: int) -> list[dict]:
    cursor.execute(SHOPS_SQL, (limit, offset))
    return [dict(zip(SHOP_FIELDS, row, strict=True)) for row in cursor.fetchall()]


def _invoices(cursor, limit: int, offset: int) -> list[dict]:
    cursor.execute(INVOICES_SQL, (limit, offset))
    invoices = cursor.fetchall()
    cursor.execute(LINES_SQL, ([row[0] for row in invoices],))
    lines: dict[int, list[dict]] = {}
    for invoice_id, pk, kind, contract, text, quantity, unit_price, amount, details in cursor:
        lines.setdefault(invoice_id, []).append(
            {
                "id": pk,
                "kind": kind,
                "contract": contract,
                "description": text,  # English: the stored rendering
                "quantity": _quantity(quantity),
                "unit_price": _text(unit_price),
                "amount": _text(amount),
                "details": json.loads(details),
            }
        )
    today = datetime.now(SHANGHAI).date()
    this_month = today.replace(day=1)
    zero = Decimal("0.00")
    data = []
    for (
        pk,
        number,
        shop,
        shop_name,
        month,
        status,
        awaiting,
        total,
        paid,
        credited,
        due,
        issued_at,
        paid_at,
        voided_at,
        void_reason,
        created_at,
        updated_at,
    ) in invoices:
        balance = max(total - paid - credited, zero) if status == "issued" else zero
        data.append(
            {
                "id": pk,
                "number": number,
                "shop": shop,
                "shop_name": shop_name,
                "month": f"{month.year:04d}-{month.month:02d}",
                "status": status,
                "awaiting_turnover": awaiting,
                "month_in_progress": month >= this_month,
                "lines": lines.get(pk, []),
                "total": _text(total),
                "amount_paid": _text(paid),
                "amount_credited": _text(credited),
                "balance": _text(balance),
                "due_date": None if due is None else due.isoformat(),
                "overdue": status == "issued" and due is not None and balance > 0 and due < today,
                "issued_at": _moment(issued_at),
                "paid_at": _moment(paid_at),
                "voided_at": _moment(voided_at),
                "void_reason": void_reason,
                "created_at": _moment(created_at),
                "updated_at": _moment(updated_at),
            }
        )
    return data


def _workloads(cursor, limit: int, offset: int) -> list[dict]:
    cursor.execute(WORKLOADS_SQL, (FIRST_RESPONSE_MISS_SECONDS, limit, offset))
    return [
        {
            "id": pk,
            "agent": agent,
            "shop": shop,
            "date": day,
            "shift": shift,
            "inquiries": inquiries,
            "conversions": conversions,
            "buyer_messages": buyer,
            "agent_messages": agent_messages,
            "first_response_seconds": seconds,
            "sales_amount": sales,
            "conversion_rate": rate,
            "answer_ratio": ratio,
            "first_response_miss": miss,
        }
        for (
            pk,
            agent,
            shop,
            day,
            shift,
            inquiries,
            conversions,
            buyer,
            agent_messages,
            seconds,
            sales,
            rate,
            ratio,
            miss,
        ) in cursor.fetchall()
    ]


FLOOR_LISTS = {
    "/api/v1/shops/": ("shops", _shops),
    "/api/v1/invoices/": ("invoices", _invoices),
    "/api/v1/workloads/": ("workloads", _workloads),
}


def _page_link(environ: dict, page: int | None) -> str | None:
    """DRF's ``replace_query_param`` on the request's absolute URL (behind an https proxy)."""
    if page is None:
        return None
    scheme = environ.get("HTTP_X_FORWARDED_PROTO", "http")
    query = parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    query["page"] = [str(page)]
    query_text = parse.urlencode(sorted(query.items()), doseq=True)
    return parse.urlunsplit((scheme, environ["HTTP_HOST"], environ["PATH_INFO"], query_text, ""))


def floor_app(environ, start_response):
    """The floor: a manager's token checked, one page of a list as JSON, nothing else."""

    def answer(status: str, body: dict) -> list[bytes]:
        data = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        data = data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        return [data]

    words = environ.get("HTTP_AUTHORIZATION", "").split()
    if len(words) != 2 or words[0].lower() != "token":
        return answer("401 Unauthorized", {"detail": "Authentication credentials missing."})
    token = words[1]
    cursor = _floor_cursor()
    cursor.execute(TOKEN_SQL, (token[:TOKEN_KEY_LENGTH],))
    digest = hashlib.sha512(token.encode()).hexdigest()
    if not any(
        compare_digest(digest, stored) and active and staff
        for stored, active, staff in cursor.fetchall()
    ):
        return answer("401 Unauthorized", {"detail": "Invalid token."})
    if environ["PATH_INFO"] not in FLOOR_LISTS:
        return answer("404 Not Found", {"detail": "Not found."})
    name, rows = FLOOR_LISTS[environ["PATH_INFO"]]
    query = parse.parse_qs(environ.get("QUERY_STRING", ""))
    size = min(int(query.get("page_size", ["50"])[0]), 500)
    page = int(query.get("page", ["1"])[0])
    cursor.execute(COUNT_SQL[name])
    count = cursor.fetchone()[0]
    results = rows(cursor, size, (page - 1) * size)
    if page == 1:
        previous = None
    elif page == 2:  # DRF drops the page parameter for the first page
        query = parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        query.pop("page")
        scheme = environ.get("HTTP_X_FORWARDED_PROTO", "http")
        text = parse.urlencode(sorted(query.items()), doseq=True)
        previous = parse.urlunsplit((scheme, environ["HTTP_HOST"], environ["PATH_INFO"], text, ""))
    else:
        previous = _page_link(environ, page - 1)
    body = {
        "count": count,
        "next": _page_link(environ, page + 1 if page * size < count else None),
        "previous": previous,
        "results": results,
    }
    return answer("200 OK", body)


# --- The bench ------------------------------------------------------------------------------


def _database_urls() -> tuple[str, str, str]:
    """(the server's URL as given, the bench database's URL, its name)."""
    given = os.environ.get("DATABASE_URL", "")
    parts = parse.urlsplit(given)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("needs PostgreSQL: set DATABASE_URL=postgres://... (SQLite: no bench)")
    base = parts.path.lstrip("/") or "postgres"
    name = f"{base}_apibench_{os.getpid()}"
    return given, parse.urlunsplit(parts._replace(path=f"/{name}")), name


def _admin(given: str, sql: str) -> None:
    import psycopg

    parts = parse.urlsplit(given)
    dsn = parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(sql)


def _dsn(url: str) -> str:
    return parse.urlunsplit(parse.urlsplit(url)._replace(scheme="postgresql"))


def prepare(shops: int) -> tuple[str, dict]:
    """Migrate and seed the bench database (Django set up on it); a manager's token."""
    import importlib.util

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings.dev")
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    spec = importlib.util.spec_from_file_location("bench_billing", ROOT / "bench" / "billing.py")
    billing = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(billing)

    from knox.models import AuthToken

    from agency.models import User
    from billing.models import Invoice
    from billing.services import bill_month, invoice_issue, invoice_pay

    seeded = billing.seed(shops, workloads=True)
    manager = User.objects.create_user(username="bench-manager", is_staff=True)
    bill_month(month=billing.MONTH)
    ready = list(
        Invoice.objects.filter(awaiting_turnover=False).order_by("id").values_list("id", flat=True)
    )
    issued = [invoice_issue(invoice_id=pk, actor=manager).pk for pk in ready[: max(2, shops // 20)]]
    for pk in issued[: len(issued) // 2]:
        invoice_pay(invoice_id=pk, actor=manager)
    billing.analyze()
    seeded["invoices"] = Invoice.objects.count()
    seeded["issued"] = len(issued)
    return AuthToken.objects.create(manager)[1], seeded


def start_servers(url: str, port: int, workers: int, logs: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "agency.settings.base",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "BENCH_FLOOR_DSN": _dsn(url),
    }
    common = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--timeout", "120"]
    servers = []
    for bind, app, chdir in (
        (port, "agency.wsgi:application", ROOT),
        (port + 1, "api:floor_app", ROOT / "bench"),
    ):
        log = (logs / f"{bind}.log").open("wb")
        servers.append(
            subprocess.Popen(
                [*common, "--bind", f"{HOST}:{bind}", "--chdir", str(chdir), app],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return servers


def stop_servers(servers: list[subprocess.Popen]) -> None:
    for server in servers:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
    for server in servers:
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def get(port: int, path: str, token: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(
            "GET",
            path,
            headers={
                "Host": HOST,
                "Authorization": f"Token {token}",
                "Accept": "application/json",
                "Accept-Language": "en",
                "X-Forwarded-Proto": "https",  # as behind the TLS-terminating proxy
            },
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_up(ports: list[int], token: str, servers, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    for port in ports:
        while True:
            if any(server.poll() is not None for server in servers):
                raise RuntimeError("a server ended before it answered")
            try:
                if get(port, "/api/v1/shops/?page_size=1", token)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answers on port {port}")
            time.sleep(0.2)


def drive(port: int, path: str, token: str, seconds: float, connections: int) -> list[float]:
    """``connections`` clients, each one request after another for ``seconds``: latencies."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        mine = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status, _ = get(port, path, token)
            if status != 200:
                failures.append(f"{path}: {status}")
                break
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(failures[0])
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shops", type=int, default=1000, help="shops seeded (one invoice each)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per endpoint/server")
    parser.add_argument("--rounds", type=int, default=5, help="project/floor turns per endpoint")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--port", type=int, default=18100, help="the project's; the floor: +1")
    args = parser.parse_args(argv)

    given, url, name = _database_urls()
    _admin(given, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    servers: list[subprocess.Popen] = []
    logs = Path(tempfile.mkdtemp(prefix="apibench-"))
    try:
        started = time.perf_counter()
        token, seeded = prepare(args.shops)
        from django.db import connections

        connections.close_all()
        print(
            f"database: postgresql {name} (created; dropped at the end); seeded "
            f"{seeded['shops']:,} shops, {seeded['invoices']:,} invoices ({seeded['issued']} "
            f"issued), {seeded['workloads']:,} workload rows in "
            f"{time.perf_counter() - started:.1f} s"
        )
        servers = start_servers(url, args.port, args.workers, logs)
        wait_until_up([args.port, args.port + 1], token, servers)
        print(
            f"servers: gunicorn, {args.workers} sync workers each, DEBUG off: project "
            f"{HOST}:{args.port}, floor {HOST}:{args.port + 1}; {args.connections} connections, "
            f"{args.duration:g} s per endpoint and server in {args.rounds} turns"
        )
        return measure(args, token)
    except BaseException:
        for log in sorted(logs.glob("*.log")):
            tail = log.read_text(errors="replace")[-3000:]
            if tail:
                print(f"--- {log.name} ---\n{tail}", file=sys.stderr)
        raise
    finally:
        stop_servers(servers)
        from django.db import connections

        connections.close_all()
        _admin(given, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for log in logs.glob("*.log"):
            log.unlink()
        logs.rmdir()


def measure(args: argparse.Namespace, token: str) -> int:
    project, floor = args.port, args.port + 1
    for _, base, size in ENDPOINTS:
        path = f"{base}?page_size={size}"
        (status, ours), (floor_status, theirs) = get(project, path, token), get(floor, path, token)
        if status != 200 or ours != theirs:
            print(f"{path}: the project and the floor answer differently ({status}/{floor_status})")
            if status == 200 and floor_status == 200:
                mine, bare = json.loads(ours), json.loads(theirs)
                rows = [
                    (a, b) for a, b in zip(mine["results"], bare["results"], strict=False) if a != b
                ]
                print(f"  first differing row:\n  project {rows[:1]}\n  floor   {rows[1:2] or ''}")
                if not rows:
                    print(f"  project {ours[:300]!r}\n  floor   {theirs[:300]!r}")
            return 1
    print("same answers: yes (every endpoint, byte for byte)")
    print()
    header = f"{'endpoint':28} {'':8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    print(header)
    ratios = []
    for label, base, size in ENDPOINTS:
        path = f"{base}?page_size={size}"
        times = {project: [], floor: []}
        slice_seconds = args.duration / args.rounds
        for turn in range(args.rounds):
            order = (project, floor) if turn % 2 == 0 else (floor, project)
            for port in order:
                times[port].extend(drive(port, path, token, slice_seconds, args.connections))
        rates = {}
        for port, who in ((project, "project"), (floor, "floor")):
            rates[port] = len(times[port]) / args.duration
            print(
                f"{label + ' ' + str(size):28} {who:8} {rates[port]:8.1f} "
                f"{percentile(times[port], 0.5) * 1000:8.1f} "
                f"{percentile(times[port], 0.99) * 1000:8.1f}"
            )
        ratio = rates[floor] / rates[project]
        ratios.append(ratio)
        print(f"{label + ' ' + str(size):28} {'ratio':8} {ratio:7.2f}x")
    print(f"worst ratio (floor req/s / project req/s): {max(ratios):.2f}x (target 2.00x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
