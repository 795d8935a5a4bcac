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

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import check_for_language

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


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
