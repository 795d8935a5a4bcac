"""Agents, seats and seat assignments: manager-only resources, plus load and capacity."""

from decimal import Decimal

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api import IsManager
from agency.choices import Shift
from seats import selectors, services
from seats.calculations import LoadBand
from seats.filters import AgentFilter, SeatAssignmentFilter
from seats.models import Agent, Seat, SeatAssignment

MAX_LOAD_RANGE_DAYS = 366

# --- Agents -------------------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "enum": Agent.Status.values}, component_name="AgentStatusEnum"
)
class AgentStatusField(serializers.ChoiceField):
    """An agent's status; named in the schema, as shops and invoices have a status too."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=Agent.Status.choices, **kwargs)


MAX_COMMISSION_RATE = Decimal("0.2")


def _rate_out_of_range() -> str:
    return gettext(
        "A commission rate is a share of the agent's attributed sales between 0 and 0.2 "
        "(20 %), e.g. 0.0020 for 0.2 %; null for the pay book's rate."
    )


class AgentOutputSerializer(serializers.ModelSerializer):
    status = AgentStatusField(read_only=True)
    commission_rate = serializers.DecimalField(
        max_digits=6,
        decimal_places=4,
        allow_null=True,
        read_only=True,
        help_text='The agent\'s own commission rate on attributed sales (e.g. "0.0020" for '
        "0.2 %); null: the pay book's rate for the month.",
    )
    left_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Last working day (set when the agent leaves); pay is prorated up to it.",
    )

    class Meta:
        model = Agent
        fields = [
            "id",
            "name",
            "employee_no",
            "hired_on",
            "status",
            "base_salary",
            "commission_rate",
            "left_on",
        ]


class AgentInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    employee_no = serializers.CharField(max_length=30)
    hired_on = serializers.DateField()
    status = AgentStatusField(required=False)
    base_salary = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0"))
    commission_rate = serializers.DecimalField(
        max_digits=6,
        decimal_places=4,
        allow_null=True,
        required=False,
        help_text='0 to 0.2, e.g. "0.0020" for 0.2 %; null: the pay book\'s rate.',
    )

    def validate_commission_rate(self, value: Decimal | None) -> Decimal | None:
        if value is not None and not Decimal("0") <= value <= MAX_COMMISSION_RATE:
            raise serializers.ValidationError(_rate_out_of_range())
        return value


class LoadQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()

    def validate(self, attrs):
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": gettext("Must not be before date_from.")})
        days = (attrs["date_to"] - attrs["date_from"]).days + 1
        if days > MAX_LOAD_RANGE_DAYS:
            raise serializers.ValidationError(
                {
                    "date_to": gettext("At most %(limit)s days at once; asked for %(days)s.")
                    % {"limit": MAX_LOAD_RANGE_DAYS, "days": days}
                }
            )
        return attrs


class DayLoadSerializer(serializers.Serializer):
    date = serializers.DateField()
    inquiries = serializers.IntegerField()
    band = serializers.ChoiceField(
        choices=LoadBand.choices,
        help_text="Band of the agent's inquiries that date over all shops (docs/seats.md).",
    )


class AgentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Agents (客服), for managers."""

    permission_classes = [IsManager]
    serializer_class = AgentOutputSerializer
    filterset_class = AgentFilter

    def get_queryset(self):
        return selectors.agent_list()

    @extend_schema(request=AgentInputSerializer, responses={201: AgentOutputSerializer})
    def create(self, request):
        data = AgentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agent = services.agent_create(**data.validated_data, actor=request.user)
        return Response(AgentOutputSerializer(agent).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AgentInputSerializer, responses=AgentOutputSerializer)
    def partial_update(self, request, pk=None):
        agent = self.get_object()
        data = AgentInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        agent = services.agent_update(agent=agent, data=data.validated_data, actor=request.user)
        return Response(AgentOutputSerializer(agent).data)

    @extend_schema(
        parameters=[LoadQuerySerializer],
        responses=DayLoadSerializer(many=True),
        description="The agent's inquiries and load band on every date of the range "
        f"(at most {MAX_LOAD_RANGE_DAYS} days), zero-filled.",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def load(self, request, pk=None):
        agent = self.get_object()
        query = LoadQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        loads = selectors.agent_load(agent_id=agent.pk, **query.validated_data)
        return Response(DayLoadSerializer(loads, many=True).data)


# --- Seats --------------------------------------------------------------------------------------


class SeatOutputSerializer(serializers.ModelSerializer):
    day_agent = serializers.SerializerMethodField(help_text="Agent holding the day shift today.")
    night_agent = serializers.SerializerMethodField(
        help_text="Agent holding the night shift today."
    )
    shops = serializers.SerializerMethodField(
        help_text="Shops with a contract on this seat active today."
    )
    projected_load = serializers.SerializerMethodField(
        help_text="Expected daily inquiries of the seat's current shops (see docs/seats.md)."
    )
    utilisation = serializers.SerializerMethodField(
        help_text="projected_load / the seat's peak (600), 4 places."
    )

    class Meta:
        model = Seat
        fields = [
            "id",
            "code",
            "name",
            "overhead",
            "day_agent",
            "night_agent",
            "shops",
            "projected_load",
            "utilisation",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_day_agent(self, seat) -> int | None:
        return selectors.seat_shift_agent_ids(seat)[Shift.DAY]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_night_agent(self, seat) -> int | None:
        return selectors.seat_shift_agent_ids(seat)[Shift.NIGHT]

    def get_shops(self, seat) -> list[int]:
        return list(self.context["loads"][seat.pk].shop_ids)

    def get_projected_load(self, seat) -> int:
        return self.context["loads"][seat.pk].load

    @extend_schema_field(OpenApiTypes.STR)
    def get_utilisation(self, seat) -> str:
        return str(self.context["loads"][seat.pk].utilisation)


class SeatInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    overhead = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0"), required=False
    )


class CapacityQuerySerializer(serializers.Serializer):
    inquiries = serializers.IntegerField(
        min_value=0, max_value=1_000_000, help_text="The new shop's daily inquiries."
    )
    shift = serializers.ChoiceField(
        choices=Shift.choices,
        required=False,
        help_text="A one-shift contract: all of the inquiries on this shift. Without it they "
        "split by hours, 8/15 day and 7/15 night.",
    )


class CapacityOptionSerializer(serializers.Serializer):
    seat = serializers.IntegerField(source="seat_id")
    code = serializers.CharField(source="seat_code")
    projected_load = serializers.IntegerField(
        help_text="The seat's expected daily inquiries with the new shop."
    )
    headroom = serializers.IntegerField(
        help_text="The tightest room left with the new shop: the least of (agent_cap - day_load), "
        "(agent_cap - night_load) and (peak - projected_load)."
    )
    shops = serializers.ListField(child=serializers.IntegerField(), source="shop_ids")
    day_load = serializers.IntegerField(
        help_text="The day agent's projected daily inquiries with the new shop."
    )
    night_load = serializers.IntegerField(
        help_text="The night agent's projected daily inquiries with the new shop."
    )
    agent_cap = serializers.IntegerField(
        help_text="No agent is planned above this (the upper bound of the strained band)."
    )
    peak = serializers.IntegerField(help_text="The seat's daily peak, a further cap.")


class SeatViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Seats (坐席) with who covers them and which shops they serve today, for managers."""

    permission_classes = [IsManager]
    serializer_class = SeatOutputSerializer

    def get_queryset(self):
        return selectors.seat_list()

    def _render(self, seats, **kwargs):
        loads = selectors.seat_utilisation(seats=seats)
        return SeatOutputSerializer(seats, context={"loads": loads}, **kwargs).data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._render(page, many=True))

    def retrieve(self, request, pk=None):
        return Response(self._render([self.get_object()], many=True)[0])

    @extend_schema(request=SeatInputSerializer, responses={201: SeatOutputSerializer})
    def create(self, request):
        data = SeatInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        seat = services.seat_create(**data.validated_data, actor=request.user)
        seat = self.get_queryset().get(pk=seat.pk)
        return Response(self._render([seat], many=True)[0], status=status.HTTP_201_CREATED)

    @extend_schema(request=SeatInputSerializer, responses=SeatOutputSerializer)
    def partial_update(self, request, pk=None):
        seat = self.get_object()
        data = SeatInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.seat_update(seat=seat, data=data.validated_data, actor=request.user)
        seat = self.get_queryset().get(pk=seat.pk)
        return Response(self._render([seat], many=True)[0])

    @extend_schema(
        parameters=[CapacityQuerySerializer],
        responses=CapacityOptionSerializer(many=True),
        description="Seats that can take a new shop with N daily inquiries, most headroom "
        "first: fewer than MAX_SHOPS_PER_SEAT shops, each agent's projected daily load "
        "(day_load, night_load) within agent_cap (120) and projected_load within the peak (600).",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def capacity(self, request):
        query = CapacityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        shift = query.validated_data.get("shift")
        options = selectors.seat_capacity(
            inquiries=query.validated_data["inquiries"], shifts=[shift] if shift else None
        )
        return Response(CapacityOptionSerializer(options, many=True).data)


# --- Seat assignments ---------------------------------------------------------------------------


class SeatAssignmentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SeatAssignment
        fields = ["id", "seat", "agent", "shift", "start_date", "end_date"]


class SeatAssignmentInputSerializer(serializers.Serializer):
    seat = serializers.PrimaryKeyRelatedField(queryset=Seat.objects.all())
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
    shift = serializers.ChoiceField(choices=Shift.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, help_text="null: open.")


class SeatAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Which agent covers which shift of which seat over which dates, for managers."""

    permission_classes = [IsManager]
    serializer_class = SeatAssignmentOutputSerializer
    filterset_class = SeatAssignmentFilter

    def get_queryset(self):
        return selectors.assignment_list()

    @extend_schema(
        request=SeatAssignmentInputSerializer, responses={201: SeatAssignmentOutputSerializer}
    )
    def create(self, request):
        data = SeatAssignmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_create(**data.validated_data, actor=request.user)
        return Response(
            SeatAssignmentOutputSerializer(assignment).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=SeatAssignmentInputSerializer, responses=SeatAssignmentOutputSerializer)
    def partial_update(self, request, pk=None):
        assignment = self.get_object()
        data = SeatAssignmentInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_update(
            assignment=assignment, data=data.validated_data, actor=request.user
        )
        return Response(SeatAssignmentOutputSerializer(assignment).data)

    def destroy(self, request, pk=None):
        services.assignment_delete(assignment=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
