"""Quotes: the price book over seat capacity, for a shop's daily inquiries and coverage.

The arithmetic (plan, seats, capacity, price) is the pure ``seats.calculations.quote``; the list
prices come from the price book (``shops.selectors.list_prices``). The API
(``billing.quote_apis``) and the manager app's quote page both ask ``quote_for``, so they agree
on the prices and on the refusal when one is missing.
"""

from django.utils.translation import gettext

from agency.choices import Plan
from agency.errors import ApplicationError
from seats.calculations import Quote, quote
from shops.selectors import list_prices

# The plans a quote may name: one shift, full day, and the temporary plan of a short job.
QUOTED_PLANS = (Plan.SHIFT, Plan.FULL_DAY, Plan.TEMPORARY)


def quote_for(*, daily_inquiries: int, coverage: str, days: int | None = None) -> Quote:
    """Price ``coverage`` for a shop with ``daily_inquiries`` a day from the price book.

    Refuses with ``ApplicationError`` naming the plans the price book has no price for.
    """
    prices = list_prices()
    missing = [plan for plan in QUOTED_PLANS if plan not in prices]
    if missing:
        raise ApplicationError(
            gettext("The price book has no price for: %(plans)s.")
            % {"plans": ", ".join(str(Plan(plan).label) for plan in missing)}
        )
    return quote(daily_inquiries=daily_inquiries, coverage=coverage, prices=prices, days=days)
