"""An invoice with every line explained, its commission statement, and its PDF."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agency.errors import ApplicationError
from billing.documents import (
    CommissionStatement,
    LineExplanation,
    PdfUnavailable,
    commission_statement,
    document_language,
    explain_line,
    invoice_parties,
    invoice_pdf_filename,
    invoice_settlement,
    render_invoice_pdf,
)
from billing.selectors import invoice_credit_notes, invoice_fapiao_request, invoice_list
from billing.services import (
    fapiao_request_create,
    fapiao_request_defaults,
    shop_credit_balance,
)
from billing.statements import payment_details
from portal.forms import FapiaoRequestForm, add_service_error
from portal.selectors import previewing
from portal.views.base import PortalView

if TYPE_CHECKING:
    from billing.models import Invoice, InvoiceLine

logger = structlog.get_logger(__name__)
FAPIAO_STATUSES = ("issued", "paid")


@dataclass(frozen=True)
class ExplainedLine:
    line: "InvoiceLine"
    explanation: LineExplanation | None
    statement: CommissionStatement | None


class InvoiceLookupMixin:
    def get_invoice(self) -> "Invoice":
        return get_object_or_404(invoice_list(user=self.request.user), pk=self.kwargs["pk"])


class InvoiceView(InvoiceLookupMixin, PortalView):
    template_name = "portal/invoice.html"

    def get_context_data(self, **kwargs):
        invoice = kwargs.pop("invoice", None) or self.get_invoice()
        preview = previewing(user=self.request.user, shop=invoice.shop)
        fapiao = invoice_fapiao_request(invoice_id=invoice.pk)
        form = kwargs.pop("fapiao_form", None)
        if form is None and fapiao is None and not preview and invoice.status in FAPIAO_STATUSES:
            form = FapiaoRequestForm(
                initial={"type": "general", **fapiao_request_defaults(invoice=invoice)}
            )
        lines = [
            ExplainedLine(
                line=line,
                explanation=explain_line(line),
                statement=commission_statement(line, invoice.month),
            )
            for line in invoice.lines.all()
        ]
        return super().get_context_data(
            invoice=invoice,
            parties=invoice_parties(invoice),
            settlement=invoice_settlement(invoice),
            payment=payment_details(),
            shop=invoice.shop,
            preview=preview,
            fapiao=fapiao,
            fapiao_form=form,
            credit_notes=invoice_credit_notes(invoice_id=invoice.pk),
            credit_balance=shop_credit_balance(shop_id=invoice.shop_id),
            lines=lines,
            statements=[item for item in lines if item.statement is not None],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """The owner asks for a fapiao of this invoice."""
        invoice = self.get_invoice()
        self.refuse_preview(invoice.shop)
        form = FapiaoRequestForm(request.POST)
        if form.is_valid():
            try:
                fapiao_request_create(
                    invoice_id=invoice.pk, actor=request.user, data=form.cleaned_data
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your fapiao request is sent; the agency records the fapiao when it is "
                        "issued."
                    ),
                )
                return redirect("portal:invoice", pk=invoice.pk)
        return self.render_to_response(self.get_context_data(invoice=invoice, fapiao_form=form))


class InvoicePdfView(InvoiceLookupMixin, PortalView):
    """The invoice as a PDF attachment; a friendly 503 page when PDFs cannot be made."""

    def get(self, request, *args, **kwargs):
        invoice = self.get_invoice()
        try:
            language = document_language(invoice, request.GET.get("lang"))
        except ValueError:
            # A hand-edited link: print in the language the owner is reading the portal in.
            language = get_language()
        try:
            pdf = render_invoice_pdf(invoice, language)
        except PdfUnavailable as exc:
            logger.warning(
                "portal_invoice_pdf_unavailable", invoice=invoice.pk, missing=exc.missing
            )
            return render(
                request,
                "portal/pdf_unavailable.html",
                {"invoice": invoice, "shop": invoice.shop},
                status=503,
            )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            True, invoice_pdf_filename(invoice)
        )
        response["Cache-Control"] = "private"
        return response
