"""``Idempotency-Key`` on every money-changing POST (``agency.idempotency``): the same key and body
within 24 hours answers the first response again without acting again; another body is 422; keys
are per user; a refused request leaves its key free; old keys are pruned by beat."""

import datetime as dt
import json
import threading
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

import billing.services
from agency.idempotency import KEY_LIFETIME
from agency.models import IdempotencyKey
from agency.tasks import prune_idempotency_keys
from billing.models import BillingRun, CreditNote, Invoice, Payment
from billing.services import bill_month, invoice_issue
from payroll.models import PayslipAdjustment
from payroll.services.runs import payroll_run_create, payroll_run_execute
from tests.billing.factories import OCTOBER, confirmed_turnover, monthly_contract
from tests.conftest import _client_for
from tests.factories import ManagerFactory, ShopFactory
from tests.payroll.factories import seated_agent

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)
RUNS = "/api/v1/billing/runs/"
INVOICES = "/api/v1/invoices/"
PAYMENTS = "/api/v1/payments/"
KEY = "5f0c6d2e-8a51-4b7e-9d43-2f1f3c0a9e11"

# Every money-changing POST of the API, by URL name. A POST route of billing or payroll that is
# neither here nor in NOT_MONEY fails test_every_billing_and_payroll_post_is_classified.
MONEY_POSTS = {
    "billing-run-list": "starts a billing run",
    "invoice-issue": "numbers an invoice and makes it due",
    "invoice-pay": "records a payment of the whole balance",
    "invoice-void": "voids an invoice",
    "invoice-rebill": "bills a void invoice's month again",
    "payment-list": "records money received",
    "credit-note-list": "credits an invoice",
    "bank-line-confirm": "records a bank-transfer payment",
    "payroll-run-list": "starts a payroll run",
    "payroll-run-approve": "approves and locks a month's pay",
    "payslip-adjustment-create": "adds or takes pay off a payslip",
}
NOT_MONEY = {
    "bank-statement-list": "imports lines; nothing is paid until a line is confirmed",
    "bank-line-ignore": "sets a line aside; no money moves",
    "invoice-fapiao-request": "asks for a tax document; no amount changes",
    "fapiao-request-issue": "records a tax document issued; no amount changes",
    "fapiao-request-cancel": "cancels a request for a tax document",
    "turnover-report-confirm": "confirms a figure; a second confirm is refused (409)",
    "pay-book-list": "a new version of the pay book's rates; amounts follow only from a run",
    "quality-review-list": "a quality review (pay follows only from a run)",
    "quality-review-appeal": "an agent's appeal of a review",
    "quality-review-decide": "a decision on an appeal",
    "qa-item-list": "the quality checklist",
}


@pytest.fixture(autouse=True)
def _mid_november():
    with time_machine.travel(NOW, tick=False):
        yield


def post(client, url, body=None, *, key=KEY, **extra):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(url, body, format="json", **headers, **extra)


@pytest.fixture
def october_shop(shop_a):
    monthly_contract(shop_a)
    return shop_a


@pytest.fixture
def issued(october_shop, manager):
    confirmed_turnover(october_shop, "1000.00")
    bill_month(month=OCTOBER)
    invoice = Invoice.objects.get(shop=october_shop)
    invoice_issue(invoice_id=invoice.pk, actor=manager)
    return Invoice.objects.get(pk=invoice.pk)


# --- Replays ------------------------------------------------------------------------------------


def test_ten_identical_billing_run_posts_with_one_key_make_one_run(manager_api, october_shop):
    answers = [post(manager_api, RUNS, {"month": "2026-10"}) for _ in range(10)]

    assert BillingRun.objects.count() == 1
    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["id"] for a in answers}) == 1
    assert "Idempotent-Replayed" not in answers[0].headers
    assert all(a.headers["Idempotent-Replayed"] == "true" for a in answers[1:])
    assert all(a.json() == answers[0].json() for a in answers[1:])


def test_without_the_header_every_post_acts_as_before(manager_api, october_shop):
    for _ in range(3):
        assert post(manager_api, RUNS, {"month": "2026-10"}, key=None).status_code == 202
    assert BillingRun.objects.count() == 3
    assert not IdempotencyKey.objects.exists()


def test_paying_twice_with_one_key_records_one_payment(manager_api, issued):
    url = f"{INVOICES}{issued.pk}/pay/"
    first = post(manager_api, url)
    again = post(manager_api, url)

    assert (first.status_code, first.json()["status"]) == (200, "paid")
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(invoice=issued).count() == 1
    # Without the key the second pay is judged afresh: the invoice is paid, 409.
    assert post(manager_api, url, key=None).status_code == 409


def test_a_part_payment_sent_twice_with_one_key_is_recorded_once(manager_api, issued):
    body = {"invoice": issued.pk, "amount": "100.00", "method": "bank_transfer"}
    answers = [post(manager_api, PAYMENTS, body) for _ in range(2)]

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Payment.objects.count() == 1
    assert post(manager_api, PAYMENTS, body, key="another-key").status_code == 201
    assert Payment.objects.count() == 2


def test_the_same_body_in_another_key_order_and_spacing_is_the_same_request(manager_api, issued):
    first = json.dumps({"invoice": issued.pk, "amount": "50.00", "method": "cash"})
    second = f'{{ "method": "cash",  "amount": "50.00", "invoice": {issued.pk} }}'
    for raw in (first, second):
        response = manager_api.post(
            PAYMENTS, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY
        )
        assert response.status_code == 201
    assert Payment.objects.count() == 1


def test_a_credit_note_sent_twice_with_one_key_is_made_once(manager_api, issued):
    body = {"invoice": issued.pk, "amount": "10.00", "reason": "Two days missed"}
    assert [post(manager_api, "/api/v1/credit-notes/", body).status_code for _ in "ab"] == [
        201,
        201,
    ]
    assert CreditNote.objects.count() == 1


# --- Another request with the key ---------------------------------------------------------------


def test_the_same_key_with_another_body_is_422_and_does_nothing(manager_api, issued):
    body = {"invoice": issued.pk, "amount": "100.00", "method": "cash"}
    assert post(manager_api, PAYMENTS, body).status_code == 201

    response = post(manager_api, PAYMENTS, {**body, "amount": "200.00"})

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert Payment.objects.count() == 1


def test_the_same_key_on_another_path_is_422(manager_api, issued):
    assert post(manager_api, f"{INVOICES}{issued.pk}/pay/").status_code == 200
    response = post(manager_api, f"{INVOICES}{issued.pk}/void/", {"reason": "Billed twice"})
    assert response.status_code == 422
    assert Invoice.objects.get(pk=issued.pk).status == "paid"


def test_the_422_message_is_in_chinese_for_a_chinese_request(manager_api, issued):
    post(manager_api, f"{INVOICES}{issued.pk}/pay/")
    response = post(
        manager_api,
        f"{INVOICES}{issued.pk}/void/",
        {"reason": "x"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    assert "幂等键" in response.json()["detail"]


def test_keys_are_per_user_another_managers_key_is_another_key(manager_api, october_shop):
    other = _client_for(ManagerFactory(username="manager2"))
    mine = post(manager_api, RUNS, {"month": "2026-10"})
    theirs = post(other, RUNS, {"month": "2026-10"})

    assert "Idempotent-Replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert BillingRun.objects.count() == 2


# --- Refusals, bad keys, lifetime ---------------------------------------------------------------


def test_a_refused_request_leaves_its_key_free(manager_api, manager, october_shop):
    confirmed_turnover(october_shop, "1000.00")
    bill_month(month=OCTOBER)
    invoice = Invoice.objects.get(shop=october_shop)
    url = f"{INVOICES}{invoice.pk}/pay/"

    assert post(manager_api, url).status_code == 409  # a draft is not paid
    assert not IdempotencyKey.objects.exists()

    invoice_issue(invoice_id=invoice.pk, actor=manager)
    paid = post(manager_api, url)
    assert (paid.status_code, paid.json()["status"]) == (200, "paid")
    assert "Idempotent-Replayed" not in paid.headers


@pytest.mark.parametrize(
    "key",
    ["", "   ", "k" * 256, "账单-1", "tab\there"],
    ids=["empty", "blank", "long", "cjk", "tab"],
)
def test_a_malformed_key_is_400_naming_the_header(manager_api, october_shop, key):
    response = post(manager_api, RUNS, {"month": "2026-10"}, key=key)
    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert not BillingRun.objects.exists()


def test_a_key_of_255_printable_characters_is_taken(manager_api, october_shop):
    key = ("~ !" * 85)[:255]
    assert post(manager_api, RUNS, {"month": "2026-10"}, key=key).status_code == 202
    assert post(manager_api, RUNS, {"month": "2026-10"}, key=key).status_code == 202
    assert BillingRun.objects.count() == 1


def test_after_24_hours_the_key_acts_again(manager_api, october_shop):
    post(manager_api, RUNS, {"month": "2026-10"})
    with time_machine.travel(NOW + KEY_LIFETIME - dt.timedelta(seconds=1), tick=False):
        assert post(manager_api, RUNS, {"month": "2026-10"}).headers["Idempotent-Replayed"]
    with time_machine.travel(NOW + KEY_LIFETIME + dt.timedelta(seconds=1), tick=False):
        again = post(manager_api, RUNS, {"month": "2026-10"})
    assert "Idempotent-Replayed" not in again.headers
    assert BillingRun.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1


def test_pruning_deletes_only_keys_past_24_hours_and_can_run_twice(manager_api, october_shop):
    post(manager_api, RUNS, {"month": "2026-10"}, key="old")
    with time_machine.travel(NOW + dt.timedelta(hours=23), tick=False):
        post(manager_api, RUNS, {"month": "2026-10"}, key="young")
    with time_machine.travel(NOW + dt.timedelta(hours=25), tick=False):
        assert prune_idempotency_keys() == 1
        assert prune_idempotency_keys() == 0
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["young"]


def test_pruning_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["prune-idempotency-keys"]
    assert entry["task"] == "agency.tasks.prune_idempotency_keys"


# --- Each money endpoint honours the key ---------------------------------------------------------


@pytest.fixture
def payroll_world(manager):
    agent = seated_agent(name="王小美")
    run = payroll_run_create(month=OCTOBER, requested_by=manager, enqueue=False)
    payroll_run_execute(run_id=run.pk)
    return {"run": run, "payslip": agent.payslips.get()}


def test_payslip_adjustment_and_approval_with_one_key_each_act_once(manager_api, payroll_world):
    url = f"/api/v1/payslips/{payroll_world['payslip'].pk}/adjustments/"
    body = {"amount": "88.00", "reason": "Training day"}
    assert [post(manager_api, url, body).status_code for _ in "ab"] == [201, 201]
    assert PayslipAdjustment.objects.count() == 1

    approve = f"/api/v1/payroll/runs/{payroll_world['run'].pk}/approve/"
    first, again = (post(manager_api, approve, key="approve-10") for _ in "ab")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    # Without the key the second approval is refused: the month is locked.
    assert post(manager_api, approve, key=None).status_code == 409


def _api_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _api_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry


def _api_posts() -> dict[str, URLPattern]:
    """The REST routes (by URL name) whose view answers POST."""
    return {
        pattern.name: pattern
        for route, pattern in _api_routes()
        if route.startswith("api/v1/") and _post_handler(pattern) is not None
    }


def _post_handler(pattern: URLPattern):
    view = getattr(pattern.callback, "cls", None)
    actions = getattr(pattern.callback, "actions", None) or {}
    if view is None:
        return None
    if actions:
        name = actions.get("post")
        return getattr(view, name) if name else None
    return getattr(view, "post", None)


def test_every_billing_and_payroll_post_is_classified():
    posts = {
        name
        for name, pattern in _api_posts().items()
        if pattern.callback.cls.__module__.split(".")[0] in {"billing", "payroll"}
    }
    assert posts == set(MONEY_POSTS) | set(NOT_MONEY)


@pytest.mark.parametrize("name", sorted(MONEY_POSTS))
def test_every_money_post_honours_the_idempotency_key(name):
    assert getattr(_post_handler(_api_posts()[name]), "idempotent", False), MONEY_POSTS[name]


def test_the_schema_documents_the_header_and_its_answers_on_every_money_post():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {
        (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    }
    assert len(documented) == len(MONEY_POSTS)
    for path, method in documented:
        operation = schema["paths"][path][method]
        assert method == "post"
        assert {"400", "409", "422"} <= set(operation["responses"]), path
        success = next(code for code in operation["responses"] if code.startswith("2"))
        assert "Idempotent-Replayed" in operation["responses"][success].get("headers", {}), path


# --- In flight (PostgreSQL: one connection per thread) -----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_key_while_its_first_request_runs_is_409(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need PostgreSQL (SQLite's test database is in memory)")
    manager = ManagerFactory(username="boss")
    monthly_contract(ShopFactory())
    started, release = threading.Event(), threading.Event()
    real_create = billing.services.billing_run_create

    def slow_create(**kwargs):
        started.set()
        assert release.wait(timeout=30)
        return real_create(**kwargs)

    monkeypatch.setattr(billing.services, "billing_run_create", slow_create)
    answers: dict = {}

    def first() -> None:
        try:
            answers["first"] = post(_client_for(manager), RUNS, {"month": "2026-10"})
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert started.wait(timeout=30)
        in_flight = post(_client_for(manager), RUNS, {"month": "2026-10"})
    finally:
        release.set()
        thread.join(timeout=60)

    assert in_flight.status_code == 409, in_flight.content
    assert answers["first"].status_code == 202
    replay = post(_client_for(manager), RUNS, {"month": "2026-10"})
    assert (replay.status_code, replay.headers["Idempotent-Replayed"]) == (202, "true")
    assert BillingRun.objects.count() == 1


def test_a_malformed_body_with_a_key_is_400_and_keeps_no_key(manager_api, october_shop):
    response = manager_api.post(
        RUNS, '{"month": ', content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    assert response.status_code == 400
    assert not IdempotencyKey.objects.exists()
