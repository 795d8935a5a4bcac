"""A shop's statement of account (对账单) for managers: the period form, the table, and the
same statement as a PDF and an Excel workbook (``billing.statements``)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _

from agency.forms import PeriodForm
from billing.documents import PdfUnavailable
from billing.statements import (
    balance_words,
    payment_details,
    statement_for_page,
    statement_pdf_response,
    statement_xlsx_response,
)
from shops.selectors import shop_list
from web.views.base import ManagerPage


class ShopStatementView(ManagerPage):
    template_name = "manager/shops/statement.html"
    nav = "shops"
    file = ""  # "pdf" or "xlsx": the statement as a download

    def get(self, request, *args, **kwargs):
        shop = get_object_or_404(shop_list(user=request.user), pk=self.kwargs["pk"])
        page = statement_for_page(shop=shop, form=PeriodForm(request.GET))
        if self.file and page.statement is not None:
            if self.file == "xlsx":
                return statement_xlsx_response(page.statement)
            try:
                return statement_pdf_response(page.statement, translation.get_language())
            except PdfUnavailable as exc:
                messages.error(
                    request,
                    _("The PDF cannot be made on this server: %(missing)s.")
                    % {"missing": exc.missing},
                )
        context = self.get_context_data(
            shop=shop,
            form=page.form,
            statement=page.statement,
            query=page.query,
            payment=payment_details(),
            opening_words=balance_words(page.statement.opening_balance) if page.statement else "",
            closing_words=balance_words(page.statement.closing_balance) if page.statement else "",
        )
        return self.render_to_response(context)
