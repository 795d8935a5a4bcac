"""The owner's statement of account (对账单) of one shop: the period form, the table, and the
same statement as a PDF and an Excel workbook (``billing.statements``). Another owner's shop
answers the portal's 404, like any shop id that is not the caller's."""

import structlog
from django.shortcuts import render
from django.utils import translation

from agency.forms import PeriodForm
from billing.documents import PdfUnavailable
from billing.statements import (
    balance_words,
    payment_details,
    statement_for_page,
    statement_pdf_response,
    statement_xlsx_response,
)
from portal.views.base import PortalView

logger = structlog.get_logger(__name__)


class StatementView(PortalView):
    template_name = "portal/statement.html"
    file = ""  # "pdf" or "xlsx": the statement as a download

    def get(self, request, *args, **kwargs):
        shop = self.get_shop(self.kwargs["pk"])
        page = statement_for_page(shop=shop, form=PeriodForm(request.GET))
        if self.file and page.statement is not None:
            if self.file == "xlsx":
                return statement_xlsx_response(page.statement)
            try:
                return statement_pdf_response(page.statement, translation.get_language())
            except PdfUnavailable as exc:
                logger.warning(
                    "portal_statement_pdf_unavailable", shop=shop.pk, missing=exc.missing
                )
                return render(request, "portal/pdf_unavailable.html", {"shop": shop}, status=503)
        statement = page.statement
        return self.render_to_response(
            self.get_context_data(
                shop=shop,
                preview=self.is_preview(shop),
                form=page.form,
                statement=statement,
                query=page.query,
                payment=payment_details(),
                opening_words=balance_words(statement.opening_balance) if statement else "",
                closing_words=balance_words(statement.closing_balance) if statement else "",
            )
        )
