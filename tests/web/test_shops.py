"""Shops: list with search, filters and pages; the detail page; forms calling the shop services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Invoice
from billing.services import bill_month
from shops.models import Contract, Shop, TurnoverReport
from tests.billing.factories import monthly_contract
from tests.factories import DsrRatingFactory, ShopFactory, TurnoverReportFactory
from tests.web.conftest import SEPTEMBER, count_queries, grow_agency

LIST = "/shops/"


@pytest.mark.django_db
def test_search_matches_name_shop_id_category_and_owner(manager_client, owner_b):
    ShopFactory(name="Panda Tea House", platform="tmall", category="tea", owner=owner_b)
    ShopFactory(name="Kids Corner", platform="taobao", platform_shop_id="TB-777")
    names = lambda url: [s.name for s in manager_client.get(url).context["shops"]]  # noqa: E731
    assert names(f"{LIST}?q=panda") == ["Panda Tea House"]
    assert names(f"{LIST}?q=tb-777") == ["Kids Corner"]
    assert names(f"{LIST}?q=tea") == ["Panda Tea House"]
    assert names(f"{LIST}?q=owner_b") == ["Panda Tea House"]
    assert names(f"{LIST}?platform=tmall") == ["Panda Tea House"]
    assert names(f"{LIST}?status=paused") == []


@pytest.mark.django_db
def test_list_is_paginated_by_25(manager_client):
    ShopFactory.create_batch(30)
    first = manager_client.get(LIST)
    assert len(first.context["shops"]) == 25
    assert "Page 1 of 2" in first.content.decode()
    assert len(manager_client.get(f"{LIST}?page=2").context["shops"]) == 5
    # A page past the end shows the last page rather than failing.
    assert manager_client.get(f"{LIST}?page=99").status_code == 200


@pytest.mark.django_db
def test_list_costs_the_same_queries_for_few_and_many_shops(manager_client, agency, owner_a):
    small = count_queries(manager_client, LIST)
    grow_agency(agency, owner_a, seats=15)
    assert count_queries(manager_client, LIST) == small <= 5


@pytest.mark.django_db
def test_detail_shows_contracts_briefing_dsr_turnover_invoices_and_history(manager_client, agency):
    shop = agency.shops[0]
    shop.briefing = "Ships within 48 h.\nReturns: 7 days."
    shop.save()
    DsrRatingFactory(shop=shop, service=4, rated_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    response = manager_client.get(reverse("web:shop-detail", args=[shop.pk]))
    html = response.content.decode()
    assert "Ships within 48 h." in html
    assert "Long-term, full day (monthly)" in html
    assert response.context["dsr"].service == 4
    assert "2026-09" in html and "120,000.00" in html  # the submitted September turnover
    assert "1,000.10" in html  # the October draft
    assert response.context["history"], "the audit history is listed"
    assert len(response.context["inquiries"]) == 30
    assert "dsr-chart-title" in html, "the 180-day DSR trend is drawn"
    assert "dsr-line dsr-service" in html


@pytest.mark.django_db
def test_detail_costs_the_same_queries_whatever_the_shops_history(manager_client, agency, owner_a):
    shop = agency.shops[0]
    url = reverse("web:shop-detail", args=[shop.pk])
    small = count_queries(manager_client, url)
    for number in range(5):
        shop.daily_inquiries_estimate = 100 + number
        shop.save()
    assert count_queries(manager_client, url) == small


@pytest.mark.django_db
def test_create_a_shop(manager_client, manager, owner_a):
    response = manager_client.post(
        reverse("web:shop-create"),
        {
            "owner": owner_a.pk,
            "name": "Moon Cakes",
            "platform": "jd",
            "platform_shop_id": "JD-1",
            "category": "food",
            "status": "prospect",
            "daily_inquiries_estimate": "120",
            "briefing": "Ships from Suzhou.",
        },
    )
    shop = Shop.objects.get(name="Moon Cakes")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:shop-detail", args=[shop.pk])
    assert shop.history.first().history_user == manager


@pytest.mark.django_db
def test_a_shop_id_taken_on_the_platform_shows_the_services_message_on_its_field(
    manager_client, owner_a
):
    ShopFactory(platform="jd", platform_shop_id="JD-1")
    response = manager_client.post(
        reverse("web:shop-create"),
        {
            "owner": owner_a.pk,
            "name": "Copy Cat",
            "platform": "jd",
            "platform_shop_id": "JD-1",
            "status": "prospect",
            "daily_inquiries_estimate": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["platform_shop_id"] == [
        "Another shop on this platform already has this shop id."
    ]
    assert not Shop.objects.filter(name="Copy Cat").exists()


@pytest.mark.django_db
def test_edit_changes_only_what_changed(manager_client, agency):
    shop = agency.shops[0]
    url = reverse("web:shop-edit", args=[shop.pk])
    form = manager_client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["owner"] = shop.owner_id
    data["status"] = "paused"
    response = manager_client.post(url, data)
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.status == "paused"
    detail = manager_client.get(reverse("web:shop-detail", args=[shop.pk]))
    assert "status" in [name for _, changed in detail.context["history"] for name in changed]


@pytest.mark.django_db
def test_create_a_contract_with_price_book_defaults(manager_client, agency):
    shop = agency.shops[0]
    response = manager_client.post(
        reverse("web:contract-create", args=[shop.pk]),
        {"plan": "temporary", "start_date": "2026-11-01", "end_date": "2026-11-03"},
    )
    assert response.status_code == 302
    contract = Contract.objects.get(shop=shop, plan="temporary")
    assert contract.price == 100  # the price book's day rate


@pytest.mark.django_db
def test_a_contract_breaking_a_rule_shows_the_rule_on_the_form(manager_client, agency):
    shop = agency.shops[0]
    response = manager_client.post(
        reverse("web:contract-create", args=[shop.pk]),
        {"plan": "promotion", "start_date": "2026-11-11"},
    )
    assert response.status_code == 200
    assert (
        "Day plans (temporary, promotion) need an end date"
        in (response.context["form"].errors["end_date"][0])
    )
    assert not Contract.objects.filter(shop=shop, plan="promotion").exists()


@pytest.mark.django_db
def test_a_fourth_shop_on_a_seat_is_refused_on_the_seat_field(manager_client, agency):
    seat = agency.seats[0]  # serves 2 shops
    for name in ("Third", "Fourth"):
        shop = ShopFactory(name=name)
        response = manager_client.post(
            reverse("web:contract-create", args=[shop.pk]),
            {"plan": "full_day", "start_date": "2026-10-20", "seat": seat.pk},
        )
    assert response.status_code == 200
    assert "a seat serves at most 3 shops at once" in response.context["form"].errors["seat"][0]


# --- A manager enters a month's turnover --------------------------------------------------------


def _turnover_url(shop) -> str:
    return reverse("web:shop-turnover", args=[shop.pk])


@pytest.mark.django_db
def test_the_shop_page_offers_last_months_turnover(manager_client, agency):
    shop = agency.shops[0]
    response = manager_client.get(reverse("web:shop-detail", args=[shop.pk]))
    form = response.context["turnover_form"]
    assert form.initial == {"month": "2026-09"}  # the agency's today is in 2026-10
    assert f'action="{_turnover_url(shop)}"' in response.content.decode()


@pytest.mark.django_db
def test_a_manager_enters_and_confirms_a_turnover_and_the_draft_follows(manager_client, manager):
    shop = ShopFactory()
    monthly_contract(shop)
    bill_month(month=SEPTEMBER)
    assert Invoice.objects.get(shop=shop).awaiting_turnover

    response = manager_client.post(
        _turnover_url(shop), {"month": "2026-09", "amount": "100000.00", "confirm": "on"}
    )

    assert response.status_code == 302
    report = TurnoverReport.objects.get(shop=shop)
    assert (report.month, report.amount, report.status) == (
        SEPTEMBER,
        Decimal("100000.00"),
        "confirmed",
    )
    assert (report.submitted_by, report.confirmed_by) == (manager, manager)
    draft = Invoice.objects.get(shop=shop)
    assert (draft.awaiting_turnover, draft.total) == (False, Decimal("6000.00"))
    page = manager_client.get(response["Location"]).content.decode()
    assert "entered and confirmed." in page


@pytest.mark.django_db
def test_a_turnover_entered_without_confirming_waits(manager_client):
    shop = ShopFactory()
    response = manager_client.post(_turnover_url(shop), {"month": "2026-09", "amount": "5.00"})
    assert response.status_code == 302
    assert TurnoverReport.objects.get(shop=shop).status == "submitted"


@pytest.mark.django_db
def test_a_month_already_reported_is_refused_on_the_form_and_nothing_changes(manager_client):
    shop = ShopFactory(name="Twice Shop")
    TurnoverReportFactory(shop=shop, month=SEPTEMBER, amount=Decimal("7.00"))

    response = manager_client.post(
        _turnover_url(shop), {"month": "2026-09", "amount": "9.00", "confirm": "on"}
    )

    assert response.status_code == 400
    errors = response.context["turnover_form"].errors["month"]
    assert errors == [
        "Twice Shop already has a turnover report for 2026-09; change that report instead."
    ]
    report = TurnoverReport.objects.get(shop=shop)
    assert (report.amount, report.status) == (Decimal("7.00"), "submitted")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("amount", {"month": "2026-10", "amount": "-1"}),
        ("month", {"month": "2026-13", "amount": "1"}),
    ],
)
def test_bad_turnover_input_is_a_form_error(manager_client, field, data):
    shop = ShopFactory()
    response = manager_client.post(_turnover_url(shop), data)
    assert response.status_code == 400
    assert response.context["turnover_form"].errors[field]
    assert not TurnoverReport.objects.exists()


@pytest.mark.django_db
def test_entering_turnover_for_an_unknown_shop_is_a_404(manager_client):
    assert manager_client.post(_turnover_url(Shop(pk=999_999)), {}).status_code == 404
