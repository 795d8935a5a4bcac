"""Seat profitability with the real people cost: the approved payroll shared between the seats
the agents worked (covers included), else an estimate from base salaries."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from agency.choices import Shift
from agency.money import share_by_days
from billing.models import Invoice
from billing.reports import seat_profitability
from payroll.models import PayrollMonth, Payslip
from payroll.payslips import payslip_figures
from payroll.scorecards import month_scorecards
from payroll.selectors import UNALLOCATED, approved_people_cost, pay_book_for
from seats.services import cover_create, leave_request
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
)

OCTOBER = dt.date(2026, 10, 1)  # 31 days
REPORT = "/api/v1/reports/seat-profitability/"


def payslip(agent, total: str, seat_days: dict, *, month=OCTOBER) -> Payslip:
    """A stored payslip whose whole total is base pay (the report reads only the total)."""
    amount = Decimal(total)
    return Payslip.objects.create(
        agent=agent,
        month=month,
        status=Payslip.Status.APPROVED,
        base_salary=agent.base_salary,
        days_in_month=31,
        employed_days=31,
        base_pay=amount,
        attributed_sales=Decimal("0.00"),
        commission_rate=Decimal("0.0020"),
        commission=Decimal("0.00"),
        total=amount,
        details={"seat_days": {str(seat.pk): days for seat, days in seat_days.items()}},
    )


def approve(month=OCTOBER) -> None:
    PayrollMonth.objects.update_or_create(month=month, defaults={"approved_at": timezone.now()})


def by_code(report) -> dict[str, Decimal]:
    return {row.seat_code: row.agent_cost for row in report.seats}


@pytest.mark.django_db
def test_until_the_payroll_is_approved_the_agent_cost_is_an_estimate_from_base_salaries():
    seat = SeatFactory(code="S1")
    agent = AgentFactory(base_salary=Decimal("1500.00"))
    SeatAssignmentFactory(seat=seat, agent=agent, start_date=dt.date(2026, 1, 1))
    payslip(agent, "2150.40", {seat: 31})
    PayrollMonth.objects.create(month=OCTOBER)  # a draft month

    report = seat_profitability(month=OCTOBER)

    assert report.estimate is True
    assert by_code(report) == {"S1": Decimal("1500.00")}
    assert report.unallocated_cost == Decimal("0.00")
    assert approved_people_cost(month=OCTOBER) is None


@pytest.mark.django_db
def test_an_approved_month_costs_each_seat_the_approved_pay_of_its_agents_by_days_worked():
    seat_1, seat_2 = SeatFactory(code="S1"), SeatFactory(code="S2")
    SeatAssignmentFactory(seat=seat_1, start_date=dt.date(2026, 1, 1))
    SeatAssignmentFactory(seat=seat_2, start_date=dt.date(2026, 1, 1))
    day, night, moved = AgentFactory(), AgentFactory(), AgentFactory()
    payslip(day, "2150.40", {seat_1: 31})
    payslip(night, "1810.00", {seat_2: 31})
    # 20 days on S1, then 11 on S2: 3,000.00 shares as 1,935.48 and 1,064.52.
    payslip(moved, "3000.00", {seat_1: 20, seat_2: 11})
    approve()

    report = seat_profitability(month=OCTOBER)

    assert report.estimate is False
    assert by_code(report) == {
        "S1": Decimal("2150.40") + Decimal("1935.48"),
        "S2": Decimal("1810.00") + Decimal("1064.52"),
    }
    [s1, s2] = report.seats
    assert s1.margin == s1.revenue - s1.agent_cost - s1.overhead


@pytest.mark.django_db
def test_pay_of_an_agent_who_worked_no_seat_is_unallocated_cost():
    seat = SeatFactory(code="S1")
    SeatAssignmentFactory(seat=seat, start_date=dt.date(2026, 1, 1))
    payslip(AgentFactory(), "1600.00", {seat: 31})
    payslip(AgentFactory(), "1200.00", {})  # a month of leave: paid, no seat carried it
    approve()

    report = seat_profitability(month=OCTOBER)

    assert by_code(report) == {"S1": Decimal("1600.00")}
    assert report.unallocated_cost == Decimal("1200.00")
    assert approved_people_cost(month=OCTOBER) == {
        seat.pk: Decimal("1600.00"),
        UNALLOCATED: Decimal("1200.00"),
    }


@pytest.mark.django_db
def test_a_seat_only_covered_in_the_month_is_listed_with_the_cover_agents_pay():
    covered = SeatFactory(code="C1")  # no assignment, no contract: only a cover's pay
    payslip(AgentFactory(), "900.00", {covered: 3})
    approve()

    assert by_code(seat_profitability(month=OCTOBER)) == {"C1": Decimal("900.00")}


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 11, 15, 10, tzinfo=dt.UTC))
def test_covers_count_for_the_seat_the_cover_agent_worked():
    """The day agent's 4 days of leave are covered by a floater: the seat carries the day
    agent's whole pay and the floater's for the days covered; the floater's days without a cover
    are carried by no seat."""
    seat = SeatFactory(code="S1")
    regular = AgentFactory(base_salary=Decimal("1800.00"))
    floater = AgentFactory(base_salary=Decimal("1200.00"))
    SeatAssignmentFactory(seat=seat, agent=regular, shift=Shift.DAY, start_date=dt.date(2026, 1, 1))
    first, last = dt.date(2026, 10, 12), dt.date(2026, 10, 15)
    leave_request(agent=regular, start_date=first, end_date=last, approve=True)
    cover_create(seat=seat, shift=Shift.DAY, agent=floater, start_date=first, end_date=last)
    cards = month_scorecards(month=OCTOBER)
    book = pay_book_for(OCTOBER)
    totals = {}
    for agent_id, card in cards.items():
        figures = payslip_figures(card=card, book=book, month=OCTOBER)
        lines = figures.lines
        Payslip.objects.create(
            agent_id=agent_id,
            month=OCTOBER,
            status=Payslip.Status.APPROVED,
            base_salary=figures.base_salary,
            days_in_month=figures.days_in_month,
            employed_days=figures.employed_days,
            unpaid_leave_days=figures.unpaid_leave_days,
            base_pay=lines.base_pay,
            deductions=lines.deductions,
            attributed_sales=figures.attributed_sales,
            commission_rate=figures.commission_rate,
            commission=lines.commission,
            bonus=lines.bonus,
            cover_allowance=lines.cover_allowance,
            total=figures.total,
            details=figures.details,
        )
        totals[agent_id] = figures.total
    approve()

    assert cards[floater.pk].seat_days == {seat.pk: 4}
    assert cards[floater.pk].covers == 4
    assert cards[regular.pk].leave_seat_days == {seat.pk: 4}
    cost = approved_people_cost(month=OCTOBER)
    # The regular agent's pay (their leave days included: the seat held them) lands on the seat;
    # the floater's by days: the 4 covered days on the seat, the 27 spent waiting on no seat.
    floater_shares = share_by_days(totals[floater.pk], [(seat.pk, 4), (None, 27)])
    assert cost == {
        seat.pk: totals[regular.pk] + floater_shares[seat.pk],
        None: floater_shares[None],
    }
    assert totals[floater.pk] > Decimal("0.00")
    assert by_code(seat_profitability(month=OCTOBER)) == {"S1": cost[seat.pk]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payslips",
    [
        [("100.00", [10, 10, 10])],
        [("2150.41", [7, 13, 11]), ("1999.99", [1, 0, 2]), ("0.01", [1, 1, 1])],
        [("1816.13", [0, 0, 0]), ("3333.33", [3, 3, 3]), ("1234.56", [17, 0, 14])],
    ],
)
def test_the_seats_shares_add_up_to_the_approved_payroll_exactly(payslips):
    seats = [SeatFactory() for _ in range(3)]
    for total, days in payslips:
        payslip(AgentFactory(), total, dict(zip(seats, days, strict=True)))
    approve()

    report = seat_profitability(month=OCTOBER)

    allocated = sum((row.agent_cost for row in report.seats), Decimal("0.00"))
    assert allocated + report.unallocated_cost == sum(Decimal(total) for total, _ in payslips)


@pytest.mark.django_db
def test_the_report_with_approved_pay_costs_six_queries_whatever_the_payslips(
    django_assert_num_queries,
):
    def seat_with_agents() -> None:
        seat = SeatFactory()
        other = SeatFactory()
        shop = ShopFactory()
        ContractFactory(shop=shop, seat=seat, start_date=OCTOBER, end_date=None)
        Invoice.objects.create(shop=shop, month=OCTOBER, total=Decimal("3000.00"))
        agent = AgentFactory()
        SeatAssignmentFactory(seat=seat, agent=agent, start_date=OCTOBER)
        payslip(agent, "1777.77", {seat: 29, other: 2})
        payslip(AgentFactory(), "1000.00", {})

    approve()
    seat_with_agents()
    with django_assert_num_queries(6):
        seat_profitability(month=OCTOBER)
    for _ in range(5):
        seat_with_agents()
    with django_assert_num_queries(6):
        report = seat_profitability(month=OCTOBER)
    assert report.unallocated_cost == Decimal("6000.00")


@pytest.mark.django_db
def test_report_api_and_export_say_whether_the_cost_is_approved_pay(manager_api):
    seat = SeatFactory(code="S1", overhead=Decimal("800.00"))
    agent = AgentFactory()
    SeatAssignmentFactory(seat=seat, agent=agent, start_date=dt.date(2026, 1, 1))
    payslip(agent, "2000.00", {seat: 31})
    payslip(AgentFactory(), "300.00", {})
    approve()

    response = manager_api.get(REPORT, {"month": "2026-10"})

    assert response.status_code == 200
    [row] = response.json()
    assert (row["agent_cost"], row["margin"], row["estimate"]) == ("2000.00", "-2800.00", False)
    assert response["X-Agent-Cost-Estimate"] == "false"
    assert response["X-Unallocated-Cost"] == "300.00"

    export = manager_api.get(
        f"{REPORT}export/", {"month": "2026-10"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode("utf-8-sig")
    assert "Agent cost basis" in export.splitlines()[0]
    assert "S1,0.00,2000.00,800.00,-2800.00,Approved payroll" in export
    assert "Agent pay carried by no seat,,300.00,,," in export
