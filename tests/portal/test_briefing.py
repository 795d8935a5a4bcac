"""The agents' briefing: owners edit it through ``shop_update``; every change is in the history."""

import pytest
import time_machine
from django.urls import reverse

from shops.selectors import briefing_changes
from shops.services import shop_update
from tests.portal.factories import TODAY, shanghai

pytestmark = pytest.mark.django_db


def briefing_url(shop) -> str:
    return reverse("portal:shop-briefing", kwargs={"pk": shop.pk})


def test_the_owner_edits_the_briefing_and_the_change_is_recorded(owner_a_client, owner_a, shop_a):
    text = "发货：48小时内\n退换：7天无理由\n快捷短语：亲，在的～"
    response = owner_a_client.post(briefing_url(shop_a), {"briefing": text}, follow=True)
    assert response.redirect_chain == [(briefing_url(shop_a), 302)]
    shop_a.refresh_from_db()
    assert shop_a.briefing == text
    latest = shop_a.history.latest()
    assert (latest.history_user, latest.briefing) == (owner_a, text)
    content = response.content.decode()
    assert "The briefing is saved." in content
    assert "you" in content  # who made the change, in the history table


def test_browser_line_ends_and_trailing_blanks_are_tidied(owner_a_client, shop_a):
    owner_a_client.post(briefing_url(shop_a), {"briefing": "line 1\r\nline 2\r\n\r\n"})
    shop_a.refresh_from_db()
    assert shop_a.briefing == "line 1\nline 2"


def test_an_unchanged_briefing_writes_no_history(owner_a_client, shop_a):
    owner_a_client.post(briefing_url(shop_a), {"briefing": "Same"})
    rows = shop_a.history.count()
    response = owner_a_client.post(briefing_url(shop_a), {"briefing": "Same"}, follow=True)
    assert shop_a.history.count() == rows
    assert "The briefing is unchanged." in response.content.decode()


def test_a_briefing_that_is_too_long_is_refused(owner_a_client, shop_a):
    response = owner_a_client.post(briefing_url(shop_a), {"briefing": "x" * 20_001})
    assert response.status_code == 200
    assert response.context["form"].errors["briefing"]
    shop_a.refresh_from_db()
    assert shop_a.briefing == ""


def test_the_history_lists_briefing_changes_with_who_and_when(owner_a, manager, shop_a):
    with time_machine.travel(shanghai(TODAY, 11, 0), tick=False):
        shop_update(shop=shop_a, actor=owner_a, data={"briefing": "v1"})
    with time_machine.travel(shanghai(TODAY, 11, 30), tick=False):
        shop_update(shop=shop_a, actor=manager, data={"status": "paused"})  # not a briefing change
    with time_machine.travel(shanghai(TODAY, 12, 0), tick=False):
        shop_update(shop=shop_a, actor=manager, data={"briefing": "v2"})
    changes = briefing_changes(shop=shop_a)
    assert [(change.briefing, change.user) for change in changes] == [
        ("v2", manager),
        ("v1", owner_a),
    ]
    assert changes[0].when == shanghai(TODAY, 12, 0)


def test_the_page_names_the_agency_and_the_owner(owner_a_client, owner_a, manager, shop_a):
    shop_update(shop=shop_a, actor=owner_a, data={"briefing": "v1"})
    shop_update(shop=shop_a, actor=manager, data={"briefing": "v2"})
    content = owner_a_client.get(briefing_url(shop_a)).content.decode()
    assert "the agency" in content and "you" in content
    assert manager.username not in content


def test_the_shop_page_shows_the_briefing_and_its_last_change(owner_a_client, owner_a, shop_a):
    owner_a_client.post(briefing_url(shop_a), {"briefing": "Promotion: 11.11 -20%"})
    content = owner_a_client.get(reverse("portal:shop", kwargs={"pk": shop_a.pk})).content.decode()
    assert "Promotion: 11.11 -20%" in content
    assert "Last changes:" in content and "2026-11-15 10:00" in content


def test_after_a_transfer_the_new_owner_never_learns_who_owned_the_shop(
    owner_a_client, owner_a, owner_b, manager, shop_b
):
    shop_update(shop=shop_b, actor=owner_b, data={"briefing": "written by the first owner"})
    shop_update(shop=shop_b, actor=manager, data={"owner": owner_a})
    content = owner_a_client.get(briefing_url(shop_b)).content.decode()
    assert "an earlier owner of this shop" in content
    assert owner_b.username not in content
