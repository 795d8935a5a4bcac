"""Handover notes (交接): managers write and acknowledge; owners read their shops' notes."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api import IsManager, ManagerWritesOnly
from seats import selectors, services
from seats.filters import HandoverNoteFilter
from seats.models import Agent, HandoverNote, Seat


class HandoverNoteOutputSerializer(serializers.ModelSerializer):
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
            "acknowledged_at",
            "created_at",
            "updated_at",
        ]


class HandoverNoteCreateSerializer(serializers.Serializer):
    seat = serializers.PrimaryKeyRelatedField(queryset=Seat.objects.all())
    shop = serializers.PrimaryKeyRelatedField(
        queryset=HandoverNote._meta.get_field("shop").related_model.objects.all()
    )
    date = serializers.DateField()
    from_agent = serializers.PrimaryKeyRelatedField(
        queryset=Agent.objects.all(), help_text="The seat's day agent on that date."
    )
    to_agent = serializers.PrimaryKeyRelatedField(
        queryset=Agent.objects.all(),
        required=False,
        allow_null=True,
        help_text="The seat's night agent on that date (the default).",
    )
    open_cases = serializers.CharField(required=False, allow_blank=True)
    promises = serializers.CharField(required=False, allow_blank=True)


class HandoverNoteUpdateSerializer(serializers.Serializer):
    to_agent = serializers.PrimaryKeyRelatedField(
        queryset=Agent.objects.all(), required=False, allow_null=True
    )
    open_cases = serializers.CharField(required=False, allow_blank=True)
    promises = serializers.CharField(required=False, allow_blank=True)

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

    permission_classes = [ManagerWritesOnly]
    serializer_class = HandoverNoteOutputSerializer
    filterset_class = HandoverNoteFilter

    def get_queryset(self):
        return selectors.handover_note_list(user=self.request.user)

    @extend_schema(
        request=HandoverNoteCreateSerializer, responses={201: HandoverNoteOutputSerializer}
    )
    def create(self, request):
        data = HandoverNoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.handover_note_create(**data.validated_data)
        return Response(HandoverNoteOutputSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=HandoverNoteUpdateSerializer,
        responses={200: HandoverNoteOutputSerializer},
        description="Edit a note until it is acknowledged (then 409).",
    )
    def partial_update(self, request, pk=None):
        note = self.get_object()
        data = HandoverNoteUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        note = services.handover_note_update(note=note, **data.validated_data)
        return Response(HandoverNoteOutputSerializer(note).data)

    @extend_schema(
        request=None,
        responses={200: HandoverNoteOutputSerializer},
        description="The night agent has read the note (a manager records it for them). "
        "A second acknowledgement answers 409.",
    )
    @action(detail=True, methods=["post"], permission_classes=[IsManager])
    def acknowledge(self, request, pk=None):
        note = services.handover_note_acknowledge(note=self.get_object())
        return Response(HandoverNoteOutputSerializer(note).data)
