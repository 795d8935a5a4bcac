"""Hygiene of every response and session: Permissions-Policy, the idle timeout, the deploy check
of the secret key."""

import datetime as dt

import pytest
import time_machine
from django.core.checks import run_checks
from django.test import Client, override_settings

from agency.checks import secret_key_is_not_a_placeholder

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/me/", "/healthz"])
def test_every_response_forbids_camera_microphone_location_and_payment(client, path):
    policy = client.get(path).headers["Permissions-Policy"]

    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def _signed_in(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


@override_settings(SESSION_IDLE_TIMEOUT=2 * 3600)
def test_a_session_idle_for_more_than_two_hours_is_signed_out(manager):
    with time_machine.travel(START, tick=False) as traveller:
        client = _signed_in(manager)
        assert client.get("/").status_code == 200

        traveller.shift(dt.timedelta(hours=2, seconds=1))
        response = client.get("/")

    assert response.status_code == 302
    assert "/accounts/login/" in response.headers["Location"]


@override_settings(SESSION_IDLE_TIMEOUT=2 * 3600)
def test_an_active_session_outlives_the_idle_timeout(manager):
    with time_machine.travel(START, tick=False) as traveller:
        client = _signed_in(manager)
        for _ in range(4):  # a request every 90 minutes: 6 hours in all, never 2 idle
            assert client.get("/").status_code == 200
            traveller.shift(dt.timedelta(minutes=90))
        assert client.get("/").status_code == 200


@override_settings(SESSION_IDLE_TIMEOUT=600)
def test_the_idle_timeout_is_a_setting(manager):
    with time_machine.travel(START, tick=False) as traveller:
        client = _signed_in(manager)
        assert client.get("/").status_code == 200
        traveller.shift(dt.timedelta(minutes=11))
        assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "key",
    [
        "change-me-to-a-long-random-string-of-at-least-50-characters",
        "django-insecure-local-only-key-never-use-in-production",
    ],
)
def test_the_deploy_check_refuses_a_placeholder_secret_key(key):
    with override_settings(SECRET_KEY=key):
        errors = secret_key_is_not_a_placeholder(None)
        deploy_ids = {message.id for message in run_checks(include_deployment_checks=True)}

    assert [error.id for error in errors] == ["agency.E001"]
    assert "agency.E001" in deploy_ids


def test_the_deploy_check_accepts_a_random_secret_key():
    with override_settings(SECRET_KEY="q7Zx9" * 12):
        assert secret_key_is_not_a_placeholder(None) == []


def test_production_signs_out_after_two_idle_hours():
    import subprocess
    import sys

    code = "from agency.settings import base; print(base.SESSION_IDLE_TIMEOUT)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"DJANGO_SECRET_KEY": "q7Zx9" * 12, "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == "7200", result.stderr
