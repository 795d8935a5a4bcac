"""Quote: plan, seats and price from the daily inquiries and the coverage."""

import pytest

from shops.models import PriceBookEntry

QUOTE = "/quote/"


@pytest.mark.django_db
def test_a_full_day_quote_with_a_short_job(manager_client):
    response = manager_client.get(f"{QUOTE}?daily_inquiries=450&coverage=full&days=5")
    quote = response.context["quote"]
    assert (quote.plan, quote.seats, quote.seat_capacity) == ("full_day", 2, 225)
    assert str(quote.monthly_price) == "6000.00"
    assert str(quote.short_job.total) == "1000.00"
    html = response.content.decode()
    assert "¥ 6,000.00" in html and "¥ 1,000.00" in html


@pytest.mark.django_db
def test_the_quote_page_explains_its_arithmetic(manager_client):
    """Per shift: the load, the agents it needs under the 120 cap; then the seats."""
    response = manager_client.get(f"{QUOTE}?daily_inquiries=450&coverage=full")
    rows = [
        (label, row.inquiries, row.agents_needed) for label, row in response.context["shift_rows"]
    ]
    assert rows == [("Day (09:00-17:00)", 240, 2), ("Night (17:00-24:00)", 210, 2)]
    html = response.content.decode()
    assert 'id="quote-arithmetic"' in html
    assert "No agent is planned above 120 inquiries a day" in html
    assert "Seats: 2." in html


@pytest.mark.django_db
def test_a_day_shift_quote(manager_client):
    quote = manager_client.get(f"{QUOTE}?daily_inquiries=300&coverage=day").context["quote"]
    assert (quote.plan, quote.shift, quote.seats, quote.seat_capacity) == ("shift", "day", 3, 120)
    assert quote.short_job is None


@pytest.mark.django_db
def test_bad_input_shows_errors(manager_client):
    response = manager_client.get(f"{QUOTE}?daily_inquiries=-1&coverage=moon")
    assert set(response.context["form"].errors) == {"daily_inquiries", "coverage"}
    assert response.context["quote"] is None


@pytest.mark.django_db
def test_a_missing_list_price_is_said_plainly(manager_client):
    PriceBookEntry.objects.filter(plan="full_day").delete()
    response = manager_client.get(f"{QUOTE}?daily_inquiries=100&coverage=full")
    assert "The price book has no price for" in response.content.decode()
