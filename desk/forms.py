from django import forms
from django.utils.translation import gettext_lazy as _


class HandoverForm(forms.Form):
    """The day agent's note to the night agent about one shop: shapes only; the rules are the
    service's (``seats.services.handover``)."""

    open_cases = forms.CharField(
        label=_("Open cases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Buyers waiting for an answer, refunds in progress, orders to check."),
    )
    promises = forms.CharField(
        label=_("Promises made to buyers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was promised to whom and by when, so the night shift keeps it."),
    )
