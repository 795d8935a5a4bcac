"""The portal in Simplified Chinese: the language a browser asks for, or the one chosen."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

import portal

pytestmark = pytest.mark.django_db

CATALOG = Path(portal.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TRADE_WORDS = (
    "白班",
    "晚班",
    "交接",
    "询单转化率",
    "答问比",
    "首次响应",
    "客服销售额",
    "店铺动态评分",
    "宝贝与描述相符",
    "卖家服务态度",
    "物流服务",
    "支付宝",
    "营业额",
    "账单",
)


def shop_page(client, shop) -> str:
    response = client.get(reverse("portal:shop", kwargs={"pk": shop.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_browser_asking_for_chinese_gets_the_trades_words(zh_client, served_a):
    content = shop_page(zh_client, served_a.shop)
    assert '<html lang="zh-hans">' in content
    for word in TRADE_WORDS:
        assert word in content, word
    for english in ("Service this month and last", "Coverage today", "Why some ratings"):
        assert english not in content


def test_dates_months_and_money_follow_the_language(zh_client, served_a):
    content = shop_page(zh_client, served_a.shop)
    assert "2026-11-15" in content  # today, by the date rule (agency/formats)
    assert "2026年10月" in content  # the month of the invoice
    assert "7,096.78" in content and "300,000.00" in content


def test_the_invoice_and_its_commission_statement_in_chinese(zh_client, served_a):
    response = zh_client.get(reverse("portal:invoice", kwargs={"pk": served_a.invoice.pk}))
    content = response.content.decode()
    for text in (
        "提成明细",
        "31 天中的 21 天",
        "203,225.81",
        "提成合计",
        "5,064.52",
        "合计（元，含税）",
    ):
        assert text in content, text


def test_the_language_cookie_chooses_chinese(owner_a, served_a):
    client = Client()
    client.force_login(owner_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    content = shop_page(client, served_a.shop)
    assert "询单转化率" in content and "Conversion rate" not in content


def test_the_language_switcher_sets_chinese(owner_a, served_a):
    client = Client()
    client.force_login(owner_a)
    url = reverse("portal:shop", kwargs={"pk": served_a.shop.pk})
    client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert "宝贝与描述相符" in shop_page(client, served_a.shop)


def test_english_is_the_default(owner_a_client, served_a):
    content = shop_page(owner_a_client, served_a.shop)
    assert "Service this month and last" in content and "询单转化率" not in content


def test_the_404_page_in_chinese(zh_client, served_b):
    response = zh_client.get(reverse("portal:shop", kwargs={"pk": served_b.shop.pk}))
    assert response.status_code == 404
    assert "此页面不存在，或不属于您的账户" in response.content.decode()


def test_a_service_refusal_reaches_the_owner_in_chinese(zh_client, shop_a):
    url = reverse("portal:shop-turnover", kwargs={"pk": shop_a.pk})
    response = zh_client.post(url, {"month": "2026-10", "amount": "-1.00"})
    assert "营业额不能为负数。" in response.content.decode()


def test_plural_sentences_use_the_chinese_form(served_a):
    with translation.override("zh-hans"):
        text = translation.ngettext(
            "%(n)s rating was left out because the buyer did not pay through Alipay. Only "
            "trades paid through Alipay count.",
            "%(n)s ratings were left out because the buyers did not pay through Alipay. Only "
            "trades paid through Alipay count.",
            5,
        ) % {"n": 5}
    assert text.startswith("有 5 条评分未计入")


def test_every_portal_text_has_a_chinese_translation():
    """No empty or fuzzy entry in the portal's catalog (run makemessages, then translate)."""
    entries = CATALOG.read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = []
    for entry in entries:
        if entry.startswith("#~") or not entry.strip():
            continue
        # An empty msgstr is "" with no continuation line after it.
        if "#, fuzzy" in entry or re.search(r'^msgstr(\[0\])? ""\n(?!")', entry + "\n", re.M):
            untranslated.append(entry)
    assert untranslated == []
    assert CATALOG.with_suffix(".mo").stat().st_mtime >= CATALOG.stat().st_mtime - 1


def test_a_browser_in_mainland_chinese_gets_simplified_chinese(owner_a, served_a):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.8")
    client.force_login(owner_a)
    assert "询单转化率" in shop_page(client, served_a.shop)


def test_the_switch_is_remembered_for_the_owners_emails(owner_a, served_a):
    client = Client()
    client.force_login(owner_a)
    assert (owner_a.language, owner_a.email_language) == ("", "zh-hans")  # new accounts' language

    response = client.post(reverse("set_language"), {"language": "en", "next": "/portal/"})

    assert response.status_code == 302
    owner_a.refresh_from_db()
    assert (owner_a.language, owner_a.email_language) == ("en", "en")


@pytest.mark.parametrize("language", ["xx", "fr", ""])
def test_an_unknown_language_is_neither_used_nor_remembered(owner_a, language):
    client = Client()
    client.force_login(owner_a)
    client.post(reverse("set_language"), {"language": language, "next": "/portal/"})
    owner_a.refresh_from_db()
    assert owner_a.language == ""


def test_a_visitor_switching_language_is_not_remembered_anywhere():
    response = Client().post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_the_accounts_language_follows_the_owner_to_a_new_browser(owner_a, served_a):
    owner_a.language = "zh-hans"
    owner_a.save(update_fields=["language"])
    client = Client(headers={"accept-language": "en"})  # a browser that asks for English
    client.force_login(owner_a)

    assert "宝贝与描述相符" in shop_page(client, served_a.shop)


def test_this_browsers_own_choice_wins_over_the_accounts(owner_a, served_a):
    owner_a.language = "zh-hans"
    owner_a.save(update_fields=["language"])
    client = Client()
    client.force_login(owner_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    content = shop_page(client, served_a.shop)
    assert "Service this month and last" in content and "询单转化率" not in content
