"""DSR: buyers' ratings (recorded by managers, never changed) and the DSR figures."""

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import id_filter
from agency.errors import ApplicationError, RowError
from shops import selectors, services
from shops.apis.common import ManagersCreate
from shops.models import DSR_RATING_FIELDS, DsrRating, Shop


class DsrRatingSerializer(serializers.ModelSerializer):
    shop = serializers.IntegerField(source="shop_id", min_value=1)

    class Meta:
        model = DsrRating
        fields = ["id", *DSR_RATING_FIELDS]
        validators: list = []  # one rating per shop and order: the service checks all rows at once


DSR_RATINGS_BODY = PolymorphicProxySerializer(
    component_name="DsrRatingOneOrMany",
    serializers=[DsrRatingSerializer, DsrRatingSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)


class DsrRatingFilter(filters.FilterSet):
    shop = id_filter("shop")
    buyer = filters.CharFilter()
    paid_with_alipay = filters.BooleanFilter()

    class Meta:
        model = DsrRating
        fields: list = []


class DsrRatingListApi(generics.ListCreateAPIView):
    """Buyers' ratings of the caller's shops. Managers record them: one object or a list.

    A list is recorded all or none; a refused list answers 400 with
    ``{"detail": ..., "errors": [{"row": n, "field": ..., "message": ...}]}``, rows counted from 1.
    Ratings are never changed or deleted.
    """

    serializer_class = DsrRatingSerializer
    permission_classes = [ManagersCreate]
    filterset_class = DsrRatingFilter

    def get_queryset(self):
        return selectors.dsr_rating_list(user=self.request.user)

    @extend_schema(
        request=DSR_RATINGS_BODY,
        responses={
            201: DSR_RATINGS_BODY,
            400: OpenApiResponse(description="Refused; for a list, nothing was recorded."),
        },
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        if isinstance(request.data, list):
            rows = self._validated_rows(request.data)
            ratings = services.dsr_ratings_record(actor=request.user, ratings=rows)
            data = DsrRatingSerializer(ratings, many=True).data
            return Response(data, status=status.HTTP_201_CREATED)

        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            [rating] = services.dsr_ratings_record(
                actor=request.user, ratings=[serializer.validated_data]
            )
        except services.DsrBulkError as exc:
            errors: dict[str, list[str]] = {}
            for error in exc.errors:
                errors.setdefault(error.field, []).append(error.message)
            raise serializers.ValidationError(errors) from None
        return Response(DsrRatingSerializer(rating).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _validated_rows(data: list) -> list[dict[str, Any]]:
        if len(data) > services.DSR_MAX_ROWS:
            raise ApplicationError(
                gettext("Send at most %(count)s ratings at once.")
                % {"count": services.DSR_MAX_ROWS}
            )
        rows, errors = [], []
        for number, item in enumerate(data, start=1):
            serializer = DsrRatingSerializer(data=item)
            if serializer.is_valid():
                rows.append(serializer.validated_data)
                continue
            for field, messages in serializer.errors.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    errors.append(RowError(number, field, str(message)))
        if errors:
            raise services.DsrBulkError(errors)
        return rows


class DsrRatingDetailApi(generics.RetrieveAPIView):
    serializer_class = DsrRatingSerializer
    permission_classes = [ManagersCreate]

    def get_queryset(self):
        return selectors.dsr_rating_list(user=self.request.user)


# --- DSR figures --------------------------------------------------------------------------------

_EARLIEST = dt.date(1901, 1, 1)
_LATEST = dt.date(9998, 12, 31)


class DsrQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False, help_text="Date D of the figures (default: today, Asia/Shanghai)."
    )

    def validate_as_of(self, value: dt.date) -> dt.date:
        if not _EARLIEST <= value <= _LATEST:
            raise serializers.ValidationError(gettext("Give a date between 1901 and 9998."))
        return value


class DsrTrendQuerySerializer(DsrQuerySerializer):
    weeks = serializers.IntegerField(
        required=False, default=26, min_value=1, max_value=104, help_text="Weekly points."
    )


def _score_field() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)


class DsrPointSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    window_start = serializers.DateField(help_text="as_of - 179 days.")
    counted_ratings = serializers.IntegerField()
    description = _score_field()
    service = _score_field()
    logistics = _score_field()


class DsrFiguresSerializer(DsrPointSerializer):
    shop = serializers.IntegerField()
    excluded_not_alipay = serializers.IntegerField(
        help_text="Ratings in the window not paid through Alipay (never counted)."
    )
    excluded_over_three = serializers.IntegerField(
        help_text="Ratings in the window past a buyer's first 3 of a month (not counted)."
    )


class DsrTrendSerializer(serializers.Serializer):
    shop = serializers.IntegerField()
    weeks = serializers.IntegerField()
    points = DsrPointSerializer(many=True)


def _figures_data(shop: Shop, figures: selectors.DsrFigures) -> dict[str, Any]:
    return {"shop": shop.pk, **asdict(figures)}


class ShopDsrApi(APIView):
    """A shop's DSR on a date: per dimension the average of the counted ratings dated in the
    180 days ending on that date. Strings with 2 places; null when nothing counts."""

    @extend_schema(parameters=[DsrQuerySerializer], responses=DsrFiguresSerializer)
    def get(self, request: Request, pk: int) -> Response:
        shop = get_object_or_404(selectors.shops_for_user(request.user), pk=pk)
        query = DsrQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = selectors.shop_dsr(shop=shop, as_of=query.validated_data.get("as_of"))
        return Response(DsrFiguresSerializer(_figures_data(shop, figures)).data)


class ShopDsrTrendApi(APIView):
    """A shop's DSR every 7 days back from ``as_of`` (oldest first), for the portal's chart."""

    @extend_schema(parameters=[DsrTrendQuerySerializer], responses=DsrTrendSerializer)
    def get(self, request: Request, pk: int) -> Response:
        shop = get_object_or_404(selectors.shops_for_user(request.user), pk=pk)
        query = DsrTrendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        weeks = query.validated_data["weeks"]
        points = selectors.shop_dsr_trend(
            shop=shop, as_of=query.validated_data.get("as_of"), weeks=weeks
        )
        body = {"shop": shop.pk, "weeks": weeks, "points": [asdict(point) for point in points]}
        return Response(DsrTrendSerializer(body).data)
