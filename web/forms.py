"""Forms of the manager pages. They check shapes only; every rule is the services' to apply.

A refusal from a service (``ValidationError`` by field, ``ApplicationError``) is put back on
the form with ``add_service_error`` so the page shows it next to the field it concerns.
"""

from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agency import clock
from agency.choices import CommissionMode, Plan, Shift
from agency.formatting import date_text, money_text, rate_text
from agency.forms import DateInput, add_service_error  # noqa: F401 - re-exported for the views
from agency.months import MonthFormField as MonthField
from billing.choices import InvoiceStatus
from billing.services import CREDIT_NOTE_REASON_MAX_LENGTH, VOID_REASON_MAX_LENGTH
from seats.calculations import Coverage
from seats.choices import AgentStatus
from seats.selectors import agent_list, agents_assignable, agents_without_account, seats_by_code
from shops.choices import ShopPlatform, ShopStatus
from shops.selectors import contracts_to_place, possible_owners, shop_list
from shops.services import PAYMENT_TERMS_MAX_DAYS, payment_terms_help

if TYPE_CHECKING:
    from shops.models import Contract


# --- Shops --------------------------------------------------------------------------------------


class ShopFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    platform = forms.ChoiceField(
        label=_("Platform"),
        required=False,
        choices=[("", _("All platforms")), *ShopPlatform.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *ShopStatus.choices]
    )


class ShopForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=possible_owners(),
        help_text=_("The client account that logs into the portal."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    platform = forms.ChoiceField(label=_("Platform"), choices=ShopPlatform.choices)
    platform_shop_id = forms.CharField(label=_("Platform shop id"), max_length=100, required=False)
    category = forms.CharField(label=_("Product category"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ShopStatus.choices, initial=ShopStatus.PROSPECT
    )
    daily_inquiries_estimate = forms.IntegerField(
        label=_("Estimated daily inquiries"), min_value=0, max_value=1_000_000, initial=0
    )
    briefing = forms.CharField(
        label=_("Briefing"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "What agents must know: products, shipping times, promotions, return rules, "
            "quick replies."
        ),
    )
    billing_name = forms.CharField(
        label=_("Billing name"),
        max_length=200,
        required=False,
        help_text=_("The company invoices are made out to; empty: the shop's name."),
    )
    tax_id = forms.CharField(
        label=_("Tax id"),
        max_length=30,
        required=False,
        help_text=_(
            "纳税人识别号: the 18-character unified social credit code (older 15- or "
            "20-character numbers are accepted)."
        ),
    )
    billing_address = forms.CharField(label=_("Billing address"), max_length=300, required=False)
    billing_email = forms.EmailField(
        label=_("Billing email"),
        required=False,
        help_text=_("Invoices are emailed here; empty: to the owner's email address."),
    )
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"),
        required=False,
        min_value=0,
        max_value=PAYMENT_TERMS_MAX_DAYS,
        help_text=lazy(payment_terms_help, str)(),
    )


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def new_account_fields(*, username_help) -> dict[str, forms.Field]:
    """A new account's username, email and language, for a bigger form that may open one (the
    shop form's new owner, the agent form's account); the username is optional there."""
    return {
        "username": forms.CharField(
            label=_("Username"), max_length=150, required=False, help_text=username_help
        ),
        "email": forms.EmailField(
            label=_("Email"),
            required=False,
            max_length=254,
            help_text=_("The invitation to choose a password is sent here."),
        ),
        "language": forms.ChoiceField(
            label=_("Language"),
            choices=language_choices(),
            initial=settings.NEW_ACCOUNT_LANGUAGE,
            required=False,
            help_text=_("Emails to the account, the invitation first, are in this language."),
        ),
    }


class ShopCreateForm(ShopForm):
    """A new shop, for an existing client account or for a new one invited at once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _(
            "The client account that logs into the portal; or leave it empty and open a new "
            "account for the owner below."
        )
        fields = new_account_fields(
            username_help=_("A new owner's username (only when no owner is chosen above)."),
        )
        fields["username"].label = _("New owner: username")
        fields["email"].label = _("New owner: email")
        fields["language"].label = _("New owner: language")
        # Right after the owner field, so the two ways of naming the owner sit together.
        order = list(self.fields)
        for name, field in fields.items():
            self.fields[f"new_owner_{name}"] = field
        extra = [f"new_owner_{name}" for name in fields]
        self.order_fields([order[0], *extra, *order[1:]])

    def clean(self):
        data = super().clean()
        if data.get("owner") and data.get("new_owner_username"):
            self.add_error(
                "new_owner_username",
                _("Choose an existing owner or open a new account, not both."),
            )
        elif not data.get("owner") and not data.get("new_owner_username") and "owner" in data:
            self.add_error("owner", _("Choose the owner, or give a new owner's username."))
        return data


class ContractForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"), choices=Plan.choices)
    shift = forms.ChoiceField(
        label=_("Shift"),
        required=False,
        choices=[("", _("None (09:00-24:00)")), *Shift.choices],
        help_text=_("Only for the one-shift plan."),
    )
    seat = forms.ModelChoiceField(label=_("Seat"), queryset=seats_by_code(), required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=DateInput(),
        help_text=_("Required for day plans; empty means open-ended."),
    )
    price = forms.DecimalField(
        label=_("Price (CNY)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Empty: the price book's list price."),
    )
    commission_mode = forms.ChoiceField(
        label=_("Commission mode"),
        required=False,
        choices=[("", _("Price book default")), *CommissionMode.choices],
    )


# --- Agents -------------------------------------------------------------------------------------


class AgentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *AgentStatus.choices],
    )


class AgentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    employee_no = forms.CharField(label=_("Employee number"), max_length=30)
    hired_on = forms.DateField(label=_("Hired on"), widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"), choices=AgentStatus.choices, initial=AgentStatus.ACTIVE
    )
    base_salary = forms.DecimalField(
        label=_("Monthly base salary (CNY)"), min_value=0, max_digits=10, decimal_places=2
    )
    email = forms.EmailField(label=_("Email"), required=False)
    commission_rate = forms.DecimalField(
        label=_("Commission rate"),
        required=False,
        min_value=0,
        max_value=Decimal("0.2"),
        max_digits=6,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "0.0001", "placeholder": "0.0020"}),
    )

    def __init__(self, *args, default_rate: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        rate = self.fields["commission_rate"]
        if default_rate is None:
            rate.help_text = _(
                "A share of the agent's attributed sales, e.g. 0.0020 for 0.2 %; "
                "empty: the pay book's rate."
            )
        else:
            rate.help_text = _(
                "A share of the agent's attributed sales, e.g. 0.0020 for 0.2 %%; "
                "empty: pay book default %(rate)s."
            ) % {"rate": rate_text(default_rate)}


class AgentCreateForm(AgentForm):
    """A new agent, with an account to sign in (invited by email) when a username is given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = new_account_fields(
            username_help=_(
                "To give the agent an account to sign in with; empty: no account for now."
            ),
        )
        fields["username"].label = _("Account: username")
        fields["email"].label = _("Account: email")
        fields["email"].help_text = _(
            "The invitation to choose a password is sent here; empty: the agent's email."
        )
        fields["language"].label = _("Account: language")
        for name, field in fields.items():
            self.fields[f"account_{name}"] = field


class AgentDeactivateForm(forms.Form):
    last_day = forms.DateField(
        label=_("Last working day"),
        widget=DateInput(),
        help_text=_(
            "Their seat-shifts and covers end on this day (they work it); those starting later "
            "are removed. Today or a day past."
        ),
    )


# --- Accounts -----------------------------------------------------------------------------------

ROLE_CHOICES = [
    ("manager", _("Manager")),
    ("owner", _("Shop owner")),
    ("agent", _("Agent")),
]


class UserFilterForm(forms.Form):
    ACTIVE, INACTIVE = "active", "inactive"

    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *ROLE_CHOICES]
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All accounts")),
            (ACTIVE, pgettext_lazy("account state", "Active")),
            (INACTIVE, pgettext_lazy("account state", "Deactivated")),
        ],
    )


class AgentAccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.employee_no})"


class UserCreateForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial="owner")
    agent = AgentAccountChoiceField(
        label=_("Agent"),
        queryset=None,
        required=False,
        help_text=_("Only for an agent's account: the agent it signs in as (agents without one)."),
    )
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("The invitation to choose a password is sent here."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices(),
        initial=settings.NEW_ACCOUNT_LANGUAGE,
        help_text=_("Emails to the account, the invitation first, are in this language."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents_without_account()


class UserEditForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=language_choices())
    agent = AgentAccountChoiceField(
        label=_("Agent"),
        queryset=None,
        help_text=_("The agent this account signs in as."),
    )

    def __init__(self, *args, agent_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if agent_id is None:
            del self.fields["agent"]
        else:
            self.fields["agent"].queryset = agents_without_account(include_id=agent_id)


# --- Platform sub-accounts ----------------------------------------------------------------------


class SubAccountFilterForm(forms.Form):
    ACTIVE, TO_REVOKE, REVOKED = "active", "to_revoke", "revoked"

    shop = forms.ModelChoiceField(
        label=_("Shop"), queryset=None, required=False, empty_label=_("All shops")
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"), queryset=None, required=False, empty_label=_("All agents")
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All sub-accounts")),
            (ACTIVE, _("In use")),
            (TO_REVOKE, _("To revoke")),
            (REVOKED, _("Revoked")),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = shop_list(user=user).order_by("name", "id")
        self.fields["agent"].queryset = agent_list().order_by("name", "id")


class SubAccountForm(forms.Form):
    """Grant a shop's sub-account to an agent, or correct one (the shop stays)."""

    shop = forms.ModelChoiceField(label=_("Shop"), queryset=None)
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=None)
    name = forms.CharField(
        label=_("Sub-account"),
        max_length=100,
        help_text=_(
            "As the chat exports write it, “shop:account” (e.g. 小鹿童装旗舰店:小美), or the "
            "account alone: the shop's name is put in front."
        ),
    )
    granted_on = forms.DateField(label=_("Granted on"), widget=DateInput())

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = shop_list(user=user).order_by("name", "id")
        # Someone who left may still hold an account granted before (shown when correcting it);
        # a new grant offers only the agents still here.
        agents = agent_list() if editing else agents_assignable()
        self.fields["agent"].queryset = agents.order_by("name", "id")
        if editing:
            self.fields["shop"].disabled = True
            self.fields["shop"].help_text = _(
                "A sub-account stays with its shop: revoke it and grant one of the other shop."
            )


class SubAccountRevokeForm(forms.Form):
    revoked_on = forms.DateField(
        label=_("Revoked on"),
        widget=DateInput(),
        help_text=_("The day the password was changed or the account taken back on the platform."),
    )


# --- Seats --------------------------------------------------------------------------------------


class SeatForm(forms.Form):
    """A seat's code, name and monthly overhead; a new seat may leave the default overhead."""

    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    overhead = forms.DecimalField(
        label=_("Monthly overhead (CNY)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )

    def __init__(self, *args, new: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        overhead = self.fields["overhead"]
        if new:
            overhead.help_text = _("Empty: the default overhead, %(amount)s.") % {
                "amount": money_text(settings.AGENCY["SEAT_OVERHEAD"])
            }
        else:
            overhead.required = True


class AssignmentForm(forms.Form):
    seat = forms.ModelChoiceField(label=_("Seat"), queryset=seats_by_code())
    shift = forms.ChoiceField(label=_("Shift"), choices=Shift.choices)
    agent = forms.ModelChoiceField(
        label=_("Agent"),
        queryset=agents_assignable(),
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: open-ended."),
    )


class AssignmentEndForm(forms.Form):
    end_date = forms.DateField(label=_("Last day"), widget=DateInput())


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: "Contract") -> str:
        seat = obj.seat.code if obj.seat else _("no seat")
        end = date_text(obj.end_date) if obj.end_date else "…"
        start = date_text(obj.start_date)
        return f"{obj.shop.name} · {obj.get_plan_display()} · {start}–{end} · {seat}"


class ContractSeatForm(forms.Form):
    contract = ContractChoiceField(label=_("Contract"), queryset=None)
    seat = forms.ModelChoiceField(
        label=_("Seat"),
        queryset=seats_by_code(),
        required=False,
        empty_label=_("No seat (take the contract off its seat)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts_to_place(today=clock.today())


# --- Workloads, quote, billing ------------------------------------------------------------------


class WorkloadUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Workload file (CSV or Excel)"),
        help_text=_(
            "Required columns: date (日期), agent (客服), shop (店铺), inquiries (询单人数), "
            "conversions (成交人数); shift (班次), buyer and agent messages, first response and "
            "sales when the export has them."
        ),
    )


class QuoteForm(forms.Form):
    daily_inquiries = forms.IntegerField(
        label=_("Daily inquiries"), min_value=0, max_value=1_000_000
    )
    coverage = forms.ChoiceField(label=_("Coverage"), choices=Coverage.choices)
    days = forms.IntegerField(
        label=_("Days (short job)"),
        min_value=1,
        max_value=366,
        required=False,
        help_text=_("For a short job: also price the temporary plan for this many days."),
    )


class BillingRunForm(forms.Form):
    month = MonthField(label=_("Month to bill"))


class TurnoverEntryForm(forms.Form):
    """A month's turnover entered by a manager (from the platform's seller backend)."""

    month = MonthField(label=_("Month"))
    amount = forms.DecimalField(
        label=_("Turnover (CNY)"), min_value=0, max_digits=14, decimal_places=2
    )
    confirm = forms.BooleanField(
        label=_("Confirm it now (it is billed as it is)"), required=False, initial=True
    )


class TurnoverCorrectionForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Turnover (CNY)"), min_value=0, max_digits=14, decimal_places=2
    )


class InvoiceVoidForm(forms.Form):
    """The reason a void carries (``billing.services.invoice_void`` applies the rule)."""

    reason = forms.CharField(
        label=_("Why is this invoice voided?"),
        max_length=VOID_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the invoice is voided.")},
        help_text=_(
            "The owner of an issued invoice is emailed this reason and reads it on the invoice."
        ),
    )


class CreditNoteForm(forms.Form):
    """A credit note's amount and reason (``billing.services.credit_note_create`` applies the
    rules: at most what is left to credit)."""

    amount = forms.DecimalField(
        label=_("Amount to credit (CNY)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    reason = forms.CharField(
        label=_("Why is this invoice credited?"),
        max_length=CREDIT_NOTE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the invoice is credited.")},
        help_text=_("Printed on the credit note and emailed to the owner."),
    )


class CreditNoteFilterForm(forms.Form):
    q = forms.CharField(label=_("Shop or number"), required=False, max_length=100)
    issued_from = forms.DateField(label=_("Issued from"), required=False, widget=DateInput())
    issued_to = forms.DateField(label=_("Issued to"), required=False, widget=DateInput())
    red_letter = forms.BooleanField(label=_("Red-letter fapiao needed only"), required=False)


class InvoiceFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *InvoiceStatus.choices],
    )
    q = forms.CharField(label=_("Shop or number"), required=False, max_length=100)
    awaiting = forms.BooleanField(label=_("Awaiting turnover only"), required=False)


class ReportMonthForm(forms.Form):
    month = MonthField(label=_("Month"))


class FapiaoIssueForm(forms.Form):
    """The fapiao issued for a request: its number and date (the service checks both)."""

    fapiao_number = forms.CharField(
        label=_("Fapiao number"),
        max_length=24,
        help_text=_("20 digits (fully digital fapiao, 数电票) or 8 (older fapiao)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    fapiao_date = forms.DateField(label=_("Fapiao date"), widget=DateInput)


class ReceivablesForm(forms.Form):
    """The date the receivables report is read as of: today or earlier (Shanghai)."""

    as_of = forms.DateField(label=_("As of"), widget=DateInput())

    def clean_as_of(self):
        value = self.cleaned_data["as_of"]
        today = clock.today()
        if value > today:
            raise forms.ValidationError(
                _("The report cannot look into the future (today is %(today)s).")
                % {"today": date_text(today)}
            )
        return value
