"""Two-step verification for managers (``agency.two_factor``): enrolment, the code after the
password, recovery codes, the required mode, the API token, and everyone else unaffected."""

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from agency.tokens import token_create
from agency.two_factor import totp_enrol_confirm, totp_enrol_start
from tests.factories import AgentFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
PASSWORD = "pw-secret-123"  # tests.factories.UserFactory's


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _code(device: TOTPDevice) -> str:
    """What the authenticator app shows now."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _enrolled(user, clock) -> tuple[TOTPDevice, list[str]]:
    device = totp_enrol_start(user=user)
    device, codes = totp_enrol_confirm(user=user, code=_code(device))
    clock.shift(60)  # the app's next code: a code is accepted once
    return device, codes


def _password_step(client: Client, user, next_url: str = ""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def _token(data: dict):
    return APIClient().post("/api/v1/auth/token/", data, format="json")


# --- Enrolment ----------------------------------------------------------------------------------


def test_enrolment_shows_the_secret_as_qr_code_and_link_and_a_code_turns_it_on(clock):
    manager = ManagerFactory()
    client = Client()
    client.force_login(manager)

    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=manager)
    assert not device.confirmed
    assert b"<svg" in page.content and b"otpauth://totp/" in page.content

    wrong = client.post("/account/two-factor/", {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["confirm_form"].errors["code"]
    device.refresh_from_db()
    assert not device.confirmed

    clock.shift(60)  # django-otp slows guesses down: one failure, one second
    done = client.post("/account/two-factor/", {"code": _code(device)})
    assert done.status_code == 200
    codes = done.context["recovery_codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    # Shown once: the page no longer lists them, and this session counts as verified.
    again = client.get("/account/two-factor/")
    assert again.context.get("recovery_codes") is None
    assert again.context["verified"] and again.context["codes_left"] == 10


def test_enrolment_ends_the_api_tokens_obtained_with_the_password_alone(clock):
    manager = ManagerFactory()
    token_create(user=manager)
    _enrolled(manager, clock)
    assert not AuthToken.objects.filter(user=manager).exists()


# --- Signing in ---------------------------------------------------------------------------------


def test_a_manager_with_an_app_gives_a_code_after_the_password_before_any_page(clock):
    manager = ManagerFactory()
    device, _ = _enrolled(manager, clock)
    client = Client()

    step = _password_step(client, manager, next_url="/shops/")
    assert step.status_code == 302 and step["Location"] == "/accounts/login/code/"
    # The password alone signed nobody in: pages, portal and API still see a stranger.
    assert client.get("/shops/")["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/me/").status_code in (401, 403)

    wrong = client.post("/accounts/login/code/", {"code": "123456"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["code"] == ["Wrong code."]

    clock.shift(60)
    done = client.post("/accounts/login/code/", {"code": _code(device)})
    assert done.status_code == 302 and done["Location"] == "/shops/"
    assert client.get("/shops/").status_code == 200


def test_a_recovery_code_signs_in_once(clock):
    manager = ManagerFactory()
    _, codes = _enrolled(manager, clock)
    client = Client()

    _password_step(client, manager)
    first = client.post("/accounts/login/code/", {"code": codes[0].upper()})
    assert first.status_code == 302
    assert StaticToken.objects.filter(device__user=manager).count() == 9

    client.post("/accounts/logout/")
    _password_step(client, manager)
    clock.shift(60)
    again = client.post("/accounts/login/code/", {"code": codes[0]})
    assert again.status_code == 200 and again.context["form"].errors["code"]


def test_five_wrong_codes_send_the_manager_back_to_the_password_and_count_for_the_lockout(clock):
    manager = ManagerFactory()
    _enrolled(manager, clock)
    client = Client()
    _password_step(client, manager)

    for _ in range(4):
        assert client.post("/accounts/login/code/", {"code": "999999"}).status_code == 200
        clock.shift(60)
    fifth = client.post("/accounts/login/code/", {"code": "999999"})

    # Five failures for this username and address: django-axes locks them, passwords included.
    assert fifth.status_code in (302, 429)
    assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"
    assert _password_step(client, manager).status_code == 429


def test_the_admin_login_sends_to_the_sites_login_where_the_code_is_asked(clock):
    manager = ManagerFactory(is_superuser=True)
    _enrolled(manager, clock)
    client = Client()

    response = client.get("/admin/login/?next=/admin/agency/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/agency/user/"
    # Posting the password to the admin's own form signs nobody in.
    client.post("/admin/login/", {"username": manager.username, "password": PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_code_step_without_a_password_first_goes_back_to_the_login():
    response = Client().get("/accounts/login/code/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_the_code_step_expires_after_five_minutes(clock):
    manager = ManagerFactory()
    device, _ = _enrolled(manager, clock)
    client = Client()
    _password_step(client, manager)

    clock.shift(5 * 60 + 1)
    response = client.post("/accounts/login/code/", {"code": _code(device)})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/shops/")["Location"].startswith("/accounts/login/")


def test_a_manager_without_an_app_signs_in_with_the_password_alone_when_optional():
    manager = ManagerFactory()
    client = Client()
    assert _password_step(client, manager)["Location"] == "/"
    assert client.get("/shops/").status_code == 200


# --- Required -----------------------------------------------------------------------------------


@override_settings(AGENCY_REQUIRE_2FA=True)
def test_required_mode_sends_a_manager_without_an_app_to_enrolment_from_every_page(clock):
    manager = ManagerFactory()
    client = Client()
    client.force_login(manager)

    for url in ("/", "/shops/", "/billing/", "/account/tokens/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/account/two-factor/", url
    assert client.get("/api/v1/shops/").status_code == 403
    page = client.get("/account/two-factor/")
    assert page.status_code == 200 and page.context["required"]

    device = TOTPDevice.objects.get(user=manager)
    client.post("/account/two-factor/", {"code": _code(device)})
    assert client.get("/shops/").status_code == 200


@override_settings(AGENCY_REQUIRE_2FA=True)
def test_required_mode_signs_out_a_session_that_skipped_the_code(clock):
    manager = ManagerFactory()
    _enrolled(manager, clock)
    client = Client()
    client.force_login(manager)  # a session from before the app was set up, say

    response = client.get("/shops/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/shops/"
    assert client.get("/account/two-factor/")["Location"].startswith("/accounts/login/")


@override_settings(AGENCY_REQUIRE_2FA=True)
def test_turning_off_is_refused_when_required(clock):
    manager = ManagerFactory()
    device, _ = _enrolled(manager, clock)
    client = Client()
    _password_step(client, manager)
    client.post("/accounts/login/code/", {"code": _code(device)})
    clock.shift(60)

    response = client.post(
        "/account/two-factor/disable/",
        {"disable-password": PASSWORD, "disable-code": _code(device)},
    )
    assert response.status_code == 200
    assert "cannot be turned off" in str(response.context["disable_form"].non_field_errors())
    assert TOTPDevice.objects.filter(user=manager, confirmed=True).exists()


def test_turning_off_needs_the_password_and_a_code(clock):
    manager = ManagerFactory()
    device, _ = _enrolled(manager, clock)
    client = Client()
    client.force_login(manager)

    wrong = client.post(
        "/account/two-factor/disable/",
        {"disable-password": "not-it", "disable-code": _code(device)},
    )
    assert wrong.context["disable_form"].errors["password"]
    assert TOTPDevice.objects.filter(user=manager).exists()

    done = client.post(
        "/account/two-factor/disable/",
        {"disable-password": PASSWORD, "disable-code": _code(device)},
    )
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()


def test_new_recovery_codes_need_a_code_and_end_the_old_ones(clock):
    manager = ManagerFactory()
    device, old = _enrolled(manager, clock)
    client = Client()
    client.force_login(manager)

    refused = client.post("/account/two-factor/recovery-codes/", {"regenerate-code": "000000"})
    assert refused.context["regenerate_form"].errors["code"]
    clock.shift(60)
    done = client.post("/account/two-factor/recovery-codes/", {"regenerate-code": _code(device)})
    new = done.context["recovery_codes"]
    assert len(new) == 10
    tokens = set(StaticToken.objects.filter(device__user=manager).values_list("token", flat=True))
    assert tokens == set(new) and not tokens & set(old)


# --- API ----------------------------------------------------------------------------------------


def test_the_api_token_of_a_manager_with_an_app_needs_otp(clock):
    manager = ManagerFactory()
    device, codes = _enrolled(manager, clock)
    credentials = {"username": manager.username, "password": PASSWORD}

    missing = _token(credentials)
    assert missing.status_code == 400 and "otp" in missing.json()
    wrong = _token({**credentials, "otp": "000000"})
    assert wrong.status_code == 400 and "otp" in wrong.json()
    clock.shift(60)
    assert _token({**credentials, "otp": _code(device)}).status_code == 200
    assert _token({**credentials, "otp": codes[0]}).status_code == 200
    assert _token({**credentials, "otp": codes[0]}).status_code == 400  # used up


@override_settings(AGENCY_REQUIRE_2FA=True)
def test_required_mode_gives_no_api_token_to_a_manager_without_an_app():
    manager = ManagerFactory()
    response = _token({"username": manager.username, "password": PASSWORD})
    assert response.status_code == 400 and "otp" in response.json()


def test_required_mode_stops_the_tokens_of_a_manager_without_an_app():
    manager = ManagerFactory()
    _, token = token_create(user=manager)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 200

    with override_settings(AGENCY_REQUIRE_2FA=True):
        assert client.get("/api/v1/me/").status_code == 401


# --- Everyone else ------------------------------------------------------------------------------


@override_settings(AGENCY_REQUIRE_2FA=True)
def test_owners_and_agents_sign_in_with_the_password_alone_even_when_required():
    owner = UserFactory()
    agent_user = UserFactory()
    AgentFactory(user=agent_user)
    for user, home in ((owner, "/portal/"), (agent_user, "/desk/")):
        client = Client()
        assert _password_step(client, user)["Location"] == "/"
        response = client.get("/", follow=True)
        assert response.status_code == 200 and response.redirect_chain[-1][0] == home
        assert _token({"username": user.username, "password": PASSWORD}).status_code == 200
