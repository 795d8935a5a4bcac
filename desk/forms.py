from django import forms
from django.core.exceptions import ValidationError
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


class DateInput(forms.DateInput):
    """The phone's own date picker (ISO value)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LeaveRequestForm(forms.Form):
    """The agent asks for leave for themselves: shapes only; the rules (not in the past, no
    overlap, end on or after start) are the service's (``seats.services.leave``)."""

    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("To (inclusive)"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


def add_service_error(form: forms.Form, error: Exception) -> None:
    """Show a service's refusal on ``form``: on the field it names, else above the form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            target = name if name in form.fields else None
            for message in errors:
                form.add_error(target, message)
        return
    if isinstance(error, ValidationError):
        for message in error.messages:
            form.add_error(None, message)
        return
    form.add_error(None, getattr(error, "message", str(error)))
