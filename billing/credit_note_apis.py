"""REST API of credit notes (``/api/v1/credit-notes/``): managers credit issued or paid invoices;
owners read their shops' credit notes; agents get 403 (it is money).

* ``GET /credit-notes/``: newest first, paginated; filters ``invoice``, ``shop``,
  ``issued_from`` and ``issued_to`` (Shanghai dates of issue, both included).
* ``POST /credit-notes/`` ``{invoice, amount, reason}`` (managers): 201 with the note; 400 per
  field (an amount above what is left to credit names what is left); 404 for an invoice the
  caller cannot see; 409 for a draft or void invoice.
* ``GET /credit-notes/{id}/``; the PDF is ``billing.document_apis.CreditNotePdfApi``.
"""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agency.access import is_manager
from agency.api import NotForAgents, id_filter
from agency.idempotency import idempotent
from billing import selectors, services
from billing.document_apis import DocumentErrorSerializer as DetailSerializer
from billing.models import CreditNote


class CreditNoteSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    shop_name = serializers.CharField(source="shop.name", read_only=True)
    excess = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="The part that the invoice's balance could not take: the shop's credit.",
    )

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "invoice",
            "invoice_number",
            "shop",
            "shop_name",
            "amount",
            "applied",
            "excess",
            "reason",
            "red_letter_fapiao_needed",
            "issued_at",
        ]
        read_only_fields = fields


class CreditNoteInputSerializer(serializers.Serializer):
    """Shapes only; the service checks the rules and answers per field."""

    invoice = serializers.IntegerField(help_text="The issued or paid invoice to credit.")
    amount = serializers.CharField(
        help_text="Yuan with at most two decimals, e.g. 1500.00; at most what is left to credit."
    )
    reason = serializers.CharField(
        allow_blank=True,
        style={"base_template": "textarea.html"},  # several lines, as on the web form
        help_text="Why the invoice is credited (required, 500 characters).",
    )


class CreditNoteFilter(filters.FilterSet):
    invoice = id_filter("invoice_id")
    shop = id_filter("shop_id")
    issued_from = filters.DateFilter(
        field_name="issued_at", lookup_expr="date__gte", label="Issued on or after (YYYY-MM-DD)."
    )
    issued_to = filters.DateFilter(
        field_name="issued_at", lookup_expr="date__lte", label="Issued on or before (YYYY-MM-DD)."
    )

    class Meta:
        model = CreditNote
        fields: list = []


class ManagersCredit(permissions.BasePermission):
    """Anyone who may read money reads; only managers credit an invoice."""

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or is_manager(request.user)


@extend_schema_view(
    get=extend_schema(
        description="Credit notes of the caller's shops (all for managers), newest first.",
        responses={
            200: CreditNoteSerializer(many=True),
            400: OpenApiResponse(description="A malformed filter."),
            401: OpenApiResponse(DetailSerializer, description="No credentials."),
            403: OpenApiResponse(DetailSerializer, description="An agent's account."),
        },
    ),
)
class CreditNoteListApi(generics.ListCreateAPIView):
    permission_classes = [permissions.IsAuthenticated, NotForAgents, ManagersCredit]
    serializer_class = CreditNoteSerializer
    filterset_class = CreditNoteFilter

    def get_queryset(self):
        return selectors.credit_note_list(user=self.request.user)

    @idempotent
    @extend_schema(
        request=CreditNoteInputSerializer,
        description="Credit an issued or paid invoice, in full or in part, saying why "
        "(managers). It first reduces the invoice's balance; what the balance cannot take "
        "becomes the shop's credit. Publishes the webhook credit_note.created.",
        responses={
            201: CreditNoteSerializer,
            400: OpenApiResponse(
                description="A field is refused, named in the answer; an amount above what is "
                "left to credit names what is left.",
            ),
            401: OpenApiResponse(DetailSerializer, description="No credentials."),
            403: OpenApiResponse(DetailSerializer, description="Not a manager."),
            404: OpenApiResponse(DetailSerializer, description="No such invoice."),
            409: OpenApiResponse(DetailSerializer, description="A draft or void invoice."),
        },
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = CreditNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invoice = get_object_or_404(selectors.invoice_list(user=request.user), pk=data["invoice"])
        note = services.credit_note_create(
            invoice_id=invoice.pk, amount=data["amount"], reason=data["reason"], actor=request.user
        )
        row = selectors.credit_note_list(user=request.user).get(pk=note.pk)
        return Response(CreditNoteSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        responses={
            200: CreditNoteSerializer,
            401: OpenApiResponse(DetailSerializer, description="No credentials."),
            403: OpenApiResponse(DetailSerializer, description="An agent's account."),
            404: OpenApiResponse(DetailSerializer, description="No such credit note for you."),
        }
    )
)
class CreditNoteDetailApi(generics.RetrieveAPIView):
    permission_classes = [permissions.IsAuthenticated, NotForAgents]
    serializer_class = CreditNoteSerializer

    def get_queryset(self):
        return selectors.credit_note_list(user=self.request.user)
