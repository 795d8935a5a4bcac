"""Request middleware of the agency's own, and the rule for which language a request speaks.

Pages: the language this browser chose with the switch (its cookie), then the one the account
chose (on another browser, say), then what the browser asks for in ``Accept-Language``
(``LocaleMiddleware``'s own choice).

The API (``/api/``): the language the request asks for (``Accept-Language``, or the switch's
cookie of a browser), else the account's language: the one it chose, else the one new accounts
get (``settings.NEW_ACCOUNT_LANGUAGE``). A token is only known once DRF authenticates, after
every middleware, so the API applies it from its authentication classes
(``agency.authentication``).
"""

import time

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import check_for_language, gettext

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def has_session_cookie(request: HttpRequest) -> bool:
    """Whether the browser sent a session cookie. Without one, the session is empty and its user
    is anonymous: middleware that only acts on a signed-in session can leave such a request
    (an API client with a token, say) alone without looking the user up."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _speak(request: HttpRequest, language: str) -> None:
    if language and check_for_language(language):
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def speak_api_language(request: HttpRequest, user) -> None:
    """Answer an API request of the signed-in ``user`` in the API's language (module docstring)."""
    asked = "HTTP_ACCEPT_LANGUAGE" in request.META
    if asked or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        _speak(request, translation.get_language_from_request(request))
    else:
        _speak(request, getattr(user, "language", "") or settings.NEW_ACCOUNT_LANGUAGE)


class AccountLanguageMiddleware:
    """Speak a signed-in user's chosen language (``User.language``) on any browser's pages.

    Runs after authentication; API requests are left to the API (see the module docstring).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and not is_api_request(request):
            user = getattr(request, "user", None)
            chosen = getattr(user, "language", "") if user and user.is_authenticated else ""
            if chosen:
                _speak(request, chosen)
        return self.get_response(request)


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's ``MessageMiddleware``, its message store made when a message is first added or
    read. A request that never uses messages (an API request, a file download) then skips
    building the store (a cookie signer and a session store, some 0.1 ms) and saving it, which
    would have written nothing: a store nobody touched has nothing to write."""

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` (``settings.PERMISSIONS_POLICY``) with every response: the
    app uses no camera, microphone, location, payment or USB, so no page (nor anything injected
    into one) may ask the browser for them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


SESSION_ACTIVITY_KEY = "_last_activity"


class SessionIdleTimeoutMiddleware:
    """Sign a browser out after ``settings.SESSION_IDLE_TIMEOUT`` seconds without a request,
    besides the session's absolute lifetime (``SESSION_COOKIE_AGE``). The last activity is
    written at most once a minute, so an active user's requests do not each save the session.
    Runs after authentication; API tokens are not sessions and are left alone (a request without
    a session cookie is not even looked at). A timeout of 0
    turns it off (the test settings do: tests travel in time between requests)."""

    WRITE_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.SESSION_IDLE_TIMEOUT
            and has_session_cookie(request)
            and user is not None
            and user.is_authenticated
            and hasattr(request, "session")
        ):
            now = int(time.time())
            last = request.session.get(SESSION_ACTIVITY_KEY)
            if isinstance(last, int) and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif not isinstance(last, int) or now - last >= self.WRITE_EVERY_SECONDS:
                request.session[SESSION_ACTIVITY_KEY] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """While ``AGENCY_REQUIRE_2FA`` is on, a signed-in manager whose session has not passed
    two-step verification reaches nothing but the two-step verification page (and signing out,
    the language switch): without an authenticator app they are sent to set one up; with one
    (set up in another browser since this session began) the session ends and they sign in
    again, with a code. The API answers such a session 403.

    Runs after ``django_otp.middleware.OTPMiddleware``. With the setting off it costs nothing;
    managers with an app then give a code at sign-in (``agency.two_factor_views``).
    """

    EXEMPT_PREFIXES = ("/account/two-factor/", "/accounts/", "/i18n/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.AGENCY_REQUIRE_2FA
            and has_session_cookie(request)
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        # Imported here: DRF imports this module (through agency.authentication) early.
        from agency.access import is_manager
        from agency.two_factor import totp_device

        user = getattr(request, "user", None)
        if not is_manager(user) or user.is_verified():
            return None
        if totp_device(user=user) is not None:
            logout(request)
            if is_api_request(request):
                return None  # now anonymous: the API answers 401
            return redirect_to_login(request.get_full_path())
        if is_api_request(request):
            message = gettext("Set up two-step verification first: it is required for managers.")
            return JsonResponse({"detail": message}, status=403)
        return redirect("web:two-factor")


class ApiBodyLimitMiddleware:
    """An API request whose declared body is too large is answered 413 in JSON before anything
    reads it: a multipart upload over ``settings.API_UPLOAD_MAX_BYTES`` (the files' limit, 5 MB),
    any other body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``. A body whose length is not declared is
    stopped by Django while it is read, and ``agency.views.bad_request`` answers the same 413."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_request(request):
            limit = self._limit(request)
            if limit is not None and self._declared_length(request) > limit:
                from agency.views import request_too_large

                return request_too_large(limit)
        return self.get_response(request)

    @staticmethod
    def _declared_length(request: HttpRequest) -> int:
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 0

    @staticmethod
    def _limit(request: HttpRequest) -> int | None:
        if request.content_type == "multipart/form-data":
            return settings.API_UPLOAD_MAX_BYTES
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class ApiEmptyQueryValueMiddleware:
    """A query parameter given without a value (``?as_of=``, ``?shop=``) on the REST API is a
    400 naming it, never read as if it were absent: the schema (``/api/schema/``) allows no empty
    value, and a client that sends one has lost the value it meant."""

    PREFIX = "/api/v1/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(self.PREFIX):
            empty = [name for name, values in request.GET.lists() if "" in values]
            if empty:
                message = gettext("Give a value, or leave the parameter out.")
                return JsonResponse({name: [message] for name in empty}, status=400)
        return self.get_response(request)


_csp_policies: dict[str, tuple[str, str]] = {}


def _forget_csp_policies(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _csp_policies.clear()


setting_changed.connect(_forget_csp_policies)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's ``CSPMiddleware`` (``settings.CONTENT_SECURITY_POLICY``), its policies built
    once: a response no view changed the policy of (``csp.decorators``) and no page asked a
    nonce for gets the same headers on every request, which django-csp built again each time
    (some 4 % of a small API page). Any other response is django-csp's own work."""

    _POLICY_ATTRIBUTES = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
    )

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in self._POLICY_ATTRIBUTES
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        policies = _csp_policies.get("built")
        if policies is None:
            policies = _csp_policies["built"] = (build_policy(), build_policy(report_only=True))
        for header, policy, exempt, setting in (
            (HEADER, policies[0], "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (
                HEADER_REPORT_ONLY,
                policies[1],
                "_csp_exempt_ro",
                "CONTENT_SECURITY_POLICY_REPORT_ONLY",
            ),
        ):
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
