"""/api/v1/users/, /api/v1/me/ and /api/v1/agents/{id}/deactivate/."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from agency.models import User
from seats.models import Agent
from tests.conftest import _client_for
from tests.factories import AgentFactory, SeatAssignmentFactory, UserFactory
from tests.seats.factories import SubAccountFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 10, 15)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.mark.django_db(transaction=True)
def test_a_manager_creates_an_agent_account_and_it_is_invited_in_chinese(manager_api):
    agent = AgentFactory(name="王小美")
    response = manager_api.post(
        "/api/v1/users/",
        {
            "username": "xiaomei",
            "email": "xm@example.com",
            "role": "agent",
            "agent": agent.pk,
            "language": "zh-hans",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {
        "id": body["id"],
        "username": "xiaomei",
        "email": "xm@example.com",
        "role": "agent",
        "agent": agent.pk,
        "language": "zh-hans",
        "is_active": True,
    }
    assert "password" not in body
    [message] = mail.outbox
    assert message.subject == "【客服外包公司】您的账号：设置密码"
    assert "设置密码" in message.body
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    client = Client()
    form = client.get(path, follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Harbour-lamp-2026", "new_password2": "Harbour-lamp-2026"},
    )
    assert done.status_code == 302
    assert User.objects.get(username="xiaomei").check_password("Harbour-lamp-2026")
    signed_in = client.post(
        "/accounts/login/", {"username": "xiaomei", "password": "Harbour-lamp-2026"}
    )
    assert signed_in.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_an_owner_account_is_invited_in_english(manager_api):
    response = manager_api.post(
        "/api/v1/users/",
        {"username": "ann", "email": "ann@example.com", "role": "owner", "language": "en"},
        format="json",
    )
    assert response.status_code == 201
    [message] = mail.outbox
    assert message.subject == "[Customer Service Agency] Your account: choose a password"
    assert "Choose your password" in message.body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload, field",
    [
        ({"username": "x", "email": "x@example.com", "role": "agent"}, "agent"),
        ({"username": "x", "email": "x@example.com", "role": "owner", "agent": 1}, "agent"),
        ({"username": "x", "email": "x@example.com", "role": "chief"}, "role"),
        ({"username": "x", "role": "owner"}, "email"),
        ({"username": "x", "role": "owner", "password": "12345678"}, "password"),
        ({"username": "manager", "email": "m2@example.com", "role": "owner"}, "username"),
        ({"username": "x", "email": "manager@example.com", "role": "owner"}, "email"),
        ({"username": "x", "email": "not-an-email", "role": "owner"}, "email"),
        (
            {"username": "x", "email": "x@example.com", "role": "owner", "language": "fr"},
            "language",
        ),
        ({"username": "bad name!", "email": "x@example.com", "role": "owner"}, "username"),
    ],
)
def test_bad_accounts_answer_400_with_the_field(manager_api, payload, field):
    AgentFactory(pk=1)
    response = manager_api.post("/api/v1/users/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()


@pytest.mark.django_db
def test_an_agent_with_an_account_cannot_get_a_second(manager_api, manager):
    agent = AgentFactory()
    payload = {"role": "agent", "agent": agent.pk, "password": "Harbour-lamp-2026"}
    assert manager_api.post("/api/v1/users/", {**payload, "username": "a1"}).status_code == 201
    response = manager_api.post("/api/v1/users/", {**payload, "username": "a2"})
    assert response.status_code == 400 and "agent" in response.json()


@pytest.mark.django_db
def test_users_are_for_managers_only(owner_a_api, owner_a):
    assert owner_a_api.get("/api/v1/users/").status_code == 403
    assert owner_a_api.get(f"/api/v1/users/{owner_a.pk}/").status_code == 403
    response = owner_a_api.post(
        "/api/v1/users/", {"username": "x", "email": "x@example.com", "role": "manager"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_an_agents_token_is_refused_the_user_list(manager):
    agent = AgentFactory(user=UserFactory(username="agent_user"))
    assert _client_for(agent.user).get("/api/v1/users/").status_code == 403


@pytest.mark.django_db
def test_the_user_list_filters_by_role_in_constant_queries(
    manager_api, owner_a, django_assert_num_queries
):
    for index in range(3):
        AgentFactory(user=UserFactory(username=f"agent{index}"))
    with django_assert_num_queries(2):
        body = manager_api.get("/api/v1/users/?role=agent").json()
    assert [row["username"] for row in body["results"]] == ["agent0", "agent1", "agent2"]
    roles = {
        row["username"]: row["role"] for row in manager_api.get("/api/v1/users/").json()["results"]
    }
    assert roles["manager"] == "manager" and roles["owner_a"] == "owner"
    assert manager_api.get("/api/v1/users/?role=chief").status_code == 400


@pytest.mark.django_db
def test_patch_changes_email_language_and_activity_and_refuses_the_role(manager_api, owner_a):
    url = f"/api/v1/users/{owner_a.pk}/"
    response = manager_api.patch(
        url, {"email": "new@example.com", "language": "en", "is_active": False}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False and response.json()["language"] == "en"
    response = manager_api.patch(url, {"role": "manager", "username": "boss"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"role", "username"}
    response = manager_api.patch(url, {"password": "short"}, format="json")
    assert response.status_code == 400 and "password" in response.json()
    response = manager_api.patch(url, {"agent": AgentFactory().pk}, format="json")
    assert response.status_code == 400 and "agent" in response.json()


@pytest.mark.django_db
def test_me_says_who_the_caller_is(manager_api, owner_a_api, api):
    assert manager_api.get("/api/v1/me/").json() == {
        "username": "manager",
        "role": "manager",
        "agent": None,
        "language": "zh-hans",
    }
    assert owner_a_api.get("/api/v1/me/").json()["role"] == "owner"
    agent = AgentFactory(user=UserFactory(username="xm", language="en"))
    body = _client_for(agent.user).get("/api/v1/me/").json()
    assert body == {"username": "xm", "role": "agent", "agent": agent.pk, "language": "en"}
    assert api.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_deactivating_an_agent_through_the_api(manager_api, owner_a_api):
    agent = AgentFactory(user=UserFactory(username="leaver"))
    SeatAssignmentFactory(agent=agent, start_date=dt.date(2026, 1, 1))
    sub_account = SubAccountFactory(agent=agent)
    url = f"/api/v1/agents/{agent.pk}/deactivate/"
    assert owner_a_api.post(url, {"last_day": "2026-10-15"}).status_code == 403
    assert manager_api.post(url, {"last_day": "2026-10-16"}).json().keys() == {"last_day"}
    response = manager_api.post(url, {"last_day": "2026-10-15"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["agent"]["status"] == "left"
    assert body["assignments_ended"] == 1 and body["account_deactivated"] is True
    assert [row["id"] for row in body["sub_accounts_to_revoke"]] == [sub_account.pk]
    assert not User.objects.get(username="leaver").is_active
    assert Agent.objects.get(pk=agent.pk).status == "left"
    assert manager_api.post(url, {"last_day": "2026-10-15"}).status_code == 409


def test_a_chinese_username_is_what_the_schema_promises(manager_api):
    """Django accepts any Unicode letter in a username; the schema must not claim an ASCII-only
    pattern for the usernames the API returns (a JSON-Schema client would reject 张伟)."""
    response = manager_api.post(
        "/api/v1/users/",
        {"username": "张伟", "email": "zhang@agency.example", "role": "owner"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["username"] == "张伟"
    schema = manager_api.get("/api/schema/?format=json").json()
    username = schema["components"]["schemas"]["UserOutput"]["properties"]["username"]
    assert "pattern" not in username
