"""The one helper every interface uses to show a service's refusal on a form."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from agency.errors import StateConflict
from agency.forms import add_service_error


class _Form(forms.Form):
    amount = forms.IntegerField()


def _bound() -> _Form:
    form = _Form(data={"amount": "1"})
    assert form.is_valid()
    return form


def test_add_service_error_puts_field_errors_on_their_field_and_the_rest_on_top():
    form = _bound()
    add_service_error(form, ValidationError({"amount": "Too much.", "month": "Not ended."}))
    assert form.errors["amount"] == ["Too much."]
    assert form.non_field_errors() == ["Not ended."]


def test_add_service_error_shows_conflicts_and_plain_refusals_above_the_form():
    form = _bound()
    add_service_error(form, StateConflict("Already issued."))
    add_service_error(form, ValidationError("Closed."))
    assert form.non_field_errors() == ["Already issued.", "Closed."]


def test_add_service_error_refuses_what_is_not_a_service_error():
    with pytest.raises(TypeError):
        add_service_error(_bound(), ValueError("bug"))
