"""Turnover reports: owners submit and correct, managers confirm."""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import IsManager, id_filter
from agency.months import MonthField, MonthFilter
from shops import selectors, services
from shops.apis.common import refuse_fields
from shops.models import Shop, TurnoverReport


class TurnoverReportSerializer(serializers.ModelSerializer):
    shop = serializers.PrimaryKeyRelatedField(queryset=Shop.objects.none())
    month = MonthField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="CNY.")

    class Meta:
        model = TurnoverReport
        fields = ["id", "shop", "month", "amount", "status", "confirmed_at"]
        read_only_fields = ["status", "confirmed_at"]
        validators: list = []  # one report per shop and month: the service says it plainly

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Owners report for their own shops; any other id is "Invalid pk", as if it did not exist.
        self.fields["shop"].queryset = selectors.shops_for_user(request.user if request else None)


class TurnoverAmountSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="CNY.")


class TurnoverReportFilter(filters.FilterSet):
    shop = id_filter("shop")
    month = MonthFilter(field_name="month")
    status = filters.ChoiceFilter(choices=TurnoverReport.Status.choices)

    class Meta:
        model = TurnoverReport
        fields: list = []


class TurnoverReportListApi(generics.ListCreateAPIView):
    """Monthly turnover of the caller's shops; owners and managers submit it."""

    serializer_class = TurnoverReportSerializer
    filterset_class = TurnoverReportFilter

    def get_queryset(self):
        return selectors.turnover_report_list(user=self.request.user)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.turnover_submit(actor=request.user, **serializer.validated_data)
        return Response(TurnoverReportSerializer(report).data, status=status.HTTP_201_CREATED)


class TurnoverReportDetailApi(generics.RetrieveAPIView):
    """One turnover report; its amount may be corrected until a manager confirms it."""

    serializer_class = TurnoverReportSerializer

    def get_queryset(self):
        return selectors.turnover_report_list(user=self.request.user)

    @extend_schema(
        request=TurnoverAmountSerializer,
        description=(
            "Correct the amount. Owners correct their own submitted figures; a confirmed figure "
            "only a manager corrects, while the month's invoice is not issued, and the month's "
            "draft invoice is recomputed."
        ),
        responses={
            200: TurnoverReportSerializer,
            409: OpenApiResponse(
                description="Confirmed (owners), or the month's invoice is issued or paid."
            ),
        },
    )
    def patch(self, request: Request, *args, **kwargs) -> Response:
        report = self.get_object()
        refuse_fields(
            request.data,
            {
                "shop": "A report's shop cannot be changed.",
                "month": "A report's month cannot be changed.",
                "status": "Confirm a report with POST .../confirm/.",
            },
        )
        serializer = TurnoverAmountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.turnover_update(
            report=report, actor=request.user, amount=serializer.validated_data["amount"]
        )
        return Response(TurnoverReportSerializer(report).data)


class TurnoverReportConfirmApi(APIView):
    """A manager confirms a month's turnover: it is billed from now on, and locked for the owner."""

    permission_classes = [IsManager]

    @extend_schema(
        request=None,
        responses={
            200: TurnoverReportSerializer,
            409: OpenApiResponse(description="Already confirmed."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        report = get_object_or_404(selectors.turnover_report_list(user=request.user), pk=pk)
        report = services.turnover_confirm(report_id=report.pk, actor=request.user)
        return Response(TurnoverReportSerializer(report).data)
