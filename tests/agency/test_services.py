"""model_update: the field-by-field change every update service makes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from agency.services import model_update, record_actor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_model_update_refuses_an_unknown_field_by_name_and_changes_nothing(shop_a):
    with pytest.raises(ValidationError) as caught:
        model_update(instance=shop_a, data={"name": "New", "secret": 1, "id": 9}, fields=["name"])
    assert caught.value.message_dict == {
        "id": ["This field cannot be changed."],
        "secret": ["This field cannot be changed."],
    }
    shop_a.refresh_from_db()
    assert shop_a.name == "Shop A"


def test_model_update_speaks_the_readers_language_when_refusing(shop_a):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        model_update(instance=shop_a, data={"secret": 1}, fields=["name"])
    assert caught.value.message_dict["secret"] == ["此字段不可修改。"]


def test_model_update_saves_only_the_changed_fields(shop_a):
    with CaptureQueriesContext(connection) as queries:
        changed = model_update(
            instance=shop_a,
            data={"name": "Shop A", "category": "Tea", "daily_inquiries_estimate": 40},
            fields=["name", "category", "daily_inquiries_estimate"],
        )
    assert changed == ["category", "daily_inquiries_estimate"]
    update = next(query["sql"] for query in queries.captured_queries if "UPDATE" in query["sql"])
    assert '"name"' not in update and '"category"' in update and '"updated_at"' in update
    shop_a.refresh_from_db()
    assert (shop_a.category, shop_a.daily_inquiries_estimate) == ("Tea", 40)


def test_model_update_saves_nothing_when_nothing_changed(shop_a, owner_a):
    before = shop_a.history.count()
    with CaptureQueriesContext(connection) as queries:
        changed = model_update(
            instance=shop_a, data={"name": "Shop A", "owner": owner_a}, fields=["name", "owner"]
        )
    assert changed == []
    assert queries.captured_queries == []  # related objects are compared by id
    assert shop_a.history.count() == before


def test_model_update_validates_the_changed_instance_before_saving(shop_a):
    def validate(shop):
        raise ValidationError({"name": ["Refused."]})

    with pytest.raises(ValidationError):
        model_update(instance=shop_a, data={"name": "New"}, fields=["name"], validate=validate)
    shop_a.refresh_from_db()
    assert shop_a.name == "Shop A"


def test_model_update_names_the_actor_and_the_reason_in_the_history(shop_a, manager):
    model_update(
        instance=shop_a, data={"name": "New"}, fields=["name"], actor=manager, reason="renamed"
    )
    latest = shop_a.history.first()
    assert (latest.name, latest.history_user, latest.history_change_reason) == (
        "New",
        manager,
        "renamed",
    )


def test_record_actor_leaves_the_history_anonymous_without_an_actor(shop_a):
    record_actor(shop_a, None)
    shop_a.name = "Nobody's"
    shop_a.save()
    assert shop_a.history.first().history_user is None


def test_model_update_changes_a_related_object_by_id(shop_a):
    other = UserFactory(username="other")
    assert model_update(instance=shop_a, data={"owner": other}, fields=["owner"]) == ["owner"]
    shop_a.refresh_from_db()
    assert shop_a.owner == other
