"""REST API of payroll: runs and the month's approval (managers), payslips (managers all,
agents their own; owners 403), adjustments, the payslip PDF and the accountant's spreadsheet.

Views are thin: serializers check shapes, the services decide. Role checks come before any
lookup (403 says nothing about an id); an agent asking for another agent's payslip gets 404.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.access import is_agent, is_manager
from agency.api import IsManager, id_filter
from agency.export_apis import FileExportMixin, FirstRendererNegotiation, file_responses
from agency.exports import table_response
from agency.idempotency import idempotent
from agency.months import MonthField, MonthFilter, parse_month
from agency.renderers import JSONRenderer
from payroll import exports, selectors
from payroll.choices import PayslipStatus
from payroll.documents import (
    PdfUnavailable,
    document_language,
    payslip_lines,
    payslip_pdf_filename,
    render_payslip_pdf,
)
from payroll.models import PayrollRun, Payslip, PayslipAdjustment
from payroll.services import runs as services


class IsManagerOrAgent(permissions.BasePermission):
    """Managers, and agents for their own rows; shop owners never see the agency's pay (403)."""

    def has_permission(self, request, view) -> bool:
        return is_manager(request.user) or is_agent(request.user)


# --- Runs and approval ------------------------------------------------------------------------


class PayrollRunSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PayrollRun
        fields = [
            "id",
            "month",
            "status",
            "payslips_created",
            "payslips_updated",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class PayrollRunCreateSerializer(serializers.Serializer):
    month = MonthField(help_text="The month to pay, YYYY-MM.")


class PayrollRunFilter(filters.FilterSet):
    month = MonthFilter(field_name="month")
    status = filters.ChoiceFilter(choices=PayrollRun.Status.choices)

    class Meta:
        model = PayrollRun
        fields: list = []


class PayrollRunListApi(generics.ListAPIView):
    """Payroll runs, newest first; POST starts one for a month (it runs on a worker)."""

    permission_classes = [IsManager]
    serializer_class = PayrollRunSerializer
    filterset_class = PayrollRunFilter

    def get_queryset(self):
        return selectors.payroll_run_list()

    @idempotent
    @extend_schema(
        request=PayrollRunCreateSerializer,
        responses={
            202: OpenApiResponse(PayrollRunSerializer, description="The run, queued (or done)."),
            400: OpenApiResponse(description="The month is not YYYY-MM, or has not started."),
            409: OpenApiResponse(description="The month is approved: it is locked."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = PayrollRunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.payroll_run_create(
            month=serializer.validated_data["month"], requested_by=request.user
        )
        run.refresh_from_db()
        return Response(PayrollRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class PayrollRunDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsManager]
    serializer_class = PayrollRunSerializer

    def get_queryset(self):
        return selectors.payroll_run_list()


class PayrollMonthSerializer(serializers.Serializer):
    month = MonthField(read_only=True)
    approved = serializers.BooleanField(read_only=True)
    approved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    approved_by = serializers.CharField(
        source="approved_by.username", read_only=True, allow_null=True, default=None
    )


class PayrollRunApproveApi(APIView):
    """Approve the run's month: every payslip of it becomes approved and the month is locked
    (corrections by adjustments). 409 before the month ends, without a finished run, while a
    run is unfinished, or when approved already."""

    permission_classes = [IsManager]

    @idempotent
    @extend_schema(request=None, responses={200: PayrollMonthSerializer, 409: None})
    def post(self, request: Request, pk: int) -> Response:
        run = get_object_or_404(PayrollRun, pk=pk)
        services.payroll_run_approve(run=run, actor=request.user)
        return Response(PayrollMonthSerializer(selectors.payroll_month_status(run.month)).data)


# --- Payslips ---------------------------------------------------------------------------------


class PayslipAdjustmentSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PayslipAdjustment
        fields = ["id", "amount", "reason", "created_by", "created_at"]
        read_only_fields = fields


class PayslipSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    agent_name = serializers.CharField(source="agent.name", read_only=True)
    employee_no = serializers.CharField(source="agent.employee_no", read_only=True)

    class Meta:
        model = Payslip
        fields = [
            "id",
            "agent",
            "agent_name",
            "employee_no",
            "month",
            "status",
            "base_salary",
            "days_in_month",
            "employed_days",
            "unpaid_leave_days",
            "base_pay",
            "deductions",
            "attributed_sales",
            "commission_rate",
            "commission",
            "score",
            "grade",
            "bonus",
            "cover_shifts",
            "cover_allowance",
            "adjustments",
            "total",
        ]
        read_only_fields = fields


class PayslipLineSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    how = serializers.CharField(help_text="How the amount was reached, in the reader's language.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class PayslipDetailSerializer(PayslipSerializer):
    adjustment_lines = PayslipAdjustmentSerializer(many=True, read_only=True)
    lines = serializers.SerializerMethodField()
    details = serializers.JSONField(read_only=True)

    class Meta(PayslipSerializer.Meta):
        fields = [*PayslipSerializer.Meta.fields, "lines", "adjustment_lines", "details"]
        read_only_fields = fields

    @extend_schema_field(PayslipLineSerializer(many=True))
    def get_lines(self, payslip: Payslip) -> list[dict]:
        return PayslipLineSerializer(payslip_lines(payslip), many=True).data


class PayslipFilter(filters.FilterSet):
    month = MonthFilter(field_name="month")
    agent = id_filter("agent_id")
    status = filters.ChoiceFilter(choices=PayslipStatus.choices)

    class Meta:
        model = Payslip
        fields: list = []


class PayslipListApi(generics.ListAPIView):
    """Payslips, newest month first: managers all, an agent their own; owners 403."""

    permission_classes = [IsManagerOrAgent]
    serializer_class = PayslipSerializer
    filterset_class = PayslipFilter

    def get_queryset(self):
        return selectors.payslip_list(user=self.request.user).order_by(
            "-month", "agent__name", "agent_id"
        )


class PayslipDetailApi(generics.RetrieveAPIView):
    """A payslip with its lines (how each was reached), adjustment lines and the scorecard's
    details; another agent's payslip answers 404."""

    permission_classes = [IsManagerOrAgent]
    serializer_class = PayslipDetailSerializer

    def get_queryset(self):
        return selectors.payslip_list(user=self.request.user)


class AdjustmentCreateSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Positive adds pay, negative takes it off."
    )
    reason = serializers.CharField(max_length=200)


class PayslipAdjustmentCreateApi(APIView):
    """Add an adjustment line (amount, reason) to a payslip, draft or approved. Managers."""

    permission_classes = [IsManager]

    @idempotent
    @extend_schema(
        request=AdjustmentCreateSerializer,
        responses={201: PayslipDetailSerializer, 400: None},
    )
    def post(self, request: Request, pk: int) -> Response:
        payslip = get_object_or_404(selectors.payslip_list(user=request.user), pk=pk)
        data = AdjustmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.payslip_adjust(
            payslip=payslip,
            amount=data.validated_data["amount"],
            reason=data.validated_data["reason"],
            actor=request.user,
        )
        payslip = selectors.payslip_list(user=request.user).get(pk=pk)
        return Response(PayslipDetailSerializer(payslip).data, status=status.HTTP_201_CREATED)


class PayslipPdfApi(APIView):
    """A payslip as a PDF, in Chinese unless ``?lang=en``: managers any, an agent their own
    (another agent's: 404); owners 403."""

    permission_classes = [IsManagerOrAgent]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "lang", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=["zh-hans", "en"]
            )
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            400: OpenApiResponse(description="Unknown language."),
            404: OpenApiResponse(description="No such payslip for you."),
            503: OpenApiResponse(description="PDF rendering is unavailable on the server."),
        },
    )
    def get(self, request: Request, pk: int):
        payslip = get_object_or_404(selectors.payslip_list(user=request.user), pk=pk)
        try:
            language = document_language(request.query_params.get("lang"))
        except ValueError as exc:
            raise serializers.ValidationError({"lang": [str(exc)]}) from None
        try:
            pdf = render_payslip_pdf(payslip, language)
        except PdfUnavailable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            True, payslip_pdf_filename(payslip)
        )
        response["Cache-Control"] = "private"
        return response


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.CharField(help_text="The month, as YYYY-MM.")

    def validate_month(self, value: str):
        try:
            return parse_month(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class PayslipExportApi(FileExportMixin, APIView):
    """Every payslip of a month as XLSX for the accountant: one row per payslip, then the
    totals. Managers."""

    permission_classes = [IsManager]

    @extend_schema(
        parameters=[MonthQuerySerializer],
        responses={**file_responses("One row per payslip of the month, then the totals.")},
    )
    def get(self, request: Request):
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data["month"]
        return table_response(
            exports.PAYSLIP_COLUMNS,
            exports.payslip_rows(exports.payslips_for_export(month=month)),
            export_format="xlsx",
            filename=f"payslips-{month:%Y-%m}",
            sheet_title=f"{month:%Y-%m}",
        )
