"""Admin of the shops app. Where a rule applies, the forms call the same service functions as
the API, so the admin cannot save what the API would refuse. History pages show past versions and
never restore one (``HistoryReadOnlyMixin``). Turnover reports are administered with billing
(``billing/admin.py``): confirming or correcting one changes the month's draft invoice. The price
book is edited here by managers; new contracts take their defaults from it."""

from django import forms
from django.contrib import admin
from django.core.validators import MaxValueValidator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agency.access import is_manager
from agency.admin import HistoryReadOnlyMixin
from agency.choices import Plan
from shops.models import DSR_RATING_FIELDS, Contract, DsrRating, PriceBookEntry, Shop
from shops.services import CONTRACT_TERMS_FIELDS, contract_validate
from shops.services.shops import PAYMENT_TERMS_MAX_DAYS, SHOP_FIELDS, payment_terms_help
from shops.terms import tiers_from_json, tiers_to_json, validate_tiers
from shops.validators import tax_id_normalize


class ShopAdminForm(forms.ModelForm):
    class Meta:
        model = Shop
        fields = [*SHOP_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        terms = self.fields["payment_terms_days"]
        terms.help_text = payment_terms_help()
        terms.validators.append(MaxValueValidator(PAYMENT_TERMS_MAX_DAYS))
        terms.widget.attrs["max"] = PAYMENT_TERMS_MAX_DAYS

    def clean_tax_id(self) -> str:
        # As the shop service stores it: without spaces, letters capitalised.
        return tax_id_normalize(self.cleaned_data.get("tax_id", ""))


@admin.register(Shop)
class ShopAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    form = ShopAdminForm
    list_display = [
        "name",
        "platform",
        "platform_shop_id",
        "status",
        "owner",
        "daily_inquiries_estimate",
    ]
    list_filter = ["platform", "status"]
    search_fields = ["name", "platform_shop_id", "owner__username", "category", "tax_id"]
    list_select_related = ["owner"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "owner",
                    "name",
                    "platform",
                    "platform_shop_id",
                    "category",
                    "status",
                    "daily_inquiries_estimate",
                    "briefing",
                ]
            },
        ),
        (
            _("Billing details (the buyer on invoices)"),
            {
                "fields": [
                    "billing_name",
                    "tax_id",
                    "billing_address",
                    "billing_email",
                    "payment_terms_days",
                ]
            },
        ),
    ]


class ContractAdminForm(forms.ModelForm):
    """Applies ``contract_validate``: the shift and end-date rules, tiers and the seat's limit.

    Price, mode and tiers left empty are taken from the price book, as in the API.
    """

    class Meta:
        model = Contract
        fields = ["shop", *CONTRACT_TERMS_FIELDS]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price"].required = False
        self.fields["price"].help_text = _("Leave empty for the price book's price.")
        self.fields["commission_tiers"].required = False
        self.fields["commission_tiers"].help_text = _(
            'Monthly plans: [{"from": "0.00", "rate": "0.03"}, ...]; empty for the price '
            "book's tiers. Day plans carry none."
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors or any(cleaned.get(f) is None for f in ("shop", "plan", "start_date")):
            return cleaned
        tiers = cleaned.get("commission_tiers")
        if not tiers and cleaned["plan"] in Plan.monthly_plans():
            tiers = None
        terms = contract_validate(
            shop=cleaned["shop"],
            plan=cleaned["plan"],
            shift=cleaned.get("shift") or None,
            seat=cleaned.get("seat"),
            start_date=cleaned["start_date"],
            end_date=cleaned.get("end_date"),
            price=cleaned.get("price"),
            commission_mode=cleaned.get("commission_mode") or None,
            commission_tiers=tiers,
            contract_id=self.instance.pk,
        )
        cleaned.update(
            shift=cleaned.get("shift") or None,
            price=terms.price,
            commission_mode=terms.commission_mode,
            commission_tiers=terms.commission_tiers,
        )
        return cleaned


@admin.register(Contract)
class ContractAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    form = ContractAdminForm
    list_display = ["shop", "plan", "shift", "seat", "start_date", "end_date", "price"]
    list_filter = ["plan", "shift", "seat"]
    search_fields = ["shop__name"]
    list_select_related = ["shop", "seat"]
    date_hierarchy = "start_date"


@admin.register(DsrRating)
class DsrRatingAdmin(admin.ModelAdmin):
    """Ratings are recorded once and never changed or deleted."""

    list_display = list(DSR_RATING_FIELDS)
    list_filter = ["paid_with_alipay", "shop"]
    search_fields = ["buyer", "order_id", "shop__name"]
    list_select_related = ["shop"]
    date_hierarchy = "rated_at"

    def has_change_permission(self, request: HttpRequest, obj: DsrRating | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: DsrRating | None = None) -> bool:
        return False


# --- Price book -------------------------------------------------------------------------------


class PriceBookEntryForm(forms.ModelForm):
    """Monthly plans need a usable tier schedule (``validate_tiers``); day plans carry none."""

    class Meta:
        model = PriceBookEntry
        fields = ["plan", "price", "commission_mode", "commission_tiers"]
        help_texts = {
            "commission_tiers": _(
                'Monthly plans: [{"from": "0.00", "rate": "0.03"}, ...], the first tier from 0, '
                "bounds ascending, rates between 0 and 1. Day plans: []."
            )
        }

    def clean_price(self):
        price = self.cleaned_data["price"]
        if price is not None and price < 0:
            raise forms.ValidationError(_("A price cannot be negative."))
        return price

    def clean(self) -> dict:
        cleaned = super().clean()
        plan = cleaned.get("plan") or getattr(self.instance, "plan", None)
        tiers = cleaned.get("commission_tiers")
        if plan is None or "commission_tiers" in self.errors:
            return cleaned
        if plan in Plan.day_plans():
            if tiers:
                self.add_error(
                    "commission_tiers", _("Day plans earn no commission: leave the tiers empty.")
                )
            else:
                cleaned["commission_tiers"] = []
            return cleaned
        try:
            parsed = tiers_from_json(tiers if tiers is not None else [])
            validate_tiers(parsed)
        except ValueError as error:
            self.add_error("commission_tiers", str(error))
        else:
            cleaned["commission_tiers"] = tiers_to_json(parsed)
        return cleaned


@admin.register(PriceBookEntry)
class PriceBookEntryAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    """List prices; new contracts take their defaults from here (history: which price when).

    Agency managers (active staff) see and edit it without per-model permissions.
    """

    form = PriceBookEntryForm
    list_display = ["plan", "price", "commission_mode", "commission_tiers", "updated_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_manager(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_manager(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_manager(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_manager(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # every plan needs a list price

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ["plan"] if obj is not None else []
