"""Handover notes: the day agent writes, the night agent acknowledges, managers may do both.

Agents' tokens write as themselves only (``from_agent`` defaults to their agent; naming another
is 403) and see the notes of the shops they serve today; owners read their shops' notes. The
rules (16:00, who is the day or night agent that date) live in ``seats.services.handover``.
"""

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency import clock
from agency.access import agent_shop_ids, is_agent, is_manager
from seats import selectors, services
from seats.filters import HandoverNoteFilter
from seats.models import Agent, HandoverNote, Seat


class ManagersAndAgentsWrite(permissions.BasePermission):
    """Everybody signed in reads (within their rights); managers and agents write notes (the
    service says which notes an agent may write or acknowledge)."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_manager(request.user) or is_agent(request.user)


class HandoverNoteOutputSerializer(serializers.ModelSerializer):
    written_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    acknowledged_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = HandoverNote
        fields = [
            "id",
            "seat",
            "shop",
            "date",
            "from_agent",
            "to_agent",
            "open_cases",
            "promises",
            "written_by",
            "acknowledged_at",
            "acknowledged_by",
            "created_at",
            "updated_at",
        ]


@extend_schema_field(OpenApiTypes.INT)
class VisibleShopField(serializers.PrimaryKeyRelatedField):
    """A shop the caller may see: another seat's shop is "does not exist", as for a wrong id."""

    def get_queryset(self):
        # The shops app's own rule (``shops_for_user``), restated: seats may not import shops.
        user = self.context["request"].user
        shops = HandoverNote._meta.get_field("shop").related_model.objects.all()
        if is_manager(user):
            return shops
        if is_agent(user):
            return shops.filter(pk__in=sorted(agent_shop_ids(user)))
        return shops.filter(owner=user)


class HandoverNoteCreateSerializer(serializers.Serializer):
    seat = serializers.PrimaryKeyRelatedField(
        queryset=Seat.objects.all(),
        required=False,
        help_text="Required for managers; an agent's own seat that date by default.",
    )
    shop = VisibleShopField()
    date = serializers.DateField(required=False, help_text="Today (Shanghai) by default.")
    from_agent = serializers.PrimaryKeyRelatedField(
        queryset=Agent.objects.all(),
        required=False,
        help_text="The seat's day agent on that date. Required for managers; an agent writes as "
        "themselves (naming anybody else is 403).",
    )
    to_agent = serializers.PrimaryKeyRelatedField(
        queryset=Agent.objects.all(),
        required=False,
        allow_null=True,
        help_text="The seat's night agent on that date (the default).",
    )
    open_cases = serializers.CharField(
        required=False, allow_blank=True, style={"base_template": "textarea.html"}
    )
    promises = serializers.CharField(
        required=False, allow_blank=True, style={"base_template": "textarea.html"}
    )


class HandoverNoteUpdateSerializer(serializers.Serializer):
    to_agent = serializers.PrimaryKeyRelatedField(
        queryset=Agent.objects.all(), required=False, allow_null=True
    )
    open_cases = serializers.CharField(
        required=False, allow_blank=True, style={"base_template": "textarea.html"}
    )
    promises = serializers.CharField(
        required=False, allow_blank=True, style={"base_template": "textarea.html"}
    )

    def validate(self, attrs):
        fixed = sorted(set(self.initial_data) - set(self.fields))
        if fixed:
            raise serializers.ValidationError(
                dict.fromkeys(fixed, gettext("Cannot be changed; write a new note instead."))
            )
        return attrs


class HandoverNoteViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Notes from a seat's day agent to its night agent, one per shop and date."""

    permission_classes = [ManagersAndAgentsWrite]
    serializer_class = HandoverNoteOutputSerializer
    filterset_class = HandoverNoteFilter

    def get_queryset(self):
        return selectors.handover_note_list(user=self.request.user)

    @extend_schema(
        request=HandoverNoteCreateSerializer,
        responses={201: HandoverNoteOutputSerializer},
        description="The seat's day agent writes from 16:00 of the note's date (Shanghai), for "
        "that date only; a manager writes for any date at any time. ``written_by`` is the "
        "caller.",
    )
    def create(self, request):
        data = HandoverNoteCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = {"date": clock.today(), **data.validated_data}
        note = services.handover_note_create(actor=request.user, **values)
        return Response(HandoverNoteOutputSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=HandoverNoteUpdateSerializer,
        responses={200: HandoverNoteOutputSerializer},
        description="Edit a note until it is acknowledged (then 409). An agent edits only the "
        "notes they wrote, from 16:00 of their date.",
    )
    def partial_update(self, request, pk=None):
        note = self.get_object()
        data = HandoverNoteUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        note = services.handover_note_update(note=note, actor=request.user, **data.validated_data)
        return Response(HandoverNoteOutputSerializer(note).data)

    @extend_schema(
        request=None,
        responses={200: HandoverNoteOutputSerializer},
        description="The seat's night agent of the note's date has read the note, or a manager "
        "records it; ``acknowledged_by`` is whoever called. Anybody else: 403. A second "
        "acknowledgement answers 409.",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        note = services.handover_note_acknowledge(note=self.get_object(), actor=request.user)
        return Response(HandoverNoteOutputSerializer(note).data)
