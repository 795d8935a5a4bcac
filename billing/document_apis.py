"""API views for invoice documents (PDF, month CSV) and the seat profitability report.

The PDF and CSV views answer with plain ``HttpResponse`` bodies, and their errors are JSON
whatever the client's ``Accept`` header says: a client asking for ``application/pdf`` must get
the file, not a 406 from content negotiation.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.access import scoped_to_shops
from agency.api import IsManager
from agency.months import parse_month
from billing.documents import (
    PdfUnavailable,
    document_language,
    invoice_pdf_filename,
    month_invoices_csv,
    render_invoice_pdf,
)
from billing.models import Invoice
from billing.reports import seat_profitability


class FirstRendererNegotiation(BaseContentNegotiation):
    """Always JSON for DRF's own responses: the files themselves bypass renderers."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


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
    """An invoice as a PDF; shop owners get their own shops' invoices only (others: 404)."""

    permission_classes = [IsAuthenticated]
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
                Invoice.objects.select_related("shop__owner"), request.user
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


class InvoiceExportApi(APIView):
    """Every invoice of a month as CSV (UTF-8 with BOM), one row per invoice. Managers only."""

    permission_classes = [IsManager]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        operation_id="invoices_export_csv",
        parameters=[MonthQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=(
                    "Columns: number, shop, platform, month, status, awaiting_turnover, "
                    "day_rate, base_fee, commission, total. Money as plain decimals (1016.13)."
                ),
            ),
            400: _MONTH_ERROR,
            **_ERRORS,
        },
    )
    def get(self, request):
        month = _month_from(request)
        response = HttpResponse(
            month_invoices_csv(month=month), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"invoices-{month:%Y-%m}.csv"
        )
        response["Cache-Control"] = "private"
        return response


class SeatProfitabilitySerializer(serializers.Serializer):
    seat = serializers.IntegerField(source="seat_id")
    seat_code = serializers.CharField()
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    agent_cost = serializers.DecimalField(max_digits=16, decimal_places=2)
    overhead = serializers.DecimalField(max_digits=16, decimal_places=2)
    margin = serializers.DecimalField(max_digits=16, decimal_places=2)


class SeatProfitabilityApi(APIView):
    """Revenue, agent cost, overhead and margin per seat for a month. Managers only.

    Revenue served by contracts without a seat belongs to no seat: its total is in the
    ``X-Unallocated-Revenue`` header, so the body stays the list the API promises.
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
        ],
        responses={
            200: SeatProfitabilitySerializer(many=True),
            400: _MONTH_ERROR,
            **_ERRORS,
        },
    )
    def get(self, request):
        report = seat_profitability(month=_month_from(request))
        body = SeatProfitabilitySerializer(report.seats, many=True).data
        return Response(body, headers={"X-Unallocated-Revenue": f"{report.unallocated_revenue}"})
