"""REST API of payments (``/api/v1/payments/``): managers record money received for an issued
invoice, in parts; owners read their shops' payments; agents get 403 (it is money)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from agency import clock
from agency.access import is_manager
from agency.api import NotForAgents, id_filter
from agency.idempotency import idempotent
from billing import selectors, services
from billing.choices import RECEIVED_PAYMENT_METHODS, PaymentMethod
from billing.models import Payment


class PaymentSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    shop_name = serializers.CharField(source="shop.name", read_only=True)
    excess = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="The part of the amount beyond the invoice's balance: the shop's credit.",
    )
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "invoice_number",
            "shop",
            "shop_name",
            "amount",
            "applied",
            "excess",
            "method",
            "reference",
            "payer",
            "received_on",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class PaymentInputSerializer(serializers.Serializer):
    """Shapes only; the service checks the amount, the date and the invoice's state."""

    invoice = serializers.IntegerField(min_value=1, help_text="The issued invoice paid.")
    amount = serializers.CharField(
        help_text='CNY received, a decimal string with at most two decimals: "1500.00".'
    )
    method = serializers.ChoiceField(choices=RECEIVED_PAYMENT_METHODS)
    received_on = serializers.CharField(
        required=False,
        help_text="The Shanghai date the money arrived, YYYY-MM-DD; not in the future. "
        "Default: today.",
    )
    reference = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Bank reference or memo."
    )
    payer = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Who paid, as the bank says."
    )
    excess_to_credit = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Record more than the balance: the invoice is paid and the excess becomes the "
        "shop's credit balance, used by its next issued invoice. Without it, more than the "
        "balance is refused (400).",
    )


class PaymentFilter(filters.FilterSet):
    invoice = id_filter("invoice_id")
    shop = id_filter("shop_id")
    method = filters.ChoiceFilter(choices=PaymentMethod.choices)
    received_from = filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_to = filters.DateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = Payment
        fields: list = []


class PaymentListApi(generics.ListAPIView):
    """Payments of the caller's shops (all for managers), newest received first."""

    permission_classes = [IsAuthenticated, NotForAgents]
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter

    def get_queryset(self):
        return selectors.payment_list(user=self.request.user)

    @idempotent
    @extend_schema(
        request=PaymentInputSerializer,
        description="Record money received for an issued invoice (managers). Parts add up; the "
        "invoice is paid when its balance reaches 0. Publishes the webhook event "
        "payment.received (and invoice.paid).",
        responses={
            201: PaymentSerializer,
            400: OpenApiResponse(
                description="A field is refused, named in the answer: an amount over the "
                "balance (without excess_to_credit), a date in the future, an unknown method."
            ),
            403: OpenApiResponse(description="Not a manager."),
            404: OpenApiResponse(description="No such invoice."),
            409: OpenApiResponse(description="The invoice is a draft, void or already paid."),
        },
    )
    def post(self, request: Request) -> Response:
        if not is_manager(request.user):
            raise PermissionDenied(gettext("Only agency managers can do this."))
        serializer = PaymentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invoice = get_object_or_404(selectors.invoice_list(user=request.user), pk=data["invoice"])
        payment = services.payment_record(
            invoice_id=invoice.pk,
            amount=data["amount"],
            method=data["method"],
            received_on=data.get("received_on") or clock.today(),
            reference=data["reference"],
            payer=data["payer"],
            excess_to_credit=data["excess_to_credit"],
            actor=request.user,
        )
        row = selectors.payment_list(user=request.user).get(pk=payment.pk)
        return Response(PaymentSerializer(row).data, status=status.HTTP_201_CREATED)


class PaymentDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated, NotForAgents]
    serializer_class = PaymentSerializer

    def get_queryset(self):
        return selectors.payment_list(user=self.request.user)
