"""Every manager page: 200 for a manager, the portal for a shop owner, the desk for an agent,
the login for anyone else."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import AgentFactory, UserFactory
from web import urls as web_urls
from web.mixins import DESK_URL, PORTAL_URL


def page_urls(agency) -> list[str]:
    shop = agency.shops[0]
    agent = agency.agents[0]
    invoice = agency.invoices[0]
    return [
        reverse("web:dashboard"),
        reverse("web:shop-list"),
        reverse("web:shop-create"),
        reverse("web:shop-detail", args=[shop.pk]),
        reverse("web:shop-edit", args=[shop.pk]),
        reverse("web:shop-statement", args=[shop.pk]),
        reverse("web:contract-create", args=[shop.pk]),
        reverse("web:agent-list"),
        reverse("web:agent-create"),
        reverse("web:agent-detail", args=[agent.pk]),
        reverse("web:agent-edit", args=[agent.pk]),
        reverse("web:seat-board"),
        reverse("web:seat-create"),
        reverse("web:seat-edit", args=[agency.seats[0].pk]),
        reverse("web:assignment-create"),
        reverse("web:contract-seat"),
        reverse("web:workload-import"),
        reverse("web:quote"),
        reverse("web:billing"),
        reverse("web:invoice-list"),
        reverse("web:fapiao-list"),
        reverse("web:token-list"),
        reverse("web:two-factor"),
        reverse("web:credit-note-list"),
        reverse("web:payment-list"),
        reverse("web:bank-import"),
        reverse("web:invoice-detail", args=[invoice.pk]),
        reverse("web:invoice-void", args=[invoice.pk]),
        reverse("web:reports"),
        reverse("web:receivables"),
        reverse("web:payroll"),
        reverse("web:payroll-month", args=["2026-09"]),
        reverse("web:sub-account-list"),
        reverse("web:sub-account-create"),
        reverse("web:sub-account-edit", args=[agency.sub_accounts[0].pk]),
        reverse("web:sub-account-revoke", args=[agency.sub_accounts[0].pk]),
        reverse("web:roster"),
        reverse("web:cover-create"),
        reverse("web:leave-list"),
        reverse("web:quality-list"),
        reverse("web:quality-create"),
        reverse("web:quality-items"),
        reverse("web:pay-book"),
        reverse("web:pay-book-edit"),
        reverse("web:scorecard-board"),
        reverse("web:agent-scorecard", args=[agent.pk]),
    ]


def post_urls(agency) -> list[str]:
    invoice = agency.invoices[0]
    return [
        reverse("web:invoice-issue", args=[invoice.pk]),
        reverse("web:invoice-pay", args=[invoice.pk]),
        reverse("web:invoice-void", args=[invoice.pk]),
        reverse("web:invoice-rebill", args=[invoice.pk]),
        reverse("web:invoice-payment", args=[invoice.pk]),
        reverse("web:bank-import"),
        reverse("web:bank-statement", args=[1]),
        reverse("web:fapiao-issue", args=[1]),
        reverse("web:fapiao-cancel", args=[1]),
        reverse("web:invoice-credit-note", args=[invoice.pk]),
        reverse("web:invoice-turnover", args=[invoice.pk]),
        reverse("web:turnover-confirm", args=[agency.turnover[0].pk]),
        reverse("web:assignment-end", args=[1]),
        reverse("web:handover-acknowledge", args=[1]),
        reverse("web:shop-turnover", args=[agency.shops[0].pk]),
        reverse("web:sub-account-revoke", args=[agency.sub_accounts[0].pk]),
        reverse("web:cover-delete", args=[1]),
        reverse("web:leave-approve", args=[1]),
        reverse("web:quality-item-update", args=[1]),
        reverse("web:quality-detail", args=[1]),
        reverse("web:token-revoke-all"),
        reverse("web:token-revoke", args=["abcd1234"]),
        reverse("web:two-factor-recovery-codes"),
        reverse("web:two-factor-disable"),
    ]


@pytest.mark.django_db
def test_every_page_answers_200_to_a_manager(manager_client, agency):
    for url in page_urls(agency):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert b'<main id="main"' in response.content


@pytest.mark.django_db
def test_a_shop_owner_is_sent_to_the_portal(owner_client, agency):
    for url in page_urls(agency) + [reverse("web:billing-run", args=[1])]:
        response = owner_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == PORTAL_URL
    for url in post_urls(agency):
        response = owner_client.post(url)
        assert response.status_code == 302, url
        assert response["Location"] == PORTAL_URL


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(anonymous_client, agency):
    for url in page_urls(agency):
        response = anonymous_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/accounts/login/?next={url}"
    for url in post_urls(agency):
        assert anonymous_client.post(url).status_code == 302


@pytest.mark.django_db
def test_a_polled_fragment_sends_an_ended_session_to_the_login_page(anonymous_client, agency):
    response = anonymous_client.get(
        reverse("web:billing-run", args=[1]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/billing/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/billing/"


@pytest.mark.django_db
def test_owner_actions_change_nothing(owner_client, agency):
    invoice = agency.invoices[0]
    owner_client.post(reverse("web:invoice-void", args=[invoice.pk]), {"reason": "Mine"})
    invoice.refresh_from_db()
    assert invoice.status == "draft"
    account = agency.sub_accounts[0]
    owner_client.post(
        reverse("web:sub-account-revoke", args=[account.pk]), {"revoked_on": "2026-10-15"}
    )
    account.refresh_from_db()
    assert account.revoked_on is None


@pytest.mark.django_db
def test_objects_that_do_not_exist_answer_404(manager_client, agency):
    for name in (
        "web:shop-detail",
        "web:agent-detail",
        "web:invoice-detail",
        "web:shop-edit",
        "web:sub-account-edit",
        "web:sub-account-revoke",
    ):
        assert manager_client.get(reverse(name, args=[999_999])).status_code == 404


@pytest.mark.django_db
def test_actions_refuse_get(manager_client, agency):
    url = reverse("web:invoice-issue", args=[agency.invoices[0].pk])
    assert manager_client.get(url).status_code == 405


# --- Agents -------------------------------------------------------------------------------------


def every_web_url(agency) -> list[tuple[str, str]]:
    """(name, address) of every route of the manager app, from its URL configuration: a page
    added later is checked without being listed here. Ids are real objects' where one is at hand;
    the role is refused before any lookup anyway."""
    shop, agent, invoice = agency.shops[0], agency.agents[0], agency.invoices[0]
    ids = {
        "shop": shop.pk,
        "contract": shop.pk,
        "agent": agent.pk,
        "seat": agency.seats[0].pk,
        "sub-account": agency.sub_accounts[0].pk,
        "invoice": invoice.pk,
        "turnover": agency.turnover[0].pk,
    }
    urls = []
    for pattern in web_urls.urlpatterns:
        args = []
        if "<int:pk>" in str(pattern.pattern):
            args = [next((pk for key, pk in ids.items() if pattern.name.startswith(key)), 1)]
        elif "<str:month>" in str(pattern.pattern):
            args = ["2026-10"]
        elif "<str:key>" in str(pattern.pattern):
            args = ["abcd1234"]
        urls.append((pattern.name, reverse(f"web:{pattern.name}", args=args)))
    return urls


@pytest.fixture
def agent_client(agency) -> Client:
    """The day agent of the agency's staffed seat, signed in: it serves owner A's shops today."""
    user = UserFactory(username="agent_user")
    agency.agents[0].user = user
    agency.agents[0].save(update_fields=["user"])
    client = Client()
    client.force_login(user)
    return client


def test_every_route_of_the_manager_app_is_checked_for_agents(agency):
    assert len(every_web_url(agency)) == len(web_urls.urlpatterns) > 30


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_agent_is_sent_to_the_desk_from_every_manager_page(agent_client, agency, method):
    for name, url in every_web_url(agency):
        response = getattr(agent_client, method)(url)
        assert response.status_code == 302, (name, url)
        assert response["Location"] == DESK_URL, (name, url)


@pytest.mark.django_db
def test_a_polled_fragment_sends_an_agent_to_the_desk(agent_client, agency):
    response = agent_client.get(
        reverse("web:billing-run", args=[1]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/billing/"},
    )
    assert response["HX-Redirect"] == DESK_URL


@pytest.mark.django_db
def test_an_agents_actions_change_nothing(agent_client, agency):
    invoice = agency.invoices[0]
    agent_client.post(reverse("web:invoice-void", args=[invoice.pk]), {"reason": "Mine"})
    invoice.refresh_from_db()
    assert invoice.status == "draft"
    shop = agency.shops[0]
    agent_client.post(reverse("web:shop-edit", args=[shop.pk]), {"briefing": "Overwritten"})
    shop.refresh_from_db()
    assert shop.briefing != "Overwritten"


@pytest.mark.django_db
def test_an_agent_who_signs_in_lands_on_the_desk(agency):
    AgentFactory(user=UserFactory(username="night_owl", password="pw-secret-123"))
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "night_owl", "password": "pw-secret-123"}, follow=False
    )
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == DESK_URL
