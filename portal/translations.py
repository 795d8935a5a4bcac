"""Texts other apps write that owners read in the portal, listed so they get translated.

* The invoice explanations of ``billing.documents`` (shown on the invoice page and printed on
  the PDF) are translated with ``gettext`` where they are made; their Chinese lives here, in the
  portal's catalog, next to the rest of what owners read. A catalog of the billing app that
  translates the same texts takes precedence (Django merges catalogs by app order).

Nothing imports the names below: ``makemessages`` reads this file for the texts.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

BILLING_EXPLANATIONS = (
    ngettext_lazy("%(days)s day x %(rate)s", "%(days)s days x %(rate)s", "days"),
    gettext_noop("full month: %(fee)s"),
    gettext_noop("prorated fee: %(fee)s x %(active)s/%(days)s"),
    gettext_noop("above %(lower)s: %(amount)s x %(rate)s = %(commission)s"),
    gettext_noop("%(lower)s to %(upper)s: %(amount)s x %(rate)s = %(commission)s"),
    gettext_noop("graduated"),
    gettext_noop("flat"),
    gettext_noop("turnover x tiers (%(mode)s): %(turnover)s"),
    gettext_noop("turnover x tiers: %(turnover)s"),
    gettext_noop("attributed turnover: %(turnover)s x %(active)s/%(days)s = %(attributed)s"),
    gettext_noop("DRAFT"),
)

# The shared page layout (templates/base.html) and form partials (templates/_partials/) that
# every portal page shows around its own content.
LAYOUT = (
    gettext_noop("Skip to main content"),
    gettext_noop("Language"),
    gettext_noop("Switch"),
    gettext_noop("Password"),
    gettext_noop("Log out"),
    gettext_noop("Times are Shanghai time (UTC+8)."),
    gettext_noop("Please correct the following:"),
    gettext_noop("Please correct the errors below."),
    gettext_noop("Pages"),
    gettext_noop("Previous"),
    gettext_noop("Next"),
    gettext_noop("Page %(number)s of %(total)s"),
)
