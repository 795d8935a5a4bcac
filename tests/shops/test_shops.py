"""Shops (店铺): who sees which shop, who may change what, filters and history."""

import pytest

from shops.models import Shop
from shops.services import shop_create, shop_update
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/shops/"


def detail(shop) -> str:
    return f"/api/v1/shops/{shop.pk}/"


# --- Tenancy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/shops/"),
        ("post", "/api/v1/shops/"),
        ("get", "/api/v1/shops/{id}/"),
        ("patch", "/api/v1/shops/{id}/"),
        ("get", "/api/v1/shops/{id}/dsr/"),
        ("get", "/api/v1/shops/{id}/dsr/trend/"),
    ],
)
def test_anonymous_callers_get_401_on_every_shop_endpoint(api, shop_a, method, path):
    response = getattr(api, method)(path.format(id=shop_a.pk), {}, format="json")
    assert response.status_code == 401


def test_owner_lists_only_their_own_shops(owner_a_api, owner_a, shop_a, shop_b):
    second = ShopFactory(owner=owner_a, name="Shop A2")
    response = owner_a_api.get(LIST)
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {shop_a.pk, second.pk}


def test_owner_gets_404_on_another_owners_shop_never_403(owner_b_api, shop_a):
    assert owner_b_api.get(detail(shop_a)).status_code == 404
    response = owner_b_api.patch(detail(shop_a), {"briefing": "hijack"}, format="json")
    assert response.status_code == 404
    shop_a.refresh_from_db()
    assert shop_a.briefing == ""


def test_manager_sees_every_shop(manager_api, shop_a, shop_b):
    response = manager_api.get(LIST)
    assert {row["id"] for row in response.json()["results"]} == {shop_a.pk, shop_b.pk}
    assert manager_api.get(detail(shop_b)).status_code == 200


def test_shop_shows_the_api_fields_with_owner_as_username(owner_a_api, shop_a):
    body = owner_a_api.get(detail(shop_a)).json()
    assert body == {
        "id": shop_a.pk,
        "name": "Shop A",
        "platform": "taobao",
        "platform_shop_id": shop_a.platform_shop_id,
        "category": "",
        "status": "active",
        "owner": "owner_a",
        "daily_inquiries_estimate": 100,
        "briefing": "",
        "billing_name": "",
        "tax_id": "",
        "billing_address": "",
        "billing_email": "",
        "payment_terms_days": None,
    }


# --- Creating -----------------------------------------------------------------------------------


def test_only_managers_create_shops(owner_a_api, owner_a):
    body = {"name": "Mine", "platform": "tmall", "owner": "owner_a"}
    assert owner_a_api.post(LIST, body, format="json").status_code == 403
    assert not Shop.objects.filter(name="Mine").exists()


def test_manager_creates_a_shop_for_an_owner_by_username(manager_api, owner_a):
    body = {
        "name": "小米旗舰店",
        "platform": "tmall",
        "platform_shop_id": "TM-1",
        "category": "phones",
        "status": "prospect",
        "owner": "owner_a",
        "daily_inquiries_estimate": 450,
        "briefing": "7-day returns; ships from Shenzhen within 48 h.",
    }
    response = manager_api.post(LIST, body, format="json")
    assert response.status_code == 201
    created = response.json()
    assert created["owner"] == "owner_a"
    assert created["daily_inquiries_estimate"] == 450
    assert Shop.objects.get(pk=created["id"]).owner == owner_a


def test_unknown_owner_username_is_400_on_owner(manager_api):
    response = manager_api.post(
        LIST, {"name": "X", "platform": "jd", "owner": "nobody"}, format="json"
    )
    assert response.status_code == 400
    assert "owner" in response.json()


def test_bad_platform_and_negative_estimate_are_400_naming_the_fields(manager_api, owner_a):
    body = {"name": "X", "platform": "ebay", "owner": "owner_a", "daily_inquiries_estimate": -1}
    response = manager_api.post(LIST, body, format="json")
    assert response.status_code == 400
    assert {"platform", "daily_inquiries_estimate"} <= set(response.json())


def test_platform_shop_id_is_unique_per_platform(manager_api, shop_a):
    body = {
        "name": "Copy",
        "platform": shop_a.platform,
        "platform_shop_id": shop_a.platform_shop_id,
        "owner": "owner_a",
    }
    response = manager_api.post(LIST, body, format="json")
    assert response.status_code == 400
    assert "already has this shop id" in response.json()["platform_shop_id"][0]
    # The same id on another platform is another shop.
    body["platform"] = "jd"
    assert manager_api.post(LIST, body, format="json").status_code == 201


# --- Changing -----------------------------------------------------------------------------------


def test_owner_keeps_the_briefing_of_their_shop_current(owner_a_api, owner_a, shop_a):
    response = owner_a_api.patch(
        detail(shop_a), {"briefing": "双11: 满300减50; returns within 7 days."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["briefing"].startswith("双11")
    shop_a.refresh_from_db()
    assert shop_a.history.first().history_user == owner_a


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Renamed"},
        {"status": "ended"},
        {"owner": "owner_b"},
        {"owner": "no-such-user"},
        {"daily_inquiries_estimate": 1},
        {"briefing": "ok", "category": "toys"},
    ],
)
def test_owner_changing_anything_but_the_briefing_is_400_naming_the_field(
    owner_a_api, owner_b, shop_a, body
):
    response = owner_a_api.patch(detail(shop_a), body, format="json")
    assert response.status_code == 400
    errors = response.json()
    refused = set(body) - {"briefing"}
    assert set(errors) == refused
    assert all("managers" in errors[field][0] for field in refused)
    shop_a.refresh_from_db()
    assert (shop_a.name, shop_a.owner.username, shop_a.briefing) == ("Shop A", "owner_a", "")


def test_manager_changes_any_field_and_can_hand_a_shop_to_another_owner(
    manager_api, manager, owner_b, shop_a
):
    response = manager_api.patch(
        detail(shop_a), {"owner": "owner_b", "status": "paused", "name": "Shop A+"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["owner"] == "owner_b"
    shop_a.refresh_from_db()
    assert (shop_a.owner, shop_a.status, shop_a.name) == (owner_b, "paused", "Shop A+")
    assert shop_a.history.first().history_user == manager


def test_put_is_not_offered_on_a_shop(manager_api, shop_a):
    response = manager_api.put(detail(shop_a), {"name": "x"}, format="json")
    assert response.status_code == 405


def test_shop_services_record_the_acting_user_in_the_history(manager, owner_a):
    shop = shop_create(actor=manager, owner=owner_a, name="Hist", platform="jd")
    assert shop.history.get().history_user == manager
    shop_update(shop=shop, actor=owner_a, data={"briefing": "new"})
    latest = shop.history.first()
    assert (latest.history_user, latest.briefing) == (owner_a, "new")


def test_shop_update_refuses_owners_other_fields_whatever_the_caller(owner_a, shop_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        shop_update(shop=shop_a, actor=owner_a, data={"status": "ended"})
    assert "status" in caught.value.message_dict


# --- Filters ------------------------------------------------------------------------------------


def test_shops_filter_by_platform_status_owner_and_name(manager_api, owner_a, owner_b):
    tmall = ShopFactory(owner=owner_a, name="Blue Tea House", platform="tmall", status="active")
    jd = ShopFactory(owner=owner_b, name="Green Tea Outlet", platform="jd", status="paused")
    ShopFactory(owner=UserFactory(), name="Coffee Corner", platform="jd", status="active")

    def ids(query: str) -> set[int]:
        response = manager_api.get(f"{LIST}?{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids("platform=tmall") == {tmall.pk}
    assert ids("status=paused") == {jd.pk}
    assert ids("owner=owner_b") == {jd.pk}
    assert ids("q=tea") == {tmall.pk, jd.pk}
    assert ids("q=tea&platform=jd") == {jd.pk}


def test_bad_filter_value_is_400(manager_api):
    response = manager_api.get(f"{LIST}?platform=ebay")
    assert response.status_code == 400
    assert "platform" in response.json()


def test_shop_update_refuses_an_owner_another_owners_shop(owner_b, shop_a):
    from agency.errors import NotPermitted

    with pytest.raises(NotPermitted):
        shop_update(shop=shop_a, actor=owner_b, data={"briefing": "not mine"})
