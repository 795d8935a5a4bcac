"""Platform sub-accounts (旺旺子账号): owners read their shops'; managers grant, edit, revoke."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api import IsManager, ManagerWritesOnly
from seats import selectors, services
from seats.filters import SubAccountFilter
from seats.models import Agent, SubAccount

Shop = SubAccount._meta.get_field("shop").related_model


class SubAccountOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubAccount
        fields = ["id", "shop", "agent", "name", "granted_on", "revoked_on"]


class SubAccountCreateSerializer(serializers.Serializer):
    shop = serializers.PrimaryKeyRelatedField(queryset=Shop.objects.all())
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
    name = serializers.CharField(
        max_length=100,
        help_text="The account as exports write it, `<shop name>:<account>`, or the account "
        "alone (the shop's name is put in front).",
    )
    granted_on = serializers.DateField(required=False, help_text="Default: today.")


class SubAccountUpdateSerializer(serializers.Serializer):
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all(), required=False)
    name = serializers.CharField(max_length=100, required=False)
    granted_on = serializers.DateField(required=False)
    revoked_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        fixed = sorted(set(self.initial_data) - set(self.fields))
        if fixed:
            raise serializers.ValidationError(
                dict.fromkeys(fixed, gettext("This field cannot be changed."))
            )
        return attrs


class SubAccountRevokeSerializer(serializers.Serializer):
    revoked_on = serializers.DateField(required=False, help_text="Default: today.")


class SubAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Which agent holds which sub-account of which shop, since when; ``revoked_on`` null: still
    in the agent's hands."""

    permission_classes = [ManagerWritesOnly]
    serializer_class = SubAccountOutputSerializer
    filterset_class = SubAccountFilter

    def get_queryset(self):
        return selectors.sub_account_list(user=self.request.user)

    @extend_schema(
        request=SubAccountCreateSerializer,
        responses={201: SubAccountOutputSerializer},
        description="Grant (开通) a shop's sub-account to an agent. 400 when the name is not "
        "the shop's, is held by an agent already, the agent has left, or the date is to come.",
    )
    def create(self, request):
        data = SubAccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sub_account = services.sub_account_grant(**data.validated_data, actor=request.user)
        return Response(
            SubAccountOutputSerializer(sub_account).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=SubAccountUpdateSerializer, responses=SubAccountOutputSerializer)
    def partial_update(self, request, pk=None):
        sub_account = self.get_object()
        data = SubAccountUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        sub_account = services.sub_account_update(
            sub_account=sub_account, data=data.validated_data, actor=request.user
        )
        return Response(SubAccountOutputSerializer(sub_account).data)

    @extend_schema(
        request=SubAccountRevokeSerializer,
        responses={200: SubAccountOutputSerializer},
        description="Revoke (收回) the sub-account on `revoked_on` (default today; not before it "
        "was granted, not in the future). One already revoked answers 409.",
    )
    @action(detail=True, methods=["post"], permission_classes=[IsManager])
    def revoke(self, request, pk=None):
        sub_account = self.get_object()
        data = SubAccountRevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sub_account = services.sub_account_revoke(
            sub_account=sub_account, **data.validated_data, actor=request.user
        )
        return Response(SubAccountOutputSerializer(sub_account).data)
