"""Quote: from a shop's daily inquiries and coverage to a plan, seats and a monthly price."""

from agency import clock
from agency.choices import Plan, Shift
from agency.errors import ApplicationError
from billing.quotes import quote_for
from seats import calculations
from seats.selectors import seat_capacity
from web.forms import QuoteForm
from web.views.base import ManagerPage


class QuoteView(ManagerPage):
    """``billing.quotes.quote_for`` (the price book), and the seats that could serve it."""

    template_name = "manager/quote.html"
    nav = "quote"

    def get_context_data(self, **kwargs):
        form = QuoteForm(self.request.GET if "daily_inquiries" in self.request.GET else None)
        quote = options = None
        if form.is_valid():
            try:
                quote = quote_for(**form.cleaned_data)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                options = seat_capacity(
                    inquiries=form.cleaned_data["daily_inquiries"],
                    day=clock.today(),
                    shifts=calculations.coverage_shifts(quote.coverage),
                )
        plan_labels = dict(Plan.choices)
        return super().get_context_data(
            form=form,
            quote=quote,
            plan_label=plan_labels.get(quote.plan) if quote else None,
            coverage_label=dict(calculations.Coverage.choices).get(quote.coverage)
            if quote
            else None,
            short_plan_label=plan_labels.get(Plan.TEMPORARY),
            shift_rows=[(dict(Shift.choices)[row.shift], row) for row in quote.shifts]
            if quote
            else [],
            capacity_options=options,
            **kwargs,
        )
