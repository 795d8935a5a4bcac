"""REST API of fapiao requests (发票申请): owners ask for a fapiao of their shops' issued or paid
invoices, managers record the fapiao issued. Money: agents' accounts get 403 before any lookup.
Another shop's request or invoice answers 404."""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import IsManager, NotForAgents, id_filter
from billing import selectors, services
from billing.models import FapiaoRequest

FAPIAO_REQUEST_FIELDS = [
    "id",
    "invoice",
    "invoice_number",
    "shop",
    "shop_name",
    "type",
    "status",
    "buyer_name",
    "tax_id",
    "address",
    "phone",
    "bank_name",
    "bank_account",
    "email",
    "requested_by",
    "fapiao_number",
    "fapiao_date",
    "issued_by",
    "issued_at",
    "cancel_reason",
    "created_at",
    "updated_at",
]


class FapiaoRequestSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    shop = serializers.IntegerField(source="invoice.shop_id", read_only=True)
    shop_name = serializers.CharField(source="invoice.shop.name", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    issued_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = FapiaoRequest
        fields = FAPIAO_REQUEST_FIELDS
        read_only_fields = fields


class FapiaoRequestInputSerializer(serializers.Serializer):
    """Shapes only; the service checks the rules (tax id, 专票 fields) and answers per field."""

    type = serializers.CharField(help_text="general (普票) or special (专票).")
    buyer_name = serializers.CharField(
        required=False, allow_blank=True, help_text="Default: the shop's billing name."
    )
    tax_id = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Unified social credit code, 18 characters. Default: the shop's tax id.",
    )
    address = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    bank_name = serializers.CharField(required=False, allow_blank=True)
    bank_account = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True)


class FapiaoIssueInputSerializer(serializers.Serializer):
    fapiao_number = serializers.CharField(help_text="20 digits (数电票) or 8 (older fapiao).")
    fapiao_date = serializers.DateField(help_text="The date on the fapiao, YYYY-MM-DD.")


class FapiaoCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, style={"base_template": "textarea.html"}
    )


class InvoiceFapiaoRequestApi(APIView):
    permission_classes = [IsAuthenticated, NotForAgents]

    @extend_schema(
        request=FapiaoRequestInputSerializer,
        description="Ask for a fapiao of an issued or paid invoice (its owner or a manager). "
        "Buyer name and tax id default to the shop's billing details.",
        responses={
            201: FapiaoRequestSerializer,
            400: OpenApiResponse(description="A field is refused, named in the answer."),
            404: OpenApiResponse(description="No such invoice."),
            409: OpenApiResponse(description="A draft or void invoice, or a live request exists."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        invoice = get_object_or_404(selectors.invoice_list(user=request.user), pk=pk)
        serializer = FapiaoRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {
            **services.fapiao_request_defaults(invoice=invoice),
            **{k: v for k, v in serializer.validated_data.items() if v != ""},
        }
        created = services.fapiao_request_create(
            invoice_id=invoice.pk, actor=request.user, data=data
        )
        row = selectors.fapiao_request_list(user=request.user).get(pk=created.pk)
        return Response(FapiaoRequestSerializer(row).data, status=status.HTTP_201_CREATED)


class FapiaoRequestFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=FapiaoRequest.Status.choices)
    shop = id_filter("invoice__shop_id")
    invoice = id_filter("invoice_id")

    class Meta:
        model = FapiaoRequest
        fields: list = []


class FapiaoRequestListApi(generics.ListAPIView):
    """Fapiao requests of the caller's shops (all for managers), waiting ones first."""

    permission_classes = [IsAuthenticated, NotForAgents]
    serializer_class = FapiaoRequestSerializer
    filterset_class = FapiaoRequestFilter

    def get_queryset(self):
        return selectors.fapiao_request_list(user=self.request.user)


class FapiaoRequestDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated, NotForAgents]
    serializer_class = FapiaoRequestSerializer

    def get_queryset(self):
        return selectors.fapiao_request_list(user=self.request.user)


class FapiaoIssueApi(APIView):
    permission_classes = [IsManager]

    @extend_schema(
        request=FapiaoIssueInputSerializer,
        description="Record the fapiao issued for a request (managers). It cannot change after.",
        responses={
            200: FapiaoRequestSerializer,
            400: OpenApiResponse(description="Bad number or date, named in the answer."),
            404: OpenApiResponse(description="No such fapiao request."),
            409: OpenApiResponse(description="Already recorded, or cancelled."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        requests = selectors.fapiao_request_list(user=request.user)
        row = get_object_or_404(requests, pk=pk)
        serializer = FapiaoIssueInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.fapiao_issue_record(
            request_id=row.pk, actor=request.user, **serializer.validated_data
        )
        return Response(FapiaoRequestSerializer(requests.get(pk=row.pk)).data)


class FapiaoCancelApi(APIView):
    permission_classes = [IsAuthenticated, NotForAgents]

    @extend_schema(
        request=FapiaoCancelInputSerializer,
        description="Cancel a request not issued yet (its owner, or a manager).",
        responses={
            200: FapiaoRequestSerializer,
            404: OpenApiResponse(description="No such fapiao request."),
            409: OpenApiResponse(description="Already issued or cancelled."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        requests = selectors.fapiao_request_list(user=request.user)
        row = get_object_or_404(requests, pk=pk)
        serializer = FapiaoCancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.fapiao_request_cancel(
            request_id=row.pk,
            actor=request.user,
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(FapiaoRequestSerializer(requests.get(pk=row.pk)).data)
