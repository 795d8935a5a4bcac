"""The owner's two writes: the month's turnover and the agents' briefing.

Both go through the shops services (``turnover_submit``, ``turnover_update``, ``shop_update``)
with the owner as ``actor``, so the rules and the audit trail are the same as in the API and the
admin. A manager previewing a shop sees these pages without their forms, and a POST answers 403.
"""

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import formats
from django.utils.translation import gettext as _

from agency.errors import ApplicationError
from portal.forms import (
    BriefingForm,
    TurnoverSubmitForm,
    TurnoverUpdateForm,
    add_service_error,
)
from portal.selectors import previewing
from portal.views.base import PortalView, PreviewReadOnly
from shops.selectors import (
    briefing_changes,
    shop_turnover_reports,
    turnover_month_to_report,
    turnover_report_confirmed,
    turnover_report_for,
    turnover_report_list,
)
from shops.services import shop_update, turnover_submit, turnover_update

if TYPE_CHECKING:
    from shops.models import TurnoverReport

SERVICE_ERRORS = (ValidationError, ApplicationError)


def _month(value) -> str:
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


class TurnoverView(PortalView):
    """A shop's turnover reports and the form to report a month."""

    template_name = "portal/turnover.html"

    def get_context_data(self, **kwargs):
        shop = kwargs.pop("shop", None) or self.get_shop(self.kwargs["pk"])
        preview = self.is_preview(shop)
        form = kwargs.pop("form", None)
        if form is None and not preview:
            form = TurnoverSubmitForm(initial={"month": turnover_month_to_report(shop=shop)})
        return super().get_context_data(
            shop=shop,
            preview=preview,
            form=form,
            reports=list(shop_turnover_reports(shop=shop, user=self.request.user)),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        shop = self.get_shop(self.kwargs["pk"])
        self.refuse_preview(shop)
        form = TurnoverSubmitForm(request.POST)
        if form.is_valid():
            month = form.cleaned_data["month"]
            existing = turnover_report_for(shop=shop, month=month)
            if existing is not None and turnover_report_confirmed(existing):
                form.add_error(
                    "month",
                    _("The turnover of %(month)s is confirmed and can no longer be changed.")
                    % {"month": _month(month)},
                )
            elif existing is not None:
                form.add_error(
                    "month",
                    _(
                        "You have already reported the turnover of %(month)s; correct it in "
                        "the list of reported months."
                    )
                    % {"month": _month(month)},
                )
            else:
                try:
                    turnover_submit(
                        actor=request.user,
                        shop=shop,
                        month=month,
                        amount=form.cleaned_data["amount"],
                    )
                except SERVICE_ERRORS as error:
                    add_service_error(form, error)
                else:
                    messages.success(
                        request,
                        _(
                            "Thank you: the turnover of %(month)s is recorded. The agency "
                            "confirms it before it is billed."
                        )
                        % {"month": _month(month)},
                    )
                    return redirect("portal:shop-turnover", pk=shop.pk)
        return self.render_to_response(self.get_context_data(shop=shop, form=form))


class TurnoverEditView(PortalView):
    """Correct a submitted month's turnover; a confirmed one is shown locked."""

    template_name = "portal/turnover_edit.html"

    def get_report(self) -> "TurnoverReport":
        return get_object_or_404(
            turnover_report_list(user=self.request.user).select_related("shop"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        report = kwargs.pop("report", None) or self.get_report()
        preview = previewing(user=self.request.user, shop=report.shop)
        locked = turnover_report_confirmed(report)
        form = kwargs.pop("form", None)
        if form is None and not (preview or locked):
            form = TurnoverUpdateForm(initial={"amount": report.amount})
        return super().get_context_data(
            report=report,
            shop=report.shop,
            preview=preview,
            locked=locked,
            form=form,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        report = self.get_report()
        if previewing(user=request.user, shop=report.shop):
            raise PreviewReadOnly
        if turnover_report_confirmed(report):
            messages.error(
                request,
                _("The turnover of %(month)s is confirmed and can no longer be changed.")
                % {"month": _month(report.month)},
            )
            return self.render_to_response(self.get_context_data(report=report), status=409)
        form = TurnoverUpdateForm(request.POST)
        if form.is_valid():
            try:
                turnover_update(
                    report=report, actor=request.user, amount=form.cleaned_data["amount"]
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("The turnover of %(month)s is corrected.") % {"month": _month(report.month)},
                )
                return redirect("portal:shop-turnover", pk=report.shop_id)
        return self.render_to_response(self.get_context_data(report=report, form=form))


class BriefingView(PortalView):
    """The agents' briefing: edit it, and see who changed it and when."""

    template_name = "portal/briefing.html"
    HISTORY_SHOWN = 10

    def get_context_data(self, **kwargs):
        shop = kwargs.pop("shop", None) or self.get_shop(self.kwargs["pk"])
        preview = self.is_preview(shop)
        form = kwargs.pop("form", None)
        if form is None and not preview:
            form = BriefingForm(initial={"briefing": shop.briefing})
        return super().get_context_data(
            shop=shop,
            preview=preview,
            form=form,
            changes=briefing_changes(shop=shop, limit=self.HISTORY_SHOWN),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        shop = self.get_shop(self.kwargs["pk"])
        self.refuse_preview(shop)
        form = BriefingForm(request.POST)
        if form.is_valid():
            briefing = form.cleaned_data["briefing"]
            if briefing == shop.briefing:
                messages.info(request, _("The briefing is unchanged."))
                return redirect("portal:shop-briefing", pk=shop.pk)
            try:
                shop_update(shop=shop, actor=request.user, data={"briefing": briefing})
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The briefing is saved."))
                return redirect("portal:shop-briefing", pk=shop.pk)
        return self.render_to_response(self.get_context_data(shop=shop, form=form))
