"""Payroll routes under /api/v1/: quality reviews, payroll runs and payslips."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from payroll.apis import payroll as payroll_apis
from payroll.apis.reviews import QaItemViewSet, QualityReviewViewSet

router = SimpleRouter()
router.register("quality-reviews", QualityReviewViewSet, basename="quality-review")
router.register("qa-items", QaItemViewSet, basename="qa-item")

urlpatterns = [*router.urls]

# --- Payroll runs, approval, payslips -----------------------------------------------------------
urlpatterns += [
    path("payroll/runs/", payroll_apis.PayrollRunListApi.as_view(), name="payroll-run-list"),
    path(
        "payroll/runs/<int:pk>/",
        payroll_apis.PayrollRunDetailApi.as_view(),
        name="payroll-run-detail",
    ),
    path(
        "payroll/runs/<int:pk>/approve/",
        payroll_apis.PayrollRunApproveApi.as_view(),
        name="payroll-run-approve",
    ),
    path("payslips/", payroll_apis.PayslipListApi.as_view(), name="payslip-list"),
    path("payslips/export/", payroll_apis.PayslipExportApi.as_view(), name="payslip-export"),
    path("payslips/<int:pk>/", payroll_apis.PayslipDetailApi.as_view(), name="payslip-detail"),
    path("payslips/<int:pk>/pdf/", payroll_apis.PayslipPdfApi.as_view(), name="payslip-pdf"),
    path(
        "payslips/<int:pk>/adjustments/",
        payroll_apis.PayslipAdjustmentCreateApi.as_view(),
        name="payslip-adjustment-create",
    ),
]
