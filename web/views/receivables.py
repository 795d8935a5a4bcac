"""Receivables by age (账龄) as of a date (``billing.receivables``), the manager's page."""

from agency import clock
from billing.receivables import BUCKET_LABELS, OVERDUE_BUCKETS, receivables
from web.forms import ReceivablesForm
from web.views.base import ManagerPage, paginate


class ReceivablesView(ManagerPage):
    """What each shop owed on a date, by days past the due date; the totals above the rows."""

    template_name = "manager/receivables/index.html"
    nav = "reports"  # one of the reports: the main navigation's Reports entry leads here

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        status = 400 if context["form"].is_bound and context["form"].errors else 200
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        today = clock.today()
        form = ReceivablesForm(self.request.GET if "as_of" in self.request.GET else None)
        as_of = form.cleaned_data["as_of"] if form.is_valid() else today
        if not form.is_bound:
            form = ReceivablesForm(initial={"as_of": today})
        report = receivables(as_of=as_of)
        page = paginate(self.request, report.rows)
        return super().get_context_data(
            form=form,
            as_of=as_of,
            as_of_param=as_of.isoformat(),
            report=report,
            page_obj=page,
            rows=page.object_list,
            buckets=list(BUCKET_LABELS.items()),
            overdue_buckets=OVERDUE_BUCKETS,
            **kwargs,
        )
