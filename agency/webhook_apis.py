"""REST routes of webhooks: managers see all, everybody else their own; agents' accounts 403."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from agency import webhooks
from agency.api import NotForAgents
from agency.models import Webhook, WebhookDelivery

WEBHOOK_FIELDS = [
    "id",
    "owner",
    "url",
    "events",
    "active",
    "failure_count",
    "disabled_at",
    "created_at",
    "updated_at",
]


class WebhookSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    url = serializers.CharField(max_length=500, help_text="http or https; public addresses only.")
    events = serializers.ListField(
        child=serializers.CharField(max_length=50),
        help_text="Event names: " + ", ".join(webhooks.EVENTS) + ".",
    )

    class Meta:
        model = Webhook
        fields = WEBHOOK_FIELDS
        read_only_fields = ["id", "owner", "failure_count", "disabled_at", "created_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Signs every delivery; shown in this answer only, keep it."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WEBHOOK_FIELDS, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "payload",
            "status",
            "attempts",
            "response_code",
            "error",
            "created_at",
            "last_attempt_at",
            "delivered_at",
        ]
        read_only_fields = fields


class _Mine:
    permission_classes = [IsAuthenticated, NotForAgents]

    def get_queryset(self):
        return webhooks.webhooks_for_user(self.request.user).select_related("owner")


class WebhookListApi(_Mine, generics.ListCreateAPIView):
    """Webhooks: a manager's hear every shop's events, an owner's only their shops'. The secret
    is in the answer to the POST only."""

    serializer_class = WebhookSerializer

    @extend_schema(responses={201: WebhookCreatedSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = webhooks.webhook_create(owner=request.user, **serializer.validated_data)
        return Response(WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(_Mine, generics.RetrieveUpdateDestroyAPIView):
    """One webhook; turning it on again (``active: true``) clears its failures."""

    serializer_class = WebhookSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def perform_update(self, serializer) -> None:
        webhooks.webhook_update(webhook=serializer.instance, data=serializer.validated_data)


class WebhookDeliveryListApi(_Mine, generics.ListAPIView):
    """The delivery log of one webhook, newest first."""

    serializer_class = WebhookDeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema's look at the view
            return WebhookDelivery.objects.none()
        webhook = generics.get_object_or_404(super().get_queryset(), pk=self.kwargs["pk"])
        return WebhookDelivery.objects.filter(webhook=webhook)


class WebhookPingApi(_Mine, generics.GenericAPIView):
    """Send a ``ping`` event to the webhook now; the answer is its delivery (see the log)."""

    serializer_class = WebhookDeliverySerializer

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:
        delivery = webhooks.webhook_ping(webhook=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
