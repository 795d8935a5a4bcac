"""The client portal, under /portal/ (docs/portal.md).

Every URL with an id looks the object up among the caller's own shops: another owner's id
answers 404, exactly as an id that does not exist.
"""

from django.urls import path

from portal.views import edits, invoices, shops, statements

app_name = "portal"

urlpatterns = [
    path("", shops.HomeView.as_view(), name="home"),
    path("shops/<int:pk>/", shops.ShopView.as_view(), name="shop"),
    path("shops/<int:pk>/turnover/", edits.TurnoverView.as_view(), name="shop-turnover"),
    path("shops/<int:pk>/briefing/", edits.BriefingView.as_view(), name="shop-briefing"),
    path("shops/<int:pk>/statement/", statements.StatementView.as_view(), name="shop-statement"),
    path(
        "shops/<int:pk>/statement/pdf/",
        statements.StatementView.as_view(file="pdf"),
        name="shop-statement-pdf",
    ),
    path(
        "shops/<int:pk>/statement/xlsx/",
        statements.StatementView.as_view(file="xlsx"),
        name="shop-statement-xlsx",
    ),
    path("turnover/<int:pk>/", edits.TurnoverEditView.as_view(), name="turnover-edit"),
    path("invoices/<int:pk>/", invoices.InvoiceView.as_view(), name="invoice"),
    path("invoices/<int:pk>/pdf/", invoices.InvoicePdfView.as_view(), name="invoice-pdf"),
]
