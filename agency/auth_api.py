from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from agency.access import is_manager
from agency.authentication import TokenAuthentication
from agency.tokens import token_create, token_refresh, token_revoke, tokens_revoke_all
from agency.two_factor import code_failed, code_verify, has_two_factor, two_factor_required

TOKEN_RESPONSE = inline_serializer(
    "TokenResponse", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
)


class TokenObtainSerializer(AuthTokenSerializer):
    """Username and password; and ``otp`` for a manager who uses two-step verification: a code
    from their authenticator app or one of their recovery codes (``agency.two_factor``)."""

    otp = serializers.CharField(
        label=_("Verification code"),
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=_(
            "Managers with two-step verification: the 6 digits of the authenticator app, "
            "or a recovery code."
        ),
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = attrs["user"]
        request = self.context.get("request")
        if has_two_factor(user):
            code = attrs.get("otp") or ""
            if not code:
                raise serializers.ValidationError(
                    {"otp": [_("This account uses two-step verification: send its code.")]}
                )
            if code_verify(user=user, code=code) is None:
                code_failed(request=request, user=user)
                raise serializers.ValidationError({"otp": [_("Wrong code.")]})
        elif two_factor_required() and is_manager(user):
            raise serializers.ValidationError(
                {"otp": [_("Set up two-step verification first: it is required for managers.")]}
            )
        return attrs


class TokenThrottle(AnonRateThrottle):
    rate = "30/minute"


class TokenObtainApi(APIView):
    """Exchange a username and password for an API token (hashed at rest, expiring)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=TokenObtainSerializer,
        description="A new token, valid for a week (renew it with auth/token/refresh/). An "
        "account holds at most 10 live tokens: the oldest ends when an 11th is made. A manager "
        "who uses two-step verification also sends `otp`: the code of their authenticator app "
        "or a recovery code (used up); without it, or wrong, the answer is a 400 on `otp`. "
        "While AGENCY_REQUIRE_2FA is on, a manager without two-step verification gets no token "
        "(400 on `otp`).",
        responses={
            200: TOKEN_RESPONSE,
            400: OpenApiResponse(description="Wrong credentials, or a missing or wrong `otp`."),
        },
    )
    def post(self, request):
        serializer = TokenObtainSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        instance, token = token_create(user=serializer.validated_data["user"])
        return Response({"token": token, "expiry": instance.expiry}, status=status.HTTP_200_OK)


class _TokenOnlyApi(APIView):
    """Acts on the token the request is signed with: a session is not a token (401)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]


class TokenRefreshApi(_TokenOnlyApi):
    @extend_schema(
        request=None,
        description="Renew the token this request is signed with: it ends, and a new one, "
        "valid for a week from now, is returned.",
        responses={200: TOKEN_RESPONSE, 401: OpenApiResponse(description="No valid token.")},
    )
    def post(self, request):
        instance, token = token_refresh(user=request.user, current=request.auth)
        return Response({"token": token, "expiry": instance.expiry}, status=status.HTTP_200_OK)


class LogoutApi(_TokenOnlyApi):
    @extend_schema(
        request=None,
        description="End the token this request is signed with.",
        responses={204: None, 401: OpenApiResponse(description="No valid token.")},
    )
    def post(self, request):
        if request.auth is not None:
            token_revoke(user=request.user, token_key=request.auth.token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllApi(_TokenOnlyApi):
    @extend_schema(
        request=None,
        description="End every token of the account (all devices and scripts).",
        responses={204: None, 401: OpenApiResponse(description="No valid token.")},
    )
    def post(self, request):
        tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
