"""Monthly turnover (营业额): owners submit, managers confirm; a confirmed figure is locked."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from agency.errors import NotPermitted, StateConflict
from billing.services import turnover_confirm
from shops.models import TurnoverReport
from shops.services import (
    turnover_change_check,
    turnover_mark_confirmed,
    turnover_submit,
    turnover_update,
)
from tests.factories import TurnoverReportFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LIST = "/api/v1/turnover-reports/"


def detail(report) -> str:
    return f"/api/v1/turnover-reports/{report.pk}/"


def confirm_url(report) -> str:
    return f"/api/v1/turnover-reports/{report.pk}/confirm/"


# --- Submitting ---------------------------------------------------------------------------------


def test_owner_submits_the_turnover_of_their_shop(owner_a_api, owner_a, shop_a):
    response = owner_a_api.post(
        LIST, {"shop": shop_a.pk, "month": "2026-10", "amount": "300000.00"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("shop", "month", "amount", "status")} == {
        "shop": shop_a.pk,
        "month": "2026-10",
        "amount": "300000.00",
        "status": "submitted",
    }
    report = TurnoverReport.objects.get(pk=body["id"])
    assert report.month == dt.date(2026, 10, 1)
    assert report.submitted_by == owner_a
    assert report.history.get().history_user == owner_a


def test_manager_submits_turnover_for_any_shop(manager_api, shop_b):
    response = manager_api.post(
        LIST, {"shop": shop_b.pk, "month": "2026-09", "amount": "0.00"}, format="json"
    )
    assert response.status_code == 201


def test_owner_cannot_submit_for_another_owners_shop(owner_a_api, shop_b):
    response = owner_a_api.post(
        LIST, {"shop": shop_b.pk, "month": "2026-10", "amount": "1.00"}, format="json"
    )
    assert response.status_code == 400
    assert "Invalid pk" in response.json()["shop"][0]
    assert not TurnoverReport.objects.exists()


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "2026-10-01", "Oct 2026", "", 202610])
def test_month_must_be_yyyy_mm(owner_a_api, shop_a, month):
    response = owner_a_api.post(
        LIST, {"shop": shop_a.pk, "month": month, "amount": "1.00"}, format="json"
    )
    assert response.status_code == 400
    assert "month" in response.json()


@pytest.mark.parametrize("amount", ["-0.01", "abc", "1.001", None])
def test_amount_is_a_non_negative_sum_in_cents(owner_a_api, shop_a, amount):
    response = owner_a_api.post(
        LIST, {"shop": shop_a.pk, "month": "2026-10", "amount": amount}, format="json"
    )
    assert response.status_code == 400
    assert "amount" in response.json()


def test_one_report_per_shop_and_month(owner_a_api, shop_a):
    body = {"shop": shop_a.pk, "month": "2026-10", "amount": "1.00"}
    assert owner_a_api.post(LIST, body, format="json").status_code == 201
    response = owner_a_api.post(LIST, {**body, "amount": "2.00"}, format="json")
    assert response.status_code == 400
    assert "already has a turnover report for 2026-10" in response.json()["month"][0]
    assert TurnoverReport.objects.count() == 1


# --- Correcting and confirming ------------------------------------------------------------------


def test_owner_corrects_the_amount_until_it_is_confirmed(owner_a_api, manager_api, shop_a):
    report = TurnoverReportFactory(shop=shop_a)
    response = owner_a_api.patch(detail(report), {"amount": "310000.50"}, format="json")
    assert response.status_code == 200
    assert response.json()["amount"] == "310000.50"

    assert manager_api.post(confirm_url(report)).status_code == 200

    response = owner_a_api.patch(detail(report), {"amount": "1.00"}, format="json")
    assert response.status_code == 409
    assert "confirmed" in response.json()["detail"]
    report.refresh_from_db()
    assert report.amount == Decimal("310000.50")


def test_a_manager_still_corrects_a_confirmed_figure(manager_api, shop_a):
    """Only the owner is locked out; the draft it bills follows (tests/billing/test_recompute)."""
    report = TurnoverReportFactory(shop=shop_a, status="confirmed")
    response = manager_api.patch(detail(report), {"amount": "1.00"}, format="json")
    assert response.status_code == 200
    report.refresh_from_db()
    assert (report.status, report.amount) == ("confirmed", Decimal("1.00"))


def test_manager_corrects_an_unconfirmed_figure(manager_api, manager, shop_a):
    report = TurnoverReportFactory(shop=shop_a)
    response = manager_api.patch(detail(report), {"amount": "12.34"}, format="json")
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.history.first().history_user == manager


@pytest.mark.parametrize(
    ("field", "value"), [("shop", 1), ("month", "2026-11"), ("status", "confirmed")]
)
def test_only_the_amount_of_a_report_can_be_changed(owner_a_api, shop_a, field, value):
    report = TurnoverReportFactory(shop=shop_a)
    response = owner_a_api.patch(detail(report), {field: value, "amount": "5.00"}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    report.refresh_from_db()
    assert (report.status, report.amount) == ("submitted", Decimal("300000.00"))


def test_negative_correction_is_400(owner_a_api, shop_a):
    report = TurnoverReportFactory(shop=shop_a)
    response = owner_a_api.patch(detail(report), {"amount": "-5.00"}, format="json")
    assert response.status_code == 400
    assert "negative" in response.json()["amount"][0]


def test_manager_confirms_a_report_and_gets_it_back(manager_api, manager, shop_a):
    report = TurnoverReportFactory(shop=shop_a)
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        response = manager_api.post(confirm_url(report))
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"]) == (report.pk, "confirmed")
    assert body["confirmed_at"] == "2026-11-02T18:00:00+08:00"
    report.refresh_from_db()
    assert report.confirmed_by == manager
    confirmation = report.history.order_by("-history_id").first()
    assert (confirmation.history_user, confirmation.history_change_reason) == (manager, "confirmed")


def test_confirming_twice_is_a_409(manager_api, shop_a):
    report = TurnoverReportFactory(shop=shop_a)
    assert manager_api.post(confirm_url(report)).status_code == 200
    response = manager_api.post(confirm_url(report))
    assert response.status_code == 409
    assert "already confirmed" in response.json()["detail"]


def test_only_managers_confirm(owner_a_api, owner_b_api, shop_a):
    report = TurnoverReportFactory(shop=shop_a)
    assert owner_a_api.post(confirm_url(report)).status_code == 403
    assert owner_b_api.post(confirm_url(report)).status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted"


def test_confirming_an_unknown_report_is_404(manager_api):
    assert manager_api.post("/api/v1/turnover-reports/999999/confirm/").status_code == 404


def test_turnover_services_can_be_called_without_the_api(manager, owner_a, shop_a):
    report = turnover_submit(
        actor=owner_a, shop=shop_a, month=dt.date(2026, 10, 17), amount=Decimal("5")
    )
    assert report.month == dt.date(2026, 10, 1)
    confirmed = turnover_confirm(report_id=report.pk, actor=manager)
    assert confirmed.status == "confirmed"


# --- Tenancy ------------------------------------------------------------------------------------


def test_turnover_endpoints_need_credentials(api, shop_a):
    report = TurnoverReportFactory(shop=shop_a)
    assert api.get(LIST).status_code == 401
    assert api.post(LIST, {}, format="json").status_code == 401
    assert api.get(detail(report)).status_code == 401
    assert api.patch(detail(report), {}, format="json").status_code == 401
    assert api.post(confirm_url(report)).status_code == 401


def test_owners_see_only_their_shops_turnover(owner_a_api, owner_b_api, shop_a, shop_b):
    mine = TurnoverReportFactory(shop=shop_a)
    theirs = TurnoverReportFactory(shop=shop_b)
    assert [r["id"] for r in owner_a_api.get(LIST).json()["results"]] == [mine.pk]
    assert owner_a_api.get(detail(theirs)).status_code == 404
    assert owner_b_api.get(detail(mine)).status_code == 404
    response = owner_b_api.patch(detail(mine), {"amount": "1.00"}, format="json")
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.amount == Decimal("300000.00")


def test_manager_sees_all_turnover(manager_api, shop_a, shop_b):
    TurnoverReportFactory(shop=shop_a)
    TurnoverReportFactory(shop=shop_b)
    assert manager_api.get(LIST).json()["count"] == 2


def test_put_and_delete_are_not_offered_on_a_report(manager_api, shop_a):
    report = TurnoverReportFactory(shop=shop_a)
    assert manager_api.put(detail(report), {}, format="json").status_code == 405
    assert manager_api.delete(detail(report)).status_code == 405


# --- Filters ------------------------------------------------------------------------------------


def test_turnover_filters_by_shop_month_and_status(manager_api, shop_a, shop_b):
    october = TurnoverReportFactory(shop=shop_a, month=dt.date(2026, 10, 1))
    september = TurnoverReportFactory(shop=shop_a, month=dt.date(2026, 9, 1), status="confirmed")
    other = TurnoverReportFactory(shop=shop_b, month=dt.date(2026, 10, 1))

    def ids(query: str) -> set[int]:
        response = manager_api.get(f"{LIST}?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"shop={shop_a.pk}") == {october.pk, september.pk}
    assert ids("month=2026-10") == {october.pk, other.pk}
    assert ids("status=confirmed") == {september.pk}
    assert manager_api.get(f"{LIST}?month=2026-13").status_code == 400


# --- The shops side of confirming and correcting (billing.services runs them) -----------------


@time_machine.travel(dt.datetime(2026, 11, 15, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_a_change_is_refused_to_a_stranger_then_for_an_open_month_then_to_the_owner_once_confirmed(
    owner_a, owner_b, manager, shop_a
):
    this_month = TurnoverReportFactory(shop=shop_a, month=dt.date(2026, 11, 1), status="confirmed")
    with pytest.raises(NotPermitted):
        turnover_change_check(report=this_month, actor=owner_b)
    with pytest.raises(ValidationError) as refused:
        turnover_change_check(report=this_month, actor=owner_a)
    assert set(refused.value.message_dict) == {"month"}
    confirmed = TurnoverReportFactory(shop=shop_a, month=dt.date(2026, 10, 1), status="confirmed")
    with pytest.raises(StateConflict, match="only the agency can correct it now"):
        turnover_change_check(report=confirmed, actor=owner_a)
    turnover_change_check(report=confirmed, actor=manager)  # the month's invoice: billing's check


@time_machine.travel(dt.datetime(2026, 11, 15, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_shops_alone_never_changes_a_confirmed_figure_not_even_for_a_manager(manager, shop_a):
    report = TurnoverReportFactory(shop=shop_a, status="confirmed")
    with pytest.raises(StateConflict):
        turnover_update(report=report, actor=manager, amount=Decimal("1.00"))
    report.refresh_from_db()
    assert report.amount == Decimal("300000.00")


@time_machine.travel(dt.datetime(2026, 11, 15, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_marking_a_turnover_confirmed_records_who_and_locks_it_for_the_owner(
    manager, owner_a, shop_a
):
    report = TurnoverReportFactory(shop=shop_a)
    confirmed = turnover_mark_confirmed(report_id=report.pk, actor=manager)
    assert (confirmed.status, confirmed.confirmed_by) == ("confirmed", manager)
    assert confirmed.history.first().history_change_reason == "confirmed"
    with pytest.raises(StateConflict):
        turnover_update(report=report, actor=owner_a, amount=Decimal("1.00"))
    with pytest.raises(StateConflict, match="already confirmed"):
        turnover_mark_confirmed(report_id=report.pk, actor=manager)
