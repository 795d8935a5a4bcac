"""REST API of payments (``/api/v1/payments/``): managers record money received for an issued
invoice, in parts; owners read their shops' payments; agents get 403 (it is money)."""

from rest_framework import serializers

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
