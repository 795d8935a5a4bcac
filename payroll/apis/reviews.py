"""Quality reviews (质检), their appeals and the review sheet.

Managers read every review, score new ones and decide appeals; an agent reads their own reviews
(another agent's answer 404) and appeals them; owners are refused (403): reviews are the
agency's internal business. The sheet (``/qa-items/``) is read by the whole crew, edited by
managers.
"""

from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency import clock
from agency.access import agent_id_of, is_manager
from agency.api import id_filter
from agency.months import MonthFilter
from payroll import selectors, services
from payroll.choices import ReviewStatus
from payroll.models import QaItem, QualityReview
from seats.models import Agent
from shops.models import Shop

MAX_ID = 2**63 - 1


class CrewReadsManagersWrite(permissions.BasePermission):
    """Managers do everything; agents read (their own rows, by the queryset) and call the actions
    that name ``agent_actions``; owners are refused (403)."""

    def has_permission(self, request, view) -> bool:
        if is_manager(request.user):
            return True
        if agent_id_of(request.user) is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return getattr(view, "action", None) in getattr(view, "agent_actions", ())


@extend_schema_field(
    {"type": "string", "enum": ReviewStatus.values}, component_name="ReviewStatusEnum"
)
class ReviewStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(choices=ReviewStatus.choices, **kwargs)


# --- Serializers --------------------------------------------------------------------------------


class QaItemOutputSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="The name in the request's language.")

    class Meta:
        model = QaItem
        fields = ["id", "code", "label", "name", "weight", "fatal", "active", "position"]


class QaItemCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    weight = serializers.IntegerField(min_value=0, max_value=100, default=0)
    fatal = serializers.BooleanField(default=False)
    active = serializers.BooleanField(default=True)
    position = serializers.IntegerField(min_value=0, max_value=32767, default=0)


class QaItemUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    weight = serializers.IntegerField(min_value=0, max_value=100, required=False)
    active = serializers.BooleanField(required=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class QaItemSavedSerializer(QaItemOutputSerializer):
    sheet_warning = serializers.SerializerMethodField(
        help_text="Set when the weighted items in use do not add up to 100 points."
    )

    class Meta(QaItemOutputSerializer.Meta):
        fields = [*QaItemOutputSerializer.Meta.fields, "sheet_warning"]

    def get_sheet_warning(self, item) -> str:
        return services.qa_sheet_warning(selectors.qa_item_list())


class MarkOutputSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id")
    label = serializers.CharField(source="item.label")
    fatal = serializers.BooleanField(source="item.fatal")
    weight = serializers.IntegerField(source="item.weight", help_text="The item's points now.")
    points = serializers.IntegerField()
    breached = serializers.BooleanField()


class ReviewOutputSerializer(serializers.ModelSerializer):
    status = ReviewStatusField(read_only=True)
    agent_name = serializers.CharField(source="agent.name", read_only=True)
    shop_name = serializers.CharField(source="shop.name", read_only=True)
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    appeal_until = serializers.DateTimeField(read_only=True)
    can_appeal = serializers.SerializerMethodField(
        help_text="The caller may appeal it now (the reviewed agent, within the window)."
    )

    class Meta:
        model = QualityReview
        fields = [
            "id",
            "agent",
            "agent_name",
            "shop",
            "shop_name",
            "chat_date",
            "chat_reference",
            "score",
            "fatal",
            "status",
            "comment",
            "reviewer",
            "created_at",
            "appeal_until",
            "can_appeal",
            "appeal_reason",
            "appealed_at",
            "decision_note",
            "decided_by",
            "decided_at",
        ]

    def get_can_appeal(self, review) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return agent_id_of(user) == review.agent_id and review.appeal_open(clock.now())


class ReviewDetailSerializer(ReviewOutputSerializer):
    marks = MarkOutputSerializer(many=True, read_only=True)

    class Meta(ReviewOutputSerializer.Meta):
        fields = [*ReviewOutputSerializer.Meta.fields, "marks"]


class MarkInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    points = serializers.IntegerField(min_value=0, max_value=100)


class MarksInputMixin(serializers.Serializer):
    marks = MarkInputSerializer(many=True, help_text="Points of every weighted item in use.")
    breached = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        help_text="Ids of the fatal items breached.",
    )

    def validate_marks(self, value):
        items = [mark["item"] for mark in value]
        if len(items) != len(set(items)):
            raise serializers.ValidationError(gettext("Each item may be given points once."))
        return value


class ReviewInputSerializer(MarksInputMixin):
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
    shop = serializers.PrimaryKeyRelatedField(queryset=Shop.objects.all())
    chat_date = serializers.DateField()
    chat_reference = serializers.CharField(max_length=200, allow_blank=True)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", style={"base_template": "textarea.html"}
    )


class AppealInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, max_length=2000, style={"base_template": "textarea.html"}
    )


class DecideInputSerializer(MarksInputMixin):
    decision = serializers.ChoiceField(choices=[str(value) for value in services.DECISIONS])
    note = serializers.CharField(
        allow_blank=True, max_length=2000, style={"base_template": "textarea.html"}
    )
    marks = MarkInputSerializer(many=True, required=False, help_text="Rescored: new points.")


def marks_of(data: dict) -> dict[int, int] | None:
    if data.get("marks") is None:
        return None
    return {mark["item"]: mark["points"] for mark in data["marks"]}


class ReviewFilter(filters.FilterSet):
    agent = id_filter("agent_id")
    shop = id_filter("shop_id")
    month = MonthFilter(method="filter_month", help_text="Conversations of a month, YYYY-MM.")
    status = filters.ChoiceFilter(choices=ReviewStatus.choices)

    class Meta:
        model = QualityReview
        fields: list = []

    def filter_month(self, queryset, name, value):
        return selectors.review_filter(queryset, month=value)


# --- Views --------------------------------------------------------------------------------------


class QualityReviewViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Quality reviews: managers all of them, an agent their own."""

    permission_classes = [CrewReadsManagersWrite]
    agent_actions = ("appeal",)
    serializer_class = ReviewOutputSerializer
    filterset_class = ReviewFilter

    def get_queryset(self):
        reviews = selectors.review_list(user=self.request.user)
        if self.action != "list":
            reviews = reviews.prefetch_related("marks__item")
        return reviews

    def get_serializer_class(self):
        return ReviewOutputSerializer if self.action == "list" else ReviewDetailSerializer

    def _answer(self, review, **kwargs) -> Response:
        review = self.get_queryset().get(pk=review.pk)
        return Response(
            ReviewDetailSerializer(review, context={"request": self.request}).data, **kwargs
        )

    @extend_schema(request=ReviewInputSerializer, responses={201: ReviewDetailSerializer})
    def create(self, request):
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["marks"] = marks_of(values)
        review = services.review_create(**values, actor=request.user)
        return self._answer(review, status=status.HTTP_201_CREATED)

    @extend_schema(request=AppealInputSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None):
        review = self.get_object()
        data = AppealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_appeal(review=review, actor=request.user, **data.validated_data)
        return self._answer(review)

    @extend_schema(request=DecideInputSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        review = self.get_object()
        data = DecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        review = services.review_decide(
            review=review,
            decision=values["decision"],
            note=values["note"],
            marks=marks_of(values),
            breached=values.get("breached"),
            actor=request.user,
        )
        return self._answer(review)


class QaItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The quality review sheet: read by managers and agents, edited by managers."""

    permission_classes = [CrewReadsManagersWrite]
    serializer_class = QaItemOutputSerializer

    def get_queryset(self):
        return selectors.qa_item_list()

    @extend_schema(request=QaItemCreateSerializer, responses={201: QaItemSavedSerializer})
    def create(self, request):
        data = QaItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.qa_item_create(**data.validated_data, actor=request.user)
        return Response(QaItemSavedSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=QaItemUpdateSerializer, responses=QaItemSavedSerializer)
    def partial_update(self, request, pk=None):
        item = self.get_object()
        data = QaItemUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        item = services.qa_item_update(item=item, data=data.validated_data, actor=request.user)
        return Response(QaItemSavedSerializer(item).data)
