"""A request without a session cookie (an API client with a token) is one whose session user
is anonymous: the middleware that acts on signed-in sessions, and the request log, leave it
alone without looking that user up; and no message store is built for a request that neither
adds nor reads a message."""

import pytest
from django.contrib import messages
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import get_messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory
from knox.models import AuthToken
from rest_framework.test import APIClient

from agency import middleware
from agency.middleware import SESSION_ACTIVITY_KEY, MessageMiddleware

pytestmark = pytest.mark.django_db


def _count_calls(monkeypatch, module, name: str) -> list[str]:
    """The paths of the requests for which ``module.name(request)`` was called."""
    calls = []
    real = getattr(module, name)

    def counted(request):
        calls.append(request.path)
        return real(request)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.fixture
def session_lookups(monkeypatch):
    """Each time a request's session user is looked up (``request.user`` evaluated)."""
    return _count_calls(monkeypatch, auth_middleware, "get_user")


@pytest.fixture
def message_stores(monkeypatch):
    """Each time a request's message store is made."""
    return _count_calls(monkeypatch, middleware, "default_storage")


def test_a_token_request_never_looks_up_a_session_user(
    settings, owner_a, shop_a, session_lookups, message_stores
):
    settings.SESSION_IDLE_TIMEOUT = 7200
    settings.AGENCY_REQUIRE_2FA = True
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(owner_a)[1]}")
    response = client.get("/api/v1/shops/")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert session_lookups == []
    assert message_stores == []
    assert "messages" not in response.cookies


def test_a_browser_session_is_still_looked_up_and_kept_alive(settings, owner_a, session_lookups):
    settings.SESSION_IDLE_TIMEOUT = 7200
    client = Client()
    client.force_login(owner_a)
    assert client.get("/api/v1/shops/").status_code == 200
    assert session_lookups
    assert isinstance(client.session[SESSION_ACTIVITY_KEY], int)


def test_a_message_added_is_stored_and_read_on_the_next_request(settings):
    def add(request):
        messages.success(request, "saved")
        return HttpResponse()

    def read(request):
        return HttpResponse(" ".join(str(message) for message in get_messages(request)))

    def serve(view, cookies=None):
        request = RequestFactory().get("/")
        request.COOKIES.update(cookies or {})
        return SessionMiddleware(MessageMiddleware(view))(request)

    stored = serve(add)
    assert settings.MESSAGE_STORAGE.endswith("FallbackStorage")
    cookie = stored.cookies["messages"].value
    assert serve(read, {"messages": cookie}).content == b"saved"
    untouched = serve(lambda request: HttpResponse(), {"messages": cookie})
    assert "messages" not in untouched.cookies  # left for the request that reads it
