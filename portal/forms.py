"""Portal forms. They check the shape of what owners type; the services check the rules.

A rule the service refuses (a negative turnover, a month already reported, a confirmed figure)
comes back as ``ValidationError`` or ``ApplicationError`` and is put on the form by
``add_service_error``, on the field it names or above the form.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from agency import clock
from agency.forms import add_service_error  # noqa: F401 - re-exported for the views
from agency.months import MonthFormField as MonthField

BRIEFING_MAX_CHARS = 20_000


def _amount_field() -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Turnover (CNY)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("The shop's sales for the whole month, in CNY, to the cent."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class TurnoverSubmitForm(forms.Form):
    month = MonthField(
        label=_("Month"),
        help_text=_("The month the turnover belongs to: a month that has ended."),
    )
    amount = _amount_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The month picker stops at the last ended month; the service has the last word.
        self.fields["month"].widget.attrs["max"] = f"{clock.previous_month():%Y-%m}"


class TurnoverUpdateForm(forms.Form):
    amount = _amount_field()


class BriefingForm(forms.Form):
    briefing = forms.CharField(
        label=_("Briefing for agents"),
        required=False,
        max_length=BRIEFING_MAX_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "What our agents must know about your shop: products, shipping times, current "
            "promotions, return rules and quick replies (快捷短语). Agents read it before "
            "every shift."
        ),
    )

    def clean_briefing(self) -> str:
        # Browsers send CRLF line ends; store the text as it reads, without trailing blanks.
        return self.cleaned_data["briefing"].replace("\r\n", "\n").rstrip()


class FapiaoRequestForm(forms.Form):
    """An owner's request for a fapiao (发票). The address and bank fields are for a special VAT
    fapiao (专票) only; the service checks the credit code and what a 专票 needs."""

    SPECIAL_FIELDS = ("address", "phone", "bank_name", "bank_account")

    type = forms.ChoiceField(
        label=_("Fapiao type"),
        choices=[
            ("general", _("General fapiao (普票)")),
            ("special", _("Special VAT fapiao (专票)")),
        ],
        initial="general",
        widget=forms.RadioSelect,
    )
    buyer_name = forms.CharField(label=_("Buyer name"), max_length=200)
    tax_id = forms.CharField(
        label=_("Unified social credit code"),
        max_length=24,
        help_text=_("18 characters, as on the buyer's business licence."),
    )
    email = forms.EmailField(
        label=_("Send the fapiao to"), required=False, help_text=_("An email address.")
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=200, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=40, required=False)

    def general_fields(self):
        return [self[name] for name in self.fields if name not in self.SPECIAL_FIELDS]

    def special_fields(self):
        return [self[name] for name in self.SPECIAL_FIELDS]
