"""A payslip's figures from an agent's scorecard and the pay book in force (no database).

The payroll run (``payroll.services.runs``) computes every agent's payslip with this one function,
and the figures it stores are the ones the API, the PDF and the spreadsheet print. ``details``
keeps the arithmetic (days, rate, each KPI's actual, target, weight and score) so that a payslip
explains itself like an invoice's commission statement, and a later change of the pay book or
the data never rewrites how an approved payslip was reached.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from agency.months import days_in_month
from payroll import calculations
from payroll.models import PayBook
from payroll.scorecards import Scorecard


@dataclass(frozen=True)
class PayslipFigures:
    agent_id: int
    month: date
    base_salary: Decimal
    days_in_month: int
    employed_days: int
    unpaid_leave_days: int
    attributed_sales: Decimal
    commission_rate: Decimal
    score: Decimal | None
    grade: str
    cover_shifts: int
    lines: calculations.PayLines
    details: dict

    @property
    def total(self) -> Decimal:
        return self.lines.total


def _text(value) -> str | None:
    return None if value is None else str(value)


def payslip_figures(*, card: Scorecard, book: PayBook, month: date) -> PayslipFigures:
    """The month's pay of the agent of ``card`` under ``book`` (DOMAIN.md, "Agent pay"):
    base salary x days employed / days in month, less unpaid leave days; commission on the
    attributed sales at the agent's rate (else the pay book's); the grade's bonus; the cover
    allowance per cover shift. Adjustments are added by managers afterwards."""
    month = month.replace(day=1)
    agent = card.agent
    employed = calculations.employed_days(agent.hired_on, agent.left_on, month)
    unpaid = min(card.unpaid_leave_days, employed)
    rate = agent.commission_rate if agent.commission_rate is not None else book.commission_rate
    sales = card.kpis.sales or Decimal("0.00")
    lines = calculations.PayLines(
        base_pay=calculations.base_pay(agent.base_salary, employed, month),
        deductions=calculations.leave_deduction(agent.base_salary, unpaid, month),
        commission=calculations.commission(sales, rate),
        bonus=book.grade_bonuses.get(card.grade, Decimal("0.00"))
        if card.grade
        else Decimal("0.00"),
        cover_allowance=calculations.cover_allowance(card.covers, book.cover_allowance),
    )
    details = {
        "until": card.until.isoformat(),
        "pay_book": book.effective_from.isoformat() if book.pk else None,
        "rate_source": "agent" if agent.commission_rate is not None else "pay_book",
        "cover_allowance_per_shift": str(book.cover_allowance),
        "days_worked": card.days_worked,
        "days_scheduled": card.days_scheduled,
        "seat_days": {str(seat): days for seat, days in sorted(card.seat_days.items())},
        "leave_seat_days": {str(seat): days for seat, days in sorted(card.leave_seat_days.items())},
        # Employed days on which the agent neither worked a seat-shift nor held one on leave (a
        # floater waiting for a cover): pay that no seat carries.
        "idle_days": max(
            calculations.employed_days(
                agent.hired_on, min(agent.left_on or card.until, card.until), month
            )
            - card.seat_dates,
            0,
        ),
        "kpis": [
            {
                "kpi": line.kpi,
                "actual": _text(line.actual),
                "target": str(line.target),
                "weight": line.weight,
                "score": _text(line.score),
            }
            for line in card.lines
        ],
    }
    return PayslipFigures(
        agent_id=agent.agent_id,
        month=month,
        base_salary=agent.base_salary,
        days_in_month=days_in_month(month),
        employed_days=employed,
        unpaid_leave_days=unpaid,
        attributed_sales=sales,
        commission_rate=rate,
        score=card.score,
        grade=card.grade,
        cover_shifts=card.covers,
        lines=lines,
        details=details,
    )
