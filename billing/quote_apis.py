"""Quotes: which plan, how many seats and what monthly price for a shop's daily inquiries."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import IsManager
from agency.choices import Plan
from billing.quotes import quote_for
from seats.calculations import Coverage


class QuoteQuerySerializer(serializers.Serializer):
    daily_inquiries = serializers.IntegerField(min_value=0, max_value=1_000_000)
    coverage = serializers.ChoiceField(choices=Coverage.choices)
    days = serializers.IntegerField(
        min_value=1,
        max_value=366,
        required=False,
        help_text="For a short job: also price the temporary plan for this many days.",
    )


class ShortJobSerializer(serializers.Serializer):
    plan = serializers.CharField()
    seats = serializers.IntegerField()
    seat_capacity = serializers.IntegerField()
    days = serializers.IntegerField()
    day_rate = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class ShiftPlanSerializer(serializers.Serializer):
    shift = serializers.CharField()
    inquiries = serializers.IntegerField(help_text="The shift's share of the daily inquiries.")
    agents_needed = serializers.IntegerField(
        help_text="ceil(inquiries / agent_cap): agents so that none is planned above the cap."
    )
    load_per_agent = serializers.IntegerField(
        help_text="Each agent's projected daily load once spread over the quoted seats."
    )


class QuoteSerializer(serializers.Serializer):
    daily_inquiries = serializers.IntegerField()
    coverage = serializers.CharField()
    plan = serializers.ChoiceField(choices=Plan.choices)
    shift = serializers.CharField(allow_null=True)
    seats = serializers.IntegerField()
    seat_capacity = serializers.IntegerField(help_text="Daily inquiries one seat carries.")
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    monthly_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="seats x unit_price; commission on top."
    )
    short_job = ShortJobSerializer(allow_null=True)
    agent_cap = serializers.IntegerField(
        help_text="No agent is planned above this many inquiries a day (the strained bound)."
    )
    peak = serializers.IntegerField(help_text="A seat's daily peak, a further cap.")
    seats_for_peak = serializers.IntegerField(help_text="ceil(daily_inquiries / peak).")
    shifts = ShiftPlanSerializer(
        many=True,
        help_text="Per shift covered: its load, agents needed; seats = the most agents any "
        "shift needs, and at least seats_for_peak.",
    )


class QuoteApi(APIView):
    """Price a coverage for a shop with N daily inquiries, from the price book (managers)."""

    permission_classes = [IsManager]

    @extend_schema(parameters=[QuoteQuerySerializer], responses=QuoteSerializer)
    def get(self, request):
        query = QuoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(QuoteSerializer(quote_for(**query.validated_data)).data)
