"""Payroll (工资): months with their status, a run form, a month's payslips, one payslip with its
arithmetic and adjustments.

Starting a run, approving a month and adjusting a payslip ask in a confirm dialog first
(``data-confirm``); every change is a call to ``payroll.services.runs`` and a refusal comes back
as the service's message.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agency import clock
from agency.errors import ApplicationError
from agency.formatting import month_text
from agency.forms import add_service_error
from agency.months import MonthFormField, parse_month
from payroll.documents import kpi_rows, payslip_lines
from payroll.selectors import payroll_month_status, payroll_months, payslip_list
from payroll.services import runs as services
from web.views.base import ManagerPage, paginate

PAYSLIP_PAGE_SIZE = 100
PAYSLIP_SORTS = {
    "agent": ("agent__name", "agent_id"),
    "employee_no": ("agent__employee_no",),
    "base_pay": ("base_pay", "agent__name"),
    "commission": ("commission", "agent__name"),
    "bonus": ("bonus", "agent__name"),
    "score": ("score", "agent__name"),
    "total": ("total", "agent__name"),
}


class PayrollRunForm(forms.Form):
    month = MonthFormField(label=gettext_lazy("Month to pay"))


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (CNY)"),
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("Positive adds pay (补发), negative takes it off (扣款)."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


def _month_or_404(text: str):
    try:
        return parse_month(text)
    except ValueError:
        raise Http404 from None


class PayrollView(ManagerPage):
    """Every month with payroll: draft or approved, the last run, payslips and their total;
    and the form that starts a run."""

    template_name = "manager/payroll/index.html"
    nav = "payroll"

    def get(self, request, *args, **kwargs):
        form = PayrollRunForm(initial={"month": f"{clock.previous_month():%Y-%m}"})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = PayrollRunForm(request.POST)
        if form.is_valid():
            try:
                run = services.payroll_run_create(
                    month=form.cleaned_data["month"], requested_by=request.user
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Payroll run for %(month)s started.") % {"month": month_text(run.month)},
                )
                return redirect("web:payroll-month", month=f"{run.month:%Y-%m}")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return super().get_context_data(months=payroll_months(), **kwargs)


class PayrollMonthView(ManagerPage):
    """A month's payslips (sortable, paginated, with the month's totals), its status, the
    export and the approve button (disabled, with the reason, until it may be approved)."""

    template_name = "manager/payroll/month.html"
    nav = "payroll"

    def post(self, request, *args, **kwargs):
        month = _month_or_404(kwargs["month"])
        try:
            services.payroll_month_approve(month=month, actor=request.user)
        except (ValidationError, ApplicationError) as error:
            text = (
                error.message if isinstance(error, ApplicationError) else " ".join(error.messages)
            )
            messages.error(request, text)
        else:
            messages.success(
                request, _("Payroll for %(month)s approved.") % {"month": month_text(month)}
            )
        return redirect("web:payroll-month", month=kwargs["month"])

    def get_context_data(self, **kwargs):
        kwargs.pop("month", None)  # the URL's text; the page's month is the parsed date
        month = _month_or_404(self.kwargs["month"])
        status = payroll_month_status(month)
        payslips = payslip_list(user=self.request.user).filter(month=month)
        sort = self.request.GET.get("sort") or "agent"
        if sort.lstrip("-") not in PAYSLIP_SORTS:
            sort = "agent"
        order = PAYSLIP_SORTS[sort.lstrip("-")]
        if sort.startswith("-"):
            order = tuple(f"-{key}" for key in order)
        totals = {key: Decimal("0.00") for key in ("base_pay", "deductions", "commission")}
        totals.update({key: Decimal("0.00") for key in ("bonus", "cover_allowance")})
        totals.update({"adjustments": Decimal("0.00"), "total": Decimal("0.00")})
        count = 0
        for row in payslips.values(*totals):
            count += 1
            for key in totals:
                totals[key] += row[key]
        page = paginate(self.request, payslips.order_by(*order, "id"), PAYSLIP_PAGE_SIZE)
        columns = [
            ("agent", _("Agent")),
            ("employee_no", _("Employee number")),
            ("base_pay", _("Base pay")),
            ("commission", _("Commission")),
            ("bonus", _("Grade bonus")),
            ("score", _("Score")),
            ("total", _("Total (CNY)")),
        ]
        approve_blocked = None
        if status["approved"]:
            approve_blocked = _("Approved already.")
        elif not clock.month_has_ended(month):
            approve_blocked = _("The month has not ended yet; it can be approved once it has.")
        elif status["run_unfinished"]:
            approve_blocked = _("A payroll run has not finished yet.")
        elif not status["run_done"]:
            approve_blocked = _("Run payroll for the month before approving it.")
        return super().get_context_data(
            month=month,
            month_param=f"{month:%Y-%m}",
            status=status,
            page_obj=page,
            payslips=page.object_list,
            payslip_count=count,
            totals=totals,
            sort=sort,
            sort_columns=[
                (key, label, key if sort != key else f"-{key}", sort.lstrip("-") == key)
                for key, label in columns
            ],
            approve_blocked=approve_blocked,
            can_run=not status["approved"] and clock.month_has_started(month),
            **kwargs,
        )


class PayslipDetailView(ManagerPage):
    """One payslip: each line with its arithmetic, the scorecard, the adjustment lines and the
    form that adds one (after a confirmation)."""

    template_name = "manager/payroll/payslip.html"
    nav = "payroll"

    def _payslip(self):
        return get_object_or_404(payslip_list(user=self.request.user), pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        payslip = self._payslip()
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            try:
                services.payslip_adjust(
                    payslip=payslip,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Adjustment added."))
                return redirect("web:payslip-detail", pk=payslip.pk)
        return self.render_to_response(self.get_context_data(form=form, payslip=payslip))

    def get_context_data(self, **kwargs):
        payslip = kwargs.pop("payslip", None) or self._payslip()
        kwargs.setdefault("form", AdjustmentForm())
        return super().get_context_data(
            payslip=payslip,
            lines=payslip_lines(payslip),
            kpis=kpi_rows(payslip),
            details=payslip.details or {},
            month_param=f"{payslip.month:%Y-%m}",
            **kwargs,
        )
