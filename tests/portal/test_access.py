"""Who sees what in the portal: owners their own shops only, managers every shop read-only.

Every portal URL is checked: ``test_every_portal_route_is_checked`` fails when a route is added
to portal/urls.py without an entry in ``ROUTES``, so no page escapes the 404 rule.
"""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from agency.access import HOME_URLS, ROLE_AGENT
from portal import urls as portal_urls
from shops.models import Shop, TurnoverReport
from tests.factories import ShopFactory, TurnoverReportFactory, UserFactory
from tests.portal.factories import NOVEMBER
from tests.seats.factories import SubAccountFactory

pytestmark = pytest.mark.django_db

ROUTES = {
    "home": None,
    "shop": lambda world: world.shop.pk,
    "shop-turnover": lambda world: world.shop.pk,
    "shop-briefing": lambda world: world.shop.pk,
    "turnover-edit": lambda world: world.report.pk,
    "invoice": lambda world: world.invoice.pk,
    "invoice-pdf": lambda world: world.invoice.pk,
    "shop-statement": lambda world: world.shop.pk,
    "shop-statement-pdf": lambda world: world.shop.pk,
    "shop-statement-xlsx": lambda world: world.shop.pk,
}
WITH_ID = sorted(name for name, pk in ROUTES.items() if pk is not None)
WRITES = {
    "shop-turnover": {"month": "2026-11", "amount": "1.00"},
    "shop-briefing": {"briefing": "Overwritten by someone else"},
    "turnover-edit": {"amount": "1.00"},
    # The invoice page takes the owner's fapiao request.
    "invoice": {"type": "general", "buyer_name": "Someone else", "tax_id": "91350100M000100Y43"},
}


def url_of(name: str, world=None, pk: int | None = None) -> str:
    if ROUTES[name] is None:
        return reverse(f"portal:{name}")
    return reverse(f"portal:{name}", kwargs={"pk": pk if pk is not None else ROUTES[name](world)})


@pytest.fixture
def submitted_b(served_b):
    """Owner B's report for November, still open to correction, so a write would show."""
    served_b.report = TurnoverReportFactory(
        shop=served_b.shop, month=NOVEMBER, amount=Decimal("5000.00"), status="submitted"
    )
    return served_b


def _normalised(body: bytes, url: str) -> str:
    text = body.decode().replace(url, "URL")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", text)


def test_every_portal_route_is_checked():
    assert {pattern.name for pattern in portal_urls.urlpatterns} == set(ROUTES)


# --- Anonymous visitors -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_visitors_are_sent_to_the_login_page(anon, served_a, name):
    url = url_of(name, served_a)
    response = anon.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{settings.LOGIN_URL}?next={url}"


def test_anonymous_writes_change_nothing(anon, served_a):
    response = anon.post(url_of("shop-briefing", served_a), {"briefing": "spam"})
    assert response.status_code == 302
    served_a.shop.refresh_from_db()
    assert served_a.shop.briefing == ""


# --- Owners -------------------------------------------------------------------------------------


def test_an_owner_sees_only_their_own_shops(owner_a_client, served_a, served_b):
    second = ShopFactory(owner=served_a.shop.owner, name="Shop A2")
    response = owner_a_client.get(reverse("portal:home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Shop A" in content and second.name in content
    assert "Shop B" not in content
    assert reverse("portal:shop", kwargs={"pk": served_b.shop.pk}) not in content


@pytest.mark.parametrize("name", WITH_ID)
def test_an_owner_opens_every_page_of_their_own_shop(owner_a_client, served_a, name):
    response = owner_a_client.get(url_of(name, served_a))
    assert response.status_code == 200


@pytest.mark.parametrize("name", WITH_ID)
def test_another_owners_urls_answer_404(owner_a_client, served_a, submitted_b, name):
    response = owner_a_client.get(url_of(name, submitted_b))
    assert response.status_code == 404
    content = response.content.decode()
    assert "This page does not exist or is not yours" in content
    for secret in ("Shop B", "赵强", "钱多多", submitted_b.invoice.number or "INV-"):
        assert secret not in content


@pytest.mark.parametrize("name", WITH_ID)
def test_another_owners_id_reads_exactly_like_a_missing_id(
    owner_a_client, served_a, submitted_b, name
):
    """The 404 says nothing about whether the object exists."""
    missing_pk = 10_000_000
    other = owner_a_client.get(url_of(name, submitted_b))
    missing = owner_a_client.get(url_of(name, pk=missing_pk))
    assert other.status_code == missing.status_code == 404
    assert _normalised(other.content, url_of(name, submitted_b)) == _normalised(
        missing.content, url_of(name, pk=missing_pk)
    )


@pytest.mark.parametrize("name", sorted(WRITES))
def test_an_owners_writes_to_another_shop_answer_404_and_change_nothing(
    owner_a_client, served_a, submitted_b, name
):
    shop_before = Shop.objects.get(pk=submitted_b.shop.pk)
    reports_before = list(TurnoverReport.objects.order_by("pk").values_list("pk", "amount"))
    response = owner_a_client.post(url_of(name, submitted_b), WRITES.get(name, {}))
    assert response.status_code == 404
    assert Shop.objects.get(pk=submitted_b.shop.pk).briefing == shop_before.briefing
    assert list(TurnoverReport.objects.order_by("pk").values_list("pk", "amount")) == reports_before


@pytest.mark.parametrize("name", sorted(set(WITH_ID) - set(WRITES)))
def test_read_only_pages_refuse_posts_alike_for_any_id(owner_a_client, served_a, served_b, name):
    """405 whether the id is the owner's own or not: the answer tells nothing about the id."""
    own = owner_a_client.post(url_of(name, served_a))
    other = owner_a_client.post(url_of(name, served_b))
    assert own.status_code == other.status_code == 405


def test_an_unknown_portal_address_is_a_404(owner_a_client, served_a):
    assert owner_a_client.get("/portal/shops/not-a-number/").status_code == 404


# --- Agents: the portal is not theirs ------------------------------------------------------------


@pytest.fixture
def agent_a_client(served_a) -> Client:
    """The day agent of shop A's seat, signed in: it serves shop A today."""
    user = UserFactory(username="agent_a")
    agent = served_a.note.from_agent
    agent.user = user
    agent.save(update_fields=["user"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", sorted(ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_agent_is_sent_to_the_desk_from_every_portal_page(
    agent_a_client, served_a, name, method
):
    """Even the pages of the shop the agent serves: the portal shows a shop's money."""
    response = getattr(agent_a_client, method)(url_of(name, served_a), WRITES.get(name, {}))
    assert response.status_code == 302
    assert response["Location"] == HOME_URLS[ROLE_AGENT] == "/desk/"


def test_an_agents_portal_writes_change_nothing(agent_a_client, served_a):
    reports_before = list(TurnoverReport.objects.order_by("pk").values_list("pk", "amount"))
    for name, data in WRITES.items():
        agent_a_client.post(url_of(name, served_a), data)
    served_a.shop.refresh_from_db()
    assert served_a.shop.briefing != WRITES["shop-briefing"]["briefing"]
    assert list(TurnoverReport.objects.order_by("pk").values_list("pk", "amount")) == reports_before


# --- Managers: read-only preview ---------------------------------------------------------------


def test_a_manager_lists_every_shop_to_preview(manager_client, served_a, served_b):
    response = manager_client.get(reverse("portal:home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Shop A" in content and "Shop B" in content
    assert "preview its portal" in content


@pytest.mark.parametrize("name", WITH_ID)
def test_a_manager_previews_every_page_of_any_shop(manager_client, served_a, name):
    response = manager_client.get(url_of(name, served_a))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["shop", "shop-turnover", "shop-briefing", "turnover-edit"])
def test_a_managers_preview_shows_the_banner_and_no_form(manager_client, submitted_b, name):
    response = manager_client.get(url_of(name, submitted_b))
    content = response.content.decode()
    assert "Preview" in content and "read-only" in content
    assert 'method="post" class="form"' not in content
    assert 'name="amount"' not in content and 'name="briefing"' not in content


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_managers_preview_refuses_every_write(manager_client, submitted_b, name):
    response = manager_client.post(url_of(name, submitted_b), WRITES[name])
    assert response.status_code == 403
    assert "Read-only preview" in response.content.decode()
    submitted_b.shop.refresh_from_db()
    submitted_b.report.refresh_from_db()
    assert submitted_b.shop.briefing == ""
    assert submitted_b.report.amount == Decimal("5000.00")
    assert TurnoverReport.objects.filter(shop=submitted_b.shop).count() == 2


def test_the_owner_sees_no_preview_banner(owner_a_client, served_a):
    content = owner_a_client.get(url_of("shop", served_a)).content.decode()
    assert "portal-preview" not in content


# --- Account safety ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "shop", "invoice"])
def test_portal_pages_link_to_the_password_change(owner_a_client, served_a, name):
    content = owner_a_client.get(url_of(name, served_a)).content.decode()
    assert f'href="{reverse("password_change")}"' in content


# --- Platform sub-accounts ---------------------------------------------------------------------


def test_an_owner_sees_their_shops_sub_accounts_with_the_agents_first_names_only(
    owner_a_client, manager_client, served_a, served_b
):
    agent = served_a.note.from_agent  # 王小明, the day agent
    mine = SubAccountFactory(shop=served_a.shop, agent=agent, name="Shop A:小明")
    SubAccountFactory(shop=served_a.shop, agent=agent, name="Shop A:旧号", revoked_on=NOVEMBER)
    SubAccountFactory(shop=served_b.shop, agent=agent, name="Shop B:小明")
    content = owner_a_client.get(url_of("shop", served_a)).content.decode()
    assert mine.name in content and "Shop A:旧号" in content
    assert "Shop B:小明" not in content
    section = content.split('id="sub-accounts"')[1].split("</section>")[0]
    assert "小明" in section and "王小明" not in section
    assert "In use" in section
    # The manager's read-only preview shows the same list.
    assert mine.name in manager_client.get(url_of("shop", served_a)).content.decode()


def test_a_shop_without_sub_accounts_says_so(owner_a_client, served_a):
    content = owner_a_client.get(url_of("shop", served_a)).content.decode()
    assert "None of your shop's sub-accounts is in our agents' hands." in content
