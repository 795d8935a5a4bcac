"""Credit notes (红冲单) for managers: the list of every note, and crediting an invoice from its
page. Crediting is two steps: the form (amount, reason) on the invoice page, then a page that
says what will happen (the balance reduced by X, Y to the shop's credit, a red-letter fapiao
needed) and issues the note when confirmed. Every change is a call to ``billing.services``;
a refusal comes back on the form as the service's message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from agency.errors import ApplicationError
from billing import services
from billing.selectors import credit_note_list, invoice_list
from web.forms import CreditNoteFilterForm, CreditNoteForm, add_service_error
from web.views.base import ManagerPage, paginate

PAGE_SIZE = 50


class CreditNoteListView(ManagerPage):
    template_name = "manager/credit_notes/list.html"
    nav = "payments"  # under Payments in the top bar, beside the money received

    def get_context_data(self, **kwargs):
        form = CreditNoteFilterForm(self.request.GET or None)
        notes = credit_note_list(user=self.request.user)
        if form.is_valid():
            data = form.cleaned_data
            query = data["q"].strip()
            if query:
                notes = notes.filter(
                    Q(shop__name__icontains=query)
                    | Q(number__icontains=query)
                    | Q(invoice__number__icontains=query)
                )
            if data["issued_from"]:
                notes = notes.filter(issued_at__date__gte=data["issued_from"])
            if data["issued_to"]:
                notes = notes.filter(issued_at__date__lte=data["issued_to"])
            if data["red_letter"]:
                notes = notes.filter(red_letter_fapiao_needed=True)
        page = paginate(self.request, notes, PAGE_SIZE)
        return super().get_context_data(
            form=form, page_obj=page, credit_notes=page.object_list, **kwargs
        )


class InvoiceCreditNoteView(ManagerPage):
    """Credit an invoice: POST the form to see what will happen; POST again with ``confirm``
    to issue the note. A GET shows the form alone (for an invoice that may be credited)."""

    template_name = "manager/credit_notes/confirm.html"
    nav = "billing"

    def _invoice(self, pk: int):
        return get_object_or_404(invoice_list(user=self.request.user), pk=pk)

    def get(self, request, pk: int):
        invoice = self._invoice(pk)
        if invoice.status not in (invoice.Status.ISSUED, invoice.Status.PAID):
            messages.error(
                request,
                _("Only an issued or paid invoice can be credited; this one is %(status)s.")
                % {"status": invoice.get_status_display()},
            )
            return redirect("web:invoice-detail", pk=invoice.pk)
        return self.render_to_response(
            self.get_context_data(invoice=invoice, form=CreditNoteForm())
        )

    def post(self, request, pk: int):
        invoice = self._invoice(pk)
        form = CreditNoteForm(request.POST)
        outcome = None
        if form.is_valid():
            amount, reason = form.cleaned_data["amount"], form.cleaned_data["reason"]
            try:
                if request.POST.get("confirm"):
                    note = services.credit_note_create(
                        invoice_id=invoice.pk, amount=amount, reason=reason, actor=request.user
                    )
                    messages.success(
                        request,
                        _("Credit note %(number)s issued; the owner gets an email.")
                        % {"number": note.number},
                    )
                    return redirect("web:invoice-detail", pk=invoice.pk)
                outcome = services.credit_note_outcome(
                    invoice=invoice, amount=amount, reason=reason
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
        context = self.get_context_data(invoice=invoice, form=form, outcome=outcome)
        return self.render_to_response(context, status=200 if outcome else 400)
