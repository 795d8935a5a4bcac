"""Writes of the billing app: billing runs, invoice life cycle and numbering.

Every caller (the API, the admin, ``manage.py run_billing``, Celery tasks, the manager app)
goes through these functions; confirming and correcting turnover, which changes the month's
draft, are here too. They take keyword-only arguments,
run in one transaction and refuse with ``StateConflict`` (409) when an invoice's state forbids
the change.
"""

from billing.services.bank import (
    BankStatementError,
    bank_line_confirm,
    bank_line_ignore,
    bank_statement_import,
)
from billing.services.credit_notes import (
    CREDIT_NOTE_REASON_MAX_LENGTH,
    CreditNoteOutcome,
    credit_note_create,
    credit_note_email_send,
    credit_note_outcome,
)
from billing.services.fapiao import (
    fapiao_issue_record,
    fapiao_request_cancel,
    fapiao_request_create,
    fapiao_request_defaults,
    red_letter_fapiao_needed,
)
from billing.services.invoices import (
    VOID_REASON_MAX_LENGTH,
    invoice_issue,
    invoice_issued_email_send,
    invoice_pay,
    invoice_rebill,
    invoice_void,
    invoice_void_email_send,
)
from billing.services.lines import BillableContract, ContractTermsError, invoice_figures
from billing.services.numbering import credit_note_number_next, invoice_number_next
from billing.services.payments import (
    credit_use,
    invoice_due_date,
    payment_record,
    payment_terms_days,
    shop_credit_balance,
)
from billing.services.runs import (
    bill_month,
    billing_run_create,
    billing_run_execute,
    invoice_draft_recompute,
    shop_month_bill,
)
from billing.services.turnover import turnover_confirm, turnover_correct

__all__ = [
    "BankStatementError",
    "bank_line_confirm",
    "bank_line_ignore",
    "bank_statement_import",
    "CREDIT_NOTE_REASON_MAX_LENGTH",
    "VOID_REASON_MAX_LENGTH",
    "credit_note_create",
    "credit_note_email_send",
    "credit_note_outcome",
    "CreditNoteOutcome",
    "credit_note_number_next",
    "credit_use",
    "invoice_due_date",
    "payment_record",
    "payment_terms_days",
    "shop_credit_balance",
    "BillableContract",
    "ContractTermsError",
    "bill_month",
    "fapiao_issue_record",
    "fapiao_request_cancel",
    "fapiao_request_create",
    "fapiao_request_defaults",
    "red_letter_fapiao_needed",
    "billing_run_create",
    "billing_run_execute",
    "invoice_draft_recompute",
    "invoice_figures",
    "invoice_issue",
    "invoice_issued_email_send",
    "invoice_number_next",
    "invoice_pay",
    "invoice_rebill",
    "invoice_void",
    "invoice_void_email_send",
    "shop_month_bill",
    "turnover_confirm",
    "turnover_correct",
]
