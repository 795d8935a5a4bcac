"""Logging in and out, and the lockout after 5 failed logins for one username from one IP."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import ManagerFactory

LOGIN = "/accounts/login/"
PASSWORD = "pw-secret-123"  # tests.factories.UserFactory's


def login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_login_page_has_labelled_fields_and_csrf(anonymous_client):
    html = anonymous_client.get(LOGIN).content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<a class="skip-link" href="#main">' in html


@pytest.mark.django_db
def test_a_manager_logs_in_to_the_dashboard(manager):
    client = Client(enforce_csrf_checks=False)
    response = login(client, "manager", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_shop_owner_who_logs_in_is_sent_to_the_portal(owner_a):
    client = Client()
    login(client, "owner_a", PASSWORD)
    assert client.get("/")["Location"] == "/portal/"


@pytest.mark.django_db
def test_next_brings_the_manager_back(manager):
    client = Client()
    response = client.post(
        LOGIN, {"username": "manager", "password": PASSWORD, "next": "/billing/"}
    )
    assert response["Location"] == "/billing/"


@pytest.mark.django_db
def test_logout_is_a_post(manager_client):
    response = manager_client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "You have been logged out." in response.content.decode()
    assert manager_client.get("/").status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_shows_an_error(manager):
    response = login(Client(), "manager", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_five_failed_logins_lock_that_username_from_that_ip(manager):
    client = Client()
    for _ in range(4):
        assert login(client, "manager", "wrong").status_code == 200
    locked = login(client, "manager", "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # Locked even with the right password ...
    assert login(client, "manager", PASSWORD).status_code == 429
    # ... but only that username from that address.
    assert login(Client(), "manager", PASSWORD, ip="10.0.0.2").status_code == 302
    ManagerFactory(username="colleague")
    assert login(Client(), "colleague", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_after_15_minutes(manager):
    client = Client()
    for _ in range(5):
        login(client, "manager", "wrong")
    assert login(client, "manager", PASSWORD).status_code == 429
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16), tick=False):
        assert login(Client(), "manager", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(manager):
    client = Client()
    for _ in range(4):
        login(client, "manager", "wrong")
    assert login(client, "manager", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="manager", failures_since_start__gt=0).exists()
    for _ in range(4):
        assert login(Client(), "manager", "wrong").status_code == 200


@pytest.mark.django_db
def test_password_change_and_reset_pages_use_the_sites_design(manager_client, anonymous_client):
    for client, url in (
        (manager_client, "/accounts/password_change/"),
        (anonymous_client, "/accounts/password_reset/"),
    ):
        html = client.get(url).content.decode()
        assert 'href="/static/css/app.css"' in html
        assert '<main id="main"' in html
