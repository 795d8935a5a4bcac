"""Payments (收款) for managers: record a payment on an invoice's page, the list of payments, and
bank statements (银行流水): upload one, then confirm or ignore each line with the invoice it
proposes. Every change is a call to ``billing.services``; a refusal shows as the service's
message, on the field it names."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from agency.errors import ApplicationError, RowErrors
from agency.forms import add_service_error
from billing import services
from billing.choices import RECEIVED_PAYMENT_METHODS
from billing.selectors import (
    bank_statement_lines,
    bank_statement_list,
    invoice_list,
    open_invoices,
    payment_list,
)
from web.payment_forms import BankStatementUploadForm, PaymentForm
from web.views.base import ManagerPage, paginate
from web.views.billing import InvoiceDetailView

PAGE_SIZE = 50


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, ApplicationError):
        return error.message
    return str(error)


def invoice_payments_context(invoice, user) -> dict:
    """What the invoice page shows of its payments (``_invoice_payments.html``)."""
    return {
        "payments": list(payment_list(user=user).filter(invoice_id=invoice.pk)),
        "payment_form": PaymentForm(balance=invoice.balance)
        if invoice.status == invoice.Status.ISSUED
        else None,
    }


class InvoicePaymentView(InvoiceDetailView):
    """Record a payment of an invoice (POST from its page); the page again with the form's
    errors, or back to it with a message."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        invoice = get_object_or_404(invoice_list(user=request.user), pk=pk)
        form = PaymentForm(request.POST)
        if form.is_valid():
            try:
                payment = services.payment_record(
                    invoice_id=invoice.pk, actor=request.user, **form.cleaned_data
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Payment of %(amount)s recorded for %(invoice)s.")
                    % {"amount": f"{payment.amount:,.2f}", "invoice": invoice.number},
                )
                return redirect("web:invoice-detail", pk=invoice.pk)
        context = self.get_context_data(pk=pk)
        context["payment_form"] = form
        return self.render_to_response(context, status=400)


class PaymentListView(ManagerPage):
    template_name = "manager/payments/list.html"
    nav = "payments"

    def get_context_data(self, **kwargs):
        query = self.request.GET
        payments = payment_list(user=self.request.user)
        method = query.get("method", "")
        if method in dict(RECEIVED_PAYMENT_METHODS) or method == "credit":
            payments = payments.filter(method=method)
        received_from = _safe_parse(query.get("received_from", ""))
        received_to = _safe_parse(query.get("received_to", ""))
        if received_from:
            payments = payments.filter(received_on__gte=received_from)
        if received_to:
            payments = payments.filter(received_on__lte=received_to)
        search = query.get("q", "").strip()
        if search:
            payments = payments.filter(
                Q(invoice__number__icontains=search) | Q(shop__name__icontains=search)
            )
        page = paginate(self.request, payments, PAGE_SIZE)
        return super().get_context_data(
            page_obj=page,
            payments=page.object_list,
            methods=RECEIVED_PAYMENT_METHODS,
            method=method,
            received_from=received_from,
            received_to=received_to,
            q=search,
            **kwargs,
        )


def _safe_parse(text: str):
    """A date from a filter's text, or None when it is empty or not a date."""
    try:
        return parse_date(text.strip())
    except ValueError:
        return None


class BankImportView(ManagerPage):
    """Upload a bank statement; the statements imported so far."""

    template_name = "manager/payments/import.html"
    nav = "payments"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", BankStatementUploadForm())
        page = paginate(self.request, bank_statement_list(), PAGE_SIZE)
        return super().get_context_data(page_obj=page, statements=page.object_list, **kwargs)

    def post(self, request, *args, **kwargs):
        form = BankStatementUploadForm(request.POST, request.FILES)
        row_errors = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                statement = services.bank_statement_import(
                    file=upload, name=upload.name, actor=request.user
                )
            except RowErrors as error:
                form.add_error(None, error.message)
                row_errors = error.errors
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("Statement imported: check each line's proposal, then confirm it.")
                )
                return redirect("web:bank-statement", pk=statement.pk)
        return self.render_to_response(
            self.get_context_data(form=form, row_errors=row_errors), status=400
        )


class BankStatementView(ManagerPage):
    """A statement's lines with their proposals; confirm or ignore each (POST ``line`` and
    ``action``)."""

    template_name = "manager/payments/statement.html"
    nav = "payments"

    def get_context_data(self, **kwargs):
        statement = get_object_or_404(bank_statement_list(), pk=self.kwargs["pk"])
        return super().get_context_data(
            statement=statement,
            lines=list(bank_statement_lines(statement_id=statement.pk)),
            open_invoices=list(open_invoices()),
            **kwargs,
        )

    def post(self, request, pk: int):
        statement = get_object_or_404(bank_statement_list(), pk=pk)
        try:
            position = int(request.POST.get("line", ""))
        except ValueError:
            position = 0
        action = request.POST.get("action")
        try:
            if action == "ignore":
                services.bank_line_ignore(
                    statement_id=statement.pk, position=position, actor=request.user
                )
                messages.success(request, _("Line %(row)s ignored.") % {"row": position})
            elif action == "confirm":
                chosen = request.POST.get("invoice", "")
                services.bank_line_confirm(
                    statement_id=statement.pk,
                    position=position,
                    invoice_id=int(chosen) if chosen.isdigit() else None,
                    excess_to_credit=request.POST.get("excess_to_credit") == "on",
                    actor=request.user,
                )
                messages.success(
                    request,
                    _("Line %(row)s confirmed: the payment is recorded.") % {"row": position},
                )
            else:
                messages.error(request, _("Choose Confirm or Ignore."))
        except (ValidationError, ApplicationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        return redirect(reverse("web:bank-statement", args=[statement.pk]) + f"#line-{position}")
