"""Platform sub-accounts in the manager app: the list, granting, correcting and revoking, and
what the shop, agent and dashboard pages say about those still to revoke."""

import datetime as dt

import pytest

from seats.models import SubAccount
from tests.factories import AgentFactory, ContractFactory, ShopFactory
from tests.seats.factories import SubAccountFactory
from tests.web.conftest import TODAY, count_queries, grow_agency

LIST = "/sub-accounts/"

pytestmark = pytest.mark.django_db


def test_the_nav_links_to_the_list(manager_client, agency):
    html = manager_client.get("/").content.decode()
    assert f'href="{LIST}"' in html


def test_list_shows_shop_agent_and_dates_and_filters(manager_client, agency):
    account = agency.sub_accounts[0]
    revoked = SubAccountFactory(
        shop=account.shop, agent=agency.agents[1], revoked_on=dt.date(2026, 3, 1)
    )
    html = manager_client.get(LIST).content.decode()
    assert account.name in html and revoked.name in html and "2026-03-01" in html

    def names(query: str) -> list[str]:
        return [row.name for row in manager_client.get(f"{LIST}?{query}").context["accounts"]]

    assert names("state=active") == [account.name]
    assert names("state=revoked") == [revoked.name]
    assert names(f"agent={agency.agents[1].pk}") == [revoked.name]
    assert names(f"shop={agency.shops[1].pk}") == []
    assert (
        "No sub-account matches these filters."
        in manager_client.get(f"{LIST}?shop={agency.shops[1].pk}").content.decode()
    )


def test_an_empty_list_says_how_to_start(manager_client):
    html = manager_client.get(LIST).content.decode()
    assert "No sub-accounts yet." in html


def test_list_is_paginated_and_costs_the_same_queries_for_few_and_many(
    manager_client, agency, owner_a
):
    small = count_queries(manager_client, LIST)
    grow_agency(agency, owner_a, seats=30)
    assert count_queries(manager_client, LIST) == small <= 8
    page = manager_client.get(LIST).context["page_obj"]
    assert page.paginator.count == 31 and len(page.object_list) == 25


def test_granting_one_shows_it_and_refusals_stay_on_the_form(manager_client, agency):
    shop, agent = agency.shops[0], agency.agents[1]
    form = manager_client.get(f"{LIST}new/?shop={shop.pk}").context["form"]
    assert form.initial["shop"] == str(shop.pk) and form.initial["granted_on"] == TODAY
    response = manager_client.post(
        f"{LIST}new/",
        {"shop": shop.pk, "agent": agent.pk, "name": "小红", "granted_on": "2026-10-01"},
    )
    assert response.status_code == 302
    created = SubAccount.objects.get(name=f"{shop.name}:小红")
    assert (created.agent, created.granted_on) == (agent, dt.date(2026, 10, 1))
    again = manager_client.post(
        f"{LIST}new/",
        {"shop": shop.pk, "agent": agent.pk, "name": "小红", "granted_on": "2026-10-01"},
    )
    assert again.status_code == 200
    assert "name" in again.context["form"].errors


def test_an_agent_who_left_is_not_offered_for_a_new_sub_account(manager_client, agency):
    gone = AgentFactory(name="Gone Away", status="left")
    form = manager_client.get(f"{LIST}new/").context["form"]
    assert gone not in form.fields["agent"].queryset


def test_editing_keeps_the_shop(manager_client, agency):
    account = agency.sub_accounts[0]
    response = manager_client.post(
        f"{LIST}{account.pk}/edit/",
        {
            "shop": agency.shops[1].pk,  # disabled: ignored
            "agent": account.agent.pk,
            "name": "小美美",
            "granted_on": "2026-02-01",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    account.refresh_from_db()
    assert account.shop == agency.shops[0]
    assert account.name == f"{agency.shops[0].name}:小美美"
    assert account.granted_on == dt.date(2026, 2, 1)


def test_revoking_asks_first_and_records_the_day(manager_client, agency):
    account = agency.sub_accounts[0]
    html = manager_client.get(LIST).content.decode()
    assert f'action="/sub-accounts/{account.pk}/revoke/"' in html and "data-confirm=" in html
    page = manager_client.get(f"{LIST}{account.pk}/revoke/").content.decode()
    assert "data-confirm=" in page
    future = manager_client.post(f"{LIST}{account.pk}/revoke/", {"revoked_on": "2026-10-16"})
    assert future.status_code == 400 and "revoked_on" in future.context["form"].errors
    done = manager_client.post(
        f"{LIST}{account.pk}/revoke/", {"revoked_on": "2026-10-14", "next": f"{LIST}?state=active"}
    )
    assert done.status_code == 302 and done["Location"] == f"{LIST}?state=active"
    account.refresh_from_db()
    assert account.revoked_on == dt.date(2026, 10, 14)
    again = manager_client.post(f"{LIST}{account.pk}/revoke/", {"revoked_on": "2026-10-15"})
    assert again.status_code == 400


def test_an_agent_who_leaves_is_told_which_sub_accounts_to_revoke(manager_client, agency):
    account = agency.sub_accounts[0]
    agent = account.agent
    response = manager_client.post(
        f"/agents/{agent.pk}/edit/",
        {
            "name": agent.name,
            "employee_no": agent.employee_no,
            "hired_on": f"{agent.hired_on:%Y-%m-%d}",
            "status": "left",
            "base_salary": str(agent.base_salary),
            "email": "",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "1 sub-account is still to revoke:" in html
    assert f'<a href="/sub-accounts/{account.pk}/revoke/">{account.name}</a>' in html
    # The agent's page marks it, as the dashboard does.
    assert "to revoke" in manager_client.get(f"/agents/{agent.pk}/").content.decode()


def test_saving_an_agent_who_stays_says_nothing_about_sub_accounts(manager_client, agency):
    agent = agency.sub_accounts[0].agent
    response = manager_client.post(
        f"/agents/{agent.pk}/edit/",
        {
            "name": agent.name,
            "employee_no": agent.employee_no,
            "hired_on": f"{agent.hired_on:%Y-%m-%d}",
            "status": "on_leave",
            "base_salary": str(agent.base_salary),
        },
        follow=True,
    )
    assert "still to revoke" not in response.content.decode()


def test_a_shop_whose_last_contract_ended_names_its_sub_accounts_to_revoke(manager_client, agency):
    shop = ShopFactory(owner=agency.shops[0].owner, name="Closed Shop")
    ContractFactory(shop=shop, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 9, 30))
    account = SubAccountFactory(shop=shop, agent=agency.agents[0], name="Closed Shop:阿杰")
    response = manager_client.post(
        f"/shops/{shop.pk}/edit/",
        {
            "owner": shop.owner.pk,
            "name": shop.name,
            "platform": shop.platform,
            "status": "ended",
            "daily_inquiries_estimate": 0,
        },
        follow=True,
    )
    html = response.content.decode()
    assert "1 sub-account is still to revoke:" in html
    assert f'href="/sub-accounts/{account.pk}/revoke/"' in html
    detail = manager_client.get(f"/shops/{shop.pk}/").content.decode()
    assert "Closed Shop:阿杰" in detail and "to revoke" in detail


def test_shop_and_agent_pages_list_their_sub_accounts(manager_client, agency):
    account = agency.sub_accounts[0]
    shop_page = manager_client.get(f"/shops/{account.shop.pk}/").content.decode()
    agent_page = manager_client.get(f"/agents/{account.agent.pk}/").content.decode()
    for html in (shop_page, agent_page):
        assert account.name in html and "2026-01-01" in html
        assert "to revoke" not in html
    other = manager_client.get(f"/shops/{agency.shops[1].pk}/").content.decode()
    assert "No sub-accounts recorded." in other


def test_the_dashboard_counts_and_lists_the_sub_accounts_to_revoke(manager_client, agency):
    html = manager_client.get("/").content.decode()
    assert "Sub-accounts to revoke" not in html
    gone = AgentFactory(name="Gone Away", status="left")
    due = SubAccountFactory(shop=agency.shops[0], agent=gone, name=f"{agency.shops[0].name}:走了")
    response = manager_client.get("/")
    html = response.content.decode()
    assert response.context["board"].revoke_count == 1
    assert "Sub-accounts to revoke" in html and "1 sub-account to revoke" in html
    assert f'href="/sub-accounts/{due.pk}/revoke/"' in html
    assert "the agent has left" in html
    assert 'href="/sub-accounts/?state=to_revoke"' in html
    to_revoke = manager_client.get(f"{LIST}?state=to_revoke").context["accounts"]
    assert list(to_revoke) == [due]


def test_the_dashboard_costs_the_same_with_sub_accounts_to_revoke(manager_client, agency, owner_a):
    small = count_queries(manager_client, "/")
    gone = AgentFactory(status="left")
    for shop in agency.shops:
        SubAccountFactory(shop=shop, agent=gone)
    assert count_queries(manager_client, "/") == small


def test_the_pages_speak_the_trades_words_in_chinese(manager_client, agency):
    gone = AgentFactory(name="走了", status="left")
    SubAccountFactory(shop=agency.shops[0], agent=gone, name=f"{agency.shops[0].name}:走了")
    manager_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    listing = manager_client.get(LIST).content.decode()
    assert "<h1>子账号</h1>" in listing and "开通子账号" in listing and "收回…" in listing
    assert "待收回" in listing and "使用中" in listing
    dashboard = manager_client.get("/").content.decode()
    assert "待收回的子账号" in dashboard and "客服已离职" in dashboard
