"""DSR ratings: recorded by managers (one or a list, all or none), never changed or deleted."""

import pytest

from shops.models import DsrRating
from tests.factories import DsrRatingFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/dsr-ratings/"


def detail(rating) -> str:
    return f"/api/v1/dsr-ratings/{rating.pk}/"


def row(shop, order_id="T1", **overrides) -> dict:
    return {
        "shop": shop.pk,
        "buyer": "tb_buyer_1",
        "order_id": order_id,
        "rated_at": "2026-10-15T20:15:00+08:00",
        "paid_with_alipay": True,
        "description": 5,
        "service": 4,
        "logistics": 3,
        **overrides,
    }


# --- Recording ----------------------------------------------------------------------------------


def test_manager_records_one_rating(manager_api, shop_a):
    response = manager_api.post(LIST, row(shop_a), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == DsrRating.objects.get().pk
    assert {k: body[k] for k in ("shop", "order_id", "rated_at", "service")} == {
        "shop": shop_a.pk,
        "order_id": "T1",
        "rated_at": "2026-10-15T20:15:00+08:00",
        "service": 4,
    }


def test_manager_records_a_list_of_ratings(manager_api, shop_a, shop_b):
    rows = [row(shop_a, "T1"), row(shop_a, "T2"), row(shop_b, "T1", paid_with_alipay=False)]
    response = manager_api.post(LIST, rows, format="json")
    assert response.status_code == 201
    body = response.json()
    assert [r["order_id"] for r in body] == ["T1", "T2", "T1"]
    assert all(r["id"] for r in body)
    assert DsrRating.objects.count() == 3


def test_a_list_is_recorded_all_or_none_with_errors_per_row(manager_api, shop_a):
    rows = [
        row(shop_a, "T1"),
        row(shop_a, "T2", service=6),
        row(shop_a, "T3"),
        row(shop_a, "T4", description=0, rated_at="soon"),
    ]
    response = manager_api.post(LIST, rows, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "Nothing was recorded" in body["detail"]
    assert {(e["row"], e["field"]) for e in body["errors"]} == {
        (2, "service"),
        (4, "description"),
        (4, "rated_at"),
    }
    assert all(e["message"] for e in body["errors"])
    assert not DsrRating.objects.exists()


def test_rules_checked_across_rows_also_refuse_the_whole_list(manager_api, shop_a):
    DsrRatingFactory(shop=shop_a, order_id="OLD")
    rows = [
        row(shop_a, "NEW"),
        row(shop_a, "OLD"),
        row(shop_a, "NEW"),
        {**row(shop_a), "shop": 999},
    ]
    response = manager_api.post(LIST, rows, format="json")
    assert response.status_code == 400
    errors = {(e["row"], e["field"]): e["message"] for e in response.json()["errors"]}
    assert "already has a rating" in errors[(2, "order_id")]
    assert "also in row 1" in errors[(3, "order_id")]
    assert "not found" in errors[(4, "shop")]
    assert DsrRating.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"), [("description", 0), ("service", 6), ("logistics", -1)]
)
def test_stars_go_from_1_to_5(manager_api, shop_a, field, value):
    response = manager_api.post(LIST, row(shop_a, **{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not DsrRating.objects.exists()


def test_an_order_is_rated_once(manager_api, shop_a, shop_b):
    DsrRatingFactory(shop=shop_a, order_id="T1")
    response = manager_api.post(LIST, row(shop_a, "T1"), format="json")
    assert response.status_code == 400
    assert "never changed" in response.json()["order_id"][0]
    # Order ids are the platform's, per shop.
    assert manager_api.post(LIST, row(shop_b, "T1"), format="json").status_code == 201


def test_an_empty_list_is_400(manager_api):
    response = manager_api.post(LIST, [], format="json")
    assert response.status_code == 400
    assert "at least one" in response.json()["detail"]


def test_a_list_of_non_objects_is_400_per_row(manager_api, shop_a):
    response = manager_api.post(LIST, [row(shop_a), "x"], format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 2


# --- Never changed or deleted -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_ratings_are_never_changed_or_deleted(manager_api, owner_a_api, shop_a, method):
    rating = DsrRatingFactory(shop=shop_a)
    for client in (manager_api, owner_a_api):
        assert getattr(client, method)(detail(rating), {}, format="json").status_code == 405
        assert getattr(client, method)(LIST, {}, format="json").status_code == 405
    assert DsrRating.objects.filter(pk=rating.pk, service=5).exists()


# --- Tenancy ------------------------------------------------------------------------------------


def test_rating_endpoints_need_credentials(api, shop_a):
    rating = DsrRatingFactory(shop=shop_a)
    assert api.get(LIST).status_code == 401
    assert api.post(LIST, row(shop_a), format="json").status_code == 401
    assert api.get(detail(rating)).status_code == 401


def test_owners_read_their_shops_ratings_only(owner_a_api, owner_b_api, shop_a, shop_b):
    mine = DsrRatingFactory(shop=shop_a)
    theirs = DsrRatingFactory(shop=shop_b)
    assert [r["id"] for r in owner_a_api.get(LIST).json()["results"]] == [mine.pk]
    assert owner_a_api.get(detail(mine)).status_code == 200
    assert owner_a_api.get(detail(theirs)).status_code == 404
    assert owner_b_api.get(detail(mine)).status_code == 404


def test_owners_do_not_record_ratings(owner_a_api, shop_a):
    assert owner_a_api.post(LIST, row(shop_a), format="json").status_code == 403
    assert owner_a_api.post(LIST, [row(shop_a)], format="json").status_code == 403
    assert not DsrRating.objects.exists()


def test_manager_reads_every_rating_and_filters_them(manager_api, shop_a, shop_b):
    DsrRatingFactory(shop=shop_a, buyer="x", paid_with_alipay=False)
    DsrRatingFactory(shop=shop_b, buyer="y")
    assert manager_api.get(LIST).json()["count"] == 2
    assert manager_api.get(f"{LIST}?shop={shop_b.pk}").json()["count"] == 1
    assert manager_api.get(f"{LIST}?buyer=x").json()["count"] == 1
    assert manager_api.get(f"{LIST}?paid_with_alipay=false").json()["count"] == 1
