"""Who may call what: every REST route x method x {anonymous, owner A, owner B, agent, manager}.

The matrix is generated from the URL configuration: a route that is not described in ``MATRIX``
fails ``test_every_api_route_is_in_the_matrix``, so a new endpoint cannot escape these checks.

Rules (docs/architecture.md): anonymous -> 401; a shop owner sees only their own shops and what
hangs off them, anything else answers 404; manager-only resources answer 403 to owners; managers
may call everything. An agent's account sees the shops its agent serves on the current date
(shop A here; shop B's contract sits on another seat, so its objects answer 404), reads them and
writes nothing of them unless ``agent_writes`` says so; every route about money (``money=True``)
and every manager-only route answers 403 to agents.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from agency.access import is_agent
from tests.factories import (
    AgentFactory,
    ContractFactory,
    DsrRatingFactory,
    ManagerFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    TurnoverReportFactory,
    UserFactory,
    WorkloadFactory,
)

PUBLIC, TENANT, MANAGER = "public", "tenant", "manager"
# Any signed-in role may call it and gets its own rows (``/me/``, leave, the roster).
SIGNED_IN = "signed_in"
# Managers, and agents for their own rows; owners 403: the agency's internal schedule (the roster,
# leave).
CREW = "crew"
# Rows a user owns that hang off no shop (webhooks): managers see all, anyone else their own
# (another user's answer 404), agents' accounts 403 (``money=True``).
OWN = "own"
METHODS = ("get", "post", "patch", "put", "delete")


@dataclass(frozen=True)
class Route:
    scope: str
    # The world object whose id fills <pk> (for owner A's shop when it hangs off a shop).
    obj: str | None = None
    query: str = ""
    # Methods an owner may call on their own shop's objects.
    owner_writes: frozenset = field(default_factory=frozenset)
    # About money (invoices, turnover, billing, revenue): agents get 403.
    money: bool = False
    # Methods an agent's account may call on the objects of a shop it serves.
    agent_writes: frozenset = field(default_factory=frozenset)


MONTH = "2026-10"
MATRIX: dict[str, Route] = {
    "schema": Route(PUBLIC),
    "api-docs": Route(PUBLIC),
    "token-obtain": Route(PUBLIC),
    "token-refresh": Route(SIGNED_IN),
    "token-logout": Route(SIGNED_IN),
    "token-logout-all": Route(SIGNED_IN),
    "shop-list": Route(TENANT),
    "shop-detail": Route(TENANT, "shop", owner_writes=frozenset({"patch"})),
    "shop-dsr": Route(TENANT, "shop", query="?as_of=2026-10-31"),
    "shop-dsr-trend": Route(TENANT, "shop"),
    "contract-list": Route(TENANT),
    "contract-detail": Route(TENANT, "contract"),
    "turnover-report-list": Route(TENANT, owner_writes=frozenset({"post"}), money=True),
    "turnover-report-detail": Route(
        TENANT, "turnover", owner_writes=frozenset({"patch"}), money=True
    ),
    "turnover-report-confirm": Route(TENANT, "turnover", money=True),
    "dsr-rating-list": Route(TENANT),
    "dsr-rating-detail": Route(TENANT, "rating"),
    "workload-list": Route(TENANT),
    "workload-detail": Route(TENANT, "workload"),
    "workload-bulk": Route(MANAGER),
    "workload-template": Route(MANAGER, query="?format=csv"),
    "handover-note-list": Route(TENANT, agent_writes=frozenset({"post"})),
    "handover-note-detail": Route(TENANT, "note", agent_writes=frozenset({"patch"})),
    "handover-note-acknowledge": Route(TENANT, "note"),
    "sub-account-list": Route(TENANT),
    "sub-account-detail": Route(TENANT, "sub_account"),
    "sub-account-revoke": Route(TENANT, "sub_account"),
    "invoice-list": Route(TENANT, money=True),
    "invoice-detail": Route(TENANT, "invoice", money=True),
    "invoice-pdf": Route(TENANT, "invoice", money=True),
    "invoice-issue": Route(TENANT, "invoice", money=True),
    "invoice-pay": Route(TENANT, "invoice", money=True),
    "invoice-void": Route(TENANT, "invoice", money=True),
    "invoice-rebill": Route(TENANT, "invoice", money=True),
    "invoice-fapiao-request": Route(
        TENANT, "invoice", owner_writes=frozenset({"post"}), money=True
    ),
    "fapiao-request-list": Route(TENANT, money=True),
    "fapiao-request-detail": Route(TENANT, "fapiao", money=True),
    "fapiao-request-issue": Route(TENANT, "fapiao", money=True),
    "fapiao-request-cancel": Route(TENANT, "fapiao", owner_writes=frozenset({"post"}), money=True),
    "credit-note-list": Route(TENANT, money=True),
    "credit-note-detail": Route(TENANT, "credit_note", money=True),
    "credit-note-pdf": Route(TENANT, "credit_note", money=True),
    "payment-list": Route(TENANT, money=True),
    "payment-detail": Route(TENANT, "payment", money=True),
    "bank-statement-list": Route(MANAGER, money=True),
    "bank-statement-detail": Route(MANAGER, "bank_statement", money=True),
    # <line> is the row of the statement: the world's statement has row 1.
    "bank-line-confirm": Route(MANAGER, "bank_statement", money=True),
    "bank-line-ignore": Route(MANAGER, "bank_statement", money=True),
    "invoice-export": Route(MANAGER, query=f"?month={MONTH}", money=True),
    "shop-invoice-export": Route(TENANT, "shop", money=True),
    # The statement of account (对账单): the default period, this month so far.
    "shop-statement": Route(TENANT, "shop", money=True),
    "shop-statement-pdf": Route(TENANT, "shop", money=True),
    "shop-statement-xlsx": Route(TENANT, "shop", money=True),
    "shop-workload-export": Route(
        TENANT, "shop", query="?date_from=2026-10-01&date_to=2026-10-31&format=xlsx"
    ),
    "agent-list": Route(MANAGER),
    "agent-detail": Route(MANAGER, "agent"),
    "agent-deactivate": Route(MANAGER, "agent"),
    "user-list": Route(MANAGER),
    "user-detail": Route(MANAGER, "manager"),
    "me": Route(SIGNED_IN),
    "agent-load": Route(MANAGER, "agent", query="?date_from=2026-10-01&date_to=2026-10-31"),
    "seat-list": Route(MANAGER),
    "seat-detail": Route(MANAGER, "seat"),
    "seat-capacity": Route(MANAGER, query="?inquiries=100"),
    "seat-assignment-list": Route(MANAGER),
    "seat-assignment-detail": Route(MANAGER, "assignment"),
    "quote": Route(MANAGER, query="?daily_inquiries=300&coverage=full", money=True),
    "billing-run-list": Route(MANAGER, money=True),
    "billing-run-detail": Route(MANAGER, "run", money=True),
    "report-seat-profitability": Route(MANAGER, query=f"?month={MONTH}", money=True),
    "report-seat-profitability-export": Route(MANAGER, query=f"?month={MONTH}", money=True),
    "report-revenue-by-plan-export": Route(
        MANAGER, query=f"?month={MONTH}&format=xlsx", money=True
    ),
    "report-revenue-by-month-export": Route(MANAGER, query=f"?month={MONTH}", money=True),
    # Receivables by age: managers every shop, owners their own shops' rows.
    "report-receivables": Route(TENANT, query="?as_of=2026-10-31", money=True),
    "report-receivables-export": Route(TENANT, query="?as_of=2026-10-31", money=True),
    "roster": Route(CREW, query="?date_from=2026-10-01&date_to=2026-10-31"),
    "leave-list": Route(CREW, agent_writes=frozenset({"post"})),
    "leave-detail": Route(CREW, "leave"),
    "leave-approve": Route(CREW, "leave"),
    "leave-reject": Route(CREW, "leave"),
    "leave-cancel": Route(CREW, "leave", agent_writes=frozenset({"post"})),
    "cover-assignment-list": Route(MANAGER),
    "cover-assignment-detail": Route(MANAGER, "cover"),
    "quality-review-list": Route(CREW),
    "quality-review-detail": Route(CREW, "review"),
    "quality-review-appeal": Route(CREW, "review", agent_writes=frozenset({"post"})),
    "quality-review-decide": Route(CREW, "review"),
    "qa-item-list": Route(CREW),
    "qa-item-detail": Route(CREW, "qa_item"),
    # Payroll: runs and approval for managers; payslips for managers and the agent's own.
    "payroll-run-list": Route(MANAGER),
    "payroll-run-detail": Route(MANAGER, "payroll_run"),
    "payroll-run-approve": Route(MANAGER, "payroll_run"),
    "payslip-list": Route(CREW, query=f"?month={MONTH}"),
    "payslip-detail": Route(CREW, "payslip"),
    "payslip-pdf": Route(CREW, "payslip"),
    "payslip-adjustment-create": Route(MANAGER, "payslip"),
    "payslip-export": Route(MANAGER, query=f"?month={MONTH}"),
    "pay-book-list": Route(MANAGER),
    "pay-book-current": Route(MANAGER, query=f"?month={MONTH}"),
    "scorecard-board": Route(MANAGER, query=f"?month={MONTH}"),
    "agent-scorecard": Route(CREW, "agent", query=f"?month={MONTH}"),
    # Webhooks: each user's own; managers all of them.
    "webhook-list": Route(OWN, owner_writes=frozenset({"post"}), money=True),
    "webhook-detail": Route(
        OWN, "webhook", owner_writes=frozenset({"patch", "delete"}), money=True
    ),
    "webhook-delivery-list": Route(OWN, "webhook", money=True),
    "webhook-test": Route(OWN, "webhook", owner_writes=frozenset({"post"}), money=True),
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def api_routes() -> dict[str, tuple[str, set[str]]]:
    """Every route under /api/: name -> (route pattern, HTTP methods it answers)."""
    routes = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("api/"):
            continue
        callback = pattern.callback
        view_class = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None)
        if actions:
            methods = set(actions)
        else:
            allowed = set(getattr(view_class, "http_method_names", METHODS))
            methods = {m for m in METHODS if hasattr(view_class, m) and m in allowed}
        routes[pattern.name] = (route, methods)
    return routes


ROUTES = api_routes()


def _path(route: str, pk: int | None) -> str:
    path = "/" + route.replace("^", "").replace("$", "")
    path = re.sub(r"<int:pk>|\(\?P<pk>[^)]*\)", str(pk), path)
    path = path.replace("<int:line>", "1")
    assert "<" not in path and "(" not in path, f"unfilled parameter in {route}"
    return path


# The agent's tests run on a date of their own: who an agent serves depends on the date.
AGENT_TODAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def world(db):
    """Owner A and owner B each with a shop and one of everything that hangs off a shop.

    Shop A's contract sits on ``seat``, shop B's on ``seat_b``; ``seat``'s day agent signs in as
    ``agent_user``, so that account serves shop A only.
    """
    from agency.models import Webhook
    from billing.models import (
        BankStatement,
        BankStatementLine,
        BillingRun,
        CreditNote,
        FapiaoRequest,
        Invoice,
        InvoiceLine,
        Payment,
    )
    from payroll.models import PayrollRun, Payslip, QaItem, QualityReview
    from seats.models import CoverAssignment, HandoverNote, Leave, SubAccount

    manager = ManagerFactory(username="manager")
    seat, seat_b = SeatFactory(), SeatFactory()
    agent_user = UserFactory(username="agent_user")
    day_agent = AgentFactory(user=agent_user)
    SeatAssignmentFactory(seat=seat, agent=day_agent, shift="day", start_date=dt.date(2026, 1, 1))
    SeatAssignmentFactory(seat=seat_b, shift="day", start_date=dt.date(2026, 1, 1))
    objects = {"manager": manager, "seat": seat, "agent": day_agent, "agent_user": agent_user}
    objects["assignment"] = seat.assignments.get()
    objects["run"] = BillingRun.objects.create(month=dt.date(2026, 9, 1), status="done")
    objects["leave"] = Leave.objects.create(
        agent=day_agent, start_date=dt.date(2099, 1, 1), end_date=dt.date(2099, 1, 2)
    )
    objects["cover"] = CoverAssignment.objects.create(
        seat=seat,
        shift="night",
        agent=AgentFactory(),
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 10, 2),
    )
    objects["qa_item"] = QaItem.objects.create(name="Uses the buyer's name", weight=5)
    objects["bank_statement"] = BankStatement.objects.create(file_name="statement.csv")
    BankStatementLine.objects.create(
        statement=objects["bank_statement"],
        position=1,
        received_on=dt.date(2026, 11, 2),
        payer="Someone",
        amount=Decimal("100.00"),
    )
    objects["payroll_run"] = PayrollRun.objects.create(month=dt.date(2026, 10, 1), status="done")
    objects["payslip"] = Payslip.objects.create(
        agent=day_agent,
        month=dt.date(2026, 10, 1),
        base_salary=Decimal("3100.00"),
        days_in_month=31,
        employed_days=31,
        base_pay=Decimal("3100.00"),
        attributed_sales=Decimal("0.00"),
        commission_rate=Decimal("0.0020"),
        commission=Decimal("0.00"),
        total=Decimal("3100.00"),
    )
    for key, shop_seat in (("a", seat), ("b", seat_b)):
        owner = UserFactory(username=f"owner_{key}")
        shop = ShopFactory(owner=owner, name=f"Shop {key.upper()}")
        contract = ContractFactory(shop=shop, seat=shop_seat, start_date=dt.date(2026, 1, 1))
        invoice = Invoice.objects.create(
            shop=shop, month=dt.date(2026, 10, 1), total=Decimal("3000.00")
        )
        InvoiceLine.objects.create(
            invoice=invoice,
            contract=contract,
            kind="base_fee",
            description="Base fee",
            quantity=Decimal("1"),
            unit_price=Decimal("3000.00"),
            amount=Decimal("3000.00"),
        )
        objects[key] = {
            "owner": owner,
            "shop": shop,
            "contract": contract,
            "turnover": TurnoverReportFactory(shop=shop, month=dt.date(2026, 10, 1)),
            "rating": DsrRatingFactory(shop=shop),
            "workload": WorkloadFactory(shop=shop, agent=day_agent),
            "note": HandoverNote.objects.create(
                seat=shop_seat, shop=shop, date=dt.date(2026, 10, 15), from_agent=day_agent
            ),
            "invoice": invoice,
            "webhook": Webhook.objects.create(
                owner=owner,
                url=f"https://hooks.example.com/{key}",
                events=["invoice.issued"],
                secret="s" * 64,
            ),
            "fapiao": FapiaoRequest.objects.create(
                invoice=invoice, type="general", buyer_name=shop.name, tax_id="91350100M000100Y43"
            ),
            "credit_note": CreditNote.objects.create(
                number=f"CN-2026-00000{1 if key == 'a' else 2}",
                invoice=invoice,
                shop=shop,
                amount=Decimal("100.00"),
                applied=Decimal("100.00"),
                reason="Two days not served",
                issued_at=dt.datetime(2026, 11, 5, 10, tzinfo=dt.UTC),
            ),
            "payment": Payment.objects.create(
                invoice=invoice,
                shop=shop,
                amount=Decimal("100.00"),
                applied=Decimal("100.00"),
                method="bank_transfer",
                received_on=dt.date(2026, 11, 2),
            ),
            "sub_account": SubAccount.objects.create(
                shop=shop, agent=day_agent, name=f"{shop.name}:小美", granted_on=dt.date(2026, 1, 1)
            ),
        }
    objects["review"] = QualityReview.objects.create(
        agent=day_agent,
        shop=objects["a"]["shop"],
        chat_date=dt.date(2026, 10, 15),
        chat_reference="chat-1",
        score=Decimal("90.00"),
        reviewer=manager,
    )
    return objects


def _pk(world, spec: Route, shop: str = "a") -> int | None:
    if spec.obj is None:
        return None
    if spec.obj in world:
        return world[spec.obj].pk
    return world[shop][spec.obj].pk


def _client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        is_agent(user)  # loads the agent with the user, as the token and the session do
        client.force_authenticate(user)
    return client


def _cases():
    for name, (route, methods) in sorted(ROUTES.items()):
        for method in sorted(methods):
            yield pytest.param(name, route, method, id=f"{method.upper()} {name}")


def test_every_api_route_is_in_the_matrix():
    missing = sorted(set(ROUTES) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(ROUTES))
    assert not missing, f"routes without access rules in MATRIX: {missing}"
    assert not stale, f"MATRIX names routes that no longer exist: {stale}"


@pytest.mark.parametrize("name, route, method", list(_cases()))
def test_anonymous_callers_get_401(world, name, route, method):
    spec = MATRIX[name]
    if spec.scope == PUBLIC:
        pytest.skip("public route")
    response = getattr(_client(None), method)(_path(route, _pk(world, spec)) + spec.query)
    assert response.status_code == 401, response.content[:300]


@pytest.mark.parametrize("name, route, method", list(_cases()))
def test_managers_may_call_everything(world, name, route, method):
    spec = MATRIX[name]
    response = getattr(_client(world["manager"]), method)(
        _path(route, _pk(world, spec)) + spec.query, {}, format="json"
    )
    assert response.status_code not in (401, 403, 404, 405), response.content[:300]
    assert response.status_code < 500, response.content[:300]
    if method == "get":
        assert response.status_code in (
            200,
            503
            if name in ("invoice-pdf", "payslip-pdf", "credit-note-pdf", "shop-statement-pdf")
            else 200,
        )


@pytest.mark.parametrize("name, route, method", list(_cases()))
def test_owners_reach_their_own_shop_and_nothing_more(world, name, route, method):
    spec = MATRIX[name]
    if spec.scope == PUBLIC:
        pytest.skip("public route")
    response = getattr(_client(world["a"]["owner"]), method)(
        _path(route, _pk(world, spec)) + spec.query, {}, format="json"
    )
    if spec.scope in (MANAGER, CREW):
        assert response.status_code == 403, response.content[:300]
    elif spec.scope == SIGNED_IN:
        assert response.status_code not in (401, 405), response.content[:300]
        assert response.status_code < 500, response.content[:300]
    elif method == "get":
        assert response.status_code in (
            (200, 503)
            if name in ("invoice-pdf", "credit-note-pdf", "shop-statement-pdf")
            else (200,)
        )
    elif method in spec.owner_writes:
        assert response.status_code not in (401, 403, 404, 405), response.content[:300]
        assert response.status_code < 500
    else:
        assert response.status_code in (403, 404), response.content[:300]


@pytest.mark.parametrize("name, route, method", list(_cases()))
def test_another_owners_objects_answer_404(world, name, route, method):
    spec = MATRIX[name]
    if spec.scope not in (TENANT, OWN) or spec.obj is None:
        pytest.skip("no object of a shop in this route")
    response = getattr(_client(world["b"]["owner"]), method)(
        _path(route, _pk(world, spec)) + spec.query, {}, format="json"
    )
    if method == "get" or method in spec.owner_writes:
        assert response.status_code == 404, response.content[:300]
    else:
        # A manager-only write is refused by role before any lookup: it reveals nothing either.
        assert response.status_code in (403, 404), response.content[:300]


# Tenant reports whose rows are per shop but not a paginated list (their own test below).
TENANT_REPORTS = {"report-receivables", "report-receivables-export"}


@pytest.mark.parametrize(
    "name",
    sorted(
        n
        for n, s in MATRIX.items()
        if s.scope == TENANT and s.obj is None and n not in TENANT_REPORTS
    ),
)
def test_tenant_lists_hold_only_the_owners_rows(world, name):
    route, _ = ROUTES[name]
    spec = MATRIX[name]
    a_body = _client(world["a"]["owner"]).get(_path(route, None) + spec.query).json()
    b_body = _client(world["b"]["owner"]).get(_path(route, None) + spec.query).json()
    manager_body = _client(world["manager"]).get(_path(route, None) + spec.query).json()

    def shops_of(body) -> set[int]:
        rows = body["results"]
        return {row["id"] if name == "shop-list" else row["shop"] for row in rows}

    shop_a, shop_b = world["a"]["shop"].pk, world["b"]["shop"].pk
    assert shops_of(a_body) == {shop_a}
    assert shops_of(b_body) == {shop_b}
    assert shops_of(manager_body) == {shop_a, shop_b}


def test_the_receivables_report_holds_only_the_owners_shops(world):
    """Both invoices issued and unpaid: each owner's report has their shop's row only, a
    manager's both; the file export likewise."""
    from billing.models import Invoice

    for key in "ab":
        Invoice.objects.filter(pk=world[key]["invoice"].pk).update(
            status="issued",
            number=f"INV-2026-00000{key}",
            issued_at=dt.datetime(2026, 10, 2, 10, tzinfo=dt.UTC),
            due_date=dt.date(2026, 10, 17),
        )
    query = "?as_of=2026-10-31"

    def shops(user) -> set[int]:
        body = _client(user).get("/api/v1/reports/receivables/" + query).json()
        return {row["shop"] for row in body["results"]}

    def export_names(user) -> str:
        response = _client(user).get("/api/v1/reports/receivables/export/" + query)
        return response.content.decode("utf-8-sig")

    shop_a, shop_b = world["a"]["shop"].pk, world["b"]["shop"].pk
    assert shops(world["a"]["owner"]) == {shop_a}
    assert shops(world["b"]["owner"]) == {shop_b}
    assert shops(world["manager"]) == {shop_a, shop_b}
    assert "Shop A" in export_names(world["a"]["owner"])
    assert "Shop B" not in export_names(world["a"]["owner"])


@pytest.mark.parametrize(
    "name", sorted(n for n, s in MATRIX.items() if s.scope == OWN and s.obj is None)
)
def test_own_lists_hold_only_the_callers_rows(world, name):
    route, _ = ROUTES[name]
    spec = MATRIX[name]

    def ids(user) -> set[int]:
        body = _client(user).get(_path(route, None) + spec.query).json()
        return {row["id"] for row in body["results"]}

    mine = {key: world[key][name.removesuffix("-list")].pk for key in ("a", "b")}
    assert ids(world["a"]["owner"]) == {mine["a"]}
    assert ids(world["b"]["owner"]) == {mine["b"]}
    assert ids(world["manager"]) == {mine["a"], mine["b"]}


# --- Agents' accounts ---------------------------------------------------------------------------


@pytest.fixture
def agent_day():
    """A working Monday morning in Shanghai, with shop A's contract and the day agent's seat."""
    with time_machine.travel(AGENT_TODAY, tick=False):
        yield AGENT_TODAY.date()


def _agent_call(world, spec: Route, route: str, method: str, shop: str = "a"):
    return getattr(_client(world["agent_user"]), method)(
        _path(route, _pk(world, spec, shop)) + spec.query, {}, format="json"
    )


@pytest.mark.parametrize("name, route, method", list(_cases()))
def test_agents_reach_the_shops_they_serve_and_nothing_about_money(
    world, agent_day, name, route, method
):
    spec = MATRIX[name]
    if spec.scope == PUBLIC:
        pytest.skip("public route")
    response = _agent_call(world, spec, route, method)
    if spec.money or spec.scope == MANAGER:
        assert response.status_code == 403, response.content[:300]
    elif spec.scope == SIGNED_IN:
        assert response.status_code not in (401, 403, 405), response.content[:300]
        assert response.status_code < 500, response.content[:300]
    elif method == "get":
        assert response.status_code == 200, response.content[:300]
    elif method in spec.agent_writes:
        assert response.status_code not in (401, 403, 404, 405), response.content[:300]
        assert response.status_code < 500, response.content[:300]
    else:
        assert response.status_code == 403, response.content[:300]


@pytest.mark.parametrize("name, route, method", list(_cases()))
def test_another_seats_shop_answers_404_to_an_agent(world, agent_day, name, route, method):
    spec = MATRIX[name]
    if spec.scope != TENANT or spec.obj is None:
        pytest.skip("no object of a shop in this route")
    response = _agent_call(world, spec, route, method, shop="b")
    if spec.money:
        # Refused by role before any lookup: the answer says nothing about the id.
        assert response.status_code == 403, response.content[:300]
    elif method == "get" or method in spec.agent_writes:
        assert response.status_code == 404, response.content[:300]
    else:
        assert response.status_code in (403, 404), response.content[:300]


@pytest.mark.parametrize(
    "name",
    sorted(n for n, s in MATRIX.items() if s.scope == TENANT and s.obj is None and not s.money),
)
def test_agent_lists_hold_only_the_served_shops_rows(world, agent_day, name):
    route, _ = ROUTES[name]
    spec = MATRIX[name]
    body = _client(world["agent_user"]).get(_path(route, None) + spec.query).json()
    rows = body["results"]
    shops = {row["id"] if name == "shop-list" else row["shop"] for row in rows}
    assert shops == {world["a"]["shop"].pk}


def test_agents_read_contract_coverage_without_money(world, agent_day):
    body = _client(world["agent_user"]).get("/api/v1/contracts/").json()
    [contract] = body["results"]
    assert set(contract) == {"id", "shop", "plan", "shift", "seat", "start_date", "end_date"}
    shop = _client(world["agent_user"]).get(f"/api/v1/shops/{world['a']['shop'].pk}/").json()
    assert "briefing" in shop
    assert not {"billing_name", "tax_id", "billing_address", "billing_email"} & set(shop)


def test_an_agents_shops_follow_the_date(world, agent_day):
    """The served set is the roster's on the current date: once the agent's assignment ends,
    shop A is another seat's shop like any other."""
    assignment = world["assignment"]
    assignment.end_date = agent_day
    assignment.save(update_fields=["end_date"])
    url = f"/api/v1/shops/{world['a']['shop'].pk}/"
    assert _client(world["agent_user"]).get(url).status_code == 200
    with time_machine.travel(AGENT_TODAY + dt.timedelta(days=1), tick=False):
        assert _client(world["agent_user"]).get(url).status_code == 404
        assert _client(world["agent_user"]).get("/api/v1/shops/").json()["count"] == 0


def test_a_cover_gives_an_agent_the_seats_shops_for_its_dates(world, agent_day):
    from seats.models import CoverAssignment

    floater_user = UserFactory(username="floater")
    floater = AgentFactory(user=floater_user)
    CoverAssignment.objects.create(
        seat=world["seat"],
        shift="night",
        agent=floater,
        start_date=agent_day + dt.timedelta(days=1),
        end_date=agent_day + dt.timedelta(days=1),
    )
    url = f"/api/v1/shops/{world['a']['shop'].pk}/"
    assert _client(floater_user).get(url).status_code == 404
    with time_machine.travel(AGENT_TODAY + dt.timedelta(days=1), tick=False):
        assert _client(floater_user).get(url).status_code == 200
        assert _client(floater_user).get(f"/api/v1/shops/{world['b']['shop'].pk}/").status_code == (
            404
        )


def test_agents_are_told_why_money_is_refused_in_their_language(world, agent_day):
    client = _client(world["agent_user"])
    english = client.get("/api/v1/invoices/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/invoices/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == chinese.status_code == 403
    assert english.json() == {"detail": "Agents' accounts see nothing about money."}
    assert chinese.json() == {"detail": "客服账号看不到任何与费用相关的信息。"}
