"""Quote: from a shop's daily inquiries and coverage to a plan, seats and a monthly price."""

from django.utils import timezone
from django.utils.translation import gettext as _

from agency.choices import Plan
from seats import calculations
from seats.selectors import list_prices, seat_capacity
from web.forms import QuoteForm
from web.views.base import ManagerPage

QUOTED_PLANS = (Plan.SHIFT, Plan.FULL_DAY, Plan.TEMPORARY)


class QuoteView(ManagerPage):
    """``seats.calculations.quote`` over the price book, and the seats that could serve it."""

    template_name = "manager/quote.html"
    nav = "quote"

    def get_context_data(self, **kwargs):
        form = QuoteForm(self.request.GET if "daily_inquiries" in self.request.GET else None)
        quote = options = None
        if form.is_valid():
            prices = list_prices()
            missing = [plan for plan in QUOTED_PLANS if plan not in prices]
            if missing:
                form.add_error(
                    None,
                    _("The price book has no price for: %(plans)s.")
                    % {"plans": ", ".join(str(Plan(plan).label) for plan in missing)},
                )
            else:
                quote = calculations.quote(prices=prices, **form.cleaned_data)
                options = seat_capacity(
                    inquiries=form.cleaned_data["daily_inquiries"], day=timezone.localdate()
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
            capacity_options=options,
            **kwargs,
        )
