"""Workloads: read by managers and (for their shops) owners; bulk upsert by managers."""

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from agency.api import IsManager, ManagerWritesOnly
from agency.choices import Shift
from agency.errors import RowError
from seats import selectors
from seats.filters import WorkloadFilter
from seats.models import WorkloadRecord
from seats.services import WorkloadBulkError, parse_workload_csv, workload_bulk_upsert


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
        help_text="The average first response was slower than FIRST_RESPONSE_MISS_SECONDS (120).",
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

    agent = serializers.IntegerField()
    shop = serializers.IntegerField()
    date = serializers.DateField()
    shift = serializers.ChoiceField(choices=Shift.choices)
    inquiries = serializers.IntegerField(min_value=0)
    conversions = serializers.IntegerField(min_value=0)
    buyer_messages = serializers.IntegerField(min_value=0)
    agent_messages = serializers.IntegerField(min_value=0)
    first_response_seconds = serializers.IntegerField(min_value=0)
    sales_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


BulkResultSerializer = inline_serializer(
    "WorkloadBulkResult",
    {"created": serializers.IntegerField(), "updated": serializers.IntegerField()},
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
                        help_text="1-based data row (CSV: header not counted; 0 is the "
                        "header); null for the upload as a whole.",
                    ),
                    "field": serializers.CharField(allow_null=True),
                    "message": serializers.CharField(),
                },
            )
        ),
    },
)
CsvUploadSerializer = inline_serializer(
    "WorkloadCsvUpload",
    {"file": serializers.FileField(help_text="CSV, UTF-8 (BOM allowed), header row first.")},
)


class WorkloadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Daily workloads per agent, shop, date and shift (工作量), with their KPIs."""

    permission_classes = [ManagerWritesOnly]
    serializer_class = WorkloadOutputSerializer
    filterset_class = WorkloadFilter

    def get_queryset(self):
        return selectors.workload_list(user=self.request.user)

    @extend_schema(
        request={
            "application/json": WorkloadRowSerializer(many=True),
            "multipart/form-data": CsvUploadSerializer,
        },
        responses={200: BulkResultSerializer, 400: BulkErrorsSerializer},
        description="Upsert workloads by (agent, shop, date, shift): a JSON list of rows, or a "
        "CSV file in the multipart field `file` with the same columns. All rows or none. "
        "At most WORKLOAD_BULK_MAX_ROWS (10,000) rows. See docs/seats.md for the CSV format.",
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
        if request.content_type.startswith("multipart/"):
            upload = request.FILES.get("file")
            if upload is None:
                raise WorkloadBulkError(
                    [RowError(None, "file", "Attach the CSV file in the multipart field 'file'.")]
                )
            rows = parse_workload_csv(upload)
        else:
            try:
                rows = request.data
            except ParseError as exc:
                raise WorkloadBulkError([RowError(None, None, str(exc.detail))]) from exc
        result = workload_bulk_upsert(rows=rows)
        return Response({"created": result.created, "updated": result.updated})
