"""English and Simplified Chinese: the switch, the catalogue, and numbers in both."""

import ast
import gettext
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from web.templatetags.web_tags import count, money, percent, ratio

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> first msgstr of a .po file (enough to compare it with its compiled .mo)."""
    entries: dict[str, str] = {}
    msgid = msgstr = None
    field = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(("msgid ", "msgid_plural ", "msgstr", '"')):
            if line.startswith("msgid "):
                msgid, msgstr, field = "", "", "id"
            elif line.startswith("msgid_plural "):
                field = "plural"
            elif line.startswith("msgstr"):
                field = "str" if msgstr == "" else "more"
            text = ast.literal_eval(line[line.index('"') :])
            if field == "id":
                msgid += text
            elif field == "str":
                msgstr += text
        elif not line.strip() and msgid is not None:
            entries[msgid] = msgstr
            msgid = None
    return entries


def test_every_message_is_translated_and_compiled():
    entries = po_entries(CATALOGUE / "django.po")
    untranslated = [msgid for msgid, msgstr in entries.items() if msgid and not msgstr]
    assert untranslated == []
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [
        msgid
        for msgid, msgstr in entries.items()
        if msgid and catalogue._catalog.get(msgid, catalogue._catalog.get((msgid, 0))) != msgstr
    ]
    assert stale == [], "run compilemessages"


def test_the_trades_words_are_used():
    with translation.override("zh-hans"):
        assert translation.gettext("Conversion rate") == "询单转化率"
        assert translation.gettext("Answer/question ratio") == "答问比"
        assert translation.gettext("Day shift") == "白班"
        assert translation.gettext("Night shift") == "晚班"
        assert translation.gettext("Seats") == "坐席"
        assert translation.gettext("Monthly turnover") == "月营业额"


@pytest.mark.django_db
def test_the_language_switch_renders_the_dashboard_in_chinese(manager_client):
    english = manager_client.get("/").content.decode()
    assert "<title>Dashboard · " in english and '<html lang="en">' in english
    response = manager_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    chinese = manager_client.get("/").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert "<title>工作台 · " in chinese
    assert "<h1>工作台</h1>" in chinese
    assert "今日值班" in chinese
    assert '<option value="zh-hans" lang="zh-hans" selected>简体中文</option>' in chinese


@pytest.mark.django_db
def test_model_choices_are_translated(manager_client, agency):
    manager_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = manager_client.get(f"/shops/{agency.shops[0].pk}/").content.decode()
    assert "长期全天（包月）" in html  # Plan.FULL_DAY
    assert "淘宝" in html  # Shop.Platform.TAOBAO


@pytest.mark.django_db
def test_the_login_page_speaks_the_browsers_language():
    html = Client(headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get("/accounts/login/")
    assert "<h1>登录</h1>" in html.content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_numbers_read_the_same_in_both_languages_as_on_the_invoice(language):
    with translation.override(language):
        assert money("1016.125") == "1,016.13"  # half-up, like every money figure
        assert money(Decimal("1500")) == "1,500.00"
        assert money("-4000") == "-4,000.00"
        assert money(None) == "–"
        assert count(12345) == "12,345"
        assert percent("0.7235") == "72.4%"
        assert percent(None) == "–"
        assert ratio("1.255") == "1.26"
