"""Rules of DOMAIN.md that no other test named; docs/architecture.md maps every rule to its test.

Each test names the rule it guards and is independent of today's date.
"""

import datetime as dt
from decimal import Decimal

import pytest

from agency.choices import CommissionMode, Plan
from billing.calculations import commission
from billing.models import InvoiceLine
from billing.services.lines import BillableContract, invoice_figures
from shops.models import PriceBookEntry
from shops.services.contracts import contract_validate
from shops.terms import DEFAULT_TIERS, MODE_FLAT, tiers_to_json

D = Decimal


@pytest.mark.django_db
def test_graduated_is_the_default_commission_mode(shop_a):
    """Plans and prices: mode ``graduated`` (default), also when the price book names none."""
    PriceBookEntry.objects.filter(plan=Plan.FULL_DAY).delete()
    terms = contract_validate(
        shop=shop_a,
        plan=Plan.FULL_DAY,
        shift=None,
        seat=None,
        start_date=dt.date(2026, 3, 1),
        end_date=None,
        price=D("3000.00"),
    )
    assert terms.commission_mode == CommissionMode.GRADUATED
    assert PriceBookEntry(plan=Plan.SHIFT).commission_mode == CommissionMode.GRADUATED


def test_default_commission_rates_fall_from_3_to_1_percent_as_turnover_rises():
    """Commission is 1-3 % of the turnover, falling as turnover rises (the default tiers)."""
    rates = [tier.rate for tier in DEFAULT_TIERS]
    assert rates == sorted(rates, reverse=True)
    assert (rates[0], rates[-1]) == (D("0.03"), D("0.01"))
    flat_rates = [
        commission(D(turnover), DEFAULT_TIERS, MODE_FLAT) / D(turnover)
        for turnover in ("50000", "200000", "600000")
    ]
    assert flat_rates == [D("0.03"), D("0.02"), D("0.01")]


def test_prices_are_tax_inclusive_so_no_tax_is_added_to_an_invoice():
    """Prices are tax-inclusive: an invoice is its plan lines and nothing on top of them."""
    full_month = BillableContract(
        id=1,
        shop_id=7,
        plan=Plan.FULL_DAY,
        price=D("3000.00"),
        commission_mode=CommissionMode.GRADUATED,
        commission_tiers=tiers_to_json(DEFAULT_TIERS),
        start_date=dt.date(2026, 1, 1),
        end_date=None,
    )
    figures = invoice_figures(
        shop_id=7, month=dt.date(2026, 3, 1), contracts=[full_month], turnover=D("0.00")
    )
    assert [line.kind for line in figures.lines] == [
        InvoiceLine.Kind.BASE_FEE,
        InvoiceLine.Kind.COMMISSION,
    ]
    assert figures.total == D("3000.00")


@pytest.mark.django_db
def test_a_rest_token_acts_as_its_user_with_that_users_rights(api, owner_a, shop_a, shop_b):
    """Who sees what: a REST token acts as its user, with that user's rights (an owner's)."""
    response = api.post(
        "/api/v1/auth/token/", {"username": "owner_a", "password": "pw-secret-123"}, format="json"
    )
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    shops = api.get("/api/v1/shops/").json()["results"]
    assert [row["id"] for row in shops] == [shop_a.pk]
    assert api.get(f"/api/v1/shops/{shop_b.pk}/").status_code == 404
    assert api.get("/api/v1/billing/runs/").status_code == 403
