"""Forms of the payments pages: a payment recorded by hand, a bank statement uploaded. They
check shapes; ``billing.services`` decides (amount against the balance, dates, states)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agency import clock
from agency.forms import DateInput
from billing.choices import RECEIVED_PAYMENT_METHODS, PaymentMethod

MAX_STATEMENT_BYTES = 5 * 1024 * 1024


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    method = forms.ChoiceField(
        label=_("Payment method"),
        choices=RECEIVED_PAYMENT_METHODS,
        initial=PaymentMethod.BANK_TRANSFER,
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("The bank's reference or the transfer's memo."),
    )
    payer = forms.CharField(label=_("Payer"), max_length=200, required=False)
    excess_to_credit = forms.BooleanField(
        label=_("Record the excess as the shop's credit"),
        required=False,
        help_text=_(
            "More than the balance is refused unless you tick this; the shop's next "
            "invoice then uses the excess."
        ),
    )

    def __init__(self, *args, balance=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("received_on", clock.today())
            if balance is not None:
                self.initial.setdefault("amount", balance)


class BankStatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement (CSV or XLSX)"),
        help_text=_(
            "Columns: date (日期/交易日期), payer (付款方/对方户名), amount (金额/贷方金额), "
            "memo (附言/摘要/用途). CSV in UTF-8 or GBK."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 5 MB)."))
        return upload
