"""Billing: start a run and watch it, invoices and their life cycle, turnover to confirm.

Issuing, marking paid, confirming a turnover and starting a run ask in a confirm dialog first
(``data-confirm`` on their forms, ``static/js/confirm.js``); voiding has a page of its own that
asks why, and a void invoice's page offers to bill its month again for the shop.

Every change is a call to ``billing.services`` (turnover too: ``turnover_confirm``,
``turnover_correct``); a state the invoice's life forbids (issue while awaiting turnover, void
when paid) comes back as the service's message.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from agency import clock
from agency.errors import ApplicationError
from agency.formatting import month_text
from billing import services
from billing.documents import explain_line, invoice_parties, invoice_settlement
from billing.selectors import (
    billing_run_list,
    invoice_credit_notes,
    invoice_fapiao_request,
    invoice_list,
    invoice_reminders,
)
from billing.statements import payment_details
from shops.selectors import (
    turnover_report_confirmed,
    turnover_report_list,
    turnover_reports_to_confirm,
)
from web.forms import (
    BillingRunForm,
    CreditNoteForm,
    InvoiceFilterForm,
    InvoiceVoidForm,
    TurnoverCorrectionForm,
    add_service_error,
)
from web.mixins import ManagerRequiredMixin
from web.views.base import ManagerPage, paginate, redirect_back

RECENT_RUNS = 10
INVOICE_PAGE_SIZE = 50
# One-click actions (each asks in a confirm dialog first); voiding has a page of its own.
INVOICE_ACTIONS = {
    "issue": services.invoice_issue,
    "pay": services.invoice_pay,
}


def _error_text(error: Exception) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


class BillingView(ManagerPage):
    """Start a billing run, see the latest runs (polled while they work), confirm turnover."""

    template_name = "manager/billing/index.html"
    nav = "billing"

    def get(self, request, *args, **kwargs):
        form = BillingRunForm(initial={"month": f"{clock.previous_month():%Y-%m}"})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = BillingRunForm(request.POST)
        if form.is_valid():
            try:
                run = services.billing_run_create(
                    month=form.cleaned_data["month"], requested_by=request.user
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Billing run for %(month)s started.") % {"month": month_text(run.month)},
                )
                return redirect("web:billing")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        user = self.request.user
        to_confirm = list(turnover_reports_to_confirm(user=user))
        return super().get_context_data(
            runs=list(billing_run_list()[:RECENT_RUNS]),
            turnover_reports=to_confirm,
            export_month=clock.previous_month(),
            export_month_param=f"{clock.previous_month():%Y-%m}",
            **kwargs,
        )


class BillingRunStatusView(ManagerPage):
    """One run's row; htmx polls it every 2 s while the run is queued or running."""

    template_name = "manager/billing/_run_row.html"
    nav = "billing"

    def get(self, request, *args, **kwargs):
        if not request.htmx:
            return redirect(reverse("web:billing") + f"#run-{kwargs['pk']}")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        run = get_object_or_404(billing_run_list(), pk=self.kwargs["pk"])
        return super().get_context_data(run=run, **kwargs)


class InvoiceListView(ManagerPage):
    template_name = "manager/billing/invoices.html"
    nav = "billing"

    def get_context_data(self, **kwargs):
        form = InvoiceFilterForm(self.request.GET or None)
        invoices = invoice_list(user=self.request.user)
        month = None
        if form.is_valid():
            data = form.cleaned_data
            month = data["month"]
            if month:
                invoices = invoices.filter(month=month)
            if data["status"]:
                invoices = invoices.filter(status=data["status"])
            if data["q"].strip():
                query = data["q"].strip()
                invoices = invoices.filter(
                    Q(shop__name__icontains=query) | Q(number__icontains=query)
                )
            if data["awaiting"]:
                invoices = invoices.filter(awaiting_turnover=True)
        page = paginate(
            self.request, invoices.order_by("-month", "shop__name", "-id"), INVOICE_PAGE_SIZE
        )
        return super().get_context_data(
            form=form,
            page_obj=page,
            invoices=page.object_list,
            export_month=month or clock.previous_month(),
            export_month_param=f"{month or clock.previous_month():%Y-%m}",
            **kwargs,
        )


class InvoiceDetailView(ManagerPage):
    template_name = "manager/billing/invoice.html"
    nav = "billing"

    def get_context_data(self, **kwargs):
        from web.views.payments import invoice_payments_context

        invoice = get_object_or_404(invoice_list(user=self.request.user), pk=self.kwargs["pk"])
        lines = [(line, explain_line(line)) for line in invoice.lines.all()]
        turnover = (
            turnover_report_list(user=self.request.user)
            .filter(shop_id=invoice.shop_id, month=invoice.month)
            .first()
        )
        if turnover is not None and invoice.status == invoice.Status.DRAFT:
            # A draft follows its turnover: correcting the figure here recomputes it.
            kwargs.setdefault(
                "turnover_form", TurnoverCorrectionForm(initial={"amount": turnover.amount})
            )
        if invoice.status == invoice.Status.VOID:
            # The month's invoice now, if it was billed again; else the offer to bill it.
            kwargs["live_invoice"] = (
                invoice_list(user=self.request.user)
                .filter(shop_id=invoice.shop_id, month=invoice.month)
                .live()
                .first()
            )
        return super().get_context_data(
            invoice=invoice,
            lines=lines,
            parties=invoice_parties(invoice),
            settlement=invoice_settlement(invoice),
            payment=payment_details(),
            turnover=turnover,
            fapiao=invoice_fapiao_request(invoice_id=invoice.pk),
            credit_notes=invoice_credit_notes(invoice_id=invoice.pk),
            credit_note_form=CreditNoteForm(),
            reminders=[
                (reminder, abs(reminder.days))
                for reminder in invoice_reminders(invoice_id=invoice.pk)
            ],
            **{**invoice_payments_context(invoice, self.request.user), **kwargs},
        )


class InvoiceTurnoverView(InvoiceDetailView):
    """Correct the turnover behind a draft (``billing.services.turnover_correct``), even confirmed.

    The draft is recomputed in the same transaction; an issued invoice's turnover is refused
    (void the invoice first), and the refusal shows on the form.
    """

    http_method_names = ["get", "post"]

    def post(self, request, pk: int):
        invoice = get_object_or_404(invoice_list(user=request.user), pk=pk)
        report = get_object_or_404(
            turnover_report_list(user=request.user), shop_id=invoice.shop_id, month=invoice.month
        )
        form = TurnoverCorrectionForm(request.POST)
        if form.is_valid() and invoice.status == invoice.Status.VOID:
            form.add_error(
                None,
                _("This invoice is void; correct the turnover on the month's current invoice."),
            )
        elif form.is_valid():
            confirmed = turnover_report_confirmed(report)
            try:
                services.turnover_correct(
                    report_id=report.pk, actor=request.user, amount=form.cleaned_data["amount"]
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                done = (
                    _("Turnover of %(shop)s for %(month)s corrected; the draft is recomputed.")
                    if confirmed
                    else _("Turnover of %(shop)s for %(month)s corrected; confirm it to bill it.")
                )
                messages.success(
                    request,
                    done % {"shop": invoice.shop.name, "month": month_text(invoice.month)},
                )
                return redirect("web:invoice-detail", pk=pk)
        return self.render_to_response(self.get_context_data(turnover_form=form), status=400)

    def get(self, request, *args, **kwargs):
        return redirect("web:invoice-detail", pk=kwargs["pk"])


class InvoiceActionView(ManagerRequiredMixin, View):
    """Issue, pay or void an invoice (POST), then go back to the page the button was on."""

    http_method_names = ["post"]
    action = ""

    def post(self, request, pk: int):
        service = INVOICE_ACTIONS.get(self.action)
        if service is None:
            raise Http404
        invoice = get_object_or_404(invoice_list(user=request.user), pk=pk)
        try:
            invoice = service(invoice_id=invoice.pk, actor=request.user)
        except (ValidationError, ApplicationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        else:
            done = {
                "issue": _("Invoice %(invoice)s issued; the owner gets an email."),
                "pay": _("Invoice %(invoice)s marked paid."),
            }[self.action]
            messages.success(request, done % {"invoice": _invoice_label(invoice)})
        return redirect_back(request, reverse("web:invoice-detail", args=[pk]))


def _invoice_label(invoice) -> str:
    return invoice.number or f"{invoice.shop.name} {month_text(invoice.month)}"


class InvoiceVoidView(ManagerPage):
    """The confirm step of a void: the invoice, and a form that asks why (required).

    POST voids with the reason (``billing.services.invoice_void``) and goes back to the
    invoice, whose page then offers to bill the month again. Only a draft or an issued invoice
    has this page; any other goes back to its invoice page with the reason why.
    """

    template_name = "manager/billing/invoice_void.html"
    nav = "billing"

    def _invoice(self, pk: int):
        return get_object_or_404(invoice_list(user=self.request.user), pk=pk)

    def _not_voidable(self, invoice):
        messages.error(
            self.request,
            _("Only a draft or an issued invoice can be voided; this one is %(status)s.")
            % {"status": invoice.get_status_display()},
        )
        return redirect("web:invoice-detail", pk=invoice.pk)

    def get(self, request, pk: int):
        invoice = self._invoice(pk)
        if invoice.status not in (invoice.Status.DRAFT, invoice.Status.ISSUED):
            return self._not_voidable(invoice)
        if invoice.amount_paid > 0 or invoice.amount_credited > 0:
            messages.error(
                self.request,
                _(
                    "This invoice has payments or credit notes and cannot be voided; a credit "
                    "note corrects it."
                ),
            )
            return redirect(reverse("web:invoice-detail", args=[invoice.pk]) + "#credit-notes")
        return self.render_to_response(
            self.get_context_data(invoice=invoice, form=InvoiceVoidForm())
        )

    def post(self, request, pk: int):
        invoice = self._invoice(pk)
        form = InvoiceVoidForm(request.POST)
        if form.is_valid():
            was_issued = invoice.status == invoice.Status.ISSUED
            try:
                invoice = services.invoice_void(
                    invoice_id=invoice.pk,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                done = (
                    _("Invoice %(invoice)s voided; the owner gets an email with the reason.")
                    if was_issued
                    else _("Invoice %(invoice)s voided.")
                )
                messages.success(request, done % {"invoice": _invoice_label(invoice)})
                return redirect("web:invoice-detail", pk=invoice.pk)
        return self.render_to_response(
            self.get_context_data(invoice=invoice, form=form), status=400
        )


class InvoiceRebillView(ManagerRequiredMixin, View):
    """Bill the month of a void invoice again for its shop, now; then show the new draft."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        invoice = get_object_or_404(invoice_list(user=request.user), pk=pk)
        try:
            draft = services.invoice_rebill(invoice_id=invoice.pk, actor=request.user)
        except (ValidationError, ApplicationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
            return redirect("web:invoice-detail", pk=pk)
        messages.success(
            request,
            _("%(month)s billed again for %(shop)s: here is the new draft.")
            % {"month": month_text(draft.month), "shop": invoice.shop.name},
        )
        return redirect("web:invoice-detail", pk=draft.pk)


class TurnoverConfirmView(ManagerRequiredMixin, View):
    """Confirm a month's turnover (``billing.services.turnover_confirm``); its draft follows."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        report = get_object_or_404(turnover_report_list(user=request.user), pk=pk)
        try:
            report = services.turnover_confirm(report_id=report.pk, actor=request.user)
        except (ValidationError, ApplicationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Turnover of %(shop)s for %(month)s confirmed.")
                % {"shop": report.shop.name, "month": month_text(report.month)},
            )
        return redirect_back(request, reverse("web:billing") + "#turnover")
