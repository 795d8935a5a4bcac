"""REST API of billing: billing runs (managers) and invoices (everybody, within their rights).

Views are thin: serializers check shapes, the services decide. Owners read their shops'
invoices (another shop's invoice is 404); every write is for managers, checked before any
lookup (403 for a signed-in owner, 401 without credentials). Agents' accounts get 403 on every
route here: it is all money.
"""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency import clock
from agency.api import (
    IsManager,
    KeptRows,
    LeanListMixin,
    NotForAgents,
    date_text,
    datetime_text,
    decimal_text,
    id_filter,
    rows_by,
)
from agency.idempotency import idempotent
from agency.months import MonthField, MonthFilter, format_month
from billing import selectors, services
from billing.choices import RECEIVED_PAYMENT_METHODS
from billing.line_text import Messages, describe, line_description, messages_in
from billing.models import (
    BILLING_RUN_FIELDS,
    BillingRun,
    Invoice,
    InvoiceLine,
    invoice_balance,
    invoice_is_overdue,
)


@extend_schema_field({"type": "string", "pattern": r"^\d+(\.\d+)?$", "example": "21"})
class QuantityField(serializers.Field):
    """A line's quantity as a plain decimal string: "21" service days, "0.6774" of a month."""

    def to_representation(self, value: Decimal) -> str:
        return quantity_text(value)


def quantity_text(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


# --- Billing runs -----------------------------------------------------------------------------


class BillingRunSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = BillingRun
        fields = ["id", *BILLING_RUN_FIELDS]
        read_only_fields = fields


class BillingRunCreateSerializer(serializers.Serializer):
    month = MonthField(help_text="The month to bill, YYYY-MM.")


class BillingRunFilter(filters.FilterSet):
    month = MonthFilter(field_name="month")
    status = filters.ChoiceFilter(choices=BillingRun.Status.choices)

    class Meta:
        model = BillingRun
        fields: list = []


class BillingRunListApi(generics.ListAPIView):
    """Billing runs, newest first; POST starts one for a month (it runs on a worker)."""

    permission_classes = [IsManager]
    serializer_class = BillingRunSerializer
    filterset_class = BillingRunFilter

    def get_queryset(self):
        return selectors.billing_run_list()

    @idempotent
    @extend_schema(
        request=BillingRunCreateSerializer,
        responses={
            202: OpenApiResponse(
                BillingRunSerializer, description="The run, queued (or already finished)."
            ),
            400: OpenApiResponse(description="The month is not YYYY-MM."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = BillingRunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.billing_run_create(
            month=serializer.validated_data["month"], requested_by=request.user
        )
        # Without a broker the run has already executed by now; with one it is still queued.
        run.refresh_from_db()
        return Response(BillingRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class BillingRunDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsManager]
    serializer_class = BillingRunSerializer

    def get_queryset(self):
        return selectors.billing_run_list()


# --- Invoices ---------------------------------------------------------------------------------


class LineDescriptionField(serializers.CharField):
    """The line's description in the request's language (``billing.line_text``)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, line: InvoiceLine) -> str:
        return line_description(line)


class InvoiceLineSerializer(serializers.ModelSerializer):
    quantity = QuantityField()
    description = LineDescriptionField(
        help_text="What the line bills and how its amount was reached, in the request's "
        "language (Accept-Language, else the user's); the tier slices are in details."
    )
    details = serializers.JSONField(
        read_only=True, help_text="How the amount was reached: days, turnover, tier slices."
    )

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "kind",
            "contract",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "details",
        ]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    shop_name = serializers.CharField(source="shop.name", read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)
    month_in_progress = serializers.BooleanField(
        read_only=True,
        help_text="The month has not ended: the invoice is a preview, not final, and cannot "
        "be issued yet.",
    )
    balance = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="What is left to pay: total less payments and credit notes (0 unless issued "
        "or paid).",
    )
    overdue = serializers.SerializerMethodField(
        help_text="Issued, not settled, and past its due date (Shanghai)."
    )

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "shop",
            "shop_name",
            "month",
            "status",
            "awaiting_turnover",
            "month_in_progress",
            "lines",
            "total",
            "amount_paid",
            "amount_credited",
            "balance",
            "due_date",
            "overdue",
            "issued_at",
            "paid_at",
            "voided_at",
            "void_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "void_reason": {"help_text": "Why the invoice was voided; empty unless it is void."},
            "amount_paid": {"help_text": "Payments applied to it (credit balance used included)."},
            "amount_credited": {"help_text": "The total of its credit notes."},
            "due_date": {
                "help_text": "Set at issue: the issue date plus the shop's payment terms."
            },
        }

    def get_overdue(self, invoice: Invoice) -> bool:
        return invoice.is_overdue()


class InvoiceFilter(filters.FilterSet):
    shop = id_filter("shop_id")
    month = MonthFilter(field_name="month")
    status = filters.ChoiceFilter(choices=Invoice.Status.choices)

    class Meta:
        model = Invoice
        fields: list = []


_money = decimal_text(14, 2)  # every money field of an invoice and its lines (model and API)


def invoice_line_data(row: dict, messages: Messages) -> dict:
    """A line row (``selectors.invoice_line_rows``) as ``InvoiceLineSerializer`` writes it, its
    description worded with ``messages`` (the active language's)."""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "contract": row["contract_id"],
        "description": describe(row["kind"], row["details"], row["description"], messages=messages),
        "quantity": quantity_text(row["quantity"]),
        "unit_price": _money(row["unit_price"]),
        "amount": _money(row["amount"]),
        "details": row["details"],
    }


_line_rows = KeptRows(selectors.invoice_line_rows)  # its SQL compiled once per page size


def invoice_data(rows: list[dict]) -> list[dict]:
    """Invoice rows (``selectors.invoice_rows``) with their lines (one query) as
    ``InvoiceSerializer`` writes the invoices."""
    lines = rows_by(_line_rows([row["id"] for row in rows]), "invoice_id")
    messages = messages_in(translation.get_language())
    zone = timezone.get_current_timezone()
    today = clock.today()
    in_progress: dict = {}
    data = []
    for row in rows:
        month, status = row["month"], row["status"]
        if month not in in_progress:
            in_progress[month] = not clock.month_has_ended(month)
        balance = invoice_balance(
            status=status,
            total=row["total"],
            amount_paid=row["amount_paid"],
            amount_credited=row["amount_credited"],
        )
        data.append(
            {
                "id": row["id"],
                "number": row["number"],
                "shop": row["shop_id"],
                "shop_name": row["shop__name"],
                "month": format_month(month),
                "status": status,
                "awaiting_turnover": row["awaiting_turnover"],
                "month_in_progress": in_progress[month],
                "lines": [invoice_line_data(line, messages) for line in lines.get(row["id"], ())],
                "total": _money(row["total"]),
                "amount_paid": _money(row["amount_paid"]),
                "amount_credited": _money(row["amount_credited"]),
                "balance": _money(balance),
                "due_date": date_text(row["due_date"]),
                "overdue": invoice_is_overdue(
                    status=status, due_date=row["due_date"], balance=balance, today=today
                ),
                "issued_at": datetime_text(row["issued_at"], zone),
                "paid_at": datetime_text(row["paid_at"], zone),
                "voided_at": datetime_text(row["voided_at"], zone),
                "void_reason": row["void_reason"],
                "created_at": datetime_text(row["created_at"], zone),
                "updated_at": datetime_text(row["updated_at"], zone),
            }
        )
    return data


class InvoiceListApi(LeanListMixin, generics.ListAPIView):
    """Invoices of the caller's shops (all of them for managers), newest month first."""

    permission_classes = [IsAuthenticated, NotForAgents]
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter

    def get_queryset(self):
        return selectors.invoice_list(user=self.request.user)

    def lean_rows(self, queryset):
        return selectors.invoice_rows(queryset)

    def lean_data(self, rows: list[dict]) -> list[dict]:
        return invoice_data(rows)


class InvoiceDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated, NotForAgents]
    serializer_class = InvoiceSerializer

    def get_queryset(self):
        return selectors.invoice_list(user=self.request.user)


class _InvoiceActionApi(APIView):
    """POST-only state change of one invoice, by a manager; 409 when the state forbids it."""

    permission_classes = [IsManager]
    serializer_class = InvoiceSerializer

    @staticmethod
    def change(*, invoice_id: int, actor) -> Invoice:  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        invoices = selectors.invoice_list(user=request.user)
        invoice = get_object_or_404(invoices, pk=pk)
        self.change(invoice_id=invoice.pk, actor=request.user)
        return Response(InvoiceSerializer(invoices.get(pk=invoice.pk)).data)


def _action_schema(description: str, conflict: str):
    return extend_schema(
        request=None,
        description=description,
        responses={
            200: InvoiceSerializer,
            404: OpenApiResponse(description="No such invoice."),
            409: OpenApiResponse(description=conflict),
        },
    )


class InvoiceIssueApi(_InvoiceActionApi):
    change = staticmethod(services.invoice_issue)

    @idempotent
    @_action_schema(
        "Issue a draft: it gets its number and the shop's owner an email.",
        "Not a draft, or awaiting the month's confirmed turnover.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class InvoicePayInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=RECEIVED_PAYMENT_METHODS, required=False, default="other"
    )
    received_on = serializers.CharField(
        required=False, help_text="YYYY-MM-DD, not in the future. Default: today (Shanghai)."
    )
    reference = serializers.CharField(required=False, allow_blank=True, default="")


class InvoicePayApi(_InvoiceActionApi):
    @idempotent
    @extend_schema(
        request=InvoicePayInputSerializer,
        description="Record a payment of the invoice's whole balance (no body needed): the "
        "invoice is paid. For a part payment, POST /api/v1/payments/.",
        responses={
            200: InvoiceSerializer,
            400: OpenApiResponse(description="A field is refused, named in the answer."),
            404: OpenApiResponse(description="No such invoice."),
            409: OpenApiResponse(description="Not issued (a draft, paid or void)."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        invoices = selectors.invoice_list(user=request.user)
        invoice = get_object_or_404(invoices, pk=pk)
        serializer = InvoicePayInputSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        services.invoice_pay(invoice_id=invoice.pk, actor=request.user, **serializer.validated_data)
        return Response(InvoiceSerializer(invoices.get(pk=invoice.pk)).data)


class InvoiceVoidInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=services.VOID_REASON_MAX_LENGTH,
        style={"base_template": "textarea.html"},  # several lines, as on the web form
        help_text="Why the invoice is voided. Stored on it; the owner of an issued invoice is "
        "emailed it and reads it on the invoice.",
    )


class InvoiceVoidApi(_InvoiceActionApi):
    @idempotent
    @extend_schema(
        request=InvoiceVoidInputSerializer,
        description="Void a draft or an issued invoice, saying why. The owner of an issued "
        "invoice is emailed the reason; the month can then be billed again (a billing run, or "
        "POST .../rebill/).",
        responses={
            200: InvoiceSerializer,
            400: OpenApiResponse(description='No reason: {"reason": ["..."]}.'),
            404: OpenApiResponse(description="No such invoice."),
            409: OpenApiResponse(description="Paid, or already void."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        invoices = selectors.invoice_list(user=request.user)
        invoice = get_object_or_404(invoices, pk=pk)
        serializer = InvoiceVoidInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.invoice_void(
            invoice_id=invoice.pk, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(InvoiceSerializer(invoices.get(pk=invoice.pk)).data)


class InvoiceRebillApi(_InvoiceActionApi):
    @idempotent
    @extend_schema(
        request=None,
        description="Bill the month of a void invoice again for its shop, now: makes the new "
        "draft with the same code as a billing run.",
        responses={
            201: OpenApiResponse(InvoiceSerializer, description="The new draft."),
            400: OpenApiResponse(
                description="The month has not started, the shop has a live invoice for it, "
                "or no contract active in it."
            ),
            404: OpenApiResponse(description="No such invoice."),
            409: OpenApiResponse(description="The invoice is not void."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        invoices = selectors.invoice_list(user=request.user)
        invoice = get_object_or_404(invoices, pk=pk)
        draft = services.invoice_rebill(invoice_id=invoice.pk, actor=request.user)
        return Response(
            InvoiceSerializer(invoices.get(pk=draft.pk)).data, status=status.HTTP_201_CREATED
        )
