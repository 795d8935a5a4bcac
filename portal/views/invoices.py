"""An invoice with every line explained, its commission statement, and its PDF."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

from billing.documents import (
    CommissionStatement,
    LineExplanation,
    PdfUnavailable,
    commission_statement,
    document_language,
    explain_line,
    invoice_parties,
    invoice_pdf_filename,
    render_invoice_pdf,
)
from billing.selectors import invoice_list
from portal.selectors import previewing
from portal.views.base import PortalView

if TYPE_CHECKING:
    from billing.models import Invoice, InvoiceLine

logger = structlog.get_logger(__name__)


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
        invoice = self.get_invoice()
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
            shop=invoice.shop,
            preview=previewing(user=self.request.user, shop=invoice.shop),
            lines=lines,
            statements=[item for item in lines if item.statement is not None],
            **kwargs,
        )


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
