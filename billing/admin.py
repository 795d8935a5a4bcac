"""Admin of billing: invoices, turnover reports (the shops app's model, whose confirmation and
correction change the month's draft) and billing runs. The price book is the shops app's.

Invoices and runs are read-only here: every change goes through the same services as the API
(issue, pay, void, start a run), as admin actions; voiding asks for the reason on an
intermediate page first, like Django's "delete selected". History pages show past versions and
never restore one (``HistoryReadOnlyMixin``).
"""

from collections.abc import Callable
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agency.access import is_manager
from agency.admin import HistoryReadOnlyMixin
from agency.errors import ApplicationError, StateConflict
from billing.models import BILLING_RUN_FIELDS, BillingRun, Invoice, InvoiceLine, InvoiceSequence
from billing.services import (
    billing_run_create,
    invoice_issue,
    invoice_pay,
    invoice_void,
    turnover_confirm,
    turnover_correct,
)
from billing.services.invoices import void_reason_clean
from shops.models import TurnoverReport
from shops.services import turnover_check_amount, turnover_month_check, turnover_submit


class ManagersMayView:
    """Agency managers (active staff) see billing without per-model permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_manager(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_manager(request.user)


class ReadOnly(ManagersMayView):
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# --- Invoices ---------------------------------------------------------------------------------


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = ["position", "kind", "contract", "description", "quantity", "unit_price", "amount"]
    readonly_fields = fields
    ordering = ["position", "id"]
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_manager(request.user)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class VoidReasonForm(forms.Form):
    """The reason every void carries; checked by the same rule as the service's."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("The owners of issued invoices are emailed it and read it on the invoice."),
    )

    def clean_reason(self) -> str:
        try:
            return void_reason_clean(self.cleaned_data["reason"])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["reason"]) from error


def _apply(
    admin_view: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Invoice],
    change: Callable[..., Invoice],
    done: str,
) -> None:
    """Call ``change`` for each selected invoice; report successes and each refusal."""
    succeeded = 0
    for invoice_id in queryset.order_by("month", "shop_id", "id").values_list("pk", flat=True):
        try:
            change(invoice_id=invoice_id, actor=request.user)
        except ApplicationError as error:
            admin_view.message_user(request, error.message, messages.WARNING)
        else:
            succeeded += 1
    if succeeded:
        admin_view.message_user(
            request,
            ngettext("%(count)d invoice %(done)s.", "%(count)d invoices %(done)s.", succeeded)
            % {"count": succeeded, "done": done},
            messages.SUCCESS,
        )


@admin.register(Invoice)
class InvoiceAdmin(HistoryReadOnlyMixin, ReadOnly, SimpleHistoryAdmin):
    list_display = ["__str__", "shop", "month", "status", "awaiting_turnover", "total", "number"]
    list_filter = ["status", "awaiting_turnover", "month"]
    search_fields = ["number", "shop__name"]
    list_select_related = ["shop"]
    date_hierarchy = "month"
    inlines = [InvoiceLineInline]
    actions = ["issue", "pay", "void"]
    readonly_fields = [
        "shop",
        "month",
        "status",
        "number",
        "awaiting_turnover",
        "total",
        "issued_at",
        "paid_at",
        "voided_at",
        "void_reason",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields

    @admin.action(description=_("Issue the selected drafts (numbers them, emails the owners)"))
    def issue(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        _apply(self, request, queryset, invoice_issue, pgettext("admin action done", "issued"))

    @admin.action(description=_("Mark the selected issued invoices as paid"))
    def pay(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        _apply(self, request, queryset, invoice_pay, pgettext("admin action done", "marked paid"))

    @admin.action(
        description=_("Void the selected invoices, saying why (the next run bills again)")
    )
    def void(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> TemplateResponse | None:
        """Ask for the reason on an intermediate page, then void each invoice with it."""
        form = VoidReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            _apply(
                self,
                request,
                queryset,
                partial(invoice_void, reason=reason),
                pgettext("admin action done", "voided"),
            )
            return None
        return TemplateResponse(
            request,
            "admin/billing/invoice/void.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Why are these invoices voided?"),
                "opts": self.model._meta,
                "invoices": queryset.select_related("shop").order_by("month", "shop_id", "id"),
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "select_across": request.POST.get("select_across", "0"),
            },
        )


# --- Turnover reports (shops' model; confirming and correcting one changes the draft) ---------


class TurnoverReportAdminForm(forms.ModelForm):
    """The checks of ``turnover_submit`` and ``turnover_correct``, as form errors."""

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

    def clean(self) -> dict:
        cleaned = super().clean()
        # A change keeps the report's month (read-only here): a report stored for a month that
        # has not ended is refused on the form, not by the service after the form was accepted.
        if self.instance.pk is not None and "amount" in self.changed_data:
            try:
                turnover_month_check(self.instance.month)
            except ValidationError as exc:
                self.add_error(None, exc.message_dict["month"])
        return cleaned


def _refusal_text(error: Exception) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


@admin.register(TurnoverReport)
class TurnoverReportAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    """Reports are added and corrected through the turnover services, confirmed by an action.

    A confirmed figure is billed: it can neither be edited nor deleted here (a manager corrects
    it in the manager app, through ``turnover_correct``, while the month's invoice is a draft).
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
            # The service locks the report and refuses a figure that has been confirmed (and
            # billed) since the form was opened: the refusal is shown, nothing is changed.
            try:
                turnover_correct(report_id=obj.pk, actor=request.user, amount=obj.amount)
            except (ApplicationError, ValidationError) as error:
                self.message_user(request, _refusal_text(error), messages.ERROR)

    @admin.action(description=_("Confirm the selected turnover reports"))
    def confirm(self, request: HttpRequest, queryset: QuerySet[TurnoverReport]) -> None:
        confirmed = skipped = 0
        for report_id in queryset.values_list("pk", flat=True):
            try:
                turnover_confirm(report_id=report_id, actor=request.user)
            except StateConflict:
                skipped += 1
            except (ApplicationError, ValidationError) as error:
                # A month not ended yet, or a contract that cannot be billed: say which report.
                report = TurnoverReport.objects.select_related("shop").get(pk=report_id)
                self.message_user(
                    request,
                    gettext("%(shop)s %(month)s: %(reason)s")
                    % {
                        "shop": report.shop.name,
                        "month": f"{report.month:%Y-%m}",
                        "reason": _refusal_text(error),
                    },
                    messages.ERROR,
                )
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


# --- Billing runs and numbering ---------------------------------------------------------------


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "month",
        "status",
        "invoices_created",
        "invoices_updated",
        "requested_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "month"]
    list_select_related = ["requested_by"]
    actions = ["rerun"]
    fields = list(BILLING_RUN_FIELDS)
    readonly_fields = fields

    @admin.action(description=_("Run again for the same months"))
    def rerun(self, request: HttpRequest, queryset: QuerySet[BillingRun]) -> None:
        months = sorted(set(queryset.values_list("month", flat=True)))
        for month in months:
            billing_run_create(month=month, requested_by=request.user)
        self.message_user(
            request,
            _("Billing runs started for %(months)s.")
            % {"months": ", ".join(f"{month:%Y-%m}" for month in months)},
            messages.SUCCESS,
        )


@admin.register(InvoiceSequence)
class InvoiceSequenceAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["year", "last_number"]
