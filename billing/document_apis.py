"""API views for invoice documents (PDF), the exports of invoices and reports (CSV or XLSX,
``billing.exports``), the seat profitability report and the receivables by age.

The PDF and the files answer with plain ``HttpResponse`` bodies, and their errors are JSON
whatever the client's ``Accept`` header says: a client asking for ``application/pdf`` must get
the file, not a 406 from content negotiation.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agency import clock
from agency.access import scoped_to_shops
from agency.api import IsManager, NotForAgents
from agency.export_apis import (
    ExportFormatSerializer,
    FileExportMixin,
    FirstRendererNegotiation,
    export_format,
    file_responses,
)
from agency.exports import filename_part, table_response
from agency.months import parse_month
from agency.renderers import JSONRenderer
from billing import exports
from billing.documents import (
    PdfUnavailable,
    credit_note_language,
    credit_note_pdf_filename,
    document_language,
    invoice_pdf_filename,
    render_credit_note_pdf,
    render_invoice_pdf,
)
from billing.models import Invoice
from billing.receivables import receivables
from billing.reports import seat_profitability
from billing.selectors import credit_note_list
from shops.selectors import shops_for_user


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.CharField(help_text="The month, as YYYY-MM.")

    def validate_month(self, value: str):
        try:
            return parse_month(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


def _month_from(request):
    query = MonthQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["month"]


class DocumentErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class LangErrorSerializer(serializers.Serializer):
    lang = serializers.ListField(child=serializers.CharField())


class MonthErrorSerializer(serializers.Serializer):
    month = serializers.ListField(child=serializers.CharField())


_MONTH_ERROR = OpenApiResponse(MonthErrorSerializer, description="Missing or malformed month.")


_ERRORS = {
    401: OpenApiResponse(DocumentErrorSerializer, description="No credentials."),
    403: OpenApiResponse(DocumentErrorSerializer, description="Signed in, but not a manager."),
}


class InvoicePdfApi(APIView):
    """An invoice as a PDF; shop owners get their own shops' invoices only (others: 404);
    agents' accounts none (403)."""

    permission_classes = [IsAuthenticated, NotForAgents]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        operation_id="invoices_pdf_retrieve",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=["zh-hans", "en"],
                description="The PDF's language; default: the shop owner's language.",
            ),
        ],
        responses={
            400: OpenApiResponse(
                LangErrorSerializer, description='Unknown language: {"lang": ["..."]}.'
            ),
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The invoice as a PDF attachment (INV-....pdf, or draft-<id>.pdf).",
            ),
            401: _ERRORS[401],
            404: OpenApiResponse(DocumentErrorSerializer, description="No such invoice for you."),
            503: OpenApiResponse(
                DocumentErrorSerializer,
                description="PDF rendering is unavailable on the server (names what is missing).",
            ),
        },
    )
    def get(self, request, pk: int):
        invoice = get_object_or_404(
            scoped_to_shops(
                Invoice.objects.select_related("shop__owner"), request.user, money=True
            ).prefetch_related("lines"),
            pk=pk,
        )
        try:
            language = document_language(invoice, request.query_params.get("lang"))
        except ValueError as exc:
            raise serializers.ValidationError({"lang": [str(exc)]}) from None
        try:
            pdf = render_invoice_pdf(invoice, language)
        except PdfUnavailable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            True, invoice_pdf_filename(invoice)
        )
        response["Cache-Control"] = "private"
        return response


class CreditNotePdfApi(APIView):
    """A credit note (红冲单) as a PDF; shop owners get their own shops' only (others: 404);
    agents' accounts none (403)."""

    permission_classes = [IsAuthenticated, NotForAgents]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        operation_id="credit_notes_pdf_retrieve",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=["zh-hans", "en"],
                description="The PDF's language; default: the shop owner's language.",
            ),
        ],
        responses={
            400: OpenApiResponse(
                LangErrorSerializer, description='Unknown language: {"lang": ["..."]}.'
            ),
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The credit note as a PDF (CN-....pdf)."
            ),
            401: _ERRORS[401],
            403: OpenApiResponse(DocumentErrorSerializer, description="An agent's account."),
            404: OpenApiResponse(
                DocumentErrorSerializer, description="No such credit note for you."
            ),
            503: OpenApiResponse(
                DocumentErrorSerializer,
                description="PDF rendering is unavailable on the server (names what is missing).",
            ),
        },
    )
    def get(self, request, pk: int):
        note = get_object_or_404(
            credit_note_list(user=request.user).select_related("invoice__shop__owner"), pk=pk
        )
        try:
            language = credit_note_language(note, request.query_params.get("lang"))
        except ValueError as exc:
            raise serializers.ValidationError({"lang": [str(exc)]}) from None
        try:
            pdf = render_credit_note_pdf(note, language)
        except PdfUnavailable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            True, credit_note_pdf_filename(note)
        )
        response["Cache-Control"] = "private"
        return response


_FORMAT_ERROR = OpenApiResponse(
    description='A malformed month, or a format other than csv and xlsx: {"field": ["reason"]}.'
)


class InvoiceExportApi(FileExportMixin, APIView):
    """Every invoice of a month, one row per invoice (void ones too), as CSV or XLSX. Managers.

    Columns: number, shop, platform, month, status, awaiting turnover, issued on, paid on, the
    line amounts per kind (service days, base fee, commission) and the total; headers and values
    in the reader's language.
    """

    permission_classes = [IsManager]

    @extend_schema(
        operation_id="invoices_export",
        parameters=[MonthQuerySerializer, ExportFormatSerializer],
        responses={
            **file_responses("One row per invoice of the month."),
            400: _FORMAT_ERROR,
            **_ERRORS,
        },
    )
    def get(self, request):
        month = _month_from(request)
        chosen = export_format(request)
        return table_response(
            exports.INVOICE_COLUMNS,
            exports.invoice_rows(exports.invoices_for_export(month=month)),
            export_format=chosen,
            filename=f"invoices-{month:%Y-%m}",
            sheet_title=f"{month:%Y-%m}",
        )


class ShopInvoiceExportApi(FileExportMixin, APIView):
    """A shop's invoices, newest month first, as CSV or XLSX: managers any shop, owners theirs
    (another shop: 404); agents' accounts none (403)."""

    permission_classes = [IsAuthenticated, NotForAgents]

    @extend_schema(
        operation_id="shops_invoices_export",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            ExportFormatSerializer,
        ],
        responses={
            **file_responses("One row per invoice of the shop."),
            400: _FORMAT_ERROR,
            401: _ERRORS[401],
            404: OpenApiResponse(DocumentErrorSerializer, description="No such shop for you."),
        },
    )
    def get(self, request, pk: int):
        shop = get_object_or_404(shops_for_user(request.user), pk=pk)
        chosen = export_format(request)
        invoices = exports.shop_invoices_for_export(shop=shop, user=request.user)
        return table_response(
            exports.INVOICE_COLUMNS,
            exports.invoice_rows(invoices),
            export_format=chosen,
            filename=f"invoices-{filename_part(shop.name)}",
            sheet_title=shop.name,
        )


class _ReportExportApi(FileExportMixin, APIView):
    """A report of the manager app's reports page for a month, as CSV or XLSX. Managers only."""

    permission_classes = [IsManager]
    columns: tuple = ()
    name = ""

    def rows(self, month):
        raise NotImplementedError

    def get(self, request):
        month = _month_from(request)
        chosen = export_format(request)
        return table_response(
            self.columns,
            self.rows(month),
            export_format=chosen,
            filename=f"{self.name}-{month:%Y-%m}",
            sheet_title=f"{self.name} {month:%Y-%m}",
        )


_REPORT_SCHEMA = {
    "parameters": [MonthQuerySerializer, ExportFormatSerializer],
    "responses": {**file_responses("The report's table."), 400: _FORMAT_ERROR, **_ERRORS},
}


@extend_schema_view(
    get=extend_schema(operation_id="reports_seat_profitability_export", **_REPORT_SCHEMA)
)
class SeatProfitabilityExportApi(_ReportExportApi):
    """Seat profitability: each seat, the seats' totals, revenue served without a seat."""

    columns = exports.SEAT_PROFITABILITY_COLUMNS
    name = "seat-profitability"

    def rows(self, month):
        return exports.seat_profitability_rows(month=month)


@extend_schema_view(
    get=extend_schema(operation_id="reports_revenue_by_plan_export", **_REPORT_SCHEMA)
)
class RevenueByPlanExportApi(_ReportExportApi):
    """The month's revenue by plan, then the total."""

    columns = exports.REVENUE_BY_PLAN_COLUMNS
    name = "revenue-by-plan"

    def rows(self, month):
        return exports.revenue_by_plan_rows(month=month)


@extend_schema_view(
    get=extend_schema(operation_id="reports_revenue_by_month_export", **_REPORT_SCHEMA)
)
class RevenueByMonthExportApi(_ReportExportApi):
    """Revenue of the 12 months ending with the month, newest first, with the change on the
    month before (a ratio, shown as a percentage)."""

    columns = exports.REVENUE_TREND_COLUMNS
    name = "revenue-by-month"

    def rows(self, month):
        return exports.revenue_trend_rows(last_month=month)


class SeatProfitabilitySerializer(serializers.Serializer):
    seat = serializers.IntegerField(source="seat_id")
    seat_code = serializers.CharField()
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    agent_cost = serializers.DecimalField(max_digits=16, decimal_places=2)
    overhead = serializers.DecimalField(max_digits=16, decimal_places=2)
    margin = serializers.DecimalField(max_digits=16, decimal_places=2)
    estimate = serializers.BooleanField(
        help_text="True while the month's payroll is not approved: agent_cost is the base "
        "salaries by days assigned. False: the approved pay of the agents who worked the seat, "
        "by days worked (covers included)."
    )


class SeatProfitabilityApi(APIView):
    """Revenue, agent cost, overhead and margin per seat for a month. Managers only.

    Revenue served by contracts without a seat belongs to no seat: its total is in the
    ``X-Unallocated-Revenue`` header, so the body stays the list the API promises. Likewise the
    approved pay of agents who worked no seat is in ``X-Unallocated-Cost``, and whether the agent
    costs are an estimate (base salaries, the month's payroll not approved) in
    ``X-Agent-Cost-Estimate`` (and each row's ``estimate``).
    """

    permission_classes = [IsManager]

    @extend_schema(
        operation_id="reports_seat_profitability",
        parameters=[
            MonthQuerySerializer,
            OpenApiParameter(
                "X-Unallocated-Revenue",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description='Revenue of the month served by no seat ("0.00" when none).',
            ),
            OpenApiParameter(
                "X-Unallocated-Cost",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description="Approved pay of agents who worked no seat in the month "
                '("0.00" when none, and always for an estimate).',
            ),
            OpenApiParameter(
                "X-Agent-Cost-Estimate",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description='"true" while the month\'s payroll is not approved (agent costs are '
                'base salaries), "false" once it is.',
            ),
        ],
        responses={
            200: SeatProfitabilitySerializer(many=True),
            400: _MONTH_ERROR,
            **_ERRORS,
        },
    )
    def get(self, request):
        report = seat_profitability(month=_month_from(request))
        rows = [
            {**vars(row), "margin": row.margin, "estimate": report.estimate} for row in report.seats
        ]
        body = SeatProfitabilitySerializer(rows, many=True).data
        return Response(
            body,
            headers={
                "X-Unallocated-Revenue": f"{report.unallocated_revenue}",
                "X-Unallocated-Cost": f"{report.unallocated_cost}",
                "X-Agent-Cost-Estimate": "true" if report.estimate else "false",
            },
        )


# --- Receivables ------------------------------------------------------------------------------


class AsOfQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text="The date (YYYY-MM-DD, Shanghai) the receivables are read as of; default "
        "today. Not in the future.",
    )

    def validate_as_of(self, value):
        today = clock.today()
        if value > today:
            raise serializers.ValidationError(
                gettext("The report cannot look into the future (today is %(today)s).")
                % {"today": today.isoformat()}
            )
        return value


def _as_of_from(request):
    query = AsOfQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("as_of") or clock.today()


class ReceivableRowSerializer(serializers.Serializer):
    shop = serializers.IntegerField(source="shop_id", allow_null=True)
    shop_name = serializers.CharField()
    invoices = serializers.IntegerField(help_text="Invoices with something outstanding.")
    current = serializers.DecimalField(
        max_digits=16, decimal_places=2, source="amounts.current", help_text="Not yet due."
    )
    days_1_30 = serializers.DecimalField(
        max_digits=16, decimal_places=2, source="amounts.days_1_30"
    )
    days_31_60 = serializers.DecimalField(
        max_digits=16, decimal_places=2, source="amounts.days_31_60"
    )
    days_61_90 = serializers.DecimalField(
        max_digits=16, decimal_places=2, source="amounts.days_61_90"
    )
    days_over_90 = serializers.DecimalField(
        max_digits=16, decimal_places=2, source="amounts.days_over_90"
    )
    overdue = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Past the due date: the four last buckets."
    )
    total = serializers.DecimalField(max_digits=16, decimal_places=2)


class ReceivablesSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    results = ReceivableRowSerializer(many=True, source="rows")
    totals = ReceivableRowSerializer(help_text="All the rows added up (shop: null).")


class AsOfErrorSerializer(serializers.Serializer):
    as_of = serializers.ListField(child=serializers.CharField())


_AS_OF_ERROR = OpenApiResponse(
    AsOfErrorSerializer, description="A malformed date, or one in the future."
)


class ReceivablesApi(APIView):
    """What each shop owed on a date by age (账龄): not yet due, 1-30, 31-60, 61-90 and over 90
    days past the due date (``billing.receivables``). Managers every shop; owners their own
    shops; agents' accounts none (403)."""

    permission_classes = [IsAuthenticated, NotForAgents]

    @extend_schema(
        operation_id="reports_receivables",
        parameters=[AsOfQuerySerializer],
        responses={
            200: ReceivablesSerializer,
            400: _AS_OF_ERROR,
            401: _ERRORS[401],
            403: OpenApiResponse(DocumentErrorSerializer, description="An agent's account."),
        },
    )
    def get(self, request):
        report = receivables(as_of=_as_of_from(request), user=request.user)
        return Response(ReceivablesSerializer(report).data)


class ReceivablesExportApi(FileExportMixin, APIView):
    """The receivables by age as CSV or XLSX: one row per shop, then the totals. Managers every
    shop, owners their own; agents' accounts none (403)."""

    permission_classes = [IsAuthenticated, NotForAgents]

    @extend_schema(
        operation_id="reports_receivables_export",
        parameters=[AsOfQuerySerializer, ExportFormatSerializer],
        responses={
            **file_responses("One row per shop with something outstanding, then the totals."),
            400: OpenApiResponse(
                description="A malformed or future date, or a format other than csv and xlsx: "
                '{"field": ["reason"]}.'
            ),
            401: _ERRORS[401],
            403: OpenApiResponse(DocumentErrorSerializer, description="An agent's account."),
        },
    )
    def get(self, request):
        as_of = _as_of_from(request)
        chosen = export_format(request)
        return table_response(
            exports.RECEIVABLES_COLUMNS,
            exports.receivables_rows(as_of=as_of, user=request.user),
            export_format=chosen,
            filename=f"receivables-{as_of:%Y-%m-%d}",
            sheet_title=f"{as_of:%Y-%m-%d}",
        )
