"""The manager web app, served at the site root (see docs/web.md)."""

from django.urls import path

from web.views import (
    agents,
    billing,
    credit_notes,
    dashboard,
    fapiao,
    payments,
    payroll,
    quality,
    quote,
    receivables,
    reports,
    roster,
    scorecards,
    seats,
    shops,
    statements,
    sub_accounts,
    tokens,
    two_factor,
    users,
    workloads,
)

app_name = "web"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("account/tokens/", tokens.TokenListView.as_view(), name="token-list"),
    path("account/tokens/revoke/", tokens.TokenRevokeView.as_view(), name="token-revoke-all"),
    path("account/tokens/<str:key>/revoke/", tokens.TokenRevokeView.as_view(), name="token-revoke"),
    path("account/two-factor/", two_factor.TwoFactorView.as_view(), name="two-factor"),
    path(
        "account/two-factor/recovery-codes/",
        two_factor.RecoveryCodesView.as_view(),
        name="two-factor-recovery-codes",
    ),
    path(
        "account/two-factor/disable/",
        two_factor.TwoFactorDisableView.as_view(),
        name="two-factor-disable",
    ),
    path("handover/", dashboard.HandoverListView.as_view(), name="handover-list"),
    path(
        "handover/<int:pk>/acknowledge/",
        dashboard.HandoverAcknowledgeView.as_view(),
        name="handover-acknowledge",
    ),
    # Shops
    path("shops/", shops.ShopListView.as_view(), name="shop-list"),
    path("shops/new/", shops.ShopFormView.as_view(), name="shop-create"),
    path("shops/<int:pk>/", shops.ShopDetailView.as_view(), name="shop-detail"),
    path("shops/<int:pk>/edit/", shops.ShopFormView.as_view(), name="shop-edit"),
    path("shops/<int:pk>/turnover/", shops.ShopTurnoverView.as_view(), name="shop-turnover"),
    path(
        "shops/<int:pk>/statement/",
        statements.ShopStatementView.as_view(),
        name="shop-statement",
    ),
    path(
        "shops/<int:pk>/statement/pdf/",
        statements.ShopStatementView.as_view(file="pdf"),
        name="shop-statement-pdf",
    ),
    path(
        "shops/<int:pk>/statement/xlsx/",
        statements.ShopStatementView.as_view(file="xlsx"),
        name="shop-statement-xlsx",
    ),
    path(
        "shops/<int:pk>/contracts/new/",
        shops.ContractCreateView.as_view(),
        name="contract-create",
    ),
    # Agents
    path("agents/", agents.AgentListView.as_view(), name="agent-list"),
    path("agents/new/", agents.AgentFormView.as_view(), name="agent-create"),
    path("agents/<int:pk>/", agents.AgentDetailView.as_view(), name="agent-detail"),
    path("agents/<int:pk>/edit/", agents.AgentFormView.as_view(), name="agent-edit"),
    path(
        "agents/<int:pk>/deactivate/",
        agents.AgentDeactivateView.as_view(),
        name="agent-deactivate",
    ),
    # Accounts
    path("users/", users.UserListView.as_view(), name="user-list"),
    path("users/new/", users.UserFormView.as_view(), name="user-create"),
    path("users/<int:pk>/edit/", users.UserFormView.as_view(), name="user-edit"),
    path("users/<int:pk>/invite/", users.UserInviteView.as_view(), name="user-invite"),
    path(
        "users/<int:pk>/deactivate/",
        users.UserActiveView.as_view(active=False),
        name="user-deactivate",
    ),
    path(
        "users/<int:pk>/reactivate/",
        users.UserActiveView.as_view(active=True),
        name="user-reactivate",
    ),
    # Platform sub-accounts
    path("sub-accounts/", sub_accounts.SubAccountListView.as_view(), name="sub-account-list"),
    path("sub-accounts/new/", sub_accounts.SubAccountFormView.as_view(), name="sub-account-create"),
    path(
        "sub-accounts/<int:pk>/edit/",
        sub_accounts.SubAccountFormView.as_view(),
        name="sub-account-edit",
    ),
    path(
        "sub-accounts/<int:pk>/revoke/",
        sub_accounts.SubAccountRevokeView.as_view(),
        name="sub-account-revoke",
    ),
    # Seats
    path("seats/", seats.SeatBoardView.as_view(), name="seat-board"),
    path("seats/new/", seats.SeatFormView.as_view(), name="seat-create"),
    path("seats/<int:pk>/edit/", seats.SeatFormView.as_view(), name="seat-edit"),
    path("seats/assign/", seats.AssignmentCreateView.as_view(), name="assignment-create"),
    path(
        "seats/assignments/<int:pk>/end/",
        seats.AssignmentEndView.as_view(),
        name="assignment-end",
    ),
    path("seats/contract/", seats.ContractSeatView.as_view(), name="contract-seat"),
    # Roster, leave and covers
    path("roster/", roster.RosterView.as_view(), name="roster"),
    path("roster/covers/new/", roster.CoverCreateView.as_view(), name="cover-create"),
    path("roster/covers/<int:pk>/delete/", roster.CoverDeleteView.as_view(), name="cover-delete"),
    path("leave/", roster.LeaveView.as_view(), name="leave-list"),
    *[
        path(
            f"leave/<int:pk>/{action}/",
            roster.LeaveActionView.as_view(action=action),
            name=f"leave-{action}",
        )
        for action in roster.LEAVE_ACTIONS
    ],
    # Quality reviews
    path("quality/", quality.ReviewListView.as_view(), name="quality-list"),
    path("quality/new/", quality.ReviewCreateView.as_view(), name="quality-create"),
    path("quality/<int:pk>/", quality.ReviewDetailView.as_view(), name="quality-detail"),
    path("quality/items/", quality.QaItemsView.as_view(), name="quality-items"),
    path("quality/items/<int:pk>/", quality.QaItemUpdateView.as_view(), name="quality-item-update"),
    # Workloads
    path("workloads/import/", workloads.WorkloadImportView.as_view(), name="workload-import"),
    # Quote
    path("quote/", quote.QuoteView.as_view(), name="quote"),
    # Billing
    # Payroll
    path("payroll/", payroll.PayrollView.as_view(), name="payroll"),
    path(
        "payroll/<str:month>/",
        payroll.PayrollMonthView.as_view(),
        name="payroll-month",
    ),
    path(
        "payroll/payslips/<int:pk>/",
        payroll.PayslipDetailView.as_view(),
        name="payslip-detail",
    ),
    # Billing
    path("billing/", billing.BillingView.as_view(), name="billing"),
    path("billing/runs/<int:pk>/", billing.BillingRunStatusView.as_view(), name="billing-run"),
    path("fapiao/", fapiao.FapiaoListView.as_view(), name="fapiao-list"),
    path("fapiao/<int:pk>/issue/", fapiao.FapiaoIssueView.as_view(), name="fapiao-issue"),
    path("fapiao/<int:pk>/cancel/", fapiao.FapiaoCancelView.as_view(), name="fapiao-cancel"),
    path("billing/invoices/", billing.InvoiceListView.as_view(), name="invoice-list"),
    path("credit-notes/", credit_notes.CreditNoteListView.as_view(), name="credit-note-list"),
    path(
        "billing/invoices/<int:pk>/credit-note/",
        credit_notes.InvoiceCreditNoteView.as_view(),
        name="invoice-credit-note",
    ),
    # Payments (收款)
    path(
        "billing/invoices/<int:pk>/payments/",
        payments.InvoicePaymentView.as_view(),
        name="invoice-payment",
    ),
    path("payments/", payments.PaymentListView.as_view(), name="payment-list"),
    path("payments/import/", payments.BankImportView.as_view(), name="bank-import"),
    path("payments/import/<int:pk>/", payments.BankStatementView.as_view(), name="bank-statement"),
    path("billing/invoices/<int:pk>/", billing.InvoiceDetailView.as_view(), name="invoice-detail"),
    *[
        path(
            f"billing/invoices/<int:pk>/{action}/",
            billing.InvoiceActionView.as_view(action=action),
            name=f"invoice-{action}",
        )
        for action in billing.INVOICE_ACTIONS
    ],
    path(
        "billing/invoices/<int:pk>/void/",
        billing.InvoiceVoidView.as_view(),
        name="invoice-void",
    ),
    path(
        "billing/invoices/<int:pk>/rebill/",
        billing.InvoiceRebillView.as_view(),
        name="invoice-rebill",
    ),
    path(
        "billing/invoices/<int:pk>/turnover/",
        billing.InvoiceTurnoverView.as_view(),
        name="invoice-turnover",
    ),
    path(
        "billing/turnover/<int:pk>/confirm/",
        billing.TurnoverConfirmView.as_view(),
        name="turnover-confirm",
    ),
    # Reports
    path("reports/", reports.ReportsView.as_view(), name="reports"),
    path("reports/receivables/", receivables.ReceivablesView.as_view(), name="receivables"),
    # Pay book and scorecards
    path("pay-book/", scorecards.PayBookView.as_view(), name="pay-book"),
    path("pay-book/edit/", scorecards.PayBookFormView.as_view(), name="pay-book-edit"),
    path("scorecards/", scorecards.ScorecardBoardView.as_view(), name="scorecard-board"),
    path(
        "agents/<int:pk>/scorecard/",
        scorecards.AgentScorecardView.as_view(),
        name="agent-scorecard",
    ),
]
