from django.urls import path

from shops.apis import contracts, dsr, shops, turnover

urlpatterns = [
    path("shops/", shops.ShopListApi.as_view(), name="shop-list"),
    path("shops/<int:pk>/", shops.ShopDetailApi.as_view(), name="shop-detail"),
    path("shops/<int:pk>/dsr/", dsr.ShopDsrApi.as_view(), name="shop-dsr"),
    path("shops/<int:pk>/dsr/trend/", dsr.ShopDsrTrendApi.as_view(), name="shop-dsr-trend"),
    path("contracts/", contracts.ContractListApi.as_view(), name="contract-list"),
    path("contracts/<int:pk>/", contracts.ContractDetailApi.as_view(), name="contract-detail"),
    path(
        "turnover-reports/", turnover.TurnoverReportListApi.as_view(), name="turnover-report-list"
    ),
    path("dsr-ratings/", dsr.DsrRatingListApi.as_view(), name="dsr-rating-list"),
    path("dsr-ratings/<int:pk>/", dsr.DsrRatingDetailApi.as_view(), name="dsr-rating-detail"),
]
