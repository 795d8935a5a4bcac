"""One turnover report: managers confirm it and correct it, owners correct their submitted
figures. Both change the month's draft invoice once the figure is confirmed, so they go through
``billing.services``; the list and submission stay in ``shops.apis.turnover``."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import IsManager, NotForAgents
from billing import services
from shops.apis.common import refuse_fields
from shops.apis.turnover import TurnoverAmountSerializer, TurnoverReportSerializer
from shops.selectors import turnover_report_list


class TurnoverReportDetailApi(generics.RetrieveAPIView):
    """One turnover report; its amount may be corrected until a manager confirms it. Agents'
    accounts: 403."""

    permission_classes = [NotForAgents]
    serializer_class = TurnoverReportSerializer

    def get_queryset(self):
        return turnover_report_list(user=self.request.user)

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
                "shop": gettext("A report's shop cannot be changed."),
                "month": gettext("A report's month cannot be changed."),
                "status": gettext("Confirm a report with POST .../confirm/."),
            },
        )
        serializer = TurnoverAmountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.turnover_correct(
            report_id=report.pk, actor=request.user, amount=serializer.validated_data["amount"]
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
        report = get_object_or_404(turnover_report_list(user=request.user), pk=pk)
        report = services.turnover_confirm(report_id=report.pk, actor=request.user)
        return Response(TurnoverReportSerializer(report).data)
