"""Reports: seat profitability, revenue by plan, month over month."""

from decimal import Decimal

import pytest

from tests.web.conftest import SEPTEMBER, count_queries, grow_agency
from tests.web.factories import InvoiceFactory

REPORTS = "/reports/"


@pytest.mark.django_db
def test_defaults_to_last_month(manager_client, agency):
    assert manager_client.get(REPORTS).context["month"] == SEPTEMBER


@pytest.mark.django_db
def test_seat_profitability_table_and_chart(manager_client, agency):
    response = manager_client.get(f"{REPORTS}?month=2026-10")
    report = response.context["report"]
    codes = [row.seat_code for row in report.seats]
    assert codes == ["S001", "S900"]
    s001 = report.seats[0]
    assert s001.revenue == Decimal("2000.20")  # both October drafts, shops served only by S001
    html = response.content.decode()
    assert '<title id="seat-margin-title">Margin per seat, October 2026</title>' in html
    assert "chart-bar" in html
    assert response.context["totals"]["revenue"] == Decimal("2000.20")


@pytest.mark.django_db
def test_revenue_by_plan_and_month_over_month(manager_client, agency):
    InvoiceFactory(shop=agency.shops[0], month=SEPTEMBER, total=Decimal("1000.05"))
    response = manager_client.get(f"{REPORTS}?month=2026-10")
    by_plan = {entry.plan: entry.amount for entry in response.context["by_plan"]}
    assert by_plan == {
        "temporary": Decimal("0.00"),
        "promotion": Decimal("0.00"),
        "shift": Decimal("1000.10"),
        "full_day": Decimal("1000.10"),
    }
    trend = response.context["trend"]
    assert len(trend) == 12
    assert (trend[0].month.isoformat(), trend[0].amount) == ("2026-10-01", Decimal("2000.20"))
    # September: the draft awaiting turnover (3,000.00) and 1,000.05; October is half of that.
    assert trend[1].amount == Decimal("4000.05")
    assert str(trend[0].change) == "-0.5000"
    assert "-50.0%" in response.content.decode()


@pytest.mark.django_db
def test_a_bad_month_falls_back_to_last_month_with_an_error(manager_client, agency):
    response = manager_client.get(f"{REPORTS}?month=nope")
    assert response.context["month"] == SEPTEMBER
    assert "Enter the month as YYYY-MM, for example 2026-10." in response.content.decode()


@pytest.mark.django_db
def test_reports_cost_the_same_queries_for_a_small_and_a_large_agency(
    manager_client, agency, owner_a
):
    url = f"{REPORTS}?month=2026-10"
    small = count_queries(manager_client, url)
    grow_agency(agency, owner_a, seats=10)
    assert count_queries(manager_client, url) == small <= 9


@pytest.mark.django_db
def test_seat_profitability_shows_a_page_of_seats_and_totals_them_all(
    manager_client, agency, owner_a
):
    grow_agency(agency, owner_a, seats=30)  # 32 seats: two pages of 25
    first = manager_client.get(f"{REPORTS}?month=2026-10")
    seats = first.context["report"].seats
    assert len(seats) == 32
    html = first.content.decode()
    assert html.count('<th scope="row">S0') == 25  # S001..S031 by code, then S900 on page 2
    assert str(first.context["margin_chart"]).count('class="chart-bar') == 25
    assert "Page 1 of 2" in html and "month=2026-10&amp;page=2" in html
    total = sum((row.revenue for row in seats), Decimal("0"))
    assert first.context["totals"]["revenue"] == total

    second = manager_client.get(f"{REPORTS}?month=2026-10&page=2")
    assert str(second.context["margin_chart"]).count('class="chart-bar') == 7
    assert '<th scope="row">S900</th>' in second.content.decode()
