"""The busiest lists (shops, invoices, workloads) are written from rows, not model instances and
serializers (``agency.api.LeanListMixin``): their JSON is the serializers' JSON, byte for byte,
in English and in Chinese, for managers, owners and agents, and it costs as few queries."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from knox.models import AuthToken
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from agency import renderers
from billing import selectors as billing_selectors
from billing.apis import InvoiceSerializer
from billing.models import Invoice
from billing.services import bill_month, invoice_issue, invoice_pay, invoice_void
from seats import selectors as seats_selectors
from seats.apis.workloads import WorkloadOutputSerializer
from shops import selectors as shops_selectors
from shops.apis.shops import AgentShopSerializer, ShopSerializer
from tests.billing.factories import (
    NOVEMBER,
    OCTOBER,
    confirmed_turnover,
    monthly_contract,
    shops_billed_in,
)
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    UserFactory,
    WorkloadFactory,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
BILLED = dt.datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)  # October has ended
READ = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # November in progress
LANGUAGES = ["en", "zh-hans"]


@pytest.fixture
def world(manager, owner_a):
    """Shops of every shape, invoices in every state (one overdue, previews of a month in
    progress, void with a reason), workloads with unknown figures, an agent serving two shops."""
    with time_machine.travel(BILLED, tick=False):
        shops = shops_billed_in(OCTOBER, 8, owner=owner_a)
        shops += shops_billed_in(OCTOBER, 4)
        terms = ShopFactory(
            owner=owner_a,
            name="客服店 “引号” \u2028 line",
            tax_id="91330100MA2H0XXX1A",
            billing_name="杭州某某贸易有限公司",
            billing_email="ap@example.cn",
            briefing="退换货: 7 天无理由\n顺丰包邮",
            payment_terms_days=5,
        )
        monthly_contract(terms, plan="shift", shift="night", mode="flat")
        confirmed_turnover(terms, "123456.78")
        bill_month(month=OCTOBER)
        ready = Invoice.objects.filter(month=OCTOBER, awaiting_turnover=False).order_by("id")
        issued = [invoice_issue(invoice_id=i.pk, actor=manager) for i in ready[:4]]
        invoice_issue(invoice_id=Invoice.objects.get(shop=terms).pk, actor=manager)
        invoice_pay(invoice_id=issued[0].pk, actor=manager)
        invoice_void(invoice_id=issued[1].pk, actor=manager, reason="开错了 / billed twice")
        draft = Invoice.objects.filter(month=OCTOBER, status="draft").first()
        invoice_void(invoice_id=draft.pk, actor=manager, reason="Wrong shop")
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI), tick=False):
        bill_month(month=NOVEMBER)  # previews of the month in progress
    seat = SeatFactory()
    agent_user = UserFactory(username="agent_user")
    agent = AgentFactory(user=agent_user)
    SeatAssignmentFactory(seat=seat, agent=agent, start_date=dt.date(2026, 1, 1))
    for shop in shops[:2]:
        ContractFactory(shop=shop, seat=seat, start_date=dt.date(2026, 1, 1))
    for day, (shop, figures) in enumerate(
        zip(
            [*shops, terms],
            [
                {},
                {"buyer_messages": None, "agent_messages": None},
                {"first_response_seconds": None, "sales_amount": None},
                {"inquiries": 0, "conversions": 0, "buyer_messages": 0},
                {"first_response_seconds": 121, "sales_amount": Decimal("0.10")},
                {"inquiries": 3, "conversions": 1, "agent_messages": 7, "buyer_messages": 3},
                {"first_response_seconds": 120, "sales_amount": Decimal("999999999999.99")},
            ]
            * 2,
            strict=False,
        )
    ):
        WorkloadFactory(
            agent=agent, shop=shop, date=dt.date(2026, 10, 1) + dt.timedelta(days=day), **figures
        )
    return {"agent": agent_user}


def _client(user, language: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user)[1]}")
    return client


def _lean_and_full(user, url: str, language: str) -> tuple[bytes, bytes, int]:
    """The list's rows as the API wrote them, and the same rows written by its serializer."""
    response = _client(user, language).get(url, {"page_size": 500})
    assert response.status_code == 200, response.content
    # The whole answer, written by orjson (agency.renderers), is DRF's own JSON byte for byte.
    assert isinstance(response.accepted_renderer, renderers.JSONRenderer)
    assert response.content == JSONRenderer().render(response.data)
    lean = response.json()["results"]
    with translation.override(language):
        if url == "/api/v1/shops/":
            serializer = AgentShopSerializer if user.username == "agent_user" else ShopSerializer
            full = serializer(shops_selectors.shop_list(user=user), many=True).data
        elif url == "/api/v1/invoices/":
            full = InvoiceSerializer(billing_selectors.invoice_list(user=user), many=True).data
        else:
            full = WorkloadOutputSerializer(
                seats_selectors.workload_list(user=user), many=True
            ).data
        rendered = JSONRenderer().render(full)
    return JSONRenderer().render(response.data["results"]), rendered, len(lean)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url", ["/api/v1/shops/", "/api/v1/invoices/", "/api/v1/workloads/"])
@pytest.mark.parametrize("who", ["manager", "owner_a", "agent"])
def test_a_lean_list_writes_exactly_what_its_serializer_writes(
    world, manager, owner_a, url, language, who
):
    user = {"manager": manager, "owner_a": owner_a, "agent": world["agent"]}[who]
    if who == "agent" and url == "/api/v1/invoices/":
        pytest.skip("agents see nothing about money (403, tests/test_isolation.py)")
    with time_machine.travel(READ, tick=False):
        lean, full, count = _lean_and_full(user, url, language)
    assert count >= 2
    assert lean == full


def test_the_data_set_holds_every_case_the_lean_writers_must_get_right(world, manager):
    """The comparison above covers nulls, money, dates, states and translated descriptions."""
    with time_machine.travel(READ, tick=False):
        en = _client(manager, "en").get("/api/v1/invoices/", {"page_size": 500}).json()
        zh = _client(manager, "zh-hans").get("/api/v1/invoices/", {"page_size": 500}).json()
    invoices = en["results"]
    assert {i["status"] for i in invoices} == {"draft", "issued", "paid", "void"}
    assert any(i["overdue"] for i in invoices) and not all(i["overdue"] for i in invoices)
    assert {i["month_in_progress"] for i in invoices} == {True, False}
    assert any(i["void_reason"] for i in invoices) and any(i["number"] is None for i in invoices)
    assert any(i["issued_at"] for i in invoices) and any(i["paid_at"] for i in invoices)
    assert any(i["lines"] and i["lines"][0]["contract"] for i in invoices)
    descriptions = [line["description"] for i in invoices for line in i["lines"]]
    chinese = [line["description"] for i in zh["results"] for line in i["lines"]]
    assert descriptions != chinese and any("天" in text for text in chinese)
    assert all(isinstance(i["total"], str) and "." in i["total"] for i in invoices)
    shops = _client(manager, "en").get("/api/v1/shops/", {"page_size": 500}).json()["results"]
    assert {s["payment_terms_days"] for s in shops} >= {None, 5}
    workloads = _client(manager, "en").get("/api/v1/workloads/", {"page_size": 500}).json()
    rows = workloads["results"]
    for field in ("conversion_rate", "answer_ratio", "first_response_miss", "sales_amount"):
        assert None in {row[field] for row in rows}, field
    assert {row["first_response_miss"] for row in rows} == {True, False, None}


LEAN_LISTS = {
    "/api/v1/shops/": ("shops.api_urls", "PaginatedShopList"),
    "/api/v1/invoices/": ("billing.api_urls", "PaginatedInvoiceList"),
    "/api/v1/workloads/": ("seats.api_urls", "PaginatedWorkloadOutputList"),
}


@pytest.mark.parametrize("url", LEAN_LISTS)
def test_a_lean_list_answers_the_schema_of_its_serializer(world, manager, url):
    """The schema is still built from the serializers (unchanged), and every row has exactly
    its fields, in its order."""
    module, component = LEAN_LISTS[url]
    schema = SchemaGenerator(patterns=[path("api/v1/", include(module))]).get_schema(
        request=None, public=True
    )
    ok = schema["paths"][url]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"] == f"#/components/schemas/{component}"
    item_ref = schema["components"]["schemas"][component]["properties"]["results"]["items"]
    item = schema["components"]["schemas"][item_ref["$ref"].rsplit("/", 1)[1]]
    with time_machine.travel(READ, tick=False):
        rows = _client(manager, "en").get(url).json()["results"]
    assert rows and all(list(row) == list(item["properties"]) for row in rows)


# --- Queries ------------------------------------------------------------------------------------


def _queries(client: APIClient, url: str, rows: int) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] == rows
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("url", LEAN_LISTS)
def test_a_token_costs_one_query_and_a_lean_list_a_constant_number(manager, url):
    """The token is looked up and checked, user and agent joined, in one query that reads knox's
    table and writes nothing to it (no clean-up of the account's other tokens per request)."""
    for _ in range(3):  # other tokens of the account, one expired: left alone by requests
        AuthToken.objects.create(manager)
    AuthToken.objects.create(manager, expiry=dt.timedelta(seconds=-1))
    client = _client(manager, "en")
    session = APIClient()
    session.force_authenticate(manager)

    def make(count: int) -> None:
        with time_machine.travel(BILLED, tick=False):
            if url == "/api/v1/invoices/":
                shops_billed_in(OCTOBER, count)
                bill_month(month=OCTOBER)
            elif url == "/api/v1/shops/":
                ShopFactory.create_batch(count)
            else:
                WorkloadFactory.create_batch(count, agent=AgentFactory())

    make(3)
    rows = {"/api/v1/shops/": 3, "/api/v1/invoices/": 3, "/api/v1/workloads/": 3}[url]
    small = _queries(client, url, rows)
    make(40)
    large = _queries(client, url, rows + 40)
    assert len(small) == len(large), "\n".join(s[:150] for s in small + ["--"] + large)
    without_token = _queries(session, url, rows + 40)
    assert len(large) == len(without_token) + 1
    on_tokens = [sql for sql in large if "knox_authtoken" in sql]
    assert len(on_tokens) == 1 and on_tokens[0].lstrip().upper().startswith("SELECT")
    assert AuthToken.objects.filter(user=manager).count() == 5  # the expired one too
    # A page costs: its count, its rows, and for invoices their lines.
    assert len(without_token) <= (3 if url == "/api/v1/invoices/" else 2)


@pytest.mark.parametrize(
    ("url", "query", "bad"),
    [
        ("/api/v1/shops/", {"status": "active", "q": "Shop"}, {"status": "bogus"}),
        ("/api/v1/invoices/", {"status": "issued", "month": "2026-10"}, {"month": "10/2026"}),
        ("/api/v1/workloads/", {"date_from": "2026-10-03", "shift": "day"}, {"date_to": "x"}),
    ],
)
def test_a_lean_list_still_filters_and_refuses_bad_filters(world, manager, url, query, bad):
    """Without a filter in the query the filter form is not built (nothing to filter by); with
    one, filters work as ever, and bad values are 400 naming the field."""
    client = _client(manager, "en")
    with time_machine.travel(READ, tick=False):
        everything = client.get(url, {"page_size": 500}).json()
        filtered = client.get(url, {"page_size": 500, **query}).json()
        refused = client.get(url, {"page": 1, **bad})
    assert 0 < filtered["count"] < everything["count"]
    assert refused.status_code == 400 and set(bad) <= set(refused.json())


# --- Compiled queries -----------------------------------------------------------------------------


def _requests(world, manager, owner_a, owner_b) -> list[tuple]:
    """Manager's pages of every size (and past the last), owners' and an agent's lists, filters:
    interleaved, so that each request follows others of other shapes."""
    agent = world["agent"]
    shop = Invoice.objects.filter(shop__owner=owner_a).values_list("shop_id", flat=True).first()
    asked = []
    for url in LEAN_LISTS:
        asked += [
            (manager, url, {"page_size": 3}),
            (owner_a, url, {"page_size": 3}),
            (manager, url, {"page_size": 3, "page": 2}),
            (owner_b, url, {}),
            (manager, url, {}),
            (manager, url, {"page_size": 500}),
            (owner_a, url, {"page_size": 500}),
            (manager, url, {"page_size": 3, "page": 3}),
            (manager, url, {"page_size": 1, "page": 2}),
            (manager, url, {"page_size": 500, "page": 2}),  # past the last page: 404
            (manager, url, {"page_size": 3, "page": 2}),
        ]
        if url != "/api/v1/invoices/":
            asked += [(agent, url, {"page_size": 1}), (agent, url, {"page_size": 500})]
    asked += [
        (manager, "/api/v1/shops/", {"page_size": 3, "status": "active"}),
        (manager, "/api/v1/shops/", {"q": "客服"}),
        (manager, "/api/v1/shops/", {"owner": "owner_a", "page_size": 2, "page": 2}),
        (manager, "/api/v1/invoices/", {"status": "issued"}),
        (manager, "/api/v1/invoices/", {"shop": shop, "page_size": 1}),
        (manager, "/api/v1/invoices/", {"month": "2026-11", "page_size": 3}),
        (manager, "/api/v1/workloads/", {"shop": shop, "page_size": 2}),
        (manager, "/api/v1/workloads/", {"date_from": "2026-10-05"}),
        (manager, "/api/v1/invoices/", {"page_size": 3}),
        (manager, "/api/v1/shops/", {"page_size": 3}),
    ]
    return asked


def _answers(asked: list[tuple]) -> list[tuple[int, bytes]]:
    clients = {}
    answers = []
    for user, url, query in asked:
        if user.pk not in clients:
            clients[user.pk] = _client(user, "en")
        response = clients[user.pk].get(url, query)
        answers.append((response.status_code, response.content))
    return answers


def test_compiled_list_queries_give_every_caller_the_same_answers(
    world, manager, owner_a, owner_b, monkeypatch
):
    """A manager's unfiltered list runs the SQL an earlier such request compiled (per page);
    owners, agents and filtered lists compile theirs. Mixed in any order, every answer is the
    one the list gives when nothing is kept."""
    from agency import api

    ShopFactory(owner=owner_b, name="Shop of B")
    asked = _requests(world, manager, owner_a, owner_b)
    with time_machine.travel(READ, tick=False):
        api._compiled.__dict__.clear()
        monkeypatch.setattr(api.LeanListMixin, "lean_query_key", lambda self: None)
        plain = _answers(asked)
        monkeypatch.undo()
        api._compiled.__dict__.clear()
        kept = _answers(asked)
        again = _answers(asked)  # everything kept by now
    assert {status for status, _ in plain} == {200, 404}
    assert kept == plain and again == plain
    lists = api._compiled.lists
    assert {key[0][0].__name__ for key in lists} == {
        "ShopListApi",
        "InvoiceListApi",
        "WorkloadViewSet",
    }
    assert all(queries.count_sql is not None and queries.pages for queries in lists.values())


def test_a_kept_list_query_compiles_nothing_and_still_reads_the_current_rows(manager, monkeypatch):
    """A manager's second look at the same page compiles neither its count nor its rows, and
    sees the shops added since."""
    from django.db.models.sql.compiler import SQLCompiler

    from agency import api

    api._compiled.__dict__.clear()
    ShopFactory.create_batch(3)
    client = _client(manager, "en")
    first = client.get("/api/v1/shops/", {"page_size": 2}).json()
    added = ShopFactory(name="AAA first by name")
    compiled = []
    as_sql = SQLCompiler.as_sql

    def counting(compiler, *args, **kwargs):
        compiled.append(compiler.query.model)
        return as_sql(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    second = client.get("/api/v1/shops/", {"page_size": 2}).json()
    assert first["count"] == 3 and second["count"] == 4
    assert second["results"][0]["id"] == added.pk and second["next"].endswith("page_size=2")
    assert compiled == []


def test_an_invoice_pages_lines_read_from_kept_sql_are_the_selectors_lines(world, monkeypatch):
    """The lines of any set of invoices (its SQL compiled once per number of invoices) are the
    selector's, in its order; repeated or no ids are read the ordinary way."""
    from django.db.models.sql.compiler import SQLCompiler

    from agency.api import KeptRows

    lines = KeptRows(billing_selectors.invoice_line_rows)
    ids = list(Invoice.objects.order_by("-id").values_list("id", flat=True))
    asked = [ids[:3], ids[3:6], ids[:1], ids[::-1], [ids[0], ids[0]], [], [ids[1], 0, -5]]
    for pks in asked * 2:
        assert lines(pks) == list(billing_selectors.invoice_line_rows(pks)), pks
    assert sorted(lines.local.compiled) == [1, 3, len(ids)]
    compiled = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda *a, **k: compiled.append(1) or as_sql(*a, **k)
    )
    assert lines(ids[2:5]) and compiled == []
