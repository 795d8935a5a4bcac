"""REST API of billing (API.md): billing runs for managers, invoices within each caller's rights."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import BillingRun, Invoice
from billing.services import bill_month
from tests.billing.factories import (
    OCTOBER,
    confirmed_turnover,
    day_plan_contract,
    monthly_contract,
    shops_billed_in,
)

pytestmark = pytest.mark.django_db
RUNS = "/api/v1/billing/runs/"
INVOICES = "/api/v1/invoices/"


@pytest.fixture
def billed(shop_a, shop_b):
    """October billed: shop A full day from the 11th with turnover, shop B a temporary plan."""
    monthly_contract(shop_a, plan="shift", start=dt.date(2026, 10, 11))
    confirmed_turnover(shop_a, "300000.00")
    day_plan_contract(shop_b, start=dt.date(2026, 10, 3), end=dt.date(2026, 10, 9))
    bill_month(month=OCTOBER)
    return {
        "a": Invoice.objects.get(shop=shop_a),
        "b": Invoice.objects.get(shop=shop_b),
    }


# --- Billing runs -------------------------------------------------------------------------------


def start_run(client, month="2026-10", capture=None):
    """POST a run; the task queued on commit runs inline (no broker in tests)."""
    with capture(execute=True):
        response = client.post(RUNS, {"month": month}, format="json")
    return response


def test_manager_starts_a_run_for_a_month_and_gets_202(
    manager_api, shop_a, django_capture_on_commit_callbacks
):
    monthly_contract(shop_a)
    response = start_run(manager_api, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["month"] == "2026-10"
    assert body["status"] == "queued"  # answered before the worker picks it up
    assert body["requested_by"] == "manager"

    done = manager_api.get(f"{RUNS}{body['id']}/").json()
    assert done["status"] == "done"
    assert (done["invoices_created"], done["invoices_updated"], done["error"]) == (1, 0, "")
    assert Invoice.objects.filter(shop=shop_a, month=OCTOBER).count() == 1


@pytest.mark.parametrize("month", ["2026-13", "2026/10", "2026-1", "", None, 202610, "2026-10-01"])
def test_a_bad_month_is_400_on_the_month_field(manager_api, month):
    response = manager_api.post(RUNS, {"month": month}, format="json")
    assert response.status_code == 400
    assert "month" in response.json()
    assert not BillingRun.objects.exists()


def test_a_missing_month_is_400(manager_api):
    response = manager_api.post(RUNS, {}, format="json")
    assert response.status_code == 400
    assert "month" in response.json()


def test_runs_are_listed_and_shown_to_managers(
    manager_api, shop_a, django_capture_on_commit_callbacks
):
    monthly_contract(shop_a)
    created = start_run(manager_api, capture=django_capture_on_commit_callbacks).json()

    listed = manager_api.get(RUNS).json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == created["id"]
    detail = manager_api.get(f"{RUNS}{created['id']}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "done"
    assert manager_api.get(RUNS, {"month": "2026-11"}).json()["count"] == 0
    assert manager_api.get(RUNS, {"month": "nope"}).status_code == 400


def test_runs_are_for_managers_only(owner_a_api, api):
    run = BillingRun.objects.create(month=OCTOBER)
    for client, expected in ((owner_a_api, 403), (api, 401)):
        assert client.get(RUNS).status_code == expected
        assert client.get(f"{RUNS}{run.pk}/").status_code == expected
        assert client.post(RUNS, {"month": "2026-10"}, format="json").status_code == expected
    assert BillingRun.objects.count() == 1


def test_a_failing_run_is_shown_failed_with_the_error(
    manager_api, shop_a, django_capture_on_commit_callbacks
):
    broken = monthly_contract(shop_a, tiers=[{"from": "9", "rate": "0.03"}])
    confirmed_turnover(shop_a, "10.00")
    response = start_run(manager_api, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 202

    run = manager_api.get(f"{RUNS}{response.json()['id']}/").json()
    assert run["status"] == "failed"
    assert f"Contract {broken.pk}" in run["error"]


# --- Invoices -----------------------------------------------------------------------------------


def test_an_invoice_shows_its_lines_and_total_as_money_strings(manager_api, billed):
    response = manager_api.get(f"{INVOICES}{billed['a'].pk}/")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("number", "shop", "month", "status", "awaiting_turnover")} == {
        "number": None,
        "shop": billed["a"].shop_id,
        "month": "2026-10",
        "status": "draft",
        "awaiting_turnover": False,
    }
    assert body["total"] == "6080.65"
    base_fee, fee_on_turnover = body["lines"]
    assert {
        k: base_fee[k] for k in ("kind", "description", "quantity", "unit_price", "amount")
    } == {
        "kind": "base_fee",
        "description": "21 of 31 days x 1,500.00",
        "quantity": "0.6774",
        "unit_price": "1500.00",
        "amount": "1016.13",
    }
    assert base_fee["contract"] == billed["a"].lines.first().contract_id
    assert fee_on_turnover["kind"] == "commission"
    assert fee_on_turnover["amount"] == "5064.52"
    assert fee_on_turnover["details"]["attributed_turnover"] == "203225.81"
    day_rate = manager_api.get(f"{INVOICES}{billed['b'].pk}/").json()["lines"][0]
    assert (day_rate["quantity"], day_rate["unit_price"], day_rate["amount"]) == (
        "7",
        "100.00",
        "700.00",
    )


def test_owners_see_only_their_shops_invoices(owner_a_api, owner_b_api, billed):
    listed = owner_a_api.get(INVOICES).json()
    assert [invoice["id"] for invoice in listed["results"]] == [billed["a"].pk]
    assert owner_a_api.get(f"{INVOICES}{billed['a'].pk}/").status_code == 200
    assert owner_a_api.get(f"{INVOICES}{billed['b'].pk}/").status_code == 404
    assert owner_b_api.get(f"{INVOICES}{billed['a'].pk}/").status_code == 404
    # Filtering by another owner's shop finds nothing, like a shop that does not exist.
    assert owner_a_api.get(INVOICES, {"shop": billed["b"].shop_id}).json()["count"] == 0


def test_anonymous_callers_get_401(api, billed):
    assert api.get(INVOICES).status_code == 401
    assert api.get(f"{INVOICES}{billed['a'].pk}/").status_code == 401
    assert api.post(f"{INVOICES}{billed['a'].pk}/issue/").status_code == 401


def test_invoices_filter_by_shop_month_and_status(manager_api, billed, manager):
    bill_month(month=dt.date(2026, 11, 1))  # shop A's contract runs on
    manager_api.post(f"{INVOICES}{billed['b'].pk}/issue/")

    def ids(**params):
        return sorted(
            invoice["id"] for invoice in manager_api.get(INVOICES, params).json()["results"]
        )

    assert len(ids()) == 3
    assert ids(month="2026-10") == sorted([billed["a"].pk, billed["b"].pk])
    assert ids(shop=billed["a"].shop_id, month="2026-10") == [billed["a"].pk]
    assert ids(status="issued") == [billed["b"].pk]
    assert ids(status="draft", month="2026-10") == [billed["a"].pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"month": "2026-13"}, "month"), ({"status": "sent"}, "status"), ({"shop": "x"}, "shop")],
)
def test_bad_filters_are_400_naming_the_field(manager_api, params, field):
    response = manager_api.get(INVOICES, params)
    assert response.status_code == 400
    assert field in response.json()


def test_invoice_list_costs_the_same_queries_for_5_and_50_invoices(
    manager_api, owner_a, owner_a_api
):
    shops_billed_in(OCTOBER, 5, owner=owner_a)
    bill_month(month=OCTOBER)
    with CaptureQueriesContext(connection) as small:
        assert len(manager_api.get(INVOICES).json()["results"]) == 5
    with CaptureQueriesContext(connection) as small_owner:
        assert len(owner_a_api.get(INVOICES).json()["results"]) == 5

    shops_billed_in(dt.date(2026, 3, 1), 45, owner=owner_a)
    bill_month(month=dt.date(2026, 3, 1))
    with CaptureQueriesContext(connection) as large:
        assert len(manager_api.get(INVOICES).json()["results"]) == 50
    with CaptureQueriesContext(connection) as large_owner:
        assert len(owner_a_api.get(INVOICES).json()["results"]) == 50
    assert len(large) == len(small) <= 3
    assert len(large_owner) == len(small_owner) <= 3


def test_invoices_are_read_only(manager_api, billed):
    url = f"{INVOICES}{billed['a'].pk}/"
    assert manager_api.post(INVOICES, {}, format="json").status_code == 405
    assert manager_api.patch(url, {"total": "1.00"}, format="json").status_code == 405
    assert manager_api.delete(url).status_code == 405


# --- issue / pay / void -------------------------------------------------------------------------


def test_the_life_cycle_through_the_api(manager_api, billed):
    url = f"{INVOICES}{billed['a'].pk}"
    assert manager_api.post(f"{url}/pay/").status_code == 409  # a draft cannot be paid

    issued = manager_api.post(f"{url}/issue/")
    assert issued.status_code == 200
    assert issued.json()["status"] == "issued"
    assert issued.json()["number"].startswith("INV-")
    assert len(issued.json()["lines"]) == 2
    assert manager_api.post(f"{url}/issue/").status_code == 409

    paid = manager_api.post(f"{url}/pay/")
    assert (paid.status_code, paid.json()["status"]) == (200, "paid")
    refused = manager_api.post(f"{url}/void/", {"reason": "Billed twice"}, format="json")
    assert refused.status_code == 409
    assert "paid" in refused.json()["detail"]

    other = f"{INVOICES}{billed['b'].pk}"
    reason = {"reason": "Billed twice"}
    assert manager_api.post(f"{other}/void/", reason, format="json").json()["status"] == "void"
    assert manager_api.post(f"{other}/void/", reason, format="json").status_code == 409
    assert manager_api.post(f"{other}/pay/").status_code == 409


def test_issuing_an_invoice_awaiting_turnover_is_409(manager_api, shop_a):
    monthly_contract(shop_a)
    bill_month(month=OCTOBER)
    invoice = Invoice.objects.get(shop=shop_a)
    response = manager_api.post(f"{INVOICES}{invoice.pk}/issue/")
    assert response.status_code == 409
    assert "turnover" in response.json()["detail"]


def test_only_managers_change_invoices(owner_a_api, manager_api, billed):
    for action in ("issue", "pay", "void"):
        assert owner_a_api.post(f"{INVOICES}{billed['a'].pk}/{action}/").status_code == 403
        assert owner_a_api.post(f"{INVOICES}{billed['b'].pk}/{action}/").status_code == 403
    assert manager_api.post(f"{INVOICES}999999/issue/").status_code == 404
    assert manager_api.get(f"{INVOICES}{billed['a'].pk}/issue/").status_code == 405
    billed["a"].refresh_from_db()
    assert billed["a"].status == "draft"
