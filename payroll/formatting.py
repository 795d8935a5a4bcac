"""KPI figures as people read them, the same on pages, the desk and the payslip PDF."""

from decimal import Decimal, InvalidOperation

from agency.formatting import fixed_text, money_or_dash, percent_text, ratio_text
from payroll.choices import Kpi

PERCENT_KPIS = {Kpi.CONVERSION, Kpi.FAST_RESPONSES, Kpi.ATTENDANCE}


def kpi_text(value, kpi: str) -> str:
    """A KPI's actual or target: shares as percentages, sales as money, the answer ratio to 2
    places, inquiries per day to 1 place, quality to 2; unknown "–". Text stored in a payslip's
    details (``"0.5356"``) reads like the figure it holds."""
    if value is None or value == "" or value == "–":
        return "–"
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except InvalidOperation:
            return value
    if kpi in PERCENT_KPIS:
        return percent_text(value)
    if kpi == Kpi.SALES:
        return money_or_dash(value)
    if kpi == Kpi.INQUIRIES:
        return fixed_text(value, 1)
    return ratio_text(value)
