"""Form helpers every interface shares (manager app, portal, desk)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from agency.errors import ApplicationError


def add_service_error(form: forms.Form, error: ValidationError | ApplicationError) -> None:
    """Show a service's refusal on ``form``: on the field it names, else above the form.

    The services write their messages in the active language (``gettext`` where they refuse),
    so they are shown as they come.
    """
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
        return
    if not isinstance(error, ValidationError):
        raise TypeError(f"Not a service error: {error!r}")
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
        return
    for message in error.messages:
        form.add_error(None, message)


class DateInput(forms.DateInput):
    """The browser's own date picker, with an ISO value."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PeriodForm(forms.Form):
    """A period of days, both ends optional (the page's selector fills in its default): the
    statement of account's. Its rules (order, future, length) are the selector's to check."""

    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
