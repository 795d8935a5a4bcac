"""REST API of credit notes (``/api/v1/credit-notes/``): managers credit issued or paid invoices;
owners read their shops' credit notes; agents get 403 (it is money)."""

from rest_framework import serializers

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
