from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import DateInput, add_service_error  # noqa: F401 - re-exported for the views


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


class LeaveRequestForm(forms.Form):
    """The agent asks for leave for themselves: shapes only; the rules (not in the past, no
    overlap, end on or after start) are the service's (``seats.services.leave``)."""

    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("To (inclusive)"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    unpaid = forms.BooleanField(label=_("Unpaid leave (deducted from base pay)"), required=False)


class AppealForm(forms.Form):
    """The agent's appeal of a quality review: shapes only; who, when and how often are the
    service's rules (``payroll.services.reviews``)."""

    reason = forms.CharField(
        label=_("Why is the review wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Point to the messages that show it; a manager decides."),
    )
