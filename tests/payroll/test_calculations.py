"""The pure rules of agent pay (DOMAIN.md, "Agent pay"): each test names the rule it checks."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payroll import defaults
from payroll.calculations import (
    PayLines,
    base_pay,
    commission,
    cover_allowance,
    employed_days,
    grade_for,
    kpi_score,
    leave_deduction,
    payslip_total,
    review_score,
    weighted_score,
)

D = Decimal
OCT = date(2026, 10, 1)  # 31 days
money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("hired", "left", "month", "days"),
    [
        (date(2026, 10, 11), None, OCT, 21),  # hired on the 11th of a 31-day month
        (date(2025, 1, 1), None, OCT, 31),
        (date(2025, 1, 1), date(2026, 10, 10), OCT, 10),  # left after the 10th
        (date(2026, 10, 5), date(2026, 10, 5), OCT, 1),
        (date(2026, 11, 1), None, OCT, 0),  # hired after the month
        (date(2025, 1, 1), date(2026, 9, 30), OCT, 0),  # gone before it
        (date(2026, 2, 1), None, date(2026, 2, 1), 28),
    ],
)
def test_employed_days_count_hire_and_last_day_inclusive(hired, left, month, days):
    assert employed_days(hired, left, month) == days


@pytest.mark.parametrize(
    ("salary", "days", "month", "pay"),
    [
        (D("1800.00"), 21, OCT, D("1219.35")),  # the rule's own example
        (D("1800.00"), 31, OCT, D("1800.00")),  # a whole month is the salary itself
        (D("1500.00"), 21, OCT, D("1016.13")),
        (D("2000.00"), 0, OCT, D("0.00")),
        (D("1000.00"), 14, date(2026, 2, 1), D("500.00")),
    ],
)
def test_base_pay_is_prorated_by_days_employed(salary, days, month, pay):
    assert base_pay(salary, days, month) == pay


def test_unpaid_leave_is_deducted_by_days():
    assert leave_deduction(D("1800.00"), 2, OCT) == D("116.13")
    assert leave_deduction(D("1800.00"), 0, OCT) == D("0.00")


@pytest.mark.parametrize(
    ("sales", "rate", "earned"),
    [
        (D("60000.00"), D("0.0020"), D("120.00")),
        (D("12345.67"), D("0.0020"), D("24.69")),  # 24.69134 rounds down
        (D("2.50"), D("0.0020"), D("0.01")),  # 0.005 rounds half-up
        (None, D("0.0020"), D("0.00")),  # unknown sales earn nothing
        (D("-10.00"), D("0.0020"), D("0.00")),
    ],
)
def test_commission_is_sales_times_rate_rounded_half_up(sales, rate, earned):
    assert commission(sales, rate) == earned


@given(sales=st.one_of(st.none(), money), rate=st.decimals(min_value=-1, max_value=1, places=4))
def test_commission_is_never_negative(sales, rate):
    assert commission(sales, rate) >= 0


def test_cover_allowance_is_per_shift():
    assert cover_allowance(3, D("50.00")) == D("150.00")


@given(
    base=money,
    deductions=money,
    commission_=money,
    bonus=money,
    allowance=money,
    adjustments=st.decimals(min_value=-(10**5), max_value=10**5, places=2),
)
def test_payslip_total_is_the_sum_of_its_lines(
    base, deductions, commission_, bonus, allowance, adjustments
):
    lines = PayLines(base, deductions, commission_, bonus, allowance, adjustments)
    assert payslip_total(lines) == base - deductions + commission_ + bonus + allowance + adjustments
    assert lines.total == payslip_total(lines)


@pytest.mark.parametrize(
    ("actual", "target", "score"),
    [
        (D("0.15"), D("0.30"), D("50.00")),
        (D("0.45"), D("0.30"), D("100.00")),  # capped at the target
        (None, D("0.30"), None),  # unknown: left out
        (D("5"), D("0"), D("100.00")),
        (D("2"), D("3"), D("66.67")),
    ],
)
def test_kpi_score_is_actual_over_target_capped_at_100(actual, target, score):
    assert kpi_score(actual, target) == score


def test_weighted_score_leaves_unknown_kpis_out_of_the_weighting():
    weights = {"a": 30, "b": 20, "c": 50}
    assert weighted_score({"a": D("100"), "b": D("50"), "c": None}, weights) == D("80.00")
    assert weighted_score({"a": None, "b": None, "c": None}, weights) is None
    assert weighted_score({"a": D("100"), "b": D("50"), "c": D("0")}, weights) == D("40.00")


def test_default_weights_add_up_to_100():
    assert sum(defaults.WEIGHTS.values()) == 100


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (D("99.00"), "gold"),
        (D("95.00"), "gold"),  # floors are inclusive
        (D("94.99"), "silver"),
        (D("80.00"), "bronze"),
        (D("79.99"), "improve"),
        (None, ""),
    ],
)
def test_grade_follows_the_pay_books_floors(score, grade):
    assert grade_for(score, defaults.GRADE_FLOORS) == grade


def test_review_score_is_points_over_possible_and_a_fatal_breach_zeroes_it():
    marks = [(8, 10, False, False), (15, 20, False, False), (0, 0, True, False)]
    assert review_score(marks) == (D("76.67"), False)
    assert review_score([*marks[:2], (0, 0, True, True)]) == (D("0.00"), True)
    assert review_score([(30, 20, False, False)]) == (D("100.00"), False)  # capped per item


def test_kpi_figures_read_as_people_read_them_on_every_page_and_the_payslip():
    from payroll.formatting import kpi_text

    assert kpi_text("0.5356", "conversion") == "53.6%"
    assert kpi_text(D("276922.18"), "sales") == "276,922.18"
    assert kpi_text("1.2872", "answer_ratio") == "1.29"
    assert kpi_text(None, "quality") == "–"
