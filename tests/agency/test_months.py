"""Months: "2026-10" names October 2026, held as its first day; month lengths."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency.months import days_in_month, month_last_day, parse_month

# --- A month is a calendar month, "2026-10" names October 2026 --------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026-10", date(2026, 10, 1), id="october-2026"),
        pytest.param("2026-01", date(2026, 1, 1), id="january-with-leading-zero"),
        pytest.param("2024-02", date(2024, 2, 1), id="leap-february"),
        pytest.param(" 2026-12 ", date(2026, 12, 1), id="surrounding-spaces-ignored"),
    ],
)
def test_parse_month_names_the_first_day_of_the_month(text: str, expected: date) -> None:
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("2026-13", id="month-13"),
        pytest.param("2026-00", id="month-00"),
        pytest.param("abc", id="not-a-month"),
        pytest.param("2026-1", id="single-digit-month"),
        pytest.param("26-10", id="two-digit-year"),
        pytest.param("2026/10", id="wrong-separator"),
        pytest.param("2026-10-01", id="a-date-not-a-month"),
        pytest.param("0000-10", id="year-zero"),
        pytest.param("0001-01", id="year-one"),
        pytest.param("1999-12", id="before-2000"),
        pytest.param("2101-01", id="after-2100"),
        pytest.param("9999-12", id="year-9999"),
        pytest.param("", id="empty"),
        pytest.param("２０２６-10", id="non-ascii-digits"),
    ],
)
def test_parse_month_rejects_bad_input_with_a_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_month(text)


@pytest.mark.parametrize(
    ("month", "last_day", "length"),
    [
        pytest.param(date(2026, 10, 1), date(2026, 10, 31), 31, id="31-day-month"),
        pytest.param(date(2026, 9, 1), date(2026, 9, 30), 30, id="30-day-month"),
        pytest.param(date(2026, 2, 1), date(2026, 2, 28), 28, id="common-february"),
        pytest.param(date(2024, 2, 1), date(2024, 2, 29), 29, id="leap-february"),
        pytest.param(date(2100, 2, 1), date(2100, 2, 28), 28, id="century-not-leap"),
        pytest.param(date(2000, 2, 14), date(2000, 2, 29), 29, id="any-date-of-the-month"),
    ],
)
def test_month_length(month: date, last_day: date, length: int) -> None:
    assert month_last_day(month) == last_day
    assert days_in_month(month) == length


@given(month=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_parse_month_reads_back_any_month_from_2000_to_2100(month: date) -> None:
    assert parse_month(f"{month.year:04d}-{month.month:02d}") == month.replace(day=1)


# --- A month filter never formats the user's input ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/invoices/", "/api/v1/billing/runs/", "/api/v1/turnover-reports/"]
)
@pytest.mark.parametrize("value", ["%s", "%(x)s", "%d-%s", "100%"])
def test_a_month_filter_with_percent_signs_is_a_400_naming_the_field(manager_api, path, value):
    response = manager_api.get(path, {"month": value})

    assert response.status_code == 400
    assert value in response.json()["month"][0]
