"""A shop's workloads as CSV or XLSX: managers any shop, owners their own, agents' accounts the
shops they serve today (another shop: 404)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from agency.access import agent_shop_ids, is_agent, is_manager
from agency.export_apis import (
    ExportFormatSerializer,
    FileExportMixin,
    export_format,
    file_responses,
)
from agency.exports import filename_part, table_response
from seats.exports import (
    MAX_EXPORT_DAYS,
    shop_workloads_for_export,
    workload_columns,
    workload_rows,
)
from seats.models import WorkloadRecord

# seats never imports shops (docs/architecture.md): the shop model is reached through the
# relation, as the handover notes' API does.
Shop = WorkloadRecord._meta.get_field("shop").related_model


def _shops_for(user):
    """``shops.selectors.shops_for_user``'s rule, which seats may not import: an owner's own, an
    agent's account those its agent serves today."""
    if is_manager(user):
        return Shop.objects.all()
    if is_agent(user):
        return Shop.objects.filter(pk__in=sorted(agent_shop_ids(user)))
    if user.is_authenticated and user.is_active:
        return Shop.objects.filter(owner=user)
    return Shop.objects.none()


class DateRangeSerializer(serializers.Serializer):
    date_from = serializers.DateField(help_text="First date, YYYY-MM-DD (inclusive).")
    date_to = serializers.DateField(help_text="Last date, YYYY-MM-DD (inclusive).")

    def validate(self, attrs):
        span = (attrs["date_to"] - attrs["date_from"]).days
        if span < 0:
            raise serializers.ValidationError(
                {"date_to": [_("The last date comes before the first.")]}
            )
        if span >= MAX_EXPORT_DAYS:
            raise serializers.ValidationError(
                {
                    "date_to": [
                        _("An export covers at most %(days)s days.") % {"days": MAX_EXPORT_DAYS}
                    ]
                }
            )
        return attrs


class ShopWorkloadExportApi(FileExportMixin, APIView):
    """A shop's workloads over a date range, one row per agent, date and shift, oldest first.

    Owners see their own shops only (another shop answers 404) and agents by their given name
    only, without employee numbers; agents' accounts the shops they serve today, alike.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="shops_workloads_export",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            DateRangeSerializer,
            ExportFormatSerializer,
        ],
        responses={
            **file_responses("The shop's workloads."),
            400: OpenApiResponse(description='A bad date range or format: {"field": ["reason"]}.'),
            401: OpenApiResponse(description="No credentials."),
            404: OpenApiResponse(description="No such shop for you."),
        },
    )
    def get(self, request, pk: int):
        shop = get_object_or_404(_shops_for(request.user), pk=pk)
        query = DateRangeSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        date_from, date_to = query.validated_data["date_from"], query.validated_data["date_to"]
        chosen = export_format(request)
        records = shop_workloads_for_export(
            shop_id=shop.pk, user=request.user, date_from=date_from, date_to=date_to
        )
        return table_response(
            workload_columns(request.user),
            workload_rows(records, user=request.user),
            export_format=chosen,
            filename=f"workloads-{filename_part(shop.name)}-{date_from:%Y-%m-%d}-{date_to:%Y-%m-%d}",
            sheet_title=shop.name,
        )
