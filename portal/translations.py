"""Texts other apps write that owners read in the portal, listed so they get translated.

* Invoice lines are worded by ``billing.line_text`` (on the invoice page, the PDF, the emails
  and the API), whose Chinese is in the project's catalogue (``locale/``). The tier steps below
  are still translated here too; the earlier explanation texts listed with them are no longer
  shown (kept so the catalogue stays as reviewed).

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
