"""The admin applies the same rules as the API."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from shops.models import Contract, DsrRating, TurnoverReport
from tests.factories import (
    ContractFactory,
    DsrRatingFactory,
    SeatFactory,
    ShopFactory,
    TurnoverReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MID_NOVEMBER = dt.datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def contract_form(shop, **overrides) -> dict:
    return {
        "shop": shop.pk,
        "plan": "full_day",
        "shift": "",
        "seat": "",
        "start_date": "2026-10-01",
        "end_date": "",
        "price": "",
        "commission_mode": "graduated",
        "commission_tiers": "",
        **overrides,
    }


def test_shop_admin_lists_filters_and_searches(admin_client, shop_a, shop_b):
    response = admin_client.get("/admin/shops/shop/", {"platform": "taobao", "q": "Shop A"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [shop_a]


def test_contract_admin_takes_price_and_tiers_from_the_price_book(admin_client, shop_a):
    response = admin_client.post("/admin/shops/contract/add/", contract_form(shop_a))
    assert response.status_code == 302, response.context["adminform"].form.errors
    contract = Contract.objects.get()
    assert contract.price == Decimal("3000.00")
    assert contract.commission_tiers[1] == {"from": "100000.00", "rate": "0.0200"}


def test_contract_admin_refuses_a_fourth_shop_on_a_seat(admin_client, shop_a):
    seat = SeatFactory(code="S9")
    for _ in range(3):
        ContractFactory(seat=seat, start_date=dt.date(2026, 1, 1))
    response = admin_client.post("/admin/shops/contract/add/", contract_form(shop_a, seat=seat.pk))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "at most 3 shops" in errors["seat"][0]
    assert not Contract.objects.filter(shop=shop_a).exists()


def test_contract_admin_applies_the_shift_and_end_date_rules(admin_client, shop_a):
    response = admin_client.post(
        "/admin/shops/contract/add/", contract_form(shop_a, plan="temporary", shift="day")
    )
    errors = response.context["adminform"].form.errors
    assert {"shift", "end_date"} <= set(errors)


def test_turnover_admin_confirm_action(admin_client, superuser, shop_a, shop_b):
    open_report = TurnoverReportFactory(shop=shop_a)
    done = TurnoverReportFactory(shop=shop_b, status="confirmed")
    response = admin_client.post(
        "/admin/shops/turnoverreport/",
        {"action": "confirm", "_selected_action": [open_report.pk, done.pk]},
        follow=True,
    )
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert "1 turnover report confirmed." in texts
    assert "1 report was already confirmed." in texts
    open_report.refresh_from_db()
    assert (open_report.status, open_report.confirmed_by) == ("confirmed", superuser)


def test_turnover_admin_locks_a_confirmed_figure(admin_client, shop_a):
    report = TurnoverReportFactory(shop=shop_a, status="confirmed")
    url = f"/admin/shops/turnoverreport/{report.pk}/change/"
    admin_client.post(url, {"amount": "1.00"})
    report.refresh_from_db()
    assert report.amount == Decimal("300000.00")


@time_machine.travel(MID_NOVEMBER, tick=False)
def test_turnover_admin_adds_a_report_for_the_month(admin_client, superuser, shop_a):
    response = admin_client.post(
        "/admin/shops/turnoverreport/add/",
        {"shop": shop_a.pk, "month": "2026-10-17", "amount": "10.00"},
    )
    assert response.status_code == 302
    report = TurnoverReport.objects.get()
    assert (report.month, report.submitted_by) == (dt.date(2026, 10, 1), superuser)
    assert response["Location"].endswith("/admin/shops/turnoverreport/")
    # Through turnover_submit, which names the reason in the history.
    assert report.history.get().history_change_reason == "submitted"


@time_machine.travel(MID_NOVEMBER, tick=False)
def test_turnover_admin_refuses_a_month_that_has_not_ended(admin_client, shop_a):
    response = admin_client.post(
        "/admin/shops/turnoverreport/add/",
        {"shop": shop_a.pk, "month": "2026-11-01", "amount": "10.00"},
    )
    assert response.status_code == 200
    assert "has not ended yet" in response.context["adminform"].form.errors["month"][0]
    assert not TurnoverReport.objects.exists()


def test_turnover_admin_corrects_a_submitted_figure_through_the_service(
    admin_client, superuser, shop_a
):
    report = TurnoverReportFactory(shop=shop_a)
    response = admin_client.post(
        f"/admin/shops/turnoverreport/{report.pk}/change/", {"amount": "123.45"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.amount == Decimal("123.45")
    latest = report.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("amount corrected", superuser)


def test_turnover_admin_cannot_delete_a_confirmed_figure(admin_client, shop_a, shop_b):
    confirmed = TurnoverReportFactory(shop=shop_a, status="confirmed")
    submitted = TurnoverReportFactory(shop=shop_b)
    delete_url = f"/admin/shops/turnoverreport/{confirmed.pk}/delete/"

    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        "/admin/shops/turnoverreport/",
        {
            "action": "delete_selected",
            "_selected_action": [confirmed.pk, submitted.pk],
            "post": "yes",
        },
    )
    assert bulk.status_code == 403
    assert TurnoverReport.objects.count() == 2

    # A figure not yet confirmed is billed nowhere: it may go.
    admin_client.post(f"/admin/shops/turnoverreport/{submitted.pk}/delete/", {"post": "yes"})
    assert list(TurnoverReport.objects.all()) == [confirmed]


def test_turnover_admin_refuses_a_negative_amount(admin_client, shop_a):
    response = admin_client.post(
        "/admin/shops/turnoverreport/add/",
        {"shop": shop_a.pk, "month": "2026-10-01", "amount": "-1.00"},
    )
    assert "amount" in response.context["adminform"].form.errors


def test_dsr_ratings_are_read_only_in_the_admin(admin_client):
    rating = DsrRatingFactory(shop=ShopFactory())
    change_url = f"/admin/shops/dsrrating/{rating.pk}/change/"
    assert admin_client.get(change_url).status_code == 200  # view only
    admin_client.post(change_url, {"service": 1})
    assert admin_client.post(f"/admin/shops/dsrrating/{rating.pk}/delete/").status_code == 403
    assert DsrRating.objects.get(pk=rating.pk).service == 5


@time_machine.travel(MID_NOVEMBER, tick=False)
def test_turnover_admin_confirm_action_reports_a_month_not_ended_instead_of_failing(
    admin_client, shop_a, shop_b
):
    """A report stored for the month in progress is refused by name; the others confirm."""
    early = TurnoverReportFactory(shop=shop_a, month=dt.date(2026, 11, 1))
    ended = TurnoverReportFactory(shop=shop_b, month=dt.date(2026, 10, 1))
    response = admin_client.post(
        "/admin/shops/turnoverreport/",
        {"action": "confirm", "_selected_action": [early.pk, ended.pk]},
        follow=True,
    )
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert "1 turnover report confirmed." in texts
    assert any(t.startswith(f"{shop_a.name} 2026-11:") and "has not ended yet" in t for t in texts)
    early.refresh_from_db()
    ended.refresh_from_db()
    assert (early.status, ended.status) == ("submitted", "confirmed")


@time_machine.travel(MID_NOVEMBER, tick=False)
def test_turnover_admin_refuses_to_correct_a_month_not_ended_on_the_form(admin_client, shop_a):
    report = TurnoverReportFactory(shop=shop_a, month=dt.date(2026, 11, 1), amount=Decimal("5"))
    response = admin_client.post(
        f"/admin/shops/turnoverreport/{report.pk}/change/", {"amount": "123.45"}
    )
    assert response.status_code == 200
    assert "has not ended yet" in str(response.context["adminform"].form.non_field_errors())
    report.refresh_from_db()
    assert report.amount == Decimal("5.00")
