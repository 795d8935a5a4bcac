"""The dashboard: today's coverage board, what needs a manager now, revenue, inquiries."""

from django.utils import timezone
from django.utils.translation import gettext as _

from web import selectors
from web.charts import Point, line_chart
from web.templatetags.web_tags import count
from web.views.base import ManagerPage


class DashboardView(ManagerPage):
    template_name = "manager/dashboard.html"
    nav = "dashboard"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        board = selectors.dashboard(today=today)
        chart = line_chart(
            [Point(f"{day:%m-%d}", total, count(total)) for day, total in board.inquiries_30_days],
            chart_id="inquiries-30",
            title=_("Inquiries over the last 30 days"),
            description=_("Inquiries per day, all shops and agents, from %(start)s to %(end)s.")
            % {
                "start": f"{board.inquiries_30_days[0][0]:%Y-%m-%d}",
                "end": f"{today:%Y-%m-%d}",
            },
        )
        return super().get_context_data(
            board=board, inquiries_chart=chart, peak=selectors.peak_inquiries(), **kwargs
        )
