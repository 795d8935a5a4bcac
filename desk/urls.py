"""The agent's desk, under /desk/ (docs/desk.md). Agents only: every view checks the role."""

from django.urls import path

from desk import views

app_name = "desk"

urlpatterns = [
    path("", views.DeskView.as_view(), name="home"),
    path("kpis/", views.KpiView.as_view(), name="kpis"),
    path("scorecard/", views.ScorecardView.as_view(), name="scorecard"),
    path(
        "handover/<int:seat>/<int:shop>/", views.HandoverWriteView.as_view(), name="handover-write"
    ),
    path(
        "handover/<int:pk>/acknowledge/",
        views.HandoverAcknowledgeView.as_view(),
        name="handover-acknowledge",
    ),
    path("leave/", views.LeaveView.as_view(), name="leave"),
    path("leave/<int:pk>/cancel/", views.LeaveCancelView.as_view(), name="leave-cancel"),
    path("reviews/", views.ReviewListView.as_view(), name="reviews"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review"),
    path("payslips/", views.PayslipListView.as_view(), name="payslips"),
    path("payslips/<int:pk>/", views.PayslipView.as_view(), name="payslip"),
]
