"""A shop's billing details: the buyer (购买方) its invoices name, and where they are emailed."""

import pytest
from django.urls import reverse

from shops.models import Shop
from shops.validators import credit_code_check_character, validate_tax_id

VALID_CODE = "91350100M000100Y43"  # a unified social credit code with its check character


def detail(shop) -> str:
    return f"/api/v1/shops/{shop.pk}/"


def test_the_check_character_of_a_unified_social_credit_code():
    assert credit_code_check_character(VALID_CODE[:17]) == VALID_CODE[17]


@pytest.mark.parametrize(
    "value", [VALID_CODE, "91110108551385082Q", "330106123456789", "33010619800101123X01"]
)
def test_credit_codes_and_legacy_tax_numbers_are_accepted(value):
    validate_tax_id(value)


@pytest.mark.django_db
def test_a_manager_saves_the_billing_details_and_the_tax_id_is_stored_as_issued(
    manager_api, shop_a
):
    response = manager_api.patch(
        detail(shop_a),
        {
            "billing_name": "北京小米科技有限责任公司",
            "tax_id": " 91350100m000100y43 ",
            "billing_address": "北京市海淀区清河中街 68 号",
            "billing_email": "finance@xiaomi.example",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["tax_id"] == VALID_CODE
    shop_a.refresh_from_db()
    assert (shop_a.billing_name, shop_a.tax_id, shop_a.billing_email) == (
        "北京小米科技有限责任公司",
        VALID_CODE,
        "finance@xiaomi.example",
    )
    assert shop_a.invoice_email == "finance@xiaomi.example"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tax_id", "91350100M000100Y44"),  # wrong check character
        ("tax_id", "91350100M0001000I3"),  # I is not used in credit codes
        ("tax_id", "12345"),
        ("billing_email", "not-an-address"),
    ],
)
def test_bad_billing_details_are_400_naming_the_field(manager_api, shop_a, field, value):
    response = manager_api.patch(detail(shop_a), {field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert getattr(Shop.objects.get(pk=shop_a.pk), field) == ""


@pytest.mark.django_db
def test_a_bad_tax_id_is_refused_in_chinese(manager_api, shop_a):
    response = manager_api.patch(
        detail(shop_a),
        {"tax_id": "91350100M000100Y44"},
        format="json",
        headers={"Accept-Language": "zh-hans"},
    )
    assert "统一社会信用代码" in response.json()["tax_id"][0]


@pytest.mark.django_db
def test_owners_cannot_change_their_billing_details(owner_a_api, shop_a):
    response = owner_a_api.patch(detail(shop_a), {"tax_id": VALID_CODE}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["tax_id"]


@pytest.mark.django_db
def test_the_manager_form_and_detail_page_carry_the_billing_details(client, manager, shop_a):
    client.force_login(manager)
    url = reverse("web:shop-edit", args=[shop_a.pk])
    form = client.get(url).content.decode()
    for name in ("billing_name", "tax_id", "billing_address", "billing_email"):
        assert f'name="{name}"' in form
    data = {
        "owner": shop_a.owner_id,
        "name": shop_a.name,
        "platform": shop_a.platform,
        "platform_shop_id": shop_a.platform_shop_id,
        "status": shop_a.status,
        "daily_inquiries_estimate": 100,
        "billing_name": "小米科技",
        "tax_id": "91350100M000100Y44",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "check character" in refused.content.decode()
    saved = client.post(url, {**data, "tax_id": VALID_CODE})
    assert saved.status_code == 302
    page = client.get(reverse("web:shop-detail", args=[shop_a.pk])).content.decode()
    assert "小米科技" in page and VALID_CODE in page
