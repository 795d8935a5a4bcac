"""Why a history row was written, in the reader's language.

The services write a short reason on the history rows they cause (``record_actor``): a fixed
phrase, sometimes with a month or an amount. The rows are records and stay as written; the pages
translate the known phrases when they show them, and show anything else as stored.
"""

import re

from django.utils.translation import gettext_lazy as _

from agency.formatting import month_text
from agency.months import parse_month

_FIXED = {
    "submitted": _("turnover reported"),
    "confirmed": _("turnover confirmed"),
    "amount corrected": _("amount corrected"),
    "recomputed before issue": _("recomputed before issue"),
    "recomputed: confirmed turnover corrected": _("recomputed: confirmed turnover corrected"),
}
_WITH_MONTH = {
    re.compile(r"^billing run (?P<month>\d{4}-\d{2})$"): _("billing run for %(month)s"),
    re.compile(r"^billed again (?P<month>\d{4}-\d{2})$"): _("%(month)s billed again"),
}
_CORRECTED_FROM = re.compile(r"^confirmed amount corrected from (?P<amount>[\d.]+)$")


def change_reason_text(reason: str | None) -> str:
    """``reason`` of a history row as people read it in the active language."""
    if not reason:
        return ""
    if reason in _FIXED:
        return str(_FIXED[reason])
    for pattern, text in _WITH_MONTH.items():
        if match := pattern.match(reason):
            try:
                month = parse_month(match["month"])
            except ValueError:  # a malformed month is shown as stored
                return reason
            return str(text) % {"month": month_text(month)}
    if match := _CORRECTED_FROM.match(reason):
        return str(_("confirmed amount corrected from %(amount)s")) % {"amount": match["amount"]}
    return reason
