"""Shops: list, create (managers), read and change (owners: the briefing only); agents' accounts
read the shops they serve, without the billing details."""

from collections.abc import Mapping

from django.utils.functional import lazy
from django_filters import rest_framework as filters
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agency.access import is_agent
from agency.api import AgentsReadOnly, LeanListMixin
from agency.models import User
from shops import selectors, services
from shops.apis.common import ManagersCreate
from shops.models import Shop


class ShopSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        help_text="Username of the client account that owns the shop.",
    )
    # Checked by the service, after spaces are dropped and letters capitalised.
    tax_id = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="纳税人识别号: the 18-character unified social credit code (its check "
        "character verified), or an older 15- or 20-character tax number.",
    )

    payment_terms_days = serializers.IntegerField(
        min_value=0,
        max_value=services.PAYMENT_TERMS_MAX_DAYS,
        required=False,
        allow_null=True,
        help_text=lazy(services.payment_terms_help, str)(),
    )

    class Meta:
        model = Shop
        fields = [
            "id",
            "name",
            "platform",
            "platform_shop_id",
            "category",
            "status",
            "owner",
            "daily_inquiries_estimate",
            "briefing",
            "billing_name",
            "tax_id",
            "billing_address",
            "billing_email",
            "payment_terms_days",
        ]
        validators: list = []  # the service checks uniqueness with a message for people


BILLING_DETAIL_FIELDS = (
    "billing_name",
    "tax_id",
    "billing_address",
    "billing_email",
    "payment_terms_days",
)
"""Whom the invoices name and where they go: the shop's money, not for agents."""


class AgentShopSerializer(ShopSerializer):
    """A shop as an agent's account reads it: the briefing and the facts, no billing details."""

    class Meta(ShopSerializer.Meta):
        fields = [name for name in ShopSerializer.Meta.fields if name not in BILLING_DETAIL_FIELDS]
        read_only_fields = fields


def shop_serializer_for(request: Request) -> type[serializers.Serializer]:
    return AgentShopSerializer if is_agent(request.user) else ShopSerializer


class ShopFilter(filters.FilterSet):
    platform = filters.ChoiceFilter(choices=Shop.Platform.choices)
    status = filters.ChoiceFilter(choices=Shop.Status.choices)
    owner = filters.CharFilter(field_name="owner__username", help_text="Owner's username.")
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Name contains.")

    class Meta:
        model = Shop
        fields: list = []


class ShopListApi(LeanListMixin, generics.ListCreateAPIView):
    """Shops the caller may see; managers create shops."""

    serializer_class = ShopSerializer
    permission_classes = [ManagersCreate]
    filterset_class = ShopFilter

    def get_queryset(self):
        return selectors.shop_list(user=self.request.user)

    def get_serializer_class(self):
        return shop_serializer_for(self.request)

    def lean_rows(self, queryset):
        return selectors.shop_rows(queryset, fields=self.get_serializer_class().Meta.fields)

    def lean_data(self, rows: list[tuple]) -> list[dict]:
        # Every field is a string, a number or null, written as it is stored.
        fields = self.get_serializer_class().Meta.fields
        return [dict(zip(fields, row, strict=True)) for row in rows]

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shop = services.shop_create(actor=request.user, **serializer.validated_data)
        return Response(ShopSerializer(shop).data, status=status.HTTP_201_CREATED)


class ShopDetailApi(generics.RetrieveUpdateAPIView):
    """One shop. Managers change any field; owners only the briefing of their own shop; agents'
    accounts read it (403 on a change)."""

    serializer_class = ShopSerializer
    permission_classes = [AgentsReadOnly]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.shop_list(user=self.request.user)

    def get_serializer_class(self):
        return shop_serializer_for(self.request)

    def update(self, request: Request, *args, **kwargs) -> Response:
        shop = self.get_object()
        # Checked before the body is validated, so an owner cannot probe other users' names.
        if isinstance(request.data, Mapping):
            writable = [
                name for name, field in ShopSerializer().fields.items() if not field.read_only
            ]
            services.shop_check_editable_fields(
                actor=request.user, fields=[name for name in writable if name in request.data]
            )
        serializer = self.get_serializer(shop, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        shop = services.shop_update(shop=shop, actor=request.user, data=serializer.validated_data)
        return Response(ShopSerializer(shop).data)
