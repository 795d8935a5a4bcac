"""Seat profitability: revenue shared by days served, prorated salaries, overhead, margin."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency.choices import Plan, Shift
from billing.calculations import prorate
from billing.models import Invoice
from billing.reports import _days_in_month, seat_profitability, share_by_days
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
)

OCTOBER = dt.date(2026, 10, 1)  # 31 days
NOVEMBER = dt.date(2026, 11, 1)  # 30 days
REPORT = "/api/v1/reports/seat-profitability/"


def invoice(shop, total: str, *, month=OCTOBER, status=Invoice.Status.ISSUED, number=None):
    if status != Invoice.Status.DRAFT and number is None:
        number = f"INV-{month:%Y}-{Invoice.objects.count() + 1:06d}"
    return Invoice.objects.create(
        shop=shop, month=month, status=status, number=number, total=Decimal(total)
    )


def contract(shop, seat, start: dt.date, end: dt.date | None = None, **kwargs):
    return ContractFactory(shop=shop, seat=seat, start_date=start, end_date=end, **kwargs)


def rows_by_code(report) -> dict[str, dict[str, Decimal]]:
    return {
        row.seat_code: {
            "revenue": row.revenue,
            "agent_cost": row.agent_cost,
            "overhead": row.overhead,
            "margin": row.margin,
        }
        for row in report.seats
    }


# --- Sharing an invoice between seats ---------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "days", "shares"),
    [
        # The worked example: 3,000 served 20 days by one seat and 11 by another.
        ("3000.00", [20, 11], ["1935.48", "1064.52"]),
        # Three equal shares of 100.00: 33.33 each, the last takes the remaining cent.
        ("100.00", [10, 10, 10], ["33.33", "33.33", "33.34"]),
        ("10.00", [2, 1], ["6.67", "3.33"]),
        ("1016.13", [31], ["1016.13"]),
        ("0.00", [5, 26], ["0.00", "0.00"]),
        ("0.01", [1, 1], ["0.01", "0.00"]),
    ],
)
def test_share_by_days_rounds_half_up_and_gives_the_remainder_to_the_last_share(
    total, days, shares
):
    result = share_by_days(Decimal(total), list(enumerate(days)))
    assert [result[key] for key in range(len(days))] == [Decimal(s) for s in shares]


@given(
    total=st.decimals(min_value=0, max_value=10_000_000, places=2),
    days=st.lists(st.integers(min_value=1, max_value=31), min_size=1, max_size=4),
)
def test_shares_always_add_up_to_the_invoice_total(total, days):
    shares = share_by_days(total, list(enumerate(days)))
    assert sum(shares.values()) == total
    all_days = sum(days)
    for key, count in enumerate(days[:-1]):
        assert shares[key] == prorate(total, count, all_days)


def test_share_by_days_needs_days_to_share_by():
    with pytest.raises(ValueError):
        share_by_days(Decimal("100.00"), [])
    with pytest.raises(ValueError):
        share_by_days(Decimal("100.00"), [(1, 0)])


# --- The report -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_worked_example_revenue_shared_by_days_and_salary_prorated_by_days_assigned(shop_a):
    seat_1, seat_2 = SeatFactory(code="S1"), SeatFactory(code="S2")
    contract(shop_a, seat_1, dt.date(2026, 9, 1), dt.date(2026, 10, 20))
    contract(shop_a, seat_2, dt.date(2026, 10, 21))
    invoice(shop_a, "3000.00")
    agent = AgentFactory(base_salary=Decimal("1500.00"))
    SeatAssignmentFactory(
        seat=seat_1, agent=agent, start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 10, 10)
    )

    report = seat_profitability(month=OCTOBER)

    assert rows_by_code(report) == {
        "S1": {
            "revenue": Decimal("1935.48"),
            "agent_cost": Decimal("483.87"),
            "overhead": Decimal("800.00"),
            "margin": Decimal("651.61"),
        },
        "S2": {
            "revenue": Decimal("1064.52"),
            "agent_cost": Decimal("0.00"),
            "overhead": Decimal("800.00"),
            "margin": Decimal("264.52"),
        },
    }
    assert report.unallocated_revenue == Decimal("0.00")


@pytest.mark.django_db
def test_remainder_cent_goes_to_the_last_seat_by_code(shop_a):
    seats = [SeatFactory(code=code) for code in ("A", "B", "C")]
    for seat, (first, last) in zip(seats, [(1, 10), (11, 20), (21, 30)], strict=True):
        contract(shop_a, seat, dt.date(2026, 11, first), dt.date(2026, 11, last))
    invoice(shop_a, "100.00", month=NOVEMBER)

    revenue = {row.seat_code: row.revenue for row in seat_profitability(month=NOVEMBER).seats}

    assert revenue == {"A": Decimal("33.33"), "B": Decimal("33.33"), "C": Decimal("33.34")}


@pytest.mark.django_db
def test_a_date_served_by_two_contracts_on_one_seat_counts_once(shop_a):
    seat_1, seat_2 = SeatFactory(code="S1"), SeatFactory(code="S2")
    contract(shop_a, seat_1, dt.date(2026, 10, 1), plan=Plan.SHIFT, shift=Shift.DAY)
    contract(
        shop_a,
        seat_1,
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 10),
        plan=Plan.TEMPORARY,
        price=Decimal("100.00"),
    )
    contract(shop_a, seat_2, dt.date(2026, 10, 1), plan=Plan.SHIFT, shift=Shift.NIGHT)
    invoice(shop_a, "3600.00")

    revenue = {row.seat_code: row.revenue for row in seat_profitability(month=OCTOBER).seats}

    assert revenue == {"S1": Decimal("1800.00"), "S2": Decimal("1800.00")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "counted"),
    [
        (Invoice.Status.DRAFT, True),
        (Invoice.Status.ISSUED, True),
        (Invoice.Status.PAID, True),
        (Invoice.Status.VOID, False),
    ],
)
def test_revenue_counts_live_invoices_and_never_void_ones(shop_a, status, counted):
    seat = SeatFactory(code="S1")
    contract(shop_a, seat, dt.date(2026, 1, 1))
    invoice(shop_a, "3000.00", status=status)

    [row] = seat_profitability(month=OCTOBER).seats

    assert row.revenue == (Decimal("3000.00") if counted else Decimal("0.00"))


@pytest.mark.django_db
def test_a_voided_invoice_and_its_rebill_count_once(shop_a):
    seat = SeatFactory(code="S1")
    contract(shop_a, seat, dt.date(2026, 1, 1))
    invoice(shop_a, "2500.00", status=Invoice.Status.VOID)
    invoice(shop_a, "3000.00", status=Invoice.Status.ISSUED)

    [row] = seat_profitability(month=OCTOBER).seats

    assert row.revenue == Decimal("3000.00")


@pytest.mark.django_db
def test_other_months_invoices_do_not_count(shop_a):
    seat = SeatFactory(code="S1")
    contract(shop_a, seat, dt.date(2026, 1, 1))
    invoice(shop_a, "3000.00", month=dt.date(2026, 9, 1))
    invoice(shop_a, "3000.00", month=NOVEMBER)

    [row] = seat_profitability(month=OCTOBER).seats

    assert row.revenue == Decimal("0.00")


@pytest.mark.django_db
def test_revenue_served_without_a_seat_is_unallocated(shop_a, shop_b):
    seat = SeatFactory(code="S1")
    contract(shop_a, None, dt.date(2026, 1, 1))  # no seat at all
    invoice(shop_a, "1500.00")
    contract(shop_b, seat, dt.date(2026, 10, 1), dt.date(2026, 10, 20))
    contract(shop_b, None, dt.date(2026, 10, 21))  # 11 days without a seat
    invoice(shop_b, "3000.00")

    report = seat_profitability(month=OCTOBER)

    assert [(row.seat_code, row.revenue) for row in report.seats] == [("S1", Decimal("1935.48"))]
    assert report.unallocated_revenue == Decimal("1500.00") + Decimal("1064.52")


@pytest.mark.django_db
def test_an_invoice_of_a_shop_without_contracts_in_the_month_is_unallocated(shop_a):
    contract(shop_a, SeatFactory(), dt.date(2026, 1, 1), dt.date(2026, 9, 30))
    invoice(shop_a, "700.00")

    report = seat_profitability(month=OCTOBER)

    assert report.seats == []
    assert report.unallocated_revenue == Decimal("700.00")


@pytest.mark.django_db
def test_agent_cost_sums_both_shifts_each_prorated_and_rounded_half_up():
    seat = SeatFactory(code="S1", overhead=Decimal("650.00"))
    # Open-ended from before the month: the full salary.
    SeatAssignmentFactory(
        seat=seat,
        agent=AgentFactory(base_salary=Decimal("1800.00")),
        shift=Shift.DAY,
        start_date=dt.date(2026, 3, 1),
    )
    # Night: 10 days, then another agent for 21 days.
    SeatAssignmentFactory(
        seat=seat,
        agent=AgentFactory(base_salary=Decimal("1500.00")),
        shift=Shift.NIGHT,
        start_date=dt.date(2026, 9, 15),
        end_date=dt.date(2026, 10, 10),
    )
    SeatAssignmentFactory(
        seat=seat,
        agent=AgentFactory(base_salary=Decimal("1200.00")),
        shift=Shift.NIGHT,
        start_date=dt.date(2026, 10, 11),
    )
    # Ended before the month: no cost.
    SeatAssignmentFactory(
        seat=seat,
        agent=AgentFactory(base_salary=Decimal("9999.00")),
        shift=Shift.DAY,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 2, 28),
    )

    [row] = seat_profitability(month=OCTOBER).seats

    # 1,800.00 + 1,500 x 10/31 (483.87) + 1,200 x 21/31 (812.90)
    assert row.agent_cost == Decimal("3096.77")
    assert row.overhead == Decimal("650.00")
    assert row.revenue == Decimal("0.00")
    assert row.margin == Decimal("-3746.77")


@pytest.mark.django_db
def test_only_seats_in_use_in_the_month_are_listed(shop_a):
    SeatFactory(code="IDLE")
    with_contract = SeatFactory(code="C")
    with_agent = SeatFactory(code="A")
    later = SeatFactory(code="LATER")
    contract(shop_a, with_contract, dt.date(2026, 10, 31))
    SeatAssignmentFactory(seat=with_agent, start_date=dt.date(2026, 10, 1))
    SeatAssignmentFactory(seat=later, start_date=dt.date(2026, 11, 1))

    codes = [row.seat_code for row in seat_profitability(month=OCTOBER).seats]

    assert codes == ["A", "C"]


@pytest.mark.django_db
def test_report_costs_five_queries_whatever_the_number_of_seats(django_assert_num_queries):
    def seat_with_shop() -> None:
        seat = SeatFactory()
        shop = ShopFactory()
        contract(shop, seat, dt.date(2026, 10, 1))
        invoice(shop, "3000.00")
        SeatAssignmentFactory(seat=seat, start_date=dt.date(2026, 10, 1))

    seat_with_shop()
    # Invoices, contracts, assignments, seats, and whether the month's payroll is approved.
    with django_assert_num_queries(5):
        assert len(seat_profitability(month=OCTOBER).seats) == 1
    for _ in range(6):
        seat_with_shop()
    with django_assert_num_queries(5):
        assert len(seat_profitability(month=OCTOBER).seats) == 7


# --- GET /api/v1/reports/seat-profitability/ --------------------------------------------------


@pytest.mark.django_db
def test_report_api_lists_seats_with_money_strings_and_the_unallocated_header(
    manager_api, shop_a, shop_b
):
    seat_1, seat_2 = SeatFactory(code="S1"), SeatFactory(code="S2")
    contract(shop_a, seat_1, dt.date(2026, 10, 1), dt.date(2026, 10, 20))
    contract(shop_a, seat_2, dt.date(2026, 10, 21))
    invoice(shop_a, "3000.00")
    contract(shop_b, None, dt.date(2026, 1, 1))
    invoice(shop_b, "1016.13")
    SeatAssignmentFactory(
        seat=seat_1,
        agent=AgentFactory(base_salary=Decimal("1500.00")),
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 10, 10),
    )

    response = manager_api.get(REPORT, {"month": "2026-10"})

    assert response.status_code == 200
    assert response.json() == [
        {
            "seat": seat_1.pk,
            "seat_code": "S1",
            "revenue": "1935.48",
            "agent_cost": "483.87",
            "overhead": "800.00",
            "margin": "651.61",
            "estimate": True,
        },
        {
            "seat": seat_2.pk,
            "seat_code": "S2",
            "revenue": "1064.52",
            "agent_cost": "0.00",
            "overhead": "800.00",
            "margin": "264.52",
            "estimate": True,
        },
    ]
    assert response["X-Unallocated-Revenue"] == "1016.13"
    assert response["X-Unallocated-Cost"] == "0.00"
    assert response["X-Agent-Cost-Estimate"] == "true"


@pytest.mark.django_db
def test_report_api_for_a_quiet_month_is_an_empty_list(manager_api):
    response = manager_api.get(REPORT, {"month": "2030-01"})
    assert response.status_code == 200
    assert response.json() == []
    assert response["X-Unallocated-Revenue"] == "0.00"


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"month": "2026-00"}, {"month": "2026-1"}, {"month": "x"}])
def test_report_api_refuses_a_missing_or_malformed_month(manager_api, query):
    response = manager_api.get(REPORT, query)
    assert response.status_code == 400
    assert "month" in response.json()


@pytest.mark.django_db
def test_report_api_is_for_managers_only(api, owner_a_api, shop_a):
    assert api.get(REPORT, {"month": "2026-10"}).status_code == 401
    # The role check comes first: even a malformed month tells an owner nothing more than 403.
    assert owner_a_api.get(REPORT, {"month": "2026-10"}).status_code == 403
    assert owner_a_api.get(REPORT, {"month": "nope"}).status_code == 403


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (dt.date(2026, 9, 20), None, set(range(1, 32))),  # running: the whole month
        (dt.date(2026, 10, 5), dt.date(2026, 10, 7), {5, 6, 7}),
        (dt.date(2026, 10, 31), None, {31}),
        (dt.date(2026, 9, 1), dt.date(2026, 10, 1), {1}),
        (dt.date(2026, 11, 1), None, set()),  # begins after the month
    ],
)
def test_days_in_month_are_one_bit_a_date(start, end, days):
    mask = _days_in_month(start, end, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert {day for day in range(1, 32) if mask >> (day - 1) & 1} == days
    assert mask.bit_count() == len(days)
