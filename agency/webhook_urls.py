from django.urls import path

from agency import webhook_apis

urlpatterns = [
    path("webhooks/", webhook_apis.WebhookListApi.as_view(), name="webhook-list"),
    path("webhooks/<int:pk>/", webhook_apis.WebhookDetailApi.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:pk>/deliveries/",
        webhook_apis.WebhookDeliveryListApi.as_view(),
        name="webhook-delivery-list",
    ),
    path("webhooks/<int:pk>/test/", webhook_apis.WebhookPingApi.as_view(), name="webhook-test"),
]
