"""The roster (排班表), leave (请假) and cover assignments.

Managers read and decide everything; an agent reads their own roster rows and their own leave,
and requests or cancels their own leave; owners are refused (403): the roster is the agency's
internal schedule.
"""

from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.access import agent_id_of, is_manager
from agency.api import IsManager, id_filter
from agency.choices import Shift
from seats import roster, services
from seats.choices import LeaveStatus, RosterKind
from seats.models import Agent, CoverAssignment, Leave, Seat


class IsManagerOrAgent(permissions.BasePermission):
    """Managers, and agents for their own rows; owners are refused (403)."""

    def has_permission(self, request, view) -> bool:
        return is_manager(request.user) or agent_id_of(request.user) is not None


# --- Roster -------------------------------------------------------------------------------------


class RosterQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    seat = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    agent = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def validate(self, attrs):
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": gettext("Must not be before date_from.")})
        days = (attrs["date_to"] - attrs["date_from"]).days + 1
        if days > roster.MAX_ROSTER_DAYS:
            raise serializers.ValidationError(
                {
                    "date_to": gettext("At most %(limit)s days at once; asked for %(days)s.")
                    % {"limit": roster.MAX_ROSTER_DAYS, "days": days}
                }
            )
        return attrs


class RosterSlotSerializer(serializers.Serializer):
    date = serializers.DateField()
    seat = serializers.IntegerField(source="seat_id")
    shift = serializers.ChoiceField(choices=Shift.choices)
    agent = serializers.IntegerField(
        source="agent_id", allow_null=True, help_text="Who works it; null when nobody."
    )
    kind = serializers.ChoiceField(
        choices=RosterKind.choices,
        allow_null=True,
        help_text="regular: the seat-shift's own agent; cover: a cover assignment.",
    )
    regular_agent = serializers.IntegerField(
        source="regular_agent_id",
        allow_null=True,
        help_text="The agent assigned to the seat-shift that date, whoever works it.",
    )
    on_leave = serializers.BooleanField(help_text="The regular agent is on approved leave.")
    needed = serializers.BooleanField(help_text="A contract on the seat covers this shift.")
    covered = serializers.BooleanField(help_text="Somebody works it.")


class RosterApi(APIView):
    """Who works every seat-shift on every date of a range (at most 62 days)."""

    permission_classes = [IsManagerOrAgent]

    @extend_schema(parameters=[RosterQuerySerializer], responses=RosterSlotSerializer(many=True))
    def get(self, request):
        query = RosterQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        agent_id = data.get("agent")
        if not is_manager(request.user):
            own = agent_id_of(request.user)
            if agent_id is not None and agent_id != own:
                # Another agent's rows are out of reach, as an id outside one's rights is.
                return Response([])
            agent_id = own
        slots = roster.roster_slots(
            date_from=data["date_from"],
            date_to=data["date_to"],
            seat_ids=[data["seat"]] if "seat" in data else None,
            agent_id=agent_id,
        )
        return Response(RosterSlotSerializer(slots, many=True).data)


# --- Leave --------------------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "enum": LeaveStatus.values}, component_name="LeaveStatusEnum"
)
class LeaveStatusField(serializers.ChoiceField):
    """A leave's status; named in the schema, as shops and invoices have a status too."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=LeaveStatus.choices, **kwargs)


class LeaveOutputSerializer(serializers.ModelSerializer):
    status = LeaveStatusField(read_only=True)

    class Meta:
        model = Leave
        fields = [
            "id",
            "agent",
            "start_date",
            "end_date",
            "reason",
            "unpaid",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "created_at",
        ]


class LeaveInputSerializer(serializers.Serializer):
    agent = serializers.PrimaryKeyRelatedField(
        queryset=Agent.objects.all(),
        required=False,
        help_text="Agents: themselves (the default). Managers: required.",
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    unpaid = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Unpaid leave: the days are deducted from the agent's base pay. The agent or "
        "a manager says so when asking; a manager may change it when approving.",
    )
    approve = serializers.BooleanField(
        required=False, default=False, help_text="Managers: approve at once."
    )


class LeaveApproveInputSerializer(serializers.Serializer):
    unpaid = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Settle whether the leave is unpaid (deducted from base pay); "
        "absent or null: as requested.",
    )


class SlotDateSerializer(serializers.Serializer):
    date = serializers.DateField()
    seat = serializers.IntegerField(source="seat_id")
    shift = serializers.ChoiceField(choices=Shift.choices)


class LeaveDecisionSerializer(LeaveOutputSerializer):
    uncovered = serializers.SerializerMethodField(
        help_text="Needed seat-shifts of the agent that nobody works during the leave."
    )

    class Meta(LeaveOutputSerializer.Meta):
        fields = [*LeaveOutputSerializer.Meta.fields, "uncovered"]

    def get_uncovered(self, leave) -> list[dict]:
        return SlotDateSerializer(self.context.get("uncovered", []), many=True).data


class LeaveFilter(filters.FilterSet):
    agent = id_filter("agent_id")
    status = filters.ChoiceFilter(choices=LeaveStatus.choices)
    date_from = filters.DateFilter(field_name="end_date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Leave
        fields = ["agent", "status", "date_from", "date_to"]


def _decision(decision: services.LeaveDecision, **kwargs) -> Response:
    body = LeaveDecisionSerializer(decision.leave, context={"uncovered": decision.uncovered}).data
    return Response(body, **kwargs)


class LeaveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Leave requests: agents their own, managers everybody's."""

    permission_classes = [IsManagerOrAgent]
    serializer_class = LeaveOutputSerializer
    filterset_class = LeaveFilter

    def get_queryset(self):
        return roster.leave_list(user=self.request.user)

    @extend_schema(request=LeaveInputSerializer, responses={201: LeaveDecisionSerializer})
    def create(self, request):
        data = LeaveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "agent" not in values:
            own = agent_id_of(request.user)
            if own is None:
                raise serializers.ValidationError({"agent": [gettext("This field is required.")]})
            values["agent"] = Agent.objects.get(pk=own)
        decision = services.leave_request(**values, actor=request.user)
        return _decision(decision, status=status.HTTP_201_CREATED)

    @extend_schema(request=LeaveApproveInputSerializer, responses=LeaveDecisionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        leave = self.get_object()
        data = LeaveApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _decision(
            services.leave_approve(leave=leave, actor=request.user, **data.validated_data)
        )

    @extend_schema(request=None, responses=LeaveOutputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        leave = services.leave_reject(leave=self.get_object(), actor=request.user)
        return Response(LeaveOutputSerializer(leave).data)

    @extend_schema(request=None, responses=LeaveOutputSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        leave = services.leave_cancel(leave=self.get_object(), actor=request.user)
        return Response(LeaveOutputSerializer(leave).data)


# --- Cover assignments --------------------------------------------------------------------------


class CoverOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CoverAssignment
        fields = ["id", "seat", "shift", "agent", "start_date", "end_date", "created_by"]


class CoverInputSerializer(serializers.Serializer):
    seat = serializers.PrimaryKeyRelatedField(queryset=Seat.objects.all())
    shift = serializers.ChoiceField(choices=Shift.choices)
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class CoverFilter(filters.FilterSet):
    seat = id_filter("seat_id")
    agent = id_filter("agent_id")
    shift = filters.ChoiceFilter(choices=Shift.choices)
    date_from = filters.DateFilter(field_name="end_date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = CoverAssignment
        fields = ["seat", "agent", "shift", "date_from", "date_to"]


class CoverAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Another agent works a seat-shift for some dates (managers)."""

    permission_classes = [IsManager]
    serializer_class = CoverOutputSerializer
    filterset_class = CoverFilter

    def get_queryset(self):
        return roster.cover_list()

    @extend_schema(request=CoverInputSerializer, responses={201: CoverOutputSerializer})
    def create(self, request):
        data = CoverInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cover = services.cover_create(**data.validated_data, actor=request.user)
        return Response(CoverOutputSerializer(cover).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        services.cover_delete(cover=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
