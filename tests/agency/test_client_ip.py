"""Throttles and lockouts behind a proxy: the client is who the trusted proxy saw, never what a
header claims (``agency.clientip``)."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from agency.clientip import client_ip
from tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no trusted proxy: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the client wrote 1.2.3.4 itself
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (1, None, "10.0.0.2"),
    ],
)
def test_the_client_is_who_the_outermost_trusted_proxy_saw(proxies, forwarded, expected):
    with override_settings(TRUSTED_PROXIES=proxies):
        assert client_ip(_request("10.0.0.2", forwarded)) == expected


def _token_attempt(client: APIClient, forwarded: str, remote: str = "10.0.0.2") -> int:
    return client.post(
        TOKEN,
        {"username": "nobody", "password": "wrong"},
        format="json",
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    ).status_code


def test_rotating_x_forwarded_for_does_not_escape_the_token_throttle():
    client = APIClient()
    codes = [_token_attempt(client, f"198.51.100.{n}") for n in range(35)]

    assert codes[:30] == [400] * 30
    assert set(codes[30:]) == {429}


def test_behind_a_trusted_proxy_each_real_client_has_its_own_throttle():
    rest = {"NUM_PROXIES": 1}
    from django.conf import settings

    with override_settings(TRUSTED_PROXIES=1, REST_FRAMEWORK={**settings.REST_FRAMEWORK, **rest}):
        client = APIClient()
        # One client uses up its allowance through the proxy (REMOTE_ADDR is the proxy's) ...
        codes = [_token_attempt(client, "203.0.113.9") for _ in range(31)]
        assert codes[-1] == 429
        # ... another client behind the same proxy is not throttled with it.
        assert _token_attempt(client, "203.0.113.77") == 400


def _login(client, username: str, password: str, forwarded: str):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@override_settings(TRUSTED_PROXIES=1)
def test_an_attacker_behind_the_proxy_cannot_lock_a_user_out_for_everyone(client):
    manager = ManagerFactory(username="li")
    manager.set_password("right-Secret-123")
    manager.save()
    for _ in range(6):
        _login(client, "li", "wrong", forwarded="198.51.100.66")
    locked = _login(client, "li", "right-Secret-123", forwarded="198.51.100.66")
    assert locked.status_code == 429  # the attacker's own address is locked out

    from django.test import Client

    response = _login(Client(), "li", "right-Secret-123", forwarded="203.0.113.9")

    assert response.status_code == 302  # the real user, from their own address, signs in


def test_with_redis_configured_throttles_and_lockouts_count_in_it():
    import subprocess
    import sys

    code = (
        "from agency.settings import base; "
        "print(base.CACHES['default']['BACKEND'], base.AXES_HANDLER, base.TRUSTED_PROXIES)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={
            "DJANGO_SECRET_KEY": "q7Zx9" * 12,
            "DJANGO_CACHE_URL": "redis://127.0.0.1:6379/1",
            "DJANGO_TRUSTED_PROXIES": "1",
            "PATH": "/usr/bin:/bin",
        },
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.core.cache.backends.redis.RedisCache",
        "axes.handlers.cache.AxesCacheHandler",
        "1",
    ], result.stderr
