"""Platform sub-accounts (旺旺子账号): granting, editing and revoking them, who sees them, and
which are still to be revoked because the agent left or the shop's last contract ended."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from agency.errors import NotPermitted, StateConflict
from seats import selectors, services
from seats.models import SubAccount
from tests.factories import AgentFactory, ContractFactory, ShopFactory
from tests.seats.conftest import TODAY
from tests.seats.factories import SubAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fawn(today, owner_a):
    return ShopFactory(owner=owner_a, name="小鹿童装旗舰店")


@pytest.fixture
def mei(today):
    return AgentFactory(name="王小美")


def _grant(shop, agent, name="小美", **kwargs):
    return services.sub_account_grant(shop=shop, agent=agent, name=name, **kwargs)


def _messages(error: ValidationError) -> dict[str, str]:
    return {field: " ".join(messages) for field, messages in error.message_dict.items()}


# --- Granting ---------------------------------------------------------------------------------


def test_a_sub_account_is_stored_as_exports_write_it_shop_colon_account(fawn, mei, manager):
    written = _grant(fawn, mei, "小美", actor=manager)
    prefixed = _grant(fawn, mei, "小鹿童装旗舰店:小红")
    full_width = _grant(fawn, mei, " 小鹿童装旗舰店：小兰 ")
    assert [written.name, prefixed.name, full_width.name] == [
        "小鹿童装旗舰店:小美",
        "小鹿童装旗舰店:小红",
        "小鹿童装旗舰店:小兰",
    ]
    assert written.granted_on == TODAY and written.revoked_on is None
    assert written.history.get().history_user == manager


def test_a_sub_account_must_belong_to_its_shop(fawn, mei):
    with pytest.raises(ValidationError) as error:
        _grant(fawn, mei, "大熊户外专营店:小美")
    assert "小鹿童装旗舰店" in _messages(error.value)["name"]
    with pytest.raises(ValidationError) as error:
        _grant(fawn, mei, "小鹿童装旗舰店:")
    assert "name" in error.value.message_dict
    assert not SubAccount.objects.exists()


def test_one_active_sub_account_per_shop_and_name(fawn, mei):
    _grant(fawn, mei, "小美", granted_on=dt.date(2026, 9, 1))
    other = AgentFactory(name="李娜")
    with pytest.raises(ValidationError) as error:
        _grant(fawn, other, "小美")
    assert "王小美" in _messages(error.value)["name"]
    # Another shop may have an account of the same name.
    assert _grant(ShopFactory(name="大熊户外专营店"), other, "小美").name == "大熊户外专营店:小美"


def test_a_revoked_name_can_be_granted_again(fawn, mei):
    first = _grant(fawn, mei, "小美", granted_on=dt.date(2026, 9, 1))
    services.sub_account_revoke(sub_account=first, revoked_on=dt.date(2026, 10, 1))
    second = _grant(fawn, AgentFactory(name="李娜"), "小美")
    assert SubAccount.objects.filter(name="小鹿童装旗舰店:小美").count() == 2
    assert list(SubAccount.objects.active()) == [second]


def test_an_agent_who_has_left_gets_no_sub_account(fawn):
    gone = AgentFactory(name="赵六", status="left")
    with pytest.raises(ValidationError) as error:
        _grant(fawn, gone)
    assert "赵六" in _messages(error.value)["agent"]


def test_nothing_is_granted_in_the_future(fawn, mei):
    with pytest.raises(ValidationError) as error:
        _grant(fawn, mei, granted_on=TODAY + dt.timedelta(days=1))
    assert "granted_on" in error.value.message_dict


def test_only_managers_grant(fawn, mei, owner_a):
    with pytest.raises(NotPermitted):
        _grant(fawn, mei, actor=owner_a)


def test_refusals_are_in_chinese_under_zh_hans(fawn, mei):
    gone = AgentFactory(name="赵六", status="left")
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as error:
            _grant(fawn, gone, "大熊户外专营店:小美", granted_on=TODAY + dt.timedelta(days=1))
        messages = _messages(error.value)
        assert set(messages) == {"name", "agent", "granted_on"}
        assert all("子账号" in text for text in messages.values()), messages


# --- Editing and revoking ---------------------------------------------------------------------


def test_update_checks_the_same_rules_and_keeps_the_shop(fawn, mei, manager):
    account = _grant(fawn, mei, "小美", granted_on=dt.date(2026, 9, 1))
    _grant(fawn, mei, "小红")
    with pytest.raises(ValidationError) as error:
        services.sub_account_update(sub_account=account, data={"name": "小红"}, actor=manager)
    assert "name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.sub_account_update(sub_account=account, data={"shop": ShopFactory()})
    assert "shop" in error.value.message_dict
    account.refresh_from_db()
    services.sub_account_update(sub_account=account, data={"name": "小美2"}, actor=manager)
    account.refresh_from_db()
    assert account.name == "小鹿童装旗舰店:小美2"


def test_a_sub_account_held_by_an_agent_who_left_can_still_be_corrected(fawn, mei):
    account = _grant(fawn, mei, "小美", granted_on=dt.date(2026, 9, 1))
    mei.status = "left"
    mei.save()
    services.sub_account_update(sub_account=account, data={"granted_on": dt.date(2026, 8, 1)})
    with pytest.raises(ValidationError):
        services.sub_account_update(
            sub_account=account, data={"agent": AgentFactory(status="left")}
        )


def test_revoke_defaults_to_today_and_refuses_the_future_and_before_the_grant(fawn, mei):
    account = _grant(fawn, mei, granted_on=dt.date(2026, 9, 1))
    with pytest.raises(ValidationError) as error:
        services.sub_account_revoke(sub_account=account, revoked_on=dt.date(2026, 8, 31))
    assert "revoked_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.sub_account_revoke(sub_account=account, revoked_on=TODAY + dt.timedelta(days=1))
    assert "revoked_on" in error.value.message_dict
    account = services.sub_account_revoke(sub_account=account)
    assert account.revoked_on == TODAY
    with pytest.raises(StateConflict):
        services.sub_account_revoke(sub_account=account)


# --- Selectors --------------------------------------------------------------------------------


def test_owners_see_only_their_shops_sub_accounts(fawn, mei, manager, owner_a, owner_b):
    mine = _grant(fawn, mei)
    theirs = _grant(ShopFactory(owner=owner_b, name="大熊户外专营店"), mei)
    assert set(selectors.sub_account_list(user=manager)) == {mine, theirs}
    assert list(selectors.sub_account_list(user=owner_a)) == [mine]
    assert list(selectors.sub_account_list(user=owner_b)) == [theirs]


def test_sub_accounts_to_revoke_are_those_of_agents_who_left_or_shops_whose_contracts_ended(
    today, django_assert_num_queries
):
    served = ShopFactory(name="served")
    ContractFactory(shop=served, start_date=dt.date(2026, 1, 1), end_date=None)
    ends_today = ShopFactory(name="ends today")
    ContractFactory(shop=ends_today, start_date=dt.date(2026, 1, 1), end_date=TODAY)
    starts_later = ShopFactory(name="starts later")
    ContractFactory(shop=starts_later, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 1))
    ContractFactory(shop=starts_later, start_date=dt.date(2026, 11, 1), end_date=None)
    ended = ShopFactory(name="ended")
    ContractFactory(shop=ended, start_date=dt.date(2026, 1, 1), end_date=TODAY - dt.timedelta(1))
    never = ShopFactory(name="never contracted")
    working, gone = AgentFactory(), AgentFactory(status="left")

    keep = [
        SubAccountFactory(shop=shop, agent=working) for shop in (served, ends_today, starts_later)
    ]
    due_shop = [SubAccountFactory(shop=shop, agent=working) for shop in (ended, never)]
    due_agent = SubAccountFactory(shop=served, agent=gone)
    SubAccountFactory(shop=ended, agent=gone, revoked_on=TODAY)  # revoked already

    with django_assert_num_queries(1):
        due = list(selectors.sub_accounts_to_revoke(today=TODAY))
        reasons = {account.pk: (account.agent.status, account.shop_served) for account in due}
    assert {account.pk for account in due} == {a.pk for a in [*due_shop, due_agent]}
    assert reasons[due_agent.pk] == ("left", True)
    assert reasons[due_shop[0].pk] == ("active", False)
    assert not set(keep) & set(due)
    assert list(selectors.sub_accounts_to_revoke(today=TODAY, agent_ids=[gone.pk])) == [due_agent]
    assert list(selectors.sub_accounts_to_revoke(today=TODAY, shop_ids=[ended.pk])) == [due_shop[0]]


# --- API ----------------------------------------------------------------------------------------


def test_api_grant_edit_revoke(manager_api, fawn, mei):
    url = "/api/v1/sub-accounts/"
    created = manager_api.post(
        url, {"shop": fawn.pk, "agent": mei.pk, "name": "小美", "granted_on": "2026-10-01"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body == {
        "id": body["id"],
        "shop": fawn.pk,
        "agent": mei.pk,
        "name": "小鹿童装旗舰店:小美",
        "granted_on": "2026-10-01",
        "revoked_on": None,
    }
    again = manager_api.post(url, {"shop": fawn.pk, "agent": mei.pk, "name": "小美"})
    assert again.status_code == 400 and "name" in again.json()
    patched = manager_api.patch(f"{url}{body['id']}/", {"granted_on": "2026-09-30"}, format="json")
    assert patched.status_code == 200 and patched.json()["granted_on"] == "2026-09-30"
    moved = manager_api.patch(f"{url}{body['id']}/", {"shop": 1}, format="json")
    assert moved.status_code == 400 and "shop" in moved.json()
    revoked = manager_api.post(f"{url}{body['id']}/revoke/", {"revoked_on": "2026-10-14"})
    assert revoked.status_code == 200 and revoked.json()["revoked_on"] == "2026-10-14"
    assert manager_api.post(f"{url}{body['id']}/revoke/").status_code == 409


def test_api_filters_by_shop_agent_active_and_to_revoke(manager_api, fawn, mei):
    ContractFactory(shop=fawn, start_date=dt.date(2026, 1, 1))
    active = SubAccountFactory(shop=fawn, agent=mei)
    revoked = SubAccountFactory(shop=fawn, agent=mei, revoked_on=dt.date(2026, 2, 1))
    gone = SubAccountFactory(shop=fawn, agent=AgentFactory(status="left"))
    elsewhere = SubAccountFactory()

    def ids(query: str) -> set[int]:
        response = manager_api.get(f"/api/v1/sub-accounts/?{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"shop={fawn.pk}") == {active.pk, revoked.pk, gone.pk}
    assert ids(f"agent={mei.pk}") == {active.pk, revoked.pk}
    assert ids("active=true") == {active.pk, gone.pk, elsewhere.pk}
    assert ids("active=false") == {revoked.pk}
    assert ids("to_revoke=true") == {gone.pk, elsewhere.pk}


def test_api_errors_follow_accept_language(manager_api, fawn, mei):
    response = manager_api.post(
        "/api/v1/sub-accounts/",
        {"shop": fawn.pk, "agent": mei.pk, "name": "别家店:小美"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code == 400
    assert "子账号" in response.json()["name"][0]


def test_the_first_sub_accounts_to_revoke_come_with_their_count_in_one_query(
    today, django_assert_num_queries
):
    gone = AgentFactory(status="left")
    accounts = [SubAccountFactory(agent=gone) for _ in range(3)]
    with django_assert_num_queries(1):
        count, first = selectors.sub_accounts_to_revoke_first(today=TODAY, limit=2)
    assert count == 3 and len(first) == 2 and set(first) <= set(accounts)
    assert selectors.sub_accounts_to_revoke_first(today=TODAY, limit=2)[0] == 3
    SubAccount.objects.update(revoked_on=TODAY)
    assert selectors.sub_accounts_to_revoke_first(today=TODAY, limit=2) == (0, [])
