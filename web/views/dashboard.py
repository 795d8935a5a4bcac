"""The dashboard: today's coverage board, what needs a manager now, revenue, overdue invoices,
inquiries."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from agency import clock
from agency.charts import Point, line_chart
from agency.errors import ApplicationError
from agency.formatting import count_text, date_text, short_day_text
from billing.receivables import overdue_summary
from seats.selectors import handover_notes
from seats.services import handover_note_acknowledge
from web import selectors
from web.mixins import ManagerRequiredMixin
from web.views.base import ManagerPage, paginate, redirect_back


class DashboardView(ManagerPage):
    template_name = "manager/dashboard.html"
    nav = "dashboard"

    def get_context_data(self, **kwargs):
        today = clock.today()
        board = selectors.dashboard(today=today)
        chart = line_chart(
            [
                Point(short_day_text(day), total, count_text(total))
                for day, total in board.inquiries_30_days
            ],
            chart_id="inquiries-30",
            title=_("Inquiries over the last 30 days"),
            description=_("Inquiries per day, all shops and agents, from %(start)s to %(end)s.")
            % {
                "start": date_text(board.inquiries_30_days[0][0]),
                "end": date_text(today),
            },
        )
        return super().get_context_data(
            board=board,
            inquiries_chart=chart,
            peak=selectors.peak_inquiries(),
            overdue=overdue_summary(today=today),
            **kwargs,
        )


class HandoverListView(ManagerPage):
    """Every handover note nobody acknowledged yet, newest first and paginated; the dashboard
    shows the ten latest and links here. Notes past 18:00 of their date are marked overdue."""

    template_name = "manager/handover_list.html"
    nav = "dashboard"

    def get_context_data(self, **kwargs):
        page = paginate(self.request, selectors.handovers_to_acknowledge(now=clock.now()))
        return super().get_context_data(page_obj=page, notes=page.object_list, **kwargs)


class HandoverAcknowledgeView(ManagerRequiredMixin, View):
    """Record that a handover note was read (``handover_note_acknowledge``).

    Night agents acknowledge at their desk (/desk/); a manager who presses the button here is
    recorded as that manager, never as the night agent. A note already acknowledged, or one
    whose seat has no night agent that day, says why.
    """

    http_method_names = ["post"]

    def post(self, request, pk: int):
        note = get_object_or_404(handover_notes(), pk=pk)
        try:
            note = handover_note_acknowledge(note=note, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Handover note for %(shop)s on %(date)s acknowledged by %(agent)s.")
                % {
                    "shop": note.shop.name,
                    "date": date_text(note.date),
                    "agent": request.user.get_full_name() or request.user.get_username(),
                },
            )
        return redirect_back(request, reverse("web:dashboard") + "#alerts")
