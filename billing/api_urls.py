"""Billing routes under /api/v1/ (documents and reports: ``billing.document_urls``)."""

from django.urls import path

from billing import (
    apis,
    bank_apis,
    credit_note_apis,
    fapiao_apis,
    payment_apis,
    statement_apis,
    turnover_apis,
)
from billing.quote_apis import QuoteApi

urlpatterns = [
    path("billing/runs/", apis.BillingRunListApi.as_view(), name="billing-run-list"),
    path("billing/runs/<int:pk>/", apis.BillingRunDetailApi.as_view(), name="billing-run-detail"),
    path("invoices/", apis.InvoiceListApi.as_view(), name="invoice-list"),
    path("invoices/<int:pk>/", apis.InvoiceDetailApi.as_view(), name="invoice-detail"),
    path("invoices/<int:pk>/issue/", apis.InvoiceIssueApi.as_view(), name="invoice-issue"),
    path("invoices/<int:pk>/pay/", apis.InvoicePayApi.as_view(), name="invoice-pay"),
    path("invoices/<int:pk>/void/", apis.InvoiceVoidApi.as_view(), name="invoice-void"),
    path("invoices/<int:pk>/rebill/", apis.InvoiceRebillApi.as_view(), name="invoice-rebill"),
    path(
        "invoices/<int:pk>/fapiao-request/",
        fapiao_apis.InvoiceFapiaoRequestApi.as_view(),
        name="invoice-fapiao-request",
    ),
    path(
        "fapiao-requests/", fapiao_apis.FapiaoRequestListApi.as_view(), name="fapiao-request-list"
    ),
    path(
        "fapiao-requests/<int:pk>/",
        fapiao_apis.FapiaoRequestDetailApi.as_view(),
        name="fapiao-request-detail",
    ),
    path(
        "fapiao-requests/<int:pk>/issue/",
        fapiao_apis.FapiaoIssueApi.as_view(),
        name="fapiao-request-issue",
    ),
    path(
        "fapiao-requests/<int:pk>/cancel/",
        fapiao_apis.FapiaoCancelApi.as_view(),
        name="fapiao-request-cancel",
    ),
    path("credit-notes/", credit_note_apis.CreditNoteListApi.as_view(), name="credit-note-list"),
    path(
        "credit-notes/<int:pk>/",
        credit_note_apis.CreditNoteDetailApi.as_view(),
        name="credit-note-detail",
    ),
    path("payments/", payment_apis.PaymentListApi.as_view(), name="payment-list"),
    path("payments/<int:pk>/", payment_apis.PaymentDetailApi.as_view(), name="payment-detail"),
    path("bank-statements/", bank_apis.BankStatementListApi.as_view(), name="bank-statement-list"),
    path(
        "bank-statements/<int:pk>/",
        bank_apis.BankStatementDetailApi.as_view(),
        name="bank-statement-detail",
    ),
    path(
        "bank-statements/<int:pk>/lines/<int:line>/confirm/",
        bank_apis.BankLineConfirmApi.as_view(),
        name="bank-line-confirm",
    ),
    path(
        "bank-statements/<int:pk>/lines/<int:line>/ignore/",
        bank_apis.BankLineIgnoreApi.as_view(),
        name="bank-line-ignore",
    ),
    path("quote/", QuoteApi.as_view(), name="quote"),
    path(
        "turnover-reports/<int:pk>/",
        turnover_apis.TurnoverReportDetailApi.as_view(),
        name="turnover-report-detail",
    ),
    path(
        "turnover-reports/<int:pk>/confirm/",
        turnover_apis.TurnoverReportConfirmApi.as_view(),
        name="turnover-report-confirm",
    ),
    path(
        "shops/<int:pk>/statement/",
        statement_apis.ShopStatementApi.as_view(),
        name="shop-statement",
    ),
    path(
        "shops/<int:pk>/statement/pdf/",
        statement_apis.ShopStatementPdfApi.as_view(),
        name="shop-statement-pdf",
    ),
    path(
        "shops/<int:pk>/statement/xlsx/",
        statement_apis.ShopStatementXlsxApi.as_view(),
        name="shop-statement-xlsx",
    ),
]
