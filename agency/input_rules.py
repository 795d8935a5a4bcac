"""What every typed value must look like, whichever door it comes in by (API, forms, admin).

Two rules, applied centrally so that no serializer, form or admin page can forget them:

* **Text.** A single-line text field (a name, an id, a phone number…) refuses line breaks, tabs
  and every other control character: C0 (U+0000-U+001F), DEL, C1 (U+0080-U+009F), the Unicode
  line and paragraph separators (U+2028, U+2029) and the bidirectional overrides and isolates
  (U+202A-U+202E, U+2066-U+2069) that make a name read differently from what it is. A CR/LF in a
  shop name would otherwise end up in email headers, CSV exports and PDFs. A multi-line field
  (a briefing, a note, a reason: a model ``TextField``, a ``Textarea`` widget, a DRF field styled
  ``textarea.html``) keeps its line breaks and tabs and refuses the rest.
* **Dates.** A date, a date-time or a month lies in the years 2000 to 2100
  (``YEAR_MIN``/``YEAR_MAX``): 0001-01-01 or 9999-12-31 is a typing mistake, never a business
  date, and would overflow month arithmetic further on.

``install()`` (called once from ``AgencyConfig.ready``) adds both checks to the base classes:
Django's ``forms.CharField``, ``forms.DateField``, ``forms.DateTimeField`` (hence every form,
ModelForm, admin form and django-filter filter) and DRF's ``CharField``, ``DateField`` and
``DateTimeField`` (hence every serializer, whether its fields are declared or generated from a
model, and every query serializer such as ``?as_of=``). Neither library has a setting for a
project-wide validator, and a base class that every one of ~100 serializers and ~70 forms must
remember to use is exactly the rule that gets forgotten; ``tests/agency/test_input.py`` walks
every serializer, form and admin form to prove each field refuses.

A third rule keeps the API's JSON types: a DRF text or decimal field takes a string, a boolean
field ``true``/``false`` (``_wrap_serializer_json_types``).

The error is the field's own (``{"name": ["…"]}`` in the API, the message under the field in a
form) and names the character by its code point, never by echoing the value.
"""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from rest_framework import fields as drf_fields
from rest_framework.exceptions import ValidationError as DrfValidationError

YEAR_MIN = 2000
YEAR_MAX = 2100

_BIDI_CONTROLS = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_LINE_SEPARATORS = {0x2028, 0x2029}
_KEPT_IN_MULTI_LINE = {0x09, 0x0A, 0x0D}  # tab, LF, CR


def _is_control(code: int) -> bool:
    return code < 0x20 or 0x7F <= code <= 0x9F or code in _BIDI_CONTROLS or code in _LINE_SEPARATORS


def forbidden_character(value: str, *, multi_line: bool = False) -> str | None:
    """The first character ``value`` may not contain, or ``None`` when it is clean."""
    for character in value:
        code = ord(character)
        if _is_control(code) and not (multi_line and code in _KEPT_IN_MULTI_LINE):
            return character
    return None


def text_error_message(character: str, *, multi_line: bool) -> str:
    """The translated reason, naming the character by its code point (``U+000D``)."""
    code = f"U+{ord(character):04X}"
    if multi_line:
        return gettext(
            "This text may not contain the control character %(code)s "
            "(line breaks and tabs are fine)."
        ) % {"code": code}
    return gettext(
        "Enter a single line: line breaks, tabs and control characters such as %(code)s "
        "are not allowed."
    ) % {"code": code}


def check_text(value: str, *, multi_line: bool = False) -> None:
    """Raise Django's ``ValidationError`` when ``value`` holds a forbidden character."""
    character = forbidden_character(value, multi_line=multi_line)
    if character is not None:
        raise ValidationError(
            text_error_message(character, multi_line=multi_line), code="control_character"
        )


def year_error_message() -> str:
    return gettext("Enter a date between the years %(min)d and %(max)d.") % {
        "min": YEAR_MIN,
        "max": YEAR_MAX,
    }


def year_in_window(value: dt.date) -> bool:
    """Whether a date (or date-time) lies in the years ``YEAR_MIN``-``YEAR_MAX``."""
    return YEAR_MIN <= value.year <= YEAR_MAX


def check_year(value: dt.date | None) -> None:
    """Raise Django's ``ValidationError`` when ``value`` lies outside the years 2000-2100."""
    if value is not None and not year_in_window(value):
        raise ValidationError(year_error_message(), code="year_out_of_range")


# --- Where each library's fields learn the rules -------------------------------------------------


def form_field_is_multi_line(field: forms.Field) -> bool:
    """A ``Textarea`` takes several lines; a password (never shown, never in a header) only
    refuses what the multi-line rule refuses."""
    return isinstance(field.widget, forms.Textarea | forms.PasswordInput)


def serializer_field_is_multi_line(field: drf_fields.Field) -> bool:
    """DRF marks a model ``TextField`` (and any field declared so) with the textarea style; a
    password follows the same rule as in the forms, so one set here still signs in there."""
    return (
        field.style.get("base_template") == "textarea.html"
        or field.style.get("input_type") == "password"
    )


def _wrap_form_char_field() -> None:
    run_validators = forms.CharField.run_validators

    def run_validators_and_refuse_control_characters(self, value: Any) -> None:
        run_validators(self, value)
        if isinstance(value, str):
            check_text(value, multi_line=form_field_is_multi_line(self))

    forms.CharField.run_validators = run_validators_and_refuse_control_characters


def _wrap_form_date_field(field_class: type[forms.Field]) -> None:
    to_python = field_class.to_python

    def to_python_within_years(self, value: Any) -> Any:
        result = to_python(self, value)
        if isinstance(result, dt.date):
            check_year(result)
        return result

    field_class.to_python = to_python_within_years


def _wrap_serializer_char_field() -> None:
    run_validation = drf_fields.CharField.run_validation

    def run_validation_and_refuse_control_characters(self, data: Any = drf_fields.empty) -> Any:
        value = run_validation(self, data)
        if isinstance(value, str):
            multi_line = serializer_field_is_multi_line(self)
            character = forbidden_character(value, multi_line=multi_line)
            if character is not None:
                raise DrfValidationError(
                    text_error_message(character, multi_line=multi_line),
                    code="control_character",
                )
        return value

    drf_fields.CharField.run_validation = run_validation_and_refuse_control_characters


def _wrap_serializer_date_field(field_class: type[drf_fields.Field]) -> None:
    to_internal_value = field_class.to_internal_value

    def to_internal_value_within_years(self, value: Any) -> Any:
        result = to_internal_value(self, value)
        if isinstance(result, dt.date) and not year_in_window(result):
            raise DrfValidationError(year_error_message(), code="year_out_of_range")
        return result

    field_class.to_internal_value = to_internal_value_within_years


# What a boolean field takes: JSON true/false, or the words a query string or form spells them with.
_BOOLEAN_WORDS = {"true", "false", "True", "False", "1", "0"}


def _wrap_serializer_json_types() -> None:
    """A text or decimal field takes a string, a boolean field true or false: a JSON number
    given for a name or an amount (money travels as a string, never a float) and 0/1 or null
    given for a boolean are refused, as the schema says."""
    char_to_internal = drf_fields.CharField.to_internal_value
    decimal_to_internal = drf_fields.DecimalField.to_internal_value
    boolean_to_internal = drf_fields.BooleanField.to_internal_value

    def char_to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise DrfValidationError(gettext("Send text, as a JSON string."), code="invalid")
        return char_to_internal(self, data)

    def decimal_to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise DrfValidationError(
                gettext('Send the number as a string, e.g. "12.50".'), code="invalid"
            )
        return decimal_to_internal(self, data)

    def boolean_to_internal_value(self, data: Any) -> Any:
        if not (isinstance(data, bool) or (isinstance(data, str) and data in _BOOLEAN_WORDS)):
            raise DrfValidationError(gettext("Either true or false."), code="invalid")
        return boolean_to_internal(self, data)

    drf_fields.CharField.to_internal_value = char_to_internal_value
    drf_fields.DecimalField.to_internal_value = decimal_to_internal_value
    drf_fields.BooleanField.to_internal_value = boolean_to_internal_value


_installed = False


def install() -> None:
    """Teach the base field classes both rules (once; ``AgencyConfig.ready`` calls it)."""
    global _installed
    if _installed:
        return
    _installed = True
    _wrap_form_char_field()
    _wrap_form_date_field(forms.DateField)
    _wrap_form_date_field(forms.DateTimeField)
    _wrap_serializer_char_field()
    _wrap_serializer_date_field(drf_fields.DateField)
    _wrap_serializer_date_field(drf_fields.DateTimeField)
    _wrap_serializer_json_types()
