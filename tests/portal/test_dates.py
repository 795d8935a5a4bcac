"""The portal writes dates by the same rule as the manager app (``agency/formats``): today is
2026-11-15 in both languages (no more "Nov. 15, 2026" / "2026年11月15日"); months are named."""

import pytest
from django.urls import reverse

MONTH = {"en": "October 2026", "zh-hans": "2026年10月"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_shop_page_writes_dates_and_months_by_the_rule(owner_a, served_a, language):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(owner_a)
    content = client.get(reverse("portal:shop", kwargs={"pk": served_a.shop.pk})).content.decode()
    assert f'<html lang="{language}">' in content
    assert "2026-11-15" in content
    assert "Nov. 15, 2026" not in content and "2026年11月15日" not in content
    assert MONTH[language] in content
    shop = served_a.shop.pk
    assert (
        f"/api/v1/shops/{shop}/workloads/export/?date_from=2026-10-01&amp;date_to=2026-11-15"
        "&amp;format=csv"
    ) in content
    assert f"/api/v1/shops/{shop}/invoices/export/?format=xlsx" in content
