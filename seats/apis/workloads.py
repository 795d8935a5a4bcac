"""Workloads: read by managers and (for their shops) owners; bulk upsert by managers."""

from functools import cache

from django.http import HttpResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from agency.api import IsManager, LeanListMixin, ManagerWritesOnly, date_text, decimal_text
from agency.choices import Shift
from agency.errors import RowError
from agency.export_apis import FirstRendererNegotiation
from agency.parsers import JSONParser
from seats import calculations, selectors
from seats.filters import WorkloadFilter
from seats.models import WorkloadRecord
from seats.services import (
    WorkloadBulkError,
    cycle_collection_paused,
    read_workload_file,
    workload_bulk_upsert,
    workload_template,
)
from seats.services.workloads import TEMPLATE_FORMATS


class WorkloadOutputSerializer(serializers.ModelSerializer):
    conversion_rate = serializers.DecimalField(
        max_digits=9,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text="conversions / inquiries (询单转化率); null when there were no inquiries.",
    )
    answer_ratio = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text="agent_messages / buyer_messages (答问比); null when buyers sent nothing.",
    )
    first_response_miss = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="The average first response was slower than FIRST_RESPONSE_MISS_SECONDS (120); "
        "null when the first response time is unknown.",
    )

    class Meta:
        model = WorkloadRecord
        fields = [
            "id",
            "agent",
            "shop",
            "date",
            "shift",
            "inquiries",
            "conversions",
            "buyer_messages",
            "agent_messages",
            "first_response_seconds",
            "sales_amount",
            "conversion_rate",
            "answer_ratio",
            "first_response_miss",
        ]


class WorkloadRowSerializer(serializers.Serializer):
    """One row of a bulk upload (documentation only: the service validates rows itself)."""

    agent = serializers.CharField(
        help_text="Agent id, employee number, unique name or sub-account."
    )
    shop = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Shop id, name or platform shop id; may be left out when the agent is named "
        "by a sub-account.",
    )
    date = serializers.DateField()
    shift = serializers.ChoiceField(
        choices=Shift.choices,
        required=False,
        allow_null=True,
        help_text="Left out: the roster's shift of the agent that date.",
    )
    inquiries = serializers.IntegerField(min_value=0)
    conversions = serializers.IntegerField(min_value=0)
    buyer_messages = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    agent_messages = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    first_response_seconds = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    sales_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )


BulkResultSerializer = inline_serializer(
    "WorkloadBulkResult",
    {
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "ignored_columns": serializers.ListField(
            child=serializers.CharField(),
            help_text="Columns of the file the app does not use, as the header wrote them, in "
            "file order.",
        ),
        "skipped_rows": serializers.IntegerField(
            help_text="Summary rows (合计, 汇总, 平均值, Total...) skipped."
        ),
    },
)
BulkErrorsSerializer = inline_serializer(
    "WorkloadBulkErrors",
    {
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "WorkloadBulkRowError",
                {
                    "row": serializers.IntegerField(
                        allow_null=True,
                        help_text="1-based data row (files: header not counted; 0 is the "
                        "header); null for the upload as a whole.",
                    ),
                    "field": serializers.CharField(
                        allow_null=True,
                        help_text="The column as the file's header wrote it (or the field name).",
                    ),
                    "message": serializers.CharField(),
                },
            )
        ),
    },
)
CsvUploadSerializer = inline_serializer(
    "WorkloadCsvUpload",
    {
        "file": serializers.FileField(
            help_text="CSV (UTF-8 with or without BOM, or GBK) or an Excel workbook (.xlsx), "
            "header row first, in English or Chinese."
        )
    },
)


@cache
def _workload_texts() -> dict:
    """How ``WorkloadOutputSerializer`` writes its decimals, one function per field."""
    fields = WorkloadOutputSerializer().fields
    return {
        name: decimal_text(fields[name].max_digits, fields[name].decimal_places)
        for name in ("sales_amount", "conversion_rate", "answer_ratio")
    }


def workload_data(rows: list[tuple]) -> list[dict]:
    """``seats.selectors.workload_rows`` written as ``WorkloadOutputSerializer`` writes the
    records, KPIs computed by the same functions as the model's properties."""
    texts = _workload_texts()
    sales_text, rate_text, ratio_text = (
        texts["sales_amount"],
        texts["conversion_rate"],
        texts["answer_ratio"],
    )
    miss_limit = calculations.first_response_miss_limit()
    data = []
    for (
        pk,
        agent_id,
        shop_id,
        day,
        shift,
        inquiries,
        conversions,
        buyer_messages,
        agent_messages,
        first_response_seconds,
        sales_amount,
    ) in rows:
        data.append(
            {
                "id": pk,
                "agent": agent_id,
                "shop": shop_id,
                "date": date_text(day),
                "shift": shift,
                "inquiries": inquiries,
                "conversions": conversions,
                "buyer_messages": buyer_messages,
                "agent_messages": agent_messages,
                "first_response_seconds": first_response_seconds,
                "sales_amount": sales_text(sales_amount),
                "conversion_rate": rate_text(calculations.conversion_rate(conversions, inquiries)),
                "answer_ratio": ratio_text(
                    calculations.answer_ratio(agent_messages, buyer_messages)
                ),
                "first_response_miss": None
                if first_response_seconds is None
                else calculations.is_first_response_miss(first_response_seconds, miss_limit),
            }
        )
    return data


class WorkloadViewSet(
    LeanListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Daily workloads per agent, shop, date and shift (工作量), with their KPIs."""

    permission_classes = [ManagerWritesOnly]
    serializer_class = WorkloadOutputSerializer
    filterset_class = WorkloadFilter

    def get_queryset(self):
        return selectors.workload_list(user=self.request.user)

    def lean_rows(self, queryset):
        return selectors.workload_rows(queryset)

    def lean_data(self, rows: list[tuple]) -> list[dict]:
        return workload_data(rows)

    def perform_content_negotiation(self, request, force=False):
        # ``?format=`` names the template's file type there, not a response renderer.
        return super().perform_content_negotiation(request, force or self.action == "template")

    @extend_schema(
        request={
            "application/json": WorkloadRowSerializer(many=True),
            "multipart/form-data": CsvUploadSerializer,
        },
        responses={200: BulkResultSerializer, 400: BulkErrorsSerializer},
        description="Upsert workloads by (agent, shop, date, shift): a JSON list of rows, or a "
        "CSV or XLSX file in the multipart field `file`, headers in English or Chinese. All rows "
        "or none. At most WORKLOAD_BULK_MAX_ROWS (10,000) rows. See docs/seats.md for the files.",
        examples=[
            OpenApiExample(
                "One row",
                request_only=True,
                media_type="application/json",
                value=[
                    {
                        "agent": 1,
                        "shop": 1,
                        "date": "2026-10-01",
                        "shift": "day",
                        "inquiries": 80,
                        "conversions": 30,
                        "buyer_messages": 400,
                        "agent_messages": 520,
                        "first_response_seconds": 25,
                        "sales_amount": "12000.00",
                    }
                ],
            )
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        permission_classes=[IsManager],
        parser_classes=[JSONParser, MultiPartParser],
        filter_backends=[],
        pagination_class=None,
    )
    def bulk(self, request):
        # Reading the upload allocates as much as checking it: both without the cycle collector.
        with cycle_collection_paused():
            if request.content_type.startswith("multipart/"):
                upload = request.FILES.get("file")
                if upload is None:
                    message = gettext("Attach the file in the multipart field 'file'.")
                    raise WorkloadBulkError([RowError(None, "file", message)])
                rows = read_workload_file(upload, name=upload.name)
            else:
                try:
                    rows = request.data
                except ParseError as exc:
                    raise WorkloadBulkError([RowError(None, None, str(exc.detail))]) from exc
            return Response(workload_bulk_upsert(rows=rows).as_dict())

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", enum=sorted(TEMPLATE_FORMATS), default="csv", description="File type."
            )
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, TEMPLATE_FORMATS["xlsx"]): OpenApiTypes.BINARY,
        },
        description="An empty workload file to fill in (the header row), in the request's "
        "language: Chinese headers under zh-hans, English ones otherwise.",
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[IsManager],
        filter_backends=[],
        pagination_class=None,
        # ?format= is this action's own (csv, xlsx), never a renderer to negotiate: an error
        # (a 405 for TRACE, say) still answers in JSON.
        content_negotiation_class=FirstRendererNegotiation,
    )
    def template(self, request):
        file_format = request.query_params.get("format", "csv")
        if file_format not in TEMPLATE_FORMATS:
            raise ValidationError(
                {
                    "format": [
                        gettext("Unknown format '%(format)s'; use csv or xlsx.")
                        % {"format": file_format}
                    ]
                }
            )
        response = HttpResponse(
            workload_template(file_format=file_format), content_type=TEMPLATE_FORMATS[file_format]
        )
        response["Content-Disposition"] = f'attachment; filename="workloads.{file_format}"'
        return response
