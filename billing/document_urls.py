"""Routes for invoice documents and billing reports, included under /api/v1/.

Included before ``billing.api_urls`` so that ``invoices/export/`` is never taken for an invoice
id by a router's ``invoices/<pk>/`` pattern.
"""

from django.urls import path

from billing.document_apis import InvoiceExportApi, InvoicePdfApi, SeatProfitabilityApi

urlpatterns = [
    path("invoices/export/", InvoiceExportApi.as_view(), name="invoice-export"),
    path("invoices/<int:pk>/pdf/", InvoicePdfApi.as_view(), name="invoice-pdf"),
    path(
        "reports/seat-profitability/",
        SeatProfitabilityApi.as_view(),
        name="report-seat-profitability",
    ),
]
