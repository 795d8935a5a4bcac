"""API tokens end: on logout, on a new password, on deactivation, past the per-account limit, and
when renewed; a manager lists and revokes their own (``agency.tokens``)."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from agency.tasks import prune_expired_tokens
from agency.tokens import token_create
from tests.factories import ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _api(token: str | None = None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _works(token: str) -> bool:
    return _api(token).get("/api/v1/me/").status_code == 200


def _signed_in(user, password="pw-Secret-123") -> str:
    if not user.check_password(password):  # set once: a new password ends the tokens
        user.set_password(password)
        user.save()
    response = _api().post(
        "/api/v1/auth/token/", {"username": user.username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_logout_ends_the_token_it_is_sent_with_and_no_other():
    user = UserFactory()
    first, second = _signed_in(user), _signed_in(user)

    assert _api(first).post("/api/v1/auth/logout/").status_code == 204

    assert not _works(first)
    assert _works(second)


def test_logoutall_ends_every_token_of_the_account_and_no_one_elses():
    user, other = UserFactory(), UserFactory()
    mine, also_mine, theirs = _signed_in(user), _signed_in(user), _signed_in(other)

    assert _api(mine).post("/api/v1/auth/logoutall/").status_code == 204

    assert not _works(mine) and not _works(also_mine)
    assert _works(theirs)


@pytest.mark.parametrize("path", ["/api/v1/auth/logout/", "/api/v1/auth/logoutall/"])
def test_logout_without_a_token_is_401(path):
    assert _api().post(path).status_code == 401


def test_a_password_change_ends_every_token():
    user = UserFactory()
    token = _signed_in(user)

    user.set_password("another-Secret-456")
    user.save()

    assert not _works(token)


def test_a_password_reset_through_the_browser_ends_every_token(client: Client):
    user = UserFactory(email="li@shop.example")
    token = _signed_in(user, "old-Secret-123")
    client.force_login(user)

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "old-Secret-123",
            "new_password1": "new-Secret-789x",
            "new_password2": "new-Secret-789x",
        },
    )

    assert response.status_code == 302
    assert not _works(token)


def test_deactivating_an_account_ends_its_tokens():
    user = UserFactory()
    token = _signed_in(user)

    user.is_active = False
    user.save(update_fields=["is_active"])

    assert not AuthToken.objects.filter(user=user).exists()
    assert not _works(token)


def test_saving_an_account_otherwise_keeps_its_tokens():
    user = UserFactory()
    token = _signed_in(user)

    user.first_name = "Li"
    user.save()

    assert _works(token)


@override_settings(API_TOKEN_LIMIT_PER_USER=3)
def test_an_account_holds_at_most_the_limit_and_the_oldest_ends_first():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        tokens = []
        for _ in range(4):
            tokens.append(token_create(user=user)[1])
            traveller.shift(dt.timedelta(minutes=1))

        assert AuthToken.objects.filter(user=user).count() == 3
        assert not _works(tokens[0])
        assert all(_works(token) for token in tokens[1:])


def test_a_token_lasts_a_week_and_refresh_renews_it():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        token = _signed_in(user)
        instance = AuthToken.objects.get(user=user)
        assert instance.expiry - START == dt.timedelta(days=7) == settings.REST_KNOX["TOKEN_TTL"]

        traveller.shift(dt.timedelta(days=6))
        response = _api(token).post("/api/v1/auth/token/refresh/")
        assert response.status_code == 200
        renewed = response.json()["token"]

        assert not _works(token)
        traveller.shift(dt.timedelta(days=6))  # 12 days after the first sign-in
        assert _works(renewed)
        traveller.shift(dt.timedelta(days=2))
        assert not _works(renewed)


def test_the_token_page_lists_the_managers_own_tokens_and_revokes_one():
    manager, other = ManagerFactory(), ManagerFactory()
    mine, _ = token_create(user=manager)
    kept, _ = token_create(user=manager)
    theirs, _ = token_create(user=other)
    client = Client()
    client.force_login(manager)

    page = client.get("/account/tokens/").content.decode()
    assert mine.token_key in page and kept.token_key in page
    assert theirs.token_key not in page

    client.post(f"/account/tokens/{mine.token_key}/revoke/")
    client.post(f"/account/tokens/{theirs.token_key}/revoke/")  # not theirs to revoke

    assert set(AuthToken.objects.values_list("token_key", flat=True)) == {
        kept.token_key,
        theirs.token_key,
    }


def test_revoke_all_on_the_token_page_ends_only_ones_own():
    manager, other = ManagerFactory(), ManagerFactory()
    token_create(user=manager)
    theirs, _ = token_create(user=other)
    client = Client()
    client.force_login(manager)

    response = client.post("/account/tokens/revoke/")

    assert response.status_code == 302
    assert list(AuthToken.objects.values_list("token_key", flat=True)) == [theirs.token_key]


def test_expired_tokens_are_pruned_by_the_hourly_job_and_live_ones_kept():
    """Requests never clean up tokens (one query each, tests/api/test_lean_lists.py): the beat
    job deletes the expired ones of every account, and running it twice deletes nothing more."""
    user, other = UserFactory(), UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        old_mine, old_theirs = token_create(user=user)[1], token_create(user=other)[1]
        traveller.shift(dt.timedelta(days=5))
        live = token_create(user=user)[1]
        traveller.shift(dt.timedelta(days=3))  # the first two expired a day ago
        assert not _works(old_mine) and _works(live)
        assert AuthToken.objects.count() == 3  # refused, not deleted, by the request

        assert prune_expired_tokens() == 2
        assert prune_expired_tokens() == 0
        assert list(AuthToken.objects.values_list("user", flat=True)) == [user.pk]
        assert _works(live) and not _works(old_theirs)
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "agency.tasks.prune_expired_tokens" in schedule


def test_signing_in_again_rotates_the_oldest_token_out_at_the_limit():
    """POST /api/v1/auth/token/ mints a new token each time; past the limit the oldest ends."""
    user = UserFactory()
    with (
        override_settings(API_TOKEN_LIMIT_PER_USER=2),
        time_machine.travel(START, tick=False) as traveller,
    ):
        first = _signed_in(user)
        traveller.shift(dt.timedelta(minutes=1))
        second = _signed_in(user)
        traveller.shift(dt.timedelta(minutes=1))
        third = _signed_in(user)
        assert len({first, second, third}) == 3
        assert not _works(first) and _works(second) and _works(third)
        assert AuthToken.objects.filter(user=user).count() == 2
