"""Request middleware of the agency's own."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import check_for_language


class AccountLanguageMiddleware:
    """Speak a signed-in user's chosen language (``User.language``) on any browser.

    The order of preference: the language this browser chose with the switch (its cookie), then
    the one the account chose (on another browser, say), then what the browser asks for in
    ``Accept-Language`` (``LocaleMiddleware``'s own choice). Runs after authentication.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            user = getattr(request, "user", None)
            chosen = getattr(user, "language", "") if user and user.is_authenticated else ""
            if chosen and check_for_language(chosen):
                translation.activate(chosen)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
