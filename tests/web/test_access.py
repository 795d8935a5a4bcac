"""Every manager page: 200 for a manager, the portal for a shop owner, the login for anyone else."""

import pytest
from django.urls import reverse

from web.mixins import PORTAL_URL


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
        reverse("web:invoice-detail", args=[invoice.pk]),
        reverse("web:invoice-void", args=[invoice.pk]),
        reverse("web:reports"),
        reverse("web:sub-account-list"),
        reverse("web:sub-account-create"),
        reverse("web:sub-account-edit", args=[agency.sub_accounts[0].pk]),
        reverse("web:sub-account-revoke", args=[agency.sub_accounts[0].pk]),
        reverse("web:roster"),
        reverse("web:cover-create"),
        reverse("web:leave-list"),
    ]


def post_urls(agency) -> list[str]:
    invoice = agency.invoices[0]
    return [
        reverse("web:invoice-issue", args=[invoice.pk]),
        reverse("web:invoice-pay", args=[invoice.pk]),
        reverse("web:invoice-void", args=[invoice.pk]),
        reverse("web:invoice-rebill", args=[invoice.pk]),
        reverse("web:invoice-turnover", args=[invoice.pk]),
        reverse("web:turnover-confirm", args=[agency.turnover[0].pk]),
        reverse("web:assignment-end", args=[1]),
        reverse("web:handover-acknowledge", args=[1]),
        reverse("web:shop-turnover", args=[agency.shops[0].pk]),
        reverse("web:sub-account-revoke", args=[agency.sub_accounts[0].pk]),
        reverse("web:cover-delete", args=[1]),
        reverse("web:leave-approve", args=[1]),
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
