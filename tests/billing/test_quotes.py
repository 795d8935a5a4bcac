"""Quotes: the price book over seat capacity, for the API and the manager app alike."""

from decimal import Decimal

import pytest

from agency.errors import ApplicationError
from billing.quotes import quote_for
from shops.models import PriceBookEntry

pytestmark = pytest.mark.django_db


def test_quote_for_prices_the_plan_from_the_price_book():
    PriceBookEntry.objects.filter(plan="shift").update(price=Decimal("1800.00"))
    result = quote_for(daily_inquiries=200, coverage="night", days=3)
    assert (result.plan, result.shift, result.seats, result.seat_capacity) == (
        "shift",
        "night",
        2,  # one night agent answers at most 120 a day
        120,
    )
    assert (result.unit_price, result.monthly_price) == (Decimal("1800.00"), Decimal("3600.00"))
    assert (result.short_job.seats, result.short_job.total) == (1, Decimal("300.00"))


def test_quote_for_refuses_naming_every_plan_the_price_book_lacks():
    PriceBookEntry.objects.filter(plan__in=["full_day", "temporary"]).delete()
    with pytest.raises(ApplicationError) as refused:
        quote_for(daily_inquiries=100, coverage="day")
    assert refused.value.message == (
        "The price book has no price for: Long-term, full day (monthly), Temporary (per day)."
    )


# --- API ----------------------------------------------------------------------------------------


def test_quote_prices_full_coverage_from_the_price_book(manager_api):
    PriceBookEntry.objects.filter(plan="full_day").update(price=Decimal("3200.00"))
    response = manager_api.get("/api/v1/quote/?daily_inquiries=900&coverage=full")
    assert response.status_code == 200
    assert response.json() == {
        "daily_inquiries": 900,
        "coverage": "full",
        "plan": "full_day",
        "shift": None,
        "seats": 4,
        "seat_capacity": 225,
        "unit_price": "3200.00",
        "monthly_price": "12800.00",
        "short_job": None,
        "agent_cap": 120,
        "peak": 600,
        "seats_for_peak": 2,
        "shifts": [
            {"shift": "day", "inquiries": 480, "agents_needed": 4, "load_per_agent": 120},
            {"shift": "night", "inquiries": 420, "agents_needed": 4, "load_per_agent": 105},
        ],
    }


def test_quote_for_one_shift_uses_the_shift_plan_and_its_share_of_capacity(manager_api):
    body = manager_api.get("/api/v1/quote/?daily_inquiries=120&coverage=day").json()
    assert (body["plan"], body["shift"], body["seats"], body["seat_capacity"]) == (
        "shift",
        "day",
        1,
        120,
    )
    assert body["monthly_price"] == "1500.00"
    assert body["shifts"] == [
        {"shift": "day", "inquiries": 120, "agents_needed": 1, "load_per_agent": 120}
    ]


def test_quote_for_a_short_job_includes_the_temporary_plan(manager_api):
    body = manager_api.get("/api/v1/quote/?daily_inquiries=200&coverage=full&days=7").json()
    assert body["short_job"] == {
        "plan": "temporary",
        "seats": 1,
        "seat_capacity": 225,
        "days": 7,
        "day_rate": "100.00",
        "total": "700.00",
    }


@pytest.mark.parametrize(
    "query",
    [
        "",
        "daily_inquiries=100",
        "coverage=full",
        "daily_inquiries=-1&coverage=full",
        "daily_inquiries=abc&coverage=full",
        "daily_inquiries=100&coverage=evening",
        "daily_inquiries=100&coverage=full&days=0",
    ],
)
def test_quote_input_is_validated_with_400(manager_api, query):
    assert manager_api.get(f"/api/v1/quote/?{query}").status_code == 400


def test_quote_without_a_price_is_a_400_not_a_500(manager_api):
    PriceBookEntry.objects.filter(plan="shift").delete()
    response = manager_api.get("/api/v1/quote/?daily_inquiries=100&coverage=day")
    assert response.status_code == 400
    assert "shift" in response.json()["detail"]
