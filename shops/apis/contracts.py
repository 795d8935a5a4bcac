"""Contracts: owners read their shops' contracts; managers write them; agents' accounts read the
coverage of the shops they serve (which plan, shift and seat, from when), never the price."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agency.access import is_agent
from agency.api import ManagerWritesOnly, id_filter
from agency.choices import CommissionMode, Plan, Shift
from agency.money import CENT
from shops import selectors, services
from shops.models import Contract, Shop
from shops.terms import RATE_STEP

CONTRACT_COVERAGE_FIELDS = ("plan", "shift", "seat", "start_date", "end_date")
"""The terms of a contract that say who serves the shop when; nothing about money."""

TIERS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "from": {"type": "string", "format": "decimal", "example": "0.00"},
            "rate": {"type": "string", "format": "decimal", "example": "0.03"},
        },
        "required": ["from", "rate"],
    },
    "description": (
        "Commission tiers: each rate (a fraction, 0.03 = 3 %) applies from its lower bound in CNY, "
        "inclusive. The first tier starts at 0, bounds ascend. Bounds are shown with 2 places, "
        "rates with 2 to 4 places."
    ),
}


def _rate_text(rate: Any) -> str:
    """A rate at its stored precision (4 places) without the zeros past the second place."""
    text = f"{Decimal(str(rate)).quantize(RATE_STEP):.4f}"
    whole, fraction = text.split(".")
    return f"{whole}.{fraction[:2]}{fraction[2:].rstrip('0')}"


@extend_schema_field(TIERS_SCHEMA)
class CommissionTiersField(serializers.Field):
    """Tiers as ``[{"from": "0.00", "rate": "0.03"}, ...]``; the service checks the schedule."""

    default_error_messages = {
        "invalid": 'Give the tiers as a list of objects with "from" and "rate".'
    }

    def to_internal_value(self, data: Any) -> list:
        if not isinstance(data, list) or not all(isinstance(entry, dict) for entry in data):
            self.fail("invalid")
        return data

    def to_representation(self, value: list) -> list[dict[str, str]]:
        try:
            return [
                {
                    "from": str(Decimal(str(entry["from"])).quantize(CENT)),
                    "rate": _rate_text(entry["rate"]),
                }
                for entry in value
            ]
        except (KeyError, TypeError, ArithmeticError, ValueError):
            return value  # a hand-edited value is shown as stored rather than hidden


class ContractSerializer(serializers.ModelSerializer):
    shop = serializers.PrimaryKeyRelatedField(queryset=Shop.objects.all())
    shift = serializers.ChoiceField(
        choices=Shift.choices,
        allow_null=True,
        required=False,
        help_text="Only, and required, for the shift plan.",
    )
    end_date = serializers.DateField(
        allow_null=True, required=False, help_text="Inclusive; null = open (monthly plans only)."
    )
    price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="Day rate (day plans) or monthly fee (monthly plans); default: the price book.",
    )
    commission_mode = serializers.ChoiceField(choices=CommissionMode.choices, required=False)
    commission_tiers = CommissionTiersField(required=False)

    class Meta:
        model = Contract
        fields = ["id", "shop", *services.CONTRACT_TERMS_FIELDS]
        # The seat field is derived from Contract.seat (any seat; optional, null = no seat).
        extra_kwargs = {"seat": {"allow_null": True, "required": False}}
        validators: list = []


class ContractCoverageSerializer(serializers.ModelSerializer):
    """A contract as an agent's account reads it: what it covers, without price or commission."""

    class Meta:
        model = Contract
        fields = ["id", "shop", *CONTRACT_COVERAGE_FIELDS]
        read_only_fields = fields


def contract_serializer_for(request: Request) -> type[serializers.Serializer]:
    """Agents never read what a shop pays: they get the coverage alone."""
    return ContractCoverageSerializer if is_agent(request.user) else ContractSerializer


class ContractFilter(filters.FilterSet):
    shop = id_filter("shop")
    seat = id_filter("seat")
    plan = filters.ChoiceFilter(choices=Plan.choices)
    active_on = filters.DateFilter(method="filter_active_on", help_text="Active on this date.")

    class Meta:
        model = Contract
        fields: list = []

    def filter_active_on(self, queryset, name: str, value: dt.date):
        return queryset.active_on(value)


class ContractListApi(generics.ListCreateAPIView):
    """Contracts of the shops the caller may see; managers create them."""

    serializer_class = ContractSerializer
    permission_classes = [ManagerWritesOnly]
    filterset_class = ContractFilter

    def get_queryset(self):
        return selectors.contract_list(user=self.request.user)

    def get_serializer_class(self):
        return contract_serializer_for(self.request)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = services.contract_create(actor=request.user, **serializer.validated_data)
        return Response(ContractSerializer(contract).data, status=status.HTTP_201_CREATED)


class ContractDetailApi(generics.RetrieveUpdateAPIView):
    serializer_class = ContractSerializer
    permission_classes = [ManagerWritesOnly]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.contract_list(user=self.request.user)

    def get_serializer_class(self):
        return contract_serializer_for(self.request)

    def update(self, request: Request, *args, **kwargs) -> Response:
        contract = self.get_object()
        serializer = self.get_serializer(contract, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        contract = services.contract_update(
            contract=contract, actor=request.user, data=serializer.validated_data
        )
        return Response(ContractSerializer(contract).data)
