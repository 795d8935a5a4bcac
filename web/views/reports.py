"""Reports: seat profitability (``billing.reports``), revenue by plan, month over month."""

from django.utils.translation import gettext as _

from agency import clock
from agency.charts import Point, bar_chart
from agency.formatting import money_text, month_text
from billing.reports import seat_profitability
from billing.selectors import ZERO, revenue_by_plan
from web import selectors
from web.forms import ReportMonthForm
from web.views.base import ManagerPage, paginate

TREND_MONTHS = 12


class ReportsView(ManagerPage):
    template_name = "manager/reports/index.html"
    nav = "reports"

    def get_context_data(self, **kwargs):
        default = clock.previous_month()
        form = ReportMonthForm(self.request.GET if "month" in self.request.GET else None)
        month = form.cleaned_data["month"] if form.is_valid() else default
        if not form.is_bound:
            form = ReportMonthForm(initial={"month": f"{default:%Y-%m}"})

        report = seat_profitability(month=month)
        totals = {
            "revenue": sum((row.revenue for row in report.seats), ZERO),
            "agent_cost": sum((row.agent_cost for row in report.seats), ZERO),
            "overhead": sum((row.overhead for row in report.seats), ZERO),
            "margin": sum((row.margin for row in report.seats), ZERO),
        }
        # A page of seats in the table and the chart (by code); the totals are of all seats.
        page = paginate(self.request, report.seats)
        margin_chart = bar_chart(
            [Point(row.seat_code, row.margin, money_text(row.margin)) for row in page.object_list],
            chart_id="seat-margin",
            title=_("Margin per seat, %(month)s") % {"month": month_text(month)},
            description=_(
                "Revenue minus agent cost and overhead per seat, in CNY; "
                "bars below the line are losses."
            ),
        )

        by_plan = revenue_by_plan(month=month)
        trend = selectors.month_over_month(last_month=month, months=TREND_MONTHS)
        trend_chart = bar_chart(
            [
                Point(month_text(entry.month), entry.amount, money_text(entry.amount))
                for entry in trend
            ],
            chart_id="revenue-trend",
            most_labels=TREND_MONTHS // 2,
            title=_("Revenue per month"),
            description=_(
                "Totals of the invoices of each month, not void, in CNY, from %(start)s to %(end)s."
            )
            % {"start": month_text(trend[0].month), "end": month_text(trend[-1].month)},
        )
        return super().get_context_data(
            form=form,
            month=month,
            month_param=f"{month:%Y-%m}",
            report=report,
            page_obj=page,
            totals=totals,
            margin_chart=margin_chart,
            by_plan=by_plan,
            by_plan_total=sum((entry.amount for entry in by_plan), ZERO),
            trend=list(reversed(trend)),
            trend_chart=trend_chart,
            **kwargs,
        )
