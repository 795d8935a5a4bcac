"""Admin of the shops app. Where a rule applies, the forms call the same service functions as
the API, so the admin cannot save what the API would refuse. History pages show past versions and
never restore one (``HistoryReadOnlyMixin``)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from agency.admin import HistoryReadOnlyMixin
from agency.choices import Plan
from agency.errors import StateConflict
from shops.models import Contract, DsrRating, Shop, TurnoverReport
from shops.services import (
    contract_validate,
    turnover_check_amount,
    turnover_confirm,
    turnover_month_check,
    turnover_submit,
    turnover_update,
)


@admin.register(Shop)
class ShopAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "platform",
        "platform_shop_id",
        "status",
        "owner",
        "daily_inquiries_estimate",
    ]
    list_filter = ["platform", "status"]
    search_fields = ["name", "platform_shop_id", "owner__username", "category"]
    list_select_related = ["owner"]


class ContractAdminForm(forms.ModelForm):
    """Applies ``contract_validate``: the shift and end-date rules, tiers and the seat's limit.

    Price, mode and tiers left empty are taken from the price book, as in the API.
    """

    class Meta:
        model = Contract
        fields = [
            "shop",
            "plan",
            "shift",
            "seat",
            "start_date",
            "end_date",
            "price",
            "commission_mode",
            "commission_tiers",
        ]

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


class TurnoverReportAdminForm(forms.ModelForm):
    """The checks of ``turnover_submit`` and ``turnover_update``, as form errors."""

    class Meta:
        model = TurnoverReport
        fields = ["shop", "month", "amount"]

    def clean_month(self):
        month = self.cleaned_data["month"]
        if not month:
            return month
        try:
            return turnover_month_check(month)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["month"]) from None

    def clean_amount(self):
        try:
            return turnover_check_amount(self.cleaned_data["amount"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["amount"]) from None


@admin.register(TurnoverReport)
class TurnoverReportAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    """Reports are added and corrected through the turnover services, confirmed by an action.

    A confirmed figure is billed: it can neither be edited nor deleted here (a manager corrects
    it in the manager app, through ``turnover_update``, while the month's invoice is a draft).
    """

    form = TurnoverReportAdminForm
    list_display = ["shop", "month", "amount", "status", "confirmed_by", "confirmed_at"]
    list_filter = ["status", "month"]
    search_fields = ["shop__name"]
    list_select_related = ["shop", "confirmed_by"]
    actions = ["confirm"]

    def get_readonly_fields(self, request: HttpRequest, obj: TurnoverReport | None = None):
        base = ["status", "submitted_by", "confirmed_by", "confirmed_at"]
        if obj is not None and obj.status == TurnoverReport.Status.CONFIRMED:
            # A confirmed figure is billed: it is locked here as in the API.
            return ["shop", "month", "amount", *base]
        if obj is not None:
            return ["shop", "month", *base]
        return base

    def has_delete_permission(
        self, request: HttpRequest, obj: TurnoverReport | None = None
    ) -> bool:
        # Also asked per report by the bulk delete action: one confirmed report refuses it all.
        if obj is not None and obj.status == TurnoverReport.Status.CONFIRMED:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj: TurnoverReport, form, change: bool) -> None:
        if not change:
            report = turnover_submit(
                actor=request.user, shop=obj.shop, month=obj.month, amount=obj.amount
            )
            obj.pk = report.pk
            obj.refresh_from_db()
            obj._state.adding = False
        elif "amount" in form.changed_data:
            # The service locks the report and refuses a figure that has been confirmed since.
            turnover_update(report=obj, actor=request.user, amount=obj.amount)

    @admin.action(description=_("Confirm the selected turnover reports"))
    def confirm(self, request: HttpRequest, queryset: QuerySet[TurnoverReport]) -> None:
        confirmed = skipped = 0
        for report_id in queryset.values_list("pk", flat=True):
            try:
                turnover_confirm(report_id=report_id, actor=request.user)
            except StateConflict:
                skipped += 1
            else:
                confirmed += 1
        if confirmed:
            self.message_user(
                request,
                ngettext(
                    "%d turnover report confirmed.", "%d turnover reports confirmed.", confirmed
                )
                % confirmed,
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d report was already confirmed.",
                    "%d reports were already confirmed.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )


@admin.register(DsrRating)
class DsrRatingAdmin(admin.ModelAdmin):
    """Ratings are recorded once and never changed or deleted."""

    list_display = [
        "shop",
        "buyer",
        "order_id",
        "rated_at",
        "paid_with_alipay",
        "description",
        "service",
        "logistics",
    ]
    list_filter = ["paid_with_alipay", "shop"]
    search_fields = ["buyer", "order_id", "shop__name"]
    list_select_related = ["shop"]
    date_hierarchy = "rated_at"

    def has_change_permission(self, request: HttpRequest, obj: DsrRating | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: DsrRating | None = None) -> bool:
        return False
