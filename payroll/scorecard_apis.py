"""REST API of the pay book and the scorecards (绩效考核).

The pay book and the ranking board are for managers (agents and owners 403). A scorecard is
read by managers for any agent and by an agent for themselves only (another agent's answers
404, as an id outside one's rights does); owners get 403.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.access import agent_id_of, is_manager
from agency.api import IsManager, Pagination
from agency.months import MonthField
from payroll.choices import Grade, Kpi
from payroll.models import PayBook
from payroll.scorecard_reads import (
    ScoredMonth,
    agent_scorecard,
    pay_book_is_default,
    ranking_board,
    scorecard_month,
)
from payroll.selectors import pay_book_for, pay_book_list
from payroll.services.pay_book import PAY_BOOK_FIELDS, pay_book_save
from seats.selectors import agent_list


class IsManagerOrAgent(BasePermission):
    """Managers, and agents for their own rows; owners are refused (403)."""

    def has_permission(self, request, view) -> bool:
        return is_manager(request.user) or agent_id_of(request.user) is not None


_MONTH_PARAMETER = OpenApiParameter(
    "month", str, description="YYYY-MM; default: the month in progress.", required=False
)


# --- Pay book -----------------------------------------------------------------------------------


class PayBookSerializer(serializers.ModelSerializer):
    effective_from = serializers.SerializerMethodField(
        help_text="The first month it applies to, YYYY-MM; null for the defaults."
    )
    # The defaults are an unsaved book: no id, author or dates.
    id = serializers.IntegerField(read_only=True, allow_null=True)
    changed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    created_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    is_default = serializers.SerializerMethodField(
        help_text="True when no version is saved: the documented defaults."
    )

    class Meta:
        model = PayBook
        fields = [
            "id",
            "effective_from",
            "is_default",
            *PAY_BOOK_FIELDS,
            "changed_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_effective_from(self, book: PayBook) -> str | None:
        return None if pay_book_is_default(book) else f"{book.effective_from:%Y-%m}"

    def get_is_default(self, book: PayBook) -> bool:
        return pay_book_is_default(book)


class PayBookInputSerializer(serializers.ModelSerializer):
    effective_from = MonthField(help_text="The first month the version applies to, YYYY-MM.")

    class Meta:
        model = PayBook
        fields = ["effective_from", *PAY_BOOK_FIELDS]
        extra_kwargs = {name: {"required": False, "validators": []} for name in PAY_BOOK_FIELDS}


class PayBookListApi(generics.ListAPIView):
    """Versions of the pay book, newest month first. POST saves the version of a month: it is
    created from the book in force then, or changed if the month has one."""

    permission_classes = [IsManager]
    serializer_class = PayBookSerializer

    def get_queryset(self):
        return pay_book_list()

    @extend_schema(
        request=PayBookInputSerializer,
        responses={
            201: PayBookSerializer,
            400: OpenApiResponse(description="Field errors (weights, grades, targets, rate)."),
            409: OpenApiResponse(description="The month's payroll, or a later one, is approved."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = PayBookInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        month = data.pop("effective_from")
        book = pay_book_save(effective_from=month, data=data, actor=request.user)
        book = pay_book_list().get(pk=book.pk)
        return Response(PayBookSerializer(book).data, status=status.HTTP_201_CREATED)


class PayBookCurrentApi(APIView):
    """The pay book in force in a month (the defaults when no version applies)."""

    permission_classes = [IsManager]

    @extend_schema(parameters=[_MONTH_PARAMETER], responses=PayBookSerializer)
    def get(self, request: Request) -> Response:
        month = scorecard_month(request.query_params.get("month"), started=False)
        return Response(PayBookSerializer(pay_book_for(month)).data)


# --- Scorecards ---------------------------------------------------------------------------------


class KpiLineSerializer(serializers.Serializer):
    kpi = serializers.ChoiceField(choices=Kpi.choices)
    label = serializers.CharField()
    actual = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(max_digits=16, decimal_places=4)
    weight = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    points = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    """One agent's month: the figures, each KPI against its target, the score and grade."""

    agent = serializers.IntegerField(source="card.agent_id")
    agent_name = serializers.CharField(source="card.agent.name")
    rank = serializers.IntegerField(allow_null=True)
    month = MonthField(source="card.month")
    until = serializers.DateField(source="card.until")
    inquiries = serializers.IntegerField(source="card.kpis.inquiries")
    conversions = serializers.IntegerField(source="card.kpis.conversions")
    conversion_rate = serializers.DecimalField(
        source="card.kpis.conversion_rate", max_digits=8, decimal_places=4, allow_null=True
    )
    answer_ratio = serializers.DecimalField(
        source="card.kpis.answer_ratio", max_digits=8, decimal_places=4, allow_null=True
    )
    fast_response_share = serializers.DecimalField(
        source="card.fast_response_share", max_digits=8, decimal_places=4, allow_null=True
    )
    sales = serializers.DecimalField(
        source="card.kpis.sales", max_digits=14, decimal_places=2, allow_null=True
    )
    average_load = serializers.IntegerField(source="card.average_load", allow_null=True)
    load_band = serializers.CharField(source="card.load_band", allow_null=True)
    days_worked = serializers.IntegerField(source="card.days_worked")
    days_scheduled = serializers.IntegerField(source="card.days_scheduled")
    covers = serializers.IntegerField(source="card.covers")
    quality_average = serializers.DecimalField(
        source="card.quality_average", max_digits=5, decimal_places=2, allow_null=True
    )
    quality_reviews = serializers.IntegerField(source="card.quality_reviews")
    lines = KpiLineSerializer(source="card.lines", many=True)
    known_weight = serializers.IntegerField(
        help_text="The weights of the known KPIs: the score is their weighted average."
    )
    score = serializers.DecimalField(
        source="card.score", max_digits=5, decimal_places=2, allow_null=True
    )
    grade = serializers.ChoiceField(
        source="card.grade", choices=Grade.choices, allow_blank=True, help_text="'' unscored."
    )
    bonus = serializers.DecimalField(max_digits=12, decimal_places=2)
    pay_book = serializers.SerializerMethodField(
        help_text="effective_from of the pay book that scored it; null: the defaults."
    )

    def get_pay_book(self, scored: ScoredMonth) -> str | None:
        book = scored.book
        return None if pay_book_is_default(book) else f"{book.effective_from:%Y-%m}"


class AgentScorecardApi(APIView):
    """An agent's scorecard of a month (the month in progress up to today)."""

    permission_classes = [IsManagerOrAgent]

    @extend_schema(
        parameters=[_MONTH_PARAMETER],
        responses={
            200: ScorecardSerializer,
            400: OpenApiResponse(description="A malformed month, or one not started."),
            404: OpenApiResponse(description="No such agent (for an agent: not themselves)."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        if not is_manager(request.user) and agent_id_of(request.user) != pk:
            raise NotFound
        agent = get_object_or_404(agent_list(), pk=pk)
        month = scorecard_month(request.query_params.get("month"))
        scored = agent_scorecard(agent_id=agent.pk, month=month)
        if scored is None:
            raise NotFound(_not_employed_text(agent.name, month))
        return Response(ScorecardSerializer(scored).data)


def _not_employed_text(name: str, month) -> str:
    return gettext("%(name)s was not employed in %(month)s.") % {
        "name": name,
        "month": f"{month:%Y-%m}",
    }


class ScorecardPageSerializer(serializers.Serializer):
    """A page of the ranking board, paginated like every list of the API."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ScorecardSerializer(many=True)


class ScorecardBoardApi(APIView):
    """The month's ranking board: every agent employed in it, best score first (equal scores
    share a rank; unscored agents last)."""

    permission_classes = [IsManager]

    @extend_schema(
        parameters=[
            _MONTH_PARAMETER,
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False),
        ],
        responses={
            200: ScorecardPageSerializer,
            400: OpenApiResponse(description="A malformed month, or one not started."),
        },
    )
    def get(self, request: Request) -> Response:
        month = scorecard_month(request.query_params.get("month"))
        board = ranking_board(month=month)
        paginator = Pagination()
        page = paginator.paginate_queryset(board.rows, request, view=self)
        return paginator.get_paginated_response(ScorecardSerializer(page, many=True).data)
