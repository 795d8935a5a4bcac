"""The price book in the admin: managers edit it, the form checks the tiers, history names them."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from shops.admin import PriceBookEntryForm
from shops.models import PriceBookEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_for_manager(manager):
    client = Client()
    client.force_login(manager)
    return client


def form_for(entry: PriceBookEntry, **changes) -> PriceBookEntryForm:
    data = {
        "plan": entry.plan,
        "price": str(entry.price),
        "commission_mode": entry.commission_mode,
        "commission_tiers": entry.commission_tiers,
        **changes,
    }
    data["commission_tiers"] = json.dumps(data["commission_tiers"])
    return PriceBookEntryForm(data=data, instance=entry)


def test_the_price_book_holds_the_list_prices():
    prices = dict(PriceBookEntry.objects.values_list("plan", "price"))
    assert prices == {
        "temporary": Decimal("100.00"),
        "promotion": Decimal("200.00"),
        "shift": Decimal("1500.00"),
        "full_day": Decimal("3000.00"),
    }


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([], "at least one commission tier"),
        ([{"from": "100", "rate": "0.03"}], "must start at 0"),
        ([{"from": "0", "rate": "0.03"}, {"from": "0", "rate": "0.02"}], "above the one before"),
        ([{"from": "0", "rate": "3"}], "between 0 and 1"),
        ([{"from": "0"}], "'rate' is missing"),
        ("3%", "list"),
    ],
)
def test_monthly_plan_tiers_are_validated(tiers, message):
    form = form_for(PriceBookEntry.objects.get(plan="shift"), commission_tiers=tiers)
    assert not form.is_valid()
    assert message in " ".join(form.errors["commission_tiers"])


def test_valid_tiers_are_stored_in_their_normal_form():
    entry = PriceBookEntry.objects.get(plan="full_day")
    form = form_for(
        entry, commission_tiers=[{"from": 0, "rate": 0.025}, {"from": "2e5", "rate": "0.015"}]
    )
    assert form.is_valid(), form.errors
    form.save()
    entry.refresh_from_db()
    assert entry.commission_tiers == [
        {"from": "0.00", "rate": "0.0250"},
        {"from": "200000.00", "rate": "0.0150"},
    ]


def test_day_plans_carry_no_tiers_and_prices_are_not_negative():
    entry = PriceBookEntry.objects.get(plan="temporary")
    form = form_for(entry, commission_tiers=[{"from": "0", "rate": "0.03"}])
    assert "commission_tiers" in form.errors
    assert "price" in form_for(entry, price="-1.00").errors


def test_a_manager_changes_a_price_in_the_admin_and_history_names_them(
    admin_client_for_manager, manager
):
    entry = PriceBookEntry.objects.get(plan="shift")
    url = reverse("admin:shops_pricebookentry_change", args=[entry.pk])
    assert admin_client_for_manager.get(url).status_code == 200

    response = admin_client_for_manager.post(
        url,
        {
            "price": "1600.00",
            "commission_mode": "graduated",
            "commission_tiers": '[{"from": "0", "rate": "0.03"}]',
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.price == Decimal("1600.00")
    assert entry.history.first().history_user == manager


def test_an_owner_cannot_open_the_price_book(owner_a):
    client = Client()
    client.force_login(owner_a)
    response = client.get(reverse("admin:shops_pricebookentry_changelist"))
    assert response.status_code == 302  # to the admin login: owners are not staff
