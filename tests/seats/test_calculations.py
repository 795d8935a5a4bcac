"""Pure rules: load bands, KPI ratios, seat capacity and quotes (no database)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seats.calculations import (
    LoadBand,
    answer_ratio,
    average_daily_inquiries,
    conversion_rate,
    coverage_capacity,
    is_first_response_miss,
    load_band,
    quote,
    seats_needed,
)

PRICES = {
    "temporary": Decimal("100.00"),
    "promotion": Decimal("200.00"),
    "shift": Decimal("1500.00"),
    "full_day": Decimal("3000.00"),
}


@pytest.mark.parametrize(
    ("inquiries", "band"),
    [
        (0, "idle"),
        (59, "idle"),
        (60, "normal"),
        (79, "normal"),
        (80, "busy"),
        (99, "busy"),
        (100, "strained"),
        (120, "strained"),
        (121, "overloaded"),
        (500, "overloaded"),
    ],
)
def test_load_bands_follow_the_domain_table_bounds_included(inquiries, band):
    assert load_band(inquiries) == band


def test_load_band_thresholds_are_settings(settings):
    settings.AGENCY = {**settings.AGENCY, "LOAD_OVERLOADED_ABOVE": 110}
    assert load_band(111) == LoadBand.OVERLOADED
    assert load_band(110) == LoadBand.STRAINED


ORDER = [band.value for band in LoadBand]


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_load_band_never_falls_as_inquiries_rise(a, b):
    low, high = sorted((a, b))
    assert ORDER.index(load_band(low)) <= ORDER.index(load_band(high))


def test_conversion_rate_is_conversions_over_inquiries_to_four_places():
    assert conversion_rate(2, 3) == Decimal("0.6667")
    assert conversion_rate(0, 10) == Decimal("0.0000")


def test_conversion_rate_and_answer_ratio_are_null_without_a_denominator():
    assert conversion_rate(0, 0) is None
    assert answer_ratio(10, 0) is None


def test_answer_ratio_is_agent_messages_over_buyer_messages():
    assert answer_ratio(360, 300) == Decimal("1.2000")


def test_first_response_over_120_seconds_is_a_miss_and_120_is_not():
    assert is_first_response_miss(121)
    assert not is_first_response_miss(120)


def test_average_daily_inquiries_rounds_half_up():
    assert average_daily_inquiries(5, 2) == 3
    assert average_daily_inquiries(0, 0) == 0


def test_coverage_capacity_full_day_is_the_peak_and_shifts_share_it_by_hours():
    assert coverage_capacity("full") == 600
    assert coverage_capacity("day") == 320  # 600 x 8/15
    assert coverage_capacity("night") == 280  # 600 x 7/15


def test_seats_needed_rounds_up_and_is_at_least_one():
    assert seats_needed(0, 600) == 1
    assert seats_needed(600, 600) == 1
    assert seats_needed(601, 600) == 2


def test_quote_for_one_shift_is_the_shift_plan_priced_per_seat():
    result = quote(daily_inquiries=500, coverage="day", prices=PRICES)
    assert (result.plan, result.shift, result.seats) == ("shift", "day", 2)
    assert result.monthly_price == Decimal("3000.00")
    assert result.short_job is None


def test_quote_for_full_coverage_is_the_full_day_plan():
    result = quote(daily_inquiries=1000, coverage="full", prices=PRICES)
    assert (result.plan, result.shift, result.seats) == ("full_day", None, 2)
    assert result.monthly_price == Decimal("6000.00")


def test_quote_for_a_short_job_offers_the_temporary_plan_per_day():
    result = quote(daily_inquiries=700, coverage="night", prices=PRICES, days=10)
    assert result.seats == 3  # night carries 280 per seat
    assert result.short_job.plan == "temporary"
    assert result.short_job.seats == 2  # the temporary plan covers 09:00-24:00: 600 per seat
    assert result.short_job.total == Decimal("2000.00")  # 2 x 100 x 10


@given(st.integers(min_value=0, max_value=100_000), st.sampled_from(["day", "night", "full"]))
def test_quoted_seats_always_carry_the_inquiries(inquiries, coverage):
    result = quote(daily_inquiries=inquiries, coverage=coverage, prices=PRICES)
    assert result.seats * result.seat_capacity >= inquiries
    assert (result.seats - 1) * result.seat_capacity < max(inquiries, 1)
