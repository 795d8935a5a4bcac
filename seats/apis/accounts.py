"""Accounts (``/users/``, managers only), the caller's own account (``/me/``), and an agent's
departure (``/agents/{id}/deactivate/``).

They live in the seats app because an agent's account is linked to its agent, which this app
owns; the accounts themselves are the agency app's (``agency.accounts``).
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.access import ROLE_AGENT, agent_id_of, user_role
from agency.accounts import ROLES, account_role
from agency.api import IsManager
from agency.models import User
from agency.selectors import user_list
from seats import selectors, services
from seats.apis.staff import AgentOutputSerializer
from seats.apis.sub_accounts import SubAccountOutputSerializer
from seats.models import Agent

LANGUAGE_CHOICES = [code for code, _name in settings.LANGUAGES]


@extend_schema_field({"type": "string", "enum": list(ROLES)}, component_name="RoleEnum")
class RoleField(serializers.ChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(choices=list(ROLES), **kwargs)


class UserOutputSerializer(serializers.ModelSerializer):
    # Declared, not derived from the model: Django accepts any Unicode letter in a username
    # (张伟), which the model validator's ``\w`` pattern would deny in a JSON-Schema client.
    username = serializers.CharField(read_only=True)
    role = serializers.SerializerMethodField(help_text="manager, owner or agent.")
    agent = serializers.SerializerMethodField(help_text="The agent an agent's account signs in as.")
    language = serializers.SerializerMethodField(
        help_text="The language of the user's emails and API answers."
    )

    class Meta:
        model = User
        fields = ["id", "username", "email", "role", "agent", "language", "is_active"]

    @extend_schema_field(RoleField())
    def get_role(self, user) -> str:
        return account_role(user)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_agent(self, user) -> int | None:
        agent = getattr(user, "agent_profile", None)
        return agent.pk if agent is not None else None

    @extend_schema_field(serializers.ChoiceField(choices=LANGUAGE_CHOICES))
    def get_language(self, user) -> str:
        return user.email_language


def _password_field() -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=128,
        style={"input_type": "password"},
        help_text="Checked by the password validators. Left out on creation: the user is "
        "emailed a link to choose one.",
    )


class UserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    role = RoleField()
    agent = serializers.PrimaryKeyRelatedField(
        queryset=Agent.objects.all(),
        required=False,
        allow_null=True,
        help_text="Only and required for role agent: an agent without account.",
    )
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES, required=False, help_text="Default: the new-account language."
    )
    password = _password_field()


class UserUpdateSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    is_active = serializers.BooleanField(required=False)
    agent = serializers.PrimaryKeyRelatedField(
        queryset=Agent.objects.all(), required=False, help_text="Agents' accounts only."
    )
    password = _password_field()

    def validate(self, attrs):
        fixed = sorted(set(self.initial_data) - set(self.fields))
        if fixed:
            raise serializers.ValidationError(
                dict.fromkeys(fixed, gettext("This field cannot be changed."))
            )
        return attrs


class UserFilterSerializer(serializers.Serializer):
    role = RoleField(required=False)
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Accounts of managers, owners and agents (managers only)."""

    permission_classes = [IsManager]
    serializer_class = UserOutputSerializer

    def get_queryset(self):
        return user_list()

    @extend_schema(parameters=[UserFilterSerializer])
    def list(self, request, *args, **kwargs):
        query = UserFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        users = user_list(
            role=query.validated_data.get("role"), is_active=query.validated_data["is_active"]
        )
        page = self.paginate_queryset(users)
        return self.get_paginated_response(UserOutputSerializer(page, many=True).data)

    @extend_schema(
        request=UserCreateSerializer,
        responses={201: UserOutputSerializer},
        description="Without a password the user is emailed, in their language, a link to "
        "choose one. 400 by field: username taken, email used by another account, a password "
        "the validators refuse, an agent missing for role agent (or given for another role) or "
        "already having an account.",
    )
    def create(self, request):
        data = UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("role") != ROLE_AGENT and values.get("agent") is None:
            values.pop("agent", None)
        user = services.account_create(**values, actor=request.user)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserUpdateSerializer, responses=UserOutputSerializer)
    def partial_update(self, request, pk=None):
        user = self.get_object()
        data = UserUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.account_update(user=user, data=data.validated_data, actor=request.user)
        return Response(UserOutputSerializer(user_list().get(pk=user.pk)).data)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = RoleField()
    agent = serializers.IntegerField(allow_null=True)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)


class MeApi(APIView):
    """The signed-in caller's own account: who they are and in which role."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "username": user.get_username(),
                    "role": user_role(user),
                    "agent": agent_id_of(user),
                    "language": user.email_language,
                }
            ).data
        )


class DepartureInputSerializer(serializers.Serializer):
    last_day = serializers.DateField(
        help_text="The agent's last working day (not in the future): seat-shifts and covers end "
        "on it, inclusive."
    )


class DepartureSerializer(serializers.Serializer):
    agent = AgentOutputSerializer()
    last_day = serializers.DateField()
    assignments_ended = serializers.IntegerField()
    assignments_removed = serializers.IntegerField(
        help_text="Seat-shifts that would have started after the last day."
    )
    covers_ended = serializers.IntegerField()
    covers_removed = serializers.IntegerField()
    account_deactivated = serializers.BooleanField()
    sub_accounts_to_revoke = SubAccountOutputSerializer(
        many=True, help_text="Still in the agent's hands: revoke each (POST its revoke action)."
    )


class AgentDeactivateApi(APIView):
    """An agent leaves: seat-shifts end on the last day, account deactivated, status ``left``."""

    permission_classes = [IsManager]

    @extend_schema(
        request=DepartureInputSerializer,
        responses=DepartureSerializer,
        description="400 on last_day when it is in the future or before the hire date; 409 when "
        "the agent has already left.",
    )
    def post(self, request, pk: int):
        agent = get_object_or_404(selectors.agent_list(), pk=pk)
        data = DepartureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        departure = services.agent_deactivate(
            agent=agent, last_day=data.validated_data["last_day"], actor=request.user
        )
        return Response(DepartureSerializer(departure).data)
