"""How API callers sign in: knox tokens, or a browser's session.

Both then answer the caller in its language (``agency.middleware.speak_api_language``): DRF
authenticates inside the view, after every middleware, so this is the first moment a token's user
is known. Kept apart from ``agency.api``: DRF imports these classes while it loads its views.
"""

import binascii
from hmac import compare_digest

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework import authentication, exceptions

from agency.middleware import speak_api_language


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's tokens; the caller then hears the API in its language (``agency.middleware``).

    The token's user is loaded with the agent it signs in as, in the same query, as
    ``agency.backends.ModelBackend`` does for sessions: every view asks ``agency.access`` for the
    caller's role, and that must not cost a query per request. That query is all a token costs.
    """

    def authenticate_credentials(self, token):
        # Knox's own lookup, with the agent joined to the user and expired tokens left out in
        # the same query. Knox would also read every token of the account and delete the
        # expired ones, on every request: a query or more each time, and writes on a read.
        # Expired tokens are deleted hourly instead (``agency.tasks.prune_expired_tokens``).
        message = _("Invalid token.")
        token = token.decode("utf-8")
        candidates = (
            get_token_model()
            .objects.filter(
                Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()),
                token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH],
            )
            # ``seats.Agent.user``'s related name; a string, so no import crosses the layers.
            .select_related("user", "user__agent_profile")
        )
        for auth_token in candidates:
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(message) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            speak_api_language(request._request, result[0])
            _refuse_manager_without_two_factor(result[0])
        return result


def _refuse_manager_without_two_factor(user) -> None:
    """While two-step verification is required, a manager's token obtained before they set it
    up (the setting switched on since) stops working until they do (``agency.two_factor``)."""
    if not settings.AGENCY_REQUIRE_2FA:
        return
    # Imported here: DRF imports this module before the apps' models are ready.
    from agency.access import is_manager
    from agency.two_factor import totp_device

    if is_manager(user) and totp_device(user=user) is None:
        raise exceptions.AuthenticationFailed(
            _("Set up two-step verification first: it is required for managers.")
        )


class SessionAuthentication(authentication.SessionAuthentication):
    """A browser's session; the caller then hears the API in its language."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            speak_api_language(request._request, result[0])
        return result
