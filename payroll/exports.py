"""The accountant's payroll spreadsheet (``agency.exports``): one row per payslip of a month,
then a totals row. Headers and values in the reader's language."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agency.exports import Column, Kind
from payroll.choices import Grade, PayslipStatus
from payroll.models import Payslip

PAYSLIP_COLUMNS = (
    Column("employee_no", _("Employee number")),
    Column("agent_name", _("Agent")),
    Column("month", _("Month"), Kind.MONTH),
    Column("status", _("Status"), Kind.CHOICE, dict(PayslipStatus.choices)),
    Column("base_salary", _("Monthly base salary"), Kind.MONEY),
    Column("employed_days", _("Days employed"), Kind.COUNT),
    Column("unpaid_leave_days", _("Unpaid leave days"), Kind.COUNT),
    Column("base_pay", _("Base pay"), Kind.MONEY),
    Column("deductions", _("Deductions"), Kind.MONEY),
    Column("attributed_sales", _("Attributed sales"), Kind.MONEY),
    Column("commission_rate", _("Commission rate"), Kind.PERCENT),
    Column("commission", _("Commission"), Kind.MONEY),
    Column("score", _("Score")),
    Column("grade", _("Grade"), Kind.CHOICE, dict(Grade.choices)),
    Column("bonus", _("Grade bonus"), Kind.MONEY),
    Column("cover_shifts", _("Cover shifts"), Kind.COUNT),
    Column("cover_allowance", _("Cover allowance"), Kind.MONEY),
    Column("adjustments", _("Adjustments"), Kind.MONEY),
    Column("total", _("Total (CNY)"), Kind.MONEY),
)
SUMMED = (
    "base_pay",
    "deductions",
    "attributed_sales",
    "commission",
    "bonus",
    "cover_shifts",
    "cover_allowance",
    "adjustments",
    "total",
)


def payslips_for_export(*, month: date) -> QuerySet[Payslip]:
    """Every payslip of ``month`` by agent name; one query."""
    return (
        Payslip.objects.filter(month=month.replace(day=1))
        .select_related("agent")
        .order_by("agent__name", "agent_id")
    )


def payslip_rows(payslips: Iterable[Payslip]) -> list[dict]:
    """One row per payslip, then the totals row ("Total", the summed columns)."""
    rows = []
    totals: dict[str, Decimal] = {key: Decimal("0") for key in SUMMED}
    for payslip in payslips:
        row = {
            "employee_no": payslip.agent.employee_no,
            "agent_name": payslip.agent.name,
            "month": payslip.month,
            "status": payslip.status,
            "score": "" if payslip.score is None else str(payslip.score),
            **{
                key: getattr(payslip, key)
                for key in (
                    "base_salary",
                    "employed_days",
                    "unpaid_leave_days",
                    "base_pay",
                    "deductions",
                    "attributed_sales",
                    "commission_rate",
                    "commission",
                    "grade",
                    "bonus",
                    "cover_shifts",
                    "cover_allowance",
                    "adjustments",
                    "total",
                )
            },
        }
        for key in SUMMED:
            totals[key] += row[key]
        rows.append(row)
    rows.append({"employee_no": str(_("Total")), **totals})
    return rows
