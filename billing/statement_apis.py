"""REST API of a shop's statement of account (对账单, ``billing.statements``): as JSON, as a PDF
and as an XLSX workbook. Managers any shop, owners their own shops (another shop: 404), agents'
accounts none (403: it is money).

The period is ``?date_from=&date_to=`` (YYYY-MM-DD); a missing date defaults to this month so
far. The PDF and the workbook answer with plain ``HttpResponse`` bodies and speak the reader's
language (``agency.export_apis``); their errors are JSON whatever the client accepts.
"""

from django.shortcuts import get_object_or_404
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import NotForAgents
from agency.export_apis import FileExportMixin
from agency.exports import CONTENT_TYPES, ExportFormat
from billing.document_apis import DocumentErrorSerializer as DetailSerializer
from billing.documents import PdfUnavailable
from billing.statements import (
    balance_words,
    shop_statement,
    statement_pdf_response,
    statement_period,
    statement_xlsx_response,
)
from shops.selectors import shops_for_user


class StatementQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(
        required=False, help_text="First day (YYYY-MM-DD); default: the first of date_to's month."
    )
    date_to = serializers.DateField(
        required=False, help_text="Last day (YYYY-MM-DD), not in the future; default: today."
    )


class StatementLineSerializer(serializers.Serializer):
    date = serializers.DateField(source="day")
    kind = serializers.ChoiceField(choices=["invoice", "payment", "credit_note"])
    number = serializers.CharField(
        help_text="The invoice's or credit note's number; a payment's reference (may be empty)."
    )
    invoice_number = serializers.CharField()
    month = serializers.DateField(allow_null=True, help_text="The billed month's first day.")
    method = serializers.CharField(help_text="A payment's method; empty for other entries.")
    description = serializers.CharField()
    debit = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    credit = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    balance = serializers.DecimalField(max_digits=16, decimal_places=2)


class StatementSerializer(serializers.Serializer):
    shop = serializers.IntegerField(source="shop.pk")
    shop_name = serializers.CharField(source="shop.name")
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    opening_balance = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        help_text="Owed at the start of date_from: invoices issued before, less money received "
        "and credit notes before. Negative: the shop is in credit (prepaid).",
    )
    lines = StatementLineSerializer(many=True)
    total_debit = serializers.DecimalField(max_digits=16, decimal_places=2)
    total_credit = serializers.DecimalField(max_digits=16, decimal_places=2)
    closing_balance = serializers.DecimalField(max_digits=16, decimal_places=2)
    in_credit = serializers.BooleanField(help_text="The closing balance is the shop's credit.")
    closing_balance_words = serializers.SerializerMethodField()

    def get_closing_balance_words(self, statement) -> str:
        return balance_words(statement.closing_balance)


class StatementErrorSerializer(serializers.Serializer):
    date_from = serializers.ListField(child=serializers.CharField(), required=False)
    date_to = serializers.ListField(child=serializers.CharField(), required=False)


_PARAMETERS = [OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)]
_ERRORS = {
    400: OpenApiResponse(
        StatementErrorSerializer,
        description="A malformed date, a period ending before it starts, in the future or "
        'longer than three years: {"date_to": ["..."]}.',
    ),
    401: OpenApiResponse(DetailSerializer, description="No credentials."),
    403: OpenApiResponse(DetailSerializer, description="An agent's account (it is money)."),
    404: OpenApiResponse(DetailSerializer, description="No such shop for you."),
}


class _StatementApi(APIView):
    permission_classes = [IsAuthenticated, NotForAgents]

    def statement(self, request, pk: int):
        shop = get_object_or_404(shops_for_user(request.user), pk=pk)
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        date_from, date_to = statement_period(
            date_from=query.validated_data.get("date_from"),
            date_to=query.validated_data.get("date_to"),
        )
        return shop_statement(shop=shop, date_from=date_from, date_to=date_to)


class ShopStatementApi(_StatementApi):
    """A shop's statement of account over a period: the opening balance, each invoice (debit),
    payment received and credit note (credit) with the running balance, the closing balance."""

    @extend_schema(
        operation_id="shops_statement_retrieve",
        parameters=[*_PARAMETERS, StatementQuerySerializer],
        responses={200: StatementSerializer, **_ERRORS},
    )
    def get(self, request, pk: int):
        return Response(StatementSerializer(self.statement(request, pk)).data)


class ShopStatementPdfApi(FileExportMixin, _StatementApi):
    """The statement as a PDF in the reader's language."""

    @extend_schema(
        operation_id="shops_statement_pdf",
        parameters=[*_PARAMETERS, StatementQuerySerializer],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="statement-<shop>-<from>-<to>.pdf, as an attachment.",
            ),
            **_ERRORS,
            503: OpenApiResponse(
                DetailSerializer, description="PDF rendering is unavailable on the server."
            ),
        },
    )
    def get(self, request, pk: int):
        statement = self.statement(request, pk)
        try:
            return statement_pdf_response(statement, translation.get_language())
        except PdfUnavailable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)


class ShopStatementXlsxApi(FileExportMixin, _StatementApi):
    """The statement as an Excel workbook in the reader's language: dates and amounts are real
    dates and numbers; the first row is the opening balance, the last the closing balance."""

    @extend_schema(
        operation_id="shops_statement_xlsx",
        parameters=[*_PARAMETERS, StatementQuerySerializer],
        responses={
            (200, CONTENT_TYPES[ExportFormat.XLSX]): OpenApiResponse(
                OpenApiTypes.BINARY, description="statement-<shop>-<from>-<to>.xlsx."
            ),
            **_ERRORS,
        },
    )
    def get(self, request, pk: int):
        statement = self.statement(request, pk)
        return statement_xlsx_response(statement)
