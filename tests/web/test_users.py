"""Accounts in the manager app: the users list, opening and inviting accounts (also from the shop
and agent forms), editing, deactivating, and an agent's departure."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from agency.models import User
from seats.models import Agent, SeatAssignment
from shops.models import Shop
from tests.factories import AgentFactory, SeatAssignmentFactory, UserFactory
from tests.seats.factories import SubAccountFactory
from tests.web.conftest import TODAY, count_queries

LIST = "/users/"

SHOP_FORM = {
    "name": "Moon Cakes",
    "platform": "jd",
    "platform_shop_id": "JD-1",
    "category": "food",
    "status": "prospect",
    "daily_inquiries_estimate": "120",
    "briefing": "",
}
AGENT_FORM = {
    "name": "王小美",
    "employee_no": "E777",
    "hired_on": "2026-03-01",
    "status": "active",
    "base_salary": "1800.00",
    "email": "xiaomei@example.com",
}


@pytest.mark.django_db
def test_the_users_page_lists_roles_languages_and_states(manager_client, owner_a):
    AgentFactory(name="王小美", user=UserFactory(username="xiaomei", language="en"))
    UserFactory(username="gone", is_active=False)
    response = manager_client.get(LIST)
    assert response.status_code == 200
    rows = {account.username: role for account, role in response.context["rows"]}
    assert rows == {
        "gone": "owner",
        "manager": "manager",
        "owner_a": "owner",
        "xiaomei": "agent",
    }
    html = response.content.decode()
    assert "王小美" in html and "Deactivated" in html
    assert 'href="/users/"' in html  # the navigation entry


@pytest.mark.django_db
def test_the_users_page_sorts_filters_and_says_when_nothing_matches(manager_client, owner_a):
    UserFactory(username="aaron", is_active=False)
    names = [a.username for a, _ in manager_client.get(f"{LIST}?sort=-username").context["rows"]]
    assert names == ["owner_a", "manager", "aaron"]
    names = [a.username for a, _ in manager_client.get(f"{LIST}?sort=role").context["rows"]]
    assert names[0] == "manager"
    names = [a.username for a, _ in manager_client.get(f"{LIST}?state=inactive").context["rows"]]
    assert names == ["aaron"]
    response = manager_client.get(f"{LIST}?role=agent")
    assert "No account matches these filters." in response.content.decode()


@pytest.mark.django_db
def test_the_users_page_costs_the_same_queries_for_few_and_many(manager_client, owner_a):
    small = count_queries(manager_client, LIST)
    for index in range(20):
        AgentFactory(user=UserFactory(username=f"agent{index:02d}"))
    assert count_queries(manager_client, LIST) == small


@pytest.mark.django_db
def test_owners_are_sent_to_their_portal(owner_client):
    assert owner_client.get(LIST)["Location"] == "/portal/"
    assert owner_client.get("/users/new/")["Location"] == "/portal/"


@pytest.mark.django_db(transaction=True)
def test_a_manager_opens_an_agent_account_and_it_is_invited(manager_client):
    agent = AgentFactory(name="王小美")
    form = manager_client.get(f"/users/new/?role=agent&agent={agent.pk}")
    assert form.context["form"].initial == {"role": "agent", "agent": agent.pk}
    response = manager_client.post(
        "/users/new/",
        {
            "role": "agent",
            "agent": agent.pk,
            "username": "xiaomei",
            "email": "xm@example.com",
            "language": "zh-hans",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.user.username == "xiaomei"
    [message] = mail.outbox
    assert message.to == ["xm@example.com"] and "/accounts/reset/" in message.body


@pytest.mark.django_db
def test_the_account_form_shows_the_service_refusals_on_their_fields(manager_client):
    response = manager_client.post(
        "/users/new/",
        {"role": "agent", "username": "manager", "email": "x@example.com", "language": "en"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "agent" in errors


@pytest.mark.django_db
def test_the_agent_choice_offers_only_agents_without_account(manager_client):
    free = AgentFactory(name="Free")
    AgentFactory(name="Taken", user=UserFactory())
    AgentFactory(name="Gone", status="left")
    choices = list(manager_client.get("/users/new/").context["form"].fields["agent"].queryset)
    assert choices == [free]


@pytest.mark.django_db
def test_editing_an_account_changes_email_and_language(manager_client, owner_a):
    response = manager_client.post(
        f"/users/{owner_a.pk}/edit/", {"email": "new@example.com", "language": "en"}
    )
    assert response.status_code == 302
    owner_a.refresh_from_db()
    assert (owner_a.email, owner_a.language) == ("new@example.com", "en")


@pytest.mark.django_db(transaction=True)
def test_resending_an_invitation(manager_client, owner_a):
    response = manager_client.post(f"/users/{owner_a.pk}/invite/", follow=True)
    assert "Invitation sent again" in response.content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_deactivating_asks_first_then_the_account_cannot_sign_in(manager_client, owner_a):
    page = manager_client.get(f"/users/{owner_a.pk}/deactivate/")
    assert page.status_code == 200
    assert 'data-confirm="Deactivate the account owner_a?"' in page.content.decode()
    assert manager_client.post(f"/users/{owner_a.pk}/deactivate/").status_code == 302
    owner_a.refresh_from_db()
    assert not owner_a.is_active
    manager_client.post(f"/users/{owner_a.pk}/reactivate/")
    owner_a.refresh_from_db()
    assert owner_a.is_active


@pytest.mark.django_db
def test_a_manager_cannot_deactivate_themselves(manager_client, manager):
    response = manager_client.post(f"/users/{manager.pk}/deactivate/")
    assert response.status_code == 400
    manager.refresh_from_db()
    assert manager.is_active


# --- Onboarding from the shop and agent forms ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_shop_and_its_new_owner_in_one_form(manager_client):
    response = manager_client.post(
        "/shops/new/",
        {
            **SHOP_FORM,
            "new_owner_username": "moon",
            "new_owner_email": "moon@example.com",
            "new_owner_language": "en",
        },
    )
    assert response.status_code == 302
    shop = Shop.objects.get(name="Moon Cakes")
    assert shop.owner.username == "moon" and shop.owner.language == "en"
    [message] = mail.outbox
    assert message.to == ["moon@example.com"] and "choose a password" in message.subject


@pytest.mark.django_db(transaction=True)
def test_a_refused_shop_leaves_no_owner_account_and_sends_nothing(manager_client):
    from tests.factories import ShopFactory

    ShopFactory(platform="jd", platform_shop_id="JD-1")
    response = manager_client.post(
        "/shops/new/",
        {**SHOP_FORM, "new_owner_username": "moon", "new_owner_email": "moon@example.com"},
    )
    assert response.status_code == 200
    assert "platform_shop_id" in response.context["form"].errors
    assert not User.objects.filter(username="moon").exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_shop_form_wants_one_owner(manager_client, owner_a):
    response = manager_client.post("/shops/new/", SHOP_FORM)
    assert "owner" in response.context["form"].errors
    response = manager_client.post(
        "/shops/new/", {**SHOP_FORM, "owner": owner_a.pk, "new_owner_username": "moon"}
    )
    assert "new_owner_username" in response.context["form"].errors
    response = manager_client.post(
        "/shops/new/", {**SHOP_FORM, "new_owner_username": "owner_a", "new_owner_email": "o@x.cn"}
    )
    assert "new_owner_username" in response.context["form"].errors


@pytest.mark.django_db
def test_the_shop_owner_choice_leaves_out_agents(manager_client, owner_a):
    AgentFactory(user=UserFactory(username="an_agent"))
    owners = list(manager_client.get("/shops/new/").context["form"].fields["owner"].queryset)
    assert owners == [owner_a]


@pytest.mark.django_db(transaction=True)
def test_an_agent_and_their_account_in_one_form(manager_client):
    response = manager_client.post(
        "/agents/new/", {**AGENT_FORM, "account_username": "xiaomei", "account_language": "zh-hans"}
    )
    assert response.status_code == 302
    agent = Agent.objects.get(employee_no="E777")
    assert agent.user.username == "xiaomei" and agent.user.email == "xiaomei@example.com"
    [message] = mail.outbox
    assert message.to == ["xiaomei@example.com"]


@pytest.mark.django_db
def test_an_agent_account_refused_leaves_no_agent(manager_client):
    response = manager_client.post(
        "/agents/new/", {**AGENT_FORM, "email": "", "account_username": "xiaomei"}
    )
    assert response.status_code == 200
    assert "account_email" in response.context["form"].errors
    assert not Agent.objects.filter(employee_no="E777").exists()


# --- An agent leaves ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_agent_leaves_from_their_page(manager_client):
    agent = AgentFactory(name="王小美", user=UserFactory(username="xiaomei"))
    assignment = SeatAssignmentFactory(agent=agent, start_date=dt.date(2026, 1, 1))
    sub_account = SubAccountFactory(agent=agent)
    detail = manager_client.get(reverse("web:agent-detail", args=[agent.pk])).content.decode()
    assert f"/agents/{agent.pk}/deactivate/" in detail and "xiaomei" in detail
    page = manager_client.get(f"/agents/{agent.pk}/deactivate/")
    assert page.status_code == 200 and "data-confirm" in page.content.decode()

    response = manager_client.post(
        f"/agents/{agent.pk}/deactivate/", {"last_day": TODAY.isoformat()}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/agents/{agent.pk}/#sub-accounts-title")
    assert reverse("web:sub-account-revoke", args=[sub_account.pk]) in html
    assert "still to revoke" in html
    assignment.refresh_from_db()
    assert assignment.end_date == TODAY
    assert Agent.objects.get(pk=agent.pk).status == "left"
    assert not User.objects.get(username="xiaomei").is_active
    assert SeatAssignment.objects.filter(agent=agent).count() == 1


@pytest.mark.django_db
def test_a_future_last_day_is_refused_on_its_field(manager_client):
    agent = AgentFactory()
    response = manager_client.post(f"/agents/{agent.pk}/deactivate/", {"last_day": "2026-10-16"})
    assert response.status_code == 400
    assert "last_day" in response.context["form"].errors
    assert Agent.objects.get(pk=agent.pk).status == "active"
