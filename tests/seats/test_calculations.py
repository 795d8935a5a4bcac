"""Pure rules: load bands, KPI ratios, seat capacity and quotes (no database)."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seats.calculations import (
    LoadBand,
    ShiftSplit,
    agent_load_cap,
    answer_ratio,
    average_daily_inquiries,
    conversion_rate,
    coverage_capacity,
    day_share,
    fits_seat,
    is_first_response_miss,
    load_band,
    quote,
    seat_plan,
    seats_needed,
    split_between_shifts,
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


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=400))
def test_average_daily_inquiries_is_the_exact_quotient_rounded_half_up(total, days):
    """Worked in whole numbers; it is the exact quotient rounded half up."""
    assert average_daily_inquiries(total, days) == math.floor(
        Fraction(total, days) + Fraction(1, 2)
    )


@pytest.mark.parametrize(
    ("inquiries", "shifts", "share", "split"),
    [
        (450, ("day", "night"), None, (240, 210)),  # by hours: 450 x 8/15 = 240
        (100, ("day", "night"), None, (53, 47)),  # 53.33 rounds to 53, night the rest
        (15, ("day", "night"), None, (8, 7)),
        (1, ("day", "night"), None, (1, 0)),  # 0.53 rounds half-up to 1
        (0, ("day", "night"), None, (0, 0)),
        (200, ("day", "night"), Fraction(3, 4), (150, 50)),  # the shop's own history
        (200, ("day",), None, (200, 0)),  # a one-shift contract: all on its shift
        (200, ("night",), Fraction(3, 4), (0, 200)),
    ],
)
def test_split_between_shifts_by_history_else_by_hours(inquiries, shifts, share, split):
    result = split_between_shifts(inquiries, shifts=shifts, share=share)
    assert (result.day, result.night) == split


def test_day_share_is_the_history_else_eight_fifteenths():
    assert day_share(300, 100) == Fraction(3, 4)
    assert day_share(0, 0) == Fraction(8, 15)
    assert day_share(0, 50) == 0


@given(st.integers(min_value=0, max_value=100_000), st.fractions(min_value=0, max_value=1))
def test_a_split_always_adds_up_to_the_inquiries(inquiries, share):
    split = split_between_shifts(inquiries, share=share)
    assert split.total == inquiries and min(split.day, split.night) >= 0


@given(st.integers(min_value=0, max_value=100_000), st.fractions(min_value=0, max_value=1))
def test_split_between_shifts_rounds_the_day_half_up_exactly(inquiries, share):
    """The split is worked in whole numbers; it is the exact product rounded half up."""
    assert split_between_shifts(inquiries, share=share).day == math.floor(
        Fraction(inquiries) * share + Fraction(1, 2)
    )


@pytest.mark.parametrize(
    ("day", "night", "fits"),
    [
        (120, 120, True),  # the strained upper bound is inclusive
        (121, 0, False),  # one more is overloaded: never planned
        (0, 121, False),
        (240, 210, False),  # a 450-inquiry shop on one seat: day 240 > 120
    ],
)
def test_fits_seat_never_plans_an_agent_above_the_strained_bound(day, night, fits):
    assert fits_seat(ShiftSplit(day=day, night=night)) is fits


def test_the_seat_peak_stays_a_further_cap():
    assert fits_seat(ShiftSplit(day=300, night=300), cap=400)
    assert not fits_seat(ShiftSplit(day=301, night=300), cap=400)


def test_agent_load_cap_is_the_strained_upper_bound(settings):
    assert agent_load_cap() == 120
    settings.AGENCY = {**settings.AGENCY, "LOAD_OVERLOADED_ABOVE": 110}
    assert agent_load_cap() == 110
    assert not fits_seat(ShiftSplit(day=111))


def test_coverage_capacity_is_what_one_seat_carries_without_overloading_an_agent():
    assert coverage_capacity("full") == 225  # day 120, night 105
    assert coverage_capacity("day") == 120
    assert coverage_capacity("night") == 120
    assert coverage_capacity("full", cap=1000) == 600  # then the seat peak binds
    assert coverage_capacity("day", cap=1000) == 320  # 600 x 8/15


@pytest.mark.parametrize(
    ("inquiries", "shifts", "seats", "per_shift"),
    [
        (450, ("day", "night"), 2, [("day", 240, 2, 120), ("night", 210, 2, 105)]),
        (225, ("day", "night"), 1, [("day", 120, 1, 120), ("night", 105, 1, 105)]),
        (226, ("day", "night"), 2, [("day", 121, 2, 61), ("night", 105, 1, 53)]),
        (120, ("night",), 1, [("night", 120, 1, 120)]),
        (121, ("night",), 2, [("night", 121, 2, 61)]),
        (0, ("day",), 1, [("day", 0, 1, 0)]),
    ],
)
def test_seat_plan_counts_agents_per_shift_under_the_cap(inquiries, shifts, seats, per_shift):
    plan = seat_plan(inquiries, shifts=shifts)
    assert plan.seats == seats
    assert [
        (row.shift, row.inquiries, row.agents_needed, row.load_per_agent) for row in plan.shifts
    ] == per_shift


def test_seat_plan_keeps_the_peak_as_a_further_cap():
    plan = seat_plan(1300, shifts=("day", "night"), cap=10_000)
    assert (plan.seats_for_peak, plan.seats) == (3, 3)


def test_seats_needed_rounds_up_and_is_at_least_one():
    assert seats_needed(0, 600) == 1
    assert seats_needed(600, 600) == 1
    assert seats_needed(601, 600) == 2


def test_quote_for_one_shift_is_the_shift_plan_priced_per_seat():
    result = quote(daily_inquiries=200, coverage="day", prices=PRICES)
    assert (result.plan, result.shift, result.seats) == ("shift", "day", 2)  # 200 / 120
    assert result.monthly_price == Decimal("3000.00")
    assert result.short_job is None
    assert [(row.shift, row.inquiries, row.agents_needed) for row in result.shifts] == [
        ("day", 200, 2)
    ]


def test_quote_for_full_coverage_is_the_full_day_plan():
    result = quote(daily_inquiries=450, coverage="full", prices=PRICES)
    # 450 <= 600 would fit one seat, but its day agent would answer 240 > 120 a day.
    assert (result.plan, result.shift, result.seats) == ("full_day", None, 2)
    assert result.monthly_price == Decimal("6000.00")
    assert (result.agent_cap, result.peak, result.seats_for_peak) == (120, 600, 1)
    assert [(row.shift, row.inquiries, row.load_per_agent) for row in result.shifts] == [
        ("day", 240, 120),
        ("night", 210, 105),
    ]


def test_quote_for_a_short_job_offers_the_temporary_plan_per_day():
    result = quote(daily_inquiries=300, coverage="night", prices=PRICES, days=10)
    assert result.seats == 3  # one night agent answers at most 120
    assert result.short_job.plan == "temporary"
    assert result.short_job.seats == 2  # 09:00-24:00: day 160 and night 140 need 2 agents each
    assert result.short_job.total == Decimal("2000.00")  # 2 x 100 x 10


@given(st.integers(min_value=0, max_value=100_000), st.sampled_from(["day", "night", "full"]))
def test_a_quote_never_plans_an_agent_above_the_cap(inquiries, coverage):
    result = quote(daily_inquiries=inquiries, coverage=coverage, prices=PRICES)
    assert all(row.load_per_agent <= result.agent_cap for row in result.shifts)
    assert inquiries <= result.seats * result.peak


@given(st.integers(min_value=0, max_value=100_000), st.sampled_from(["day", "night", "full"]))
def test_quoted_seats_always_carry_the_inquiries(inquiries, coverage):
    result = quote(daily_inquiries=inquiries, coverage=coverage, prices=PRICES)
    assert result.seats * result.seat_capacity >= inquiries
    assert (result.seats - 1) * result.seat_capacity < max(inquiries, 1)
