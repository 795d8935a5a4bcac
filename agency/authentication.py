"""How API callers sign in: knox tokens, or a browser's session.

Both then answer the caller in its language (``agency.middleware.speak_api_language``): DRF
authenticates inside the view, after every middleware, so this is the first moment a token's user
is known. Kept apart from ``agency.api``: DRF imports these classes while it loads its views.
"""

from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import authentication

from agency.middleware import speak_api_language


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's tokens; the caller then hears the API in its language (``agency.middleware``)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            speak_api_language(request._request, result[0])
        return result


class SessionAuthentication(authentication.SessionAuthentication):
    """A browser's session; the caller then hears the API in its language."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            speak_api_language(request._request, result[0])
        return result
