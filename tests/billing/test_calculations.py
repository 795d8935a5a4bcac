"""Tests for the pure money math of billing: each case names the DOMAIN.md rule it checks."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency.money import CENT, round_money
from agency.months import days_in_month
from billing.calculations import (
    active_days,
    active_days_between,
    attributed_turnover,
    commission,
    prorate,
    service_days,
    split_by_weights,
    tier_breakdown,
)
from shops.terms import DEFAULT_TIERS, Tier, tiers_from_json, tiers_to_json, validate_tiers

D = Decimal

# --- Contract dates are inclusive; active days inside the month -------------------------------

OCT = date(2026, 10, 1)


@pytest.mark.parametrize(
    ("start", "end", "month", "expected"),
    [
        pytest.param(date(2026, 10, 11), None, OCT, 21, id="open-contract-starting-the-11th"),
        pytest.param(date(2026, 9, 1), date(2026, 10, 10), OCT, 10, id="ends-inside-month"),
        pytest.param(date(2026, 10, 5), date(2026, 10, 9), OCT, 5, id="starts-and-ends-inside"),
        pytest.param(date(2026, 10, 11), date(2026, 10, 11), OCT, 1, id="single-day"),
        pytest.param(date(2026, 1, 1), None, OCT, 31, id="open-contract-whole-month"),
        pytest.param(date(2026, 1, 1), date(2027, 1, 1), OCT, 31, id="spans-whole-month"),
        pytest.param(date(2026, 10, 1), date(2026, 10, 31), OCT, 31, id="exactly-the-month"),
        pytest.param(date(2026, 1, 1), date(2026, 9, 30), OCT, 0, id="ended-before-month"),
        pytest.param(date(2026, 11, 1), None, OCT, 0, id="starts-after-month"),
        pytest.param(date(2026, 10, 31), None, OCT, 1, id="starts-on-last-day"),
        pytest.param(date(2026, 9, 1), date(2026, 10, 1), OCT, 1, id="ends-on-first-day"),
        pytest.param(date(2024, 1, 1), None, date(2024, 2, 1), 29, id="leap-february"),
        pytest.param(date(2024, 2, 15), None, date(2024, 2, 1), 15, id="leap-february-from-15th"),
        pytest.param(date(2026, 2, 15), None, date(2026, 2, 1), 14, id="common-february-15th"),
        pytest.param(date(2026, 10, 11), None, date(2026, 10, 20), 21, id="month-as-any-date"),
    ],
)
def test_active_days_in_month(start: date, end: date | None, month: date, expected: int) -> None:
    assert active_days(start, end, month) == expected


def test_active_days_rejects_a_contract_ending_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        active_days(date(2026, 10, 10), date(2026, 10, 9), OCT)


@pytest.mark.parametrize(
    ("start", "end", "month", "expected"),
    [
        pytest.param(date(2026, 11, 10), date(2026, 11, 12), date(2026, 11, 1), 3, id="11.11"),
        pytest.param(date(2026, 10, 30), date(2026, 11, 2), OCT, 2, id="crosses-month-end"),
        pytest.param(date(2026, 10, 30), date(2026, 11, 2), date(2026, 11, 1), 2, id="next"),
        pytest.param(date(2026, 10, 5), date(2026, 10, 5), OCT, 1, id="one-service-day"),
        pytest.param(date(2026, 9, 1), date(2026, 9, 3), OCT, 0, id="other-month"),
    ],
)
def test_service_days_every_date_from_start_to_end_inclusive(
    start: date, end: date, month: date, expected: int
) -> None:
    assert service_days(start, end, month) == expected


# --- Base fee: monthly fee x active days / days in month --------------------------------------


@pytest.mark.parametrize(
    ("amount", "active", "total", "expected"),
    [
        pytest.param("1500", 21, 31, "1016.13", id="1500-from-the-11th-of-a-31-day-month"),
        pytest.param("1500", 31, 31, "1500.00", id="full-month-is-the-fee-exactly"),
        pytest.param("3000", 30, 30, "3000.00", id="full-30-day-month"),
        pytest.param("3000", 15, 30, "1500.00", id="half-month"),
        pytest.param("3000", 14, 29, "1448.28", id="leap-february-from-the-16th"),
        pytest.param("1500", 0, 31, "0.00", id="no-active-days"),
        pytest.param("1500", 1, 31, "48.39", id="one-day"),
        pytest.param("0.31", 1, 62, "0.01", id="exact-half-cent-rounds-up"),
        pytest.param("0.93", 1, 62, "0.02", id="exact-one-and-a-half-cents-rounds-up"),
    ],
)
def test_prorated_base_fee(amount: str, active: int, total: int, expected: str) -> None:
    assert prorate(D(amount), active, total) == D(expected)


@pytest.mark.parametrize(
    ("active", "total"),
    [
        pytest.param(32, 31, id="more-active-days-than-the-month"),
        pytest.param(-1, 31, id="negative-active-days"),
        pytest.param(0, 0, id="empty-month"),
    ],
)
def test_prorate_rejects_impossible_day_counts(active: int, total: int) -> None:
    with pytest.raises(ValueError):
        prorate(D("1500"), active, total)


@pytest.mark.parametrize(
    ("turnover", "active", "total", "expected"),
    [
        pytest.param("300000", 31, 31, "300000.00", id="whole-month"),
        pytest.param("300000", 21, 31, "203225.81", id="from-the-11th-rounded-to-cents"),
        pytest.param("0", 10, 31, "0.00", id="no-turnover"),
    ],
)
def test_attributed_turnover_is_rounded_to_cents(
    turnover: str, active: int, total: int, expected: str
) -> None:
    assert attributed_turnover(D(turnover), active, total) == D(expected)


def test_attributed_turnover_is_rounded_before_going_through_tiers() -> None:
    # 300,000 x 21/31 = 203,225.806...; the tiers see 203,225.81, not the unrounded share.
    attributed = attributed_turnover(D("300000"), 21, 31)
    expected = round_money(D("3000") + (attributed - D("100000")) * D("0.02"))
    assert commission(attributed, DEFAULT_TIERS, "graduated") == expected == D("5064.52")


def test_attributed_turnover_rejects_negative_turnover() -> None:
    with pytest.raises(ValueError, match="negative"):
        attributed_turnover(D("-1"), 31, 31)


# --- Commission tiers: graduated and flat -----------------------------------------------------


@pytest.mark.parametrize(
    ("turnover", "mode", "expected"),
    [
        pytest.param("300000", "graduated", "7000.00", id="graduated-300000-is-3000-plus-4000"),
        pytest.param("300000", "flat", "6000.00", id="flat-300000-at-2-percent"),
        pytest.param("100000", "flat", "2000.00", id="flat-exactly-100000-is-in-2-percent-tier"),
        pytest.param("100000", "graduated", "3000.00", id="graduated-exactly-100000"),
        pytest.param("99999.99", "flat", "3000.00", id="flat-just-below-first-break"),
        pytest.param("500000", "flat", "5000.00", id="flat-exactly-500000-is-in-1-percent-tier"),
        pytest.param("500000", "graduated", "11000.00", id="graduated-500000"),
        pytest.param("600000", "graduated", "12000.00", id="graduated-above-last-break"),
        pytest.param("600000", "flat", "6000.00", id="flat-above-last-break"),
        pytest.param("0", "graduated", "0.00", id="graduated-no-turnover"),
        pytest.param("0", "flat", "0.00", id="flat-no-turnover"),
        pytest.param("0.17", "graduated", "0.01", id="half-up-0.0051-to-0.01"),
        pytest.param("0.50", "flat", "0.02", id="half-up-0.015-to-0.02"),
    ],
)
def test_commission_with_default_tiers(turnover: str, mode: str, expected: str) -> None:
    assert commission(D(turnover), DEFAULT_TIERS, mode) == D(expected)


def test_commission_rejects_negative_turnover() -> None:
    with pytest.raises(ValueError, match="negative"):
        commission(D("-0.01"), DEFAULT_TIERS, "graduated")


def test_commission_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError, match="mode"):
        commission(D("100"), DEFAULT_TIERS, "progressive")


def test_graduated_breakdown_explains_each_slice() -> None:
    rows = tier_breakdown(D("300000"), DEFAULT_TIERS, "graduated")
    assert [(tier.rate, amount, part) for tier, amount, part in rows] == [
        (D("0.03"), D("100000"), D("3000")),
        (D("0.02"), D("200000"), D("4000")),
    ]


def test_flat_breakdown_is_one_row_at_the_tier_the_turnover_falls_in() -> None:
    rows = tier_breakdown(D("300000"), DEFAULT_TIERS, "flat")
    assert rows == [(DEFAULT_TIERS[1], D("300000"), D("6000"))]


def test_breakdown_at_a_break_has_no_empty_slice() -> None:
    rows = tier_breakdown(D("100000"), DEFAULT_TIERS, "graduated")
    assert [tier for tier, _, _ in rows] == [DEFAULT_TIERS[0]]


def test_breakdown_of_no_turnover_names_the_first_tier() -> None:
    assert tier_breakdown(D("0"), DEFAULT_TIERS, "graduated") == [(DEFAULT_TIERS[0], D(0), D(0))]


# --- Tiers are stored as JSON and validated ---------------------------------------------------

DEFAULT_TIERS_JSON = [
    {"from": "0.00", "rate": "0.0300"},
    {"from": "100000.00", "rate": "0.0200"},
    {"from": "500000.00", "rate": "0.0100"},
]


def test_default_tiers_to_json() -> None:
    assert tiers_to_json(DEFAULT_TIERS) == DEFAULT_TIERS_JSON


def test_default_tiers_from_json() -> None:
    assert tiers_from_json(DEFAULT_TIERS_JSON) == DEFAULT_TIERS


def test_tiers_from_json_accepts_json_numbers_without_float_error() -> None:
    tiers = tiers_from_json([{"from": 0, "rate": 0.03}, {"from": 100000, "rate": 0.02}])
    assert tiers == (Tier(D("0"), D("0.03")), Tier(D("100000"), D("0.02")))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param([], "at least one", id="no-tiers"),
        pytest.param([{"from": "10", "rate": "0.03"}], "start at 0", id="first-not-at-zero"),
        pytest.param(
            [{"from": "0", "rate": "0.03"}, {"from": "0", "rate": "0.02"}],
            "above",
            id="repeated-bound",
        ),
        pytest.param(
            [
                {"from": "0", "rate": "0.03"},
                {"from": "500000", "rate": "0.02"},
                {"from": "100000", "rate": "0.01"},
            ],
            "above",
            id="descending-bounds",
        ),
        pytest.param([{"from": "-1", "rate": "0.03"}], "negative", id="negative-bound"),
        pytest.param([{"from": "0", "rate": "-0.01"}], "between 0 and 1", id="negative-rate"),
        pytest.param([{"from": "0", "rate": "1.01"}], "between 0 and 1", id="rate-above-1"),
        pytest.param([{"from": "0"}], "missing", id="missing-rate"),
        pytest.param([{"rate": "0.03"}], "missing", id="missing-from"),
        pytest.param([{"from": "zero", "rate": "0.03"}], "number", id="not-a-number"),
        pytest.param([{"from": "NaN", "rate": "0.03"}], "number", id="nan"),
        pytest.param([{"from": True, "rate": "0.03"}], "number", id="boolean"),
        pytest.param(["0:0.03"], "'from'", id="entry-not-an-object"),
    ],
)
def test_tiers_from_json_rejects_unusable_tiers(data: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tiers_from_json(data)


@pytest.mark.parametrize(
    "tiers",
    [
        pytest.param((Tier(D("0"), D("0")),), id="zero-rate"),
        pytest.param((Tier(D("0"), D("1")),), id="rate-of-100-percent"),
        pytest.param(DEFAULT_TIERS, id="defaults"),
    ],
)
def test_validate_tiers_accepts_usable_tiers(tiers: tuple[Tier, ...]) -> None:
    validate_tiers(tiers)


# --- Properties -------------------------------------------------------------------------------

turnovers = st.decimals(min_value=0, max_value=10_000_000, places=2)
rates = st.decimals(min_value=0, max_value=1, places=4)


@st.composite
def tier_schedules(draw: st.DrawFn) -> tuple[Tier, ...]:
    """Valid tiers: first at 0, ascending bounds, rates between 0 and 1."""
    breaks = draw(
        st.lists(st.decimals(min_value="0.01", max_value=2_000_000, places=2), unique=True)
    )
    lowers = [D("0.00"), *sorted(breaks)]
    return tuple(Tier(lower=lower, rate=draw(rates)) for lower in lowers)


@given(tiers=tier_schedules(), a=turnovers, b=turnovers)
def test_graduated_commission_never_falls_as_turnover_rises(
    tiers: tuple[Tier, ...], a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    assert commission(low, tiers, "graduated") <= commission(high, tiers, "graduated")


@given(a=turnovers, b=turnovers)
def test_graduated_commission_with_default_tiers_never_falls(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert commission(low, DEFAULT_TIERS, "graduated") <= commission(
        high, DEFAULT_TIERS, "graduated"
    )


@given(
    tiers=tier_schedules(),
    turnover=st.decimals(min_value=1, max_value=10_000_000, places=2),
    mode=st.sampled_from(["graduated", "flat"]),
)
def test_effective_rate_stays_within_the_tier_rates(
    tiers: tuple[Tier, ...], turnover: Decimal, mode: str
) -> None:
    lowest = min(tier.rate for tier in tiers)
    highest = max(tier.rate for tier in tiers)
    result = commission(turnover, tiers, mode)
    assert turnover * lowest - CENT <= result <= turnover * highest + CENT


@given(
    fee=st.decimals(min_value=0, max_value=1_000_000, places=2),
    total=st.integers(min_value=28, max_value=31),
    data=st.data(),
)
def test_prorated_fee_never_exceeds_the_monthly_fee(
    fee: Decimal, total: int, data: st.DataObject
) -> None:
    active = data.draw(st.integers(min_value=0, max_value=total))
    result = prorate(fee, active, total)
    assert D("0.00") <= result <= fee


@given(tiers=tier_schedules(), data=st.data())
def test_flat_and_graduated_agree_below_the_first_break(
    tiers: tuple[Tier, ...], data: st.DataObject
) -> None:
    ceiling = tiers[1].lower - CENT if len(tiers) > 1 else D("10000000")
    turnover = data.draw(st.decimals(min_value=0, max_value=ceiling, places=2))
    assert commission(turnover, tiers, "flat") == commission(turnover, tiers, "graduated")


@given(tiers=tier_schedules(), turnover=turnovers, mode=st.sampled_from(["graduated", "flat"]))
def test_commission_is_the_rounded_sum_of_its_breakdown(
    tiers: tuple[Tier, ...], turnover: Decimal, mode: str
) -> None:
    rows = tier_breakdown(turnover, tiers, mode)
    assert sum(amount for _, amount, _ in rows) == turnover
    # A run's tiers were checked once when read: the breakdown is the same without the check.
    assert tier_breakdown(turnover, tiers, mode, tiers_checked=True) == rows
    assert commission(turnover, tiers, mode) == round_money(sum(part for _, _, part in rows))


@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    month=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
)
def test_active_days_counts_the_contract_dates_inside_the_month(
    start: date, length: int | None, month: date
) -> None:
    end = None if length is None else start + timedelta(days=length)
    first = month.replace(day=1)
    dates = (first + timedelta(days=n) for n in range(days_in_month(month)))
    expected = sum(1 for day in dates if start <= day and (end is None or day <= end))
    assert active_days(start, end, month) == expected
    last = first + timedelta(days=days_in_month(month) - 1)
    assert active_days_between(start, end, first, last) == expected  # a run knows the bounds


@given(tiers=tier_schedules())
def test_tiers_survive_a_json_round_trip(tiers: tuple[Tier, ...]) -> None:
    assert tiers_from_json(tiers_to_json(tiers)) == tiers


# --- Splitting the month's commission between lines -------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        pytest.param("7000.00", ["150000", "150000"], ["3500.00", "3500.00"], id="renewal-halves"),
        pytest.param(
            "7000.00",
            ["100000", "100000", "100000"],
            ["2333.34", "2333.33", "2333.33"],
            id="missing-cent-to-the-first-of-equal-remainders",
        ),
        pytest.param("1.00", ["1", "2"], ["0.33", "0.67"], id="cent-to-the-largest-remainder"),
        pytest.param(
            "7000.00",
            ["20000", "140000", "140000"],
            ["466.67", "3266.67", "3266.66"],
            id="rounding-each-share-would-overshoot",
        ),
        pytest.param("0.01", ["1", "1", "1"], ["0.01", "0.00", "0.00"], id="one-cent-three-ways"),
        pytest.param("5.00", ["0", "3"], ["0.00", "5.00"], id="no-weight-no-part"),
        pytest.param("0.00", ["0", "0"], ["0.00", "0.00"], id="no-turnover-no-commission"),
        pytest.param("0.00", [], [], id="nothing-to-split"),
    ],
)
def test_split_by_weights_sums_exactly_by_largest_remainder(total, weights, expected) -> None:
    parts = split_by_weights(D(total), [D(weight) for weight in weights])
    assert parts == [D(part) for part in expected]
    assert all(part.as_tuple().exponent == -2 for part in parts)


@pytest.mark.parametrize(
    ("total", "weights", "message"),
    [
        pytest.param("1.00", ["0", "0"], "all 0", id="non-zero-over-zero-weights"),
        pytest.param("1.00", [], "all 0", id="non-zero-over-no-weights"),
        pytest.param("1.001", ["1"], "whole cents", id="fraction-of-a-cent"),
        pytest.param("-1.00", ["1"], "0 or more", id="negative-total"),
        pytest.param("1.00", ["1", "-1"], "0 or more", id="negative-weight"),
        pytest.param("1.00", ["NaN"], "0 or more", id="weight-not-a-number"),
    ],
)
def test_split_by_weights_refuses_what_cannot_be_split(total, weights, message) -> None:
    with pytest.raises(ValueError, match=message):
        split_by_weights(D(total), [D(weight) for weight in weights])


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2),
    weights=st.lists(st.decimals(min_value=0, max_value=10**9, places=2), min_size=1, max_size=8),
)
def test_split_parts_sum_exactly_and_stay_within_a_cent_of_their_share(
    total: Decimal, weights: list[Decimal]
) -> None:
    weight_sum = sum(weights, D(0))
    if weight_sum == 0:
        total = D("0.00")
    parts = split_by_weights(total, weights)
    assert sum(parts, D(0)) == total
    assert len(parts) == len(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert part == part.quantize(CENT)
        if weight_sum:
            # Exact share as a fraction of cents: |part - share| < 1 cent.
            share = total * 100 * weight / weight_sum
            assert abs(part * 100 - share) < 1
        else:
            assert part == 0
