"""Routes for invoice documents and billing reports, included under /api/v1/.

Included before ``billing.api_urls`` so that ``invoices/export/`` is never taken for an invoice
id by a router's ``invoices/<pk>/`` pattern.
"""

from django.urls import path

from billing.document_apis import (
    CreditNotePdfApi,
    InvoiceExportApi,
    InvoicePdfApi,
    ReceivablesApi,
    ReceivablesExportApi,
    RevenueByMonthExportApi,
    RevenueByPlanExportApi,
    SeatProfitabilityApi,
    SeatProfitabilityExportApi,
    ShopInvoiceExportApi,
)

urlpatterns = [
    path("invoices/export/", InvoiceExportApi.as_view(), name="invoice-export"),
    path("invoices/<int:pk>/pdf/", InvoicePdfApi.as_view(), name="invoice-pdf"),
    path("credit-notes/<int:pk>/pdf/", CreditNotePdfApi.as_view(), name="credit-note-pdf"),
    path(
        "shops/<int:pk>/invoices/export/",
        ShopInvoiceExportApi.as_view(),
        name="shop-invoice-export",
    ),
    path(
        "reports/seat-profitability/export/",
        SeatProfitabilityExportApi.as_view(),
        name="report-seat-profitability-export",
    ),
    path(
        "reports/revenue-by-plan/export/",
        RevenueByPlanExportApi.as_view(),
        name="report-revenue-by-plan-export",
    ),
    path(
        "reports/revenue-by-month/export/",
        RevenueByMonthExportApi.as_view(),
        name="report-revenue-by-month-export",
    ),
    path(
        "reports/seat-profitability/",
        SeatProfitabilityApi.as_view(),
        name="report-seat-profitability",
    ),
    path("reports/receivables/", ReceivablesApi.as_view(), name="report-receivables"),
    path(
        "reports/receivables/export/",
        ReceivablesExportApi.as_view(),
        name="report-receivables-export",
    ),
]
