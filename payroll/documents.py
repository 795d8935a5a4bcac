"""Payslip documents: the lines of a payslip with how each was reached, the PDF (Chinese by
default) and the accountant's spreadsheet rows.

Everything here only reads payslips. Every amount printed is the amount stored on the payslip,
and the arithmetic under it is read from the payslip's own figures (days, rate, shifts) and its
``details`` (written by the payroll run), so the document, the pages and the API cannot disagree.

WeasyPrint is imported lazily, on the first PDF, because it needs system libraries (Pango,
HarfBuzz) that a worker or a developer machine may lack; without them the rest of the site keeps
working and a PDF request says exactly what is missing (``PdfUnavailable``).
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from agency import branding
from agency.formatting import as_decimal, fixed_text, money_text, month_text, rate_text
from agency.pdf import (  # noqa: F401  (re-exported: the APIs catch it from here)
    PdfUnavailable,
    pdf_rendering_unavailable,
    render_pdf,
)
from payroll.choices import Grade, Kpi
from payroll.formatting import kpi_text
from payroll.models import Payslip

PDF_TEMPLATE = "payroll/payslip_pdf.html"
PDF_LANGUAGE = "zh-hans"
"""Payslips print in Chinese unless the reader asks for another language (``?lang=en``)."""


# --- The lines ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayslipLine:
    """One line of a payslip in the reader's language: what it is, how it was reached, the
    amount it adds (a deduction negative)."""

    key: str
    label: str
    how: str
    amount: Any

    @property
    def amount_text(self) -> str:
        return money_text(self.amount)


def grade_label(grade: str) -> str:
    return str(Grade(grade).label) if grade in Grade.values else _("not scored")


def _per_shift(payslip: Payslip) -> Decimal:
    stored = as_decimal((payslip.details or {}).get("cover_allowance_per_shift"))
    if stored is not None:
        return stored
    if payslip.cover_shifts:
        return payslip.cover_allowance / payslip.cover_shifts
    return Decimal("0.00")


def payslip_lines(payslip: Payslip) -> list[PayslipLine]:
    """The payslip's lines with their arithmetic, then one line per adjustment (reads
    ``payslip.adjustment_lines``: prefetch it for lists)."""
    salary = money_text(payslip.base_salary)
    days = {"employed": payslip.employed_days, "days": payslip.days_in_month, "salary": salary}
    lines = [
        PayslipLine(
            "base_pay",
            _("Base pay"),
            _("%(salary)s x %(employed)s days employed / %(days)s days in the month") % days,
            payslip.base_pay,
        ),
        PayslipLine(
            "deductions",
            _("Unpaid leave"),
            _("%(salary)s x %(unpaid)s unpaid leave days / %(days)s days in the month")
            % {**days, "unpaid": payslip.unpaid_leave_days},
            -payslip.deductions,
        ),
        PayslipLine(
            "commission",
            _("Commission"),
            _("Attributed sales %(sales)s x %(rate)s (%(source)s)")
            % {
                "sales": money_text(payslip.attributed_sales),
                "rate": rate_text(payslip.commission_rate),
                "source": _("the agent's own rate")
                if (payslip.details or {}).get("rate_source") == "agent"
                else _("the pay book's rate"),
            },
            payslip.commission,
        ),
        PayslipLine(
            "bonus",
            _("Grade bonus"),
            _("Grade %(grade)s, score %(score)s")
            % {
                "grade": grade_label(payslip.grade),
                "score": fixed_text(payslip.score, 2) if payslip.score is not None else "–",
            },
            payslip.bonus,
        ),
        PayslipLine(
            "cover_allowance",
            _("Cover allowance"),
            _("%(shifts)s cover shifts x %(each)s")
            % {
                "shifts": payslip.cover_shifts,
                "each": money_text(_per_shift(payslip)),
            },
            payslip.cover_allowance,
        ),
    ]
    for adjustment in payslip.adjustment_lines.all():
        lines.append(
            PayslipLine("adjustment", _("Adjustment"), adjustment.reason, adjustment.amount)
        )
    return lines


@dataclass(frozen=True)
class KpiRow:
    label: str
    actual: str
    target: str
    weight: int
    score: str


def kpi_rows(payslip: Payslip) -> list[KpiRow]:
    """The scorecard as the run stored it in ``details`` (each KPI's actual, target, weight,
    score); unreadable entries are skipped."""
    rows = []
    for entry in (payslip.details or {}).get("kpis", []) or []:
        if not isinstance(entry, dict) or entry.get("kpi") not in Kpi.values:
            continue
        rows.append(
            KpiRow(
                label=str(Kpi(entry["kpi"]).label),
                actual=kpi_text(entry.get("actual"), entry["kpi"]),
                target=kpi_text(entry.get("target"), entry["kpi"]),
                weight=entry.get("weight") or 0,
                score=entry.get("score") or "–",
            )
        )
    return rows


# --- The PDF ----------------------------------------------------------------------------------


def document_language(requested: str | None) -> str:
    """The PDF's language: ``requested`` (a code of ``settings.LANGUAGES``, any case), else
    Chinese. ``ValueError`` naming the choices for any other code."""
    if not requested:
        return PDF_LANGUAGE
    codes = {code.lower(): code for code, _name in settings.LANGUAGES}
    code = codes.get(requested.strip().lower())
    if code is None:
        raise ValueError(
            _("Unknown language %(lang)s: choose one of %(choices)s.")
            % {"lang": requested, "choices": ", ".join(codes.values())}
        )
    return code


def render_payslip_html(payslip: Payslip, language: str = PDF_LANGUAGE) -> str:
    with translation.override(language):
        return render_to_string(
            PDF_TEMPLATE,
            {
                "language": language,
                "agency_name": branding.agency_name(),
                "payslip": payslip,
                "month": month_text(payslip.month),
                "is_draft": payslip.status == Payslip.Status.DRAFT,
                "status_label": payslip.get_status_display(),
                "lines": payslip_lines(payslip),
                "kpis": kpi_rows(payslip),
                "total": money_text(payslip.total),
            },
        )


def render_payslip_pdf(payslip: Payslip, language: str = PDF_LANGUAGE) -> bytes:
    """The payslip as a PDF; ``PdfUnavailable`` when WeasyPrint cannot be loaded."""
    return render_pdf(render_payslip_html(payslip, language))


def payslip_pdf_filename(payslip: Payslip) -> str:
    """``payslip-2026-10-A001.pdf``."""
    number = re.sub(r"[^A-Za-z0-9_-]+", "", payslip.agent.employee_no) or str(payslip.agent_id)
    return f"payslip-{payslip.month:%Y-%m}-{number}.pdf"
