"""Fapiao requests (发票申请) for managers: the list, waiting ones first, with the form that
records the fapiao issued (number and date; it asks in a confirm dialog first, as a recorded
fapiao never changes), and the cancel of a request not issued yet. Every change is a call to
``billing.services``; a refusal comes back as the service's message."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from agency.errors import ApplicationError
from billing import services
from billing.choices import FapiaoRequestStatus
from billing.selectors import fapiao_request_list, red_letter_invoice_ids
from web.forms import FapiaoIssueForm
from web.mixins import ManagerRequiredMixin
from web.views.base import ManagerPage, paginate, redirect_back

PAGE_SIZE = 50


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, ApplicationError):
        return error.message
    return str(error)


class FapiaoListView(ManagerPage):
    template_name = "manager/billing/fapiao.html"
    nav = "billing"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        requests = fapiao_request_list(user=self.request.user)
        if status in FapiaoRequestStatus.values:
            requests = requests.filter(status=status)
        page = paginate(self.request, requests, PAGE_SIZE)
        return super().get_context_data(
            page_obj=page,
            fapiao_requests=page.object_list,
            # Invoices whose credit notes need a red-letter fapiao (红字发票): one query a page.
            red_letter=red_letter_invoice_ids(
                invoice_ids={row.invoice_id for row in page.object_list}
            ),
            statuses=FapiaoRequestStatus.choices,
            status=status,
            issue_form=FapiaoIssueForm(),
            **kwargs,
        )


class FapiaoIssueView(ManagerRequiredMixin, View):
    """Record the fapiao issued for a request (POST), then back to the list."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        row = get_object_or_404(fapiao_request_list(user=request.user), pk=pk)
        form = FapiaoIssueForm(request.POST)
        if not form.is_valid():
            messages.error(
                request, " ".join(str(e) for errors in form.errors.values() for e in errors)
            )
        else:
            try:
                services.fapiao_issue_record(
                    request_id=row.pk, actor=request.user, **form.cleaned_data
                )
            except (ValidationError, ApplicationError, PermissionDenied) as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(
                    request,
                    _("Fapiao %(number)s recorded for %(buyer)s.")
                    % {"number": form.cleaned_data["fapiao_number"], "buyer": row.buyer_name},
                )
        return redirect_back(request, reverse("web:fapiao-list"))


class FapiaoCancelView(ManagerRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        row = get_object_or_404(fapiao_request_list(user=request.user), pk=pk)
        try:
            services.fapiao_request_cancel(request_id=row.pk, actor=request.user)
        except (ValidationError, ApplicationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Fapiao request cancelled."))
        return redirect_back(request, reverse("web:fapiao-list"))
