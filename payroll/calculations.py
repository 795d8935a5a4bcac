"""Pure money and scoring rules of agent pay (绩效考核 and 提成).

Nothing here touches the database: every rule can be checked with plain tables and property
tests, and the payroll run, the scorecard pages, the payslip PDF and the API share one
implementation of each. Money is ``Decimal`` in CNY rounded half-up to the cent per line
(``agency.money``); scores are 0-100 to two places, half-up.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from agency.money import prorate, round_money
from agency.months import days_in_month, month_last_day

SCORE_PLACES = Decimal("0.01")
HUNDRED = Decimal("100")
_ZERO = Decimal("0.00")


def _score(value: Decimal) -> Decimal:
    return value.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


# --- Days -------------------------------------------------------------------------------------


def employed_days(hired_on: date, left_on: date | None, month: date) -> int:
    """The dates of ``month`` on which the agent was employed: from the hire date to the last
    working day, both inclusive (``left_on=None``: still employed). 0 outside the month."""
    first = month.replace(day=1)
    last = month_last_day(month)
    start = max(hired_on, first)
    end = last if left_on is None else min(left_on, last)
    return max((end - start).days + 1, 0)


# --- Pay lines --------------------------------------------------------------------------------


def base_pay(salary: Decimal, employed: int, month: date) -> Decimal:
    """The monthly base salary for the days employed: 1,800 from the 11th of a 31-day month is
    1,800 x 21 / 31 = 1,219.35; a whole month is the salary itself."""
    return prorate(salary, employed, days_in_month(month))


def leave_deduction(salary: Decimal, unpaid_days: int, month: date) -> Decimal:
    """What unpaid leave takes off the base pay: salary x unpaid days / days in month."""
    return prorate(salary, unpaid_days, days_in_month(month))


def commission(sales: Decimal | None, rate: Decimal) -> Decimal:
    """Attributed sales x the agent's rate, rounded half-up to cents; never negative (no sales,
    unknown sales or a negative figure earn 0.00)."""
    if sales is None or sales <= 0 or rate <= 0:
        return _ZERO
    return round_money(sales * rate)


def cover_allowance(cover_shifts: int, per_shift: Decimal) -> Decimal:
    """The allowance for the cover shifts worked in the month."""
    return round_money(per_shift * max(cover_shifts, 0))


@dataclass(frozen=True)
class PayLines:
    base_pay: Decimal
    deductions: Decimal
    commission: Decimal
    bonus: Decimal
    cover_allowance: Decimal
    adjustments: Decimal = _ZERO

    @property
    def total(self) -> Decimal:
        return payslip_total(self)


def payslip_total(lines: PayLines) -> Decimal:
    """base pay - deductions + commission + bonus + cover allowance + adjustments: the sum of the
    lines, each already rounded to the cent."""
    return (
        lines.base_pay
        - lines.deductions
        + lines.commission
        + lines.bonus
        + lines.cover_allowance
        + lines.adjustments
    )


# --- Scores -----------------------------------------------------------------------------------


def kpi_score(actual: Decimal | int | None, target: Decimal) -> Decimal | None:
    """How far ``actual`` meets ``target``, 0-100: actual / target x 100, capped at 100 (doing
    more than the target earns no more than meeting it). Unknown actual: None (left out of the
    weighting); a target of 0 is met by anything."""
    if actual is None:
        return None
    if target <= 0:
        return HUNDRED.quantize(SCORE_PLACES)
    value = Decimal(actual) / Decimal(target) * HUNDRED
    return _score(min(max(value, Decimal(0)), HUNDRED))


def weighted_score(
    scores: Mapping[str, Decimal | None], weights: Mapping[str, int]
) -> Decimal | None:
    """The month's score, 0-100: the KPI scores weighted, over the weights of the KPIs that are
    known (a figure the platform's exports do not carry does not count for or against the
    agent). None when no weighted KPI is known."""
    known = [(scores[kpi], weights.get(kpi, 0)) for kpi in scores if scores[kpi] is not None]
    total_weight = sum(weight for _, weight in known)
    if total_weight <= 0:
        return None
    return _score(sum(score * weight for score, weight in known) / total_weight)


def grade_for(score: Decimal | None, floors: Mapping[str, Decimal]) -> str:
    """gold, silver or bronze from their floors (inclusive), else "improve"; no score, no
    grade ("")."""
    if score is None:
        return ""
    for grade in ("gold", "silver", "bronze"):
        if score >= floors[grade]:
            return grade
    return "improve"


def review_score(marks: list[tuple[int, int, bool, bool]]) -> tuple[Decimal, bool]:
    """A quality review's score and whether a fatal item was breached.

    ``marks``: (points given, points possible, fatal item?, breached?) per item. Score = points
    given / points possible x 100 over the weighted items; any fatal item breached scores 0.
    Points given are capped at the points possible.
    """
    if any(fatal and breached for _, _, fatal, breached in marks):
        return _ZERO, True
    possible = sum(weight for _, weight, fatal, _ in marks if not fatal)
    if possible <= 0:
        return HUNDRED.quantize(SCORE_PLACES), False
    given = sum(min(points, weight) for points, weight, fatal, _ in marks if not fatal)
    return _score(Decimal(given) / Decimal(possible) * HUNDRED), False
