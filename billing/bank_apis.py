"""REST API of bank statements (银行流水), managers only: import a CSV/XLSX statement, read each
line with the invoice it proposes, confirm a line (a bank-transfer payment) or ignore it.
Owners and agents get 403 before any lookup."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import IsManager
from agency.idempotency import idempotent
from billing import selectors, services
from billing.models import BankStatement, BankStatementLine


class BankStatementLineSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(
        source="position", read_only=True, help_text="The row under the file's header, from 1."
    )
    proposed_invoice_number = serializers.CharField(
        source="proposed_invoice.number", read_only=True, default=None, allow_null=True
    )
    duplicate = serializers.BooleanField(
        read_only=True,
        help_text="A confirmed line of another statement has the same date, payer, amount and "
        "memo: this money is probably recorded already.",
    )

    class Meta:
        model = BankStatementLine
        fields = [
            "line",
            "received_on",
            "payer",
            "amount",
            "memo",
            "match",
            "proposed_invoice",
            "proposed_invoice_number",
            "duplicate",
            "status",
            "payment",
        ]
        read_only_fields = fields


class BankStatementSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    line_count = serializers.IntegerField(read_only=True)
    open_count = serializers.IntegerField(read_only=True, help_text="Lines still to confirm.")

    class Meta:
        model = BankStatement
        fields = ["id", "file_name", "uploaded_by", "created_at", "line_count", "open_count"]
        read_only_fields = fields


class BankStatementDetailSerializer(BankStatementSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(BankStatementSerializer.Meta):
        fields = [*BankStatementSerializer.Meta.fields, "lines"]
        read_only_fields = fields

    @extend_schema_field(BankStatementLineSerializer(many=True))
    def get_lines(self, statement: BankStatement) -> list[dict]:
        rows = selectors.bank_statement_lines(statement_id=statement.pk)
        return BankStatementLineSerializer(rows, many=True).data


class BankStatementUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8 or GBK) or XLSX with the columns date, payer, amount, memo "
        "(日期/交易日期, 付款方/对方户名/付款人, 金额/收入金额/贷方金额, 附言/摘要/用途/备注)."
    )


class BankLineConfirmSerializer(serializers.Serializer):
    invoice = serializers.IntegerField(
        required=False, min_value=1, help_text="Another invoice than the one proposed."
    )
    excess_to_credit = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Record more than the balance; the excess becomes the shop's credit balance.",
    )


class BankStatementListApi(generics.ListAPIView):
    """Imported bank statements, newest first (managers)."""

    permission_classes = [IsManager]
    serializer_class = BankStatementSerializer

    def get_queryset(self):
        return selectors.bank_statement_list()

    @extend_schema(
        request={"multipart/form-data": BankStatementUploadSerializer},
        description="Import a bank statement: every line is stored with the invoice it "
        "proposes (invoice number in the memo, else payer and amount). Nothing is paid until a "
        "manager confirms a line.",
        responses={
            201: BankStatementDetailSerializer,
            400: OpenApiResponse(
                description='The file or some rows are refused: {"detail", "errors": [{"row", '
                '"field", "message"}]}; nothing was stored.'
            ),
            403: OpenApiResponse(description="Not a manager."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = BankStatementUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        statement = services.bank_statement_import(
            file=upload, name=upload.name, actor=request.user
        )
        row = selectors.bank_statement_list().get(pk=statement.pk)
        return Response(BankStatementDetailSerializer(row).data, status=status.HTTP_201_CREATED)

    parser_classes = [MultiPartParser]


class BankStatementDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsManager]
    serializer_class = BankStatementDetailSerializer

    def get_queryset(self):
        return selectors.bank_statement_list()


def _line(statement_id: int, line: int) -> BankStatementLine:
    return get_object_or_404(
        selectors.bank_statement_lines(statement_id=statement_id), position=line
    )


class BankLineConfirmApi(APIView):
    permission_classes = [IsManager]

    @idempotent
    @extend_schema(
        request=BankLineConfirmSerializer,
        description="Confirm a line: a bank-transfer payment of the proposed invoice (or the "
        "one given) is recorded and the line marked confirmed, together.",
        responses={
            200: BankStatementLineSerializer,
            400: OpenApiResponse(
                description="No invoice proposed nor given, or the amount is over the balance."
            ),
            403: OpenApiResponse(description="Not a manager."),
            404: OpenApiResponse(description="No such statement or line."),
            409: OpenApiResponse(
                description="The line is confirmed or ignored already, or the invoice is not "
                "issued (draft, paid, void)."
            ),
        },
    )
    def post(self, request: Request, pk: int, line: int) -> Response:
        row = _line(pk, line)
        serializer = BankLineConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.bank_line_confirm(
            statement_id=pk,
            position=row.position,
            invoice_id=serializer.validated_data.get("invoice"),
            excess_to_credit=serializer.validated_data["excess_to_credit"],
            actor=request.user,
        )
        return Response(BankStatementLineSerializer(_line(pk, line)).data)


class BankLineIgnoreApi(APIView):
    permission_classes = [IsManager]

    @extend_schema(
        request=None,
        description="Set a line aside: not a payment of an invoice.",
        responses={
            200: BankStatementLineSerializer,
            403: OpenApiResponse(description="Not a manager."),
            404: OpenApiResponse(description="No such statement or line."),
            409: OpenApiResponse(description="The line is confirmed."),
        },
    )
    def post(self, request: Request, pk: int, line: int) -> Response:
        row = _line(pk, line)
        services.bank_line_ignore(statement_id=pk, position=row.position, actor=request.user)
        return Response(BankStatementLineSerializer(_line(pk, line)).data)
