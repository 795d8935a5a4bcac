"""Turnover reports: owners and managers submit them here; one report, its correction and its
confirmation are billing's (``billing.turnover_apis``), as they change the month's invoice."""

from django_filters import rest_framework as filters
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agency.api import NotForAgents, id_filter
from agency.months import MonthField, MonthFilter
from shops import selectors, services
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
    """Monthly turnover of the caller's shops; owners and managers submit it. Agents' accounts:
    403 (turnover is the shop's money)."""

    permission_classes = [NotForAgents]
    serializer_class = TurnoverReportSerializer
    filterset_class = TurnoverReportFilter

    def get_queryset(self):
        return selectors.turnover_report_list(user=self.request.user)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.turnover_submit(actor=request.user, **serializer.validated_data)
        return Response(TurnoverReportSerializer(report).data, status=status.HTTP_201_CREATED)
