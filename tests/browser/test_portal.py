"""A shop owner in the client portal, in a real browser, on the demo agency (docs/portal.md).

Owner A sees their own shops only, reports last month's turnover, rewrites the agents'
briefing and downloads an invoice; typing the addresses of owner B's shop and invoice gives the
portal's 404 page. Screenshots go to docs/screenshots/portal-*.png, in English and Chinese.
"""

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from playwright.sync_api import Page, expect

from agency import clock
from billing.models import Invoice
from billing.services import invoice_draft_recompute
from shops.models import Shop, TurnoverReport
from tests.browser.pages import heading, messages, switch_language

pytestmark = pytest.mark.browser

OWNER_A_SHOPS = ["小鹿童装旗舰店", "Lucky Deer Outlet"]
OWNER_B_SHOPS = ["山野茶舍", "Mountain Tea Gifts"]
NOT_YOURS = "This page does not exist or is not yours"
BRIEFING = """Products: kids' clothing, sizes 90-160; sizes run small, suggest one size up.
Shipping: paid before 16:00 ships today (顺丰); winter coats pre-sale ships from 12-05.
Returns: 7 days no reason (七天无理由); we pay return postage for faulty items."""


@pytest.fixture
def portal(demo) -> SimpleNamespace:
    """The demo agency (the month before last billed and issued), with owner A's turnover of
    last month not reported yet (their draft of that month waits for it)."""
    last_month = clock.previous_month()
    month_before = clock.previous_month(last_month)
    shop_a = Shop.objects.get(name=OWNER_A_SHOPS[0])
    shop_b = Shop.objects.get(name=OWNER_B_SHOPS[0])
    issued = {
        shop.pk: Invoice.objects.get(
            shop=shop,
            month=month_before,
            status__in=[Invoice.Status.ISSUED, Invoice.Status.PAID],
        )
        for shop in (shop_a, shop_b)
    }
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Test data, not a correction: the demo confirmed this figure, and the database keeps
            # a confirmed turnover (shops/migrations/0005); this transaction alone skips triggers.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        TurnoverReport.objects.filter(shop=shop_a, month=last_month).delete()
    invoice_draft_recompute(shop_id=shop_a.pk, month=last_month)
    return SimpleNamespace(
        shop_a=shop_a,
        shop_b=shop_b,
        invoice_a=issued[shop_a.pk],
        invoice_b=issued[shop_b.pk],
        last_month=last_month,
        month_before=month_before,
    )


def crumb(page: Page, name: str) -> None:
    """Follow a link of the portal's breadcrumbs."""
    page.locator("nav.portal-crumbs").get_by_role("link", name=name).click()


def test_owner_sees_their_shops_reports_turnover_edits_the_briefing_and_gets_invoices(
    portal, page: Page, sign_in, screenshot
):
    shop_a, invoice = portal.shop_a, portal.invoice_a

    sign_in("owner_a")
    expect(heading(page, "My shops")).to_be_visible()
    for name in OWNER_A_SHOPS:
        expect(page.get_by_role("link", name=name)).to_be_visible()
    for name in OWNER_B_SHOPS:
        expect(page.get_by_text(name)).to_have_count(0)
        assert name not in page.content()
    screenshot(page, "portal-home-en")

    page.get_by_role("link", name=shop_a.name).click()
    expect(heading(page, shop_a.name)).to_be_visible()
    expect(page.get_by_role("heading", name="Coverage today")).to_be_visible()
    for name in OWNER_B_SHOPS:  # the seat serves shop B too: never shown
        assert name not in page.content()

    # --- Last month's turnover ----------------------------------------------------------------
    page.get_by_role("link", name="Report turnover").click()
    expect(heading(page, "Monthly turnover")).to_be_visible()
    expect(page.get_by_role("textbox", name="Month", exact=True)).to_have_value(
        f"{portal.last_month:%Y-%m}"
    )
    page.get_by_label("Turnover (CNY)").fill("286000.00")
    page.get_by_role("button", name="Submit turnover").click()
    month = f"{portal.last_month:%B %Y}"
    expect(messages(page)).to_contain_text(f"Thank you: the turnover of {month} is recorded.")
    reported = page.get_by_role("row").filter(has_text=month)
    expect(reported).to_contain_text("286,000.00")
    expect(reported).to_contain_text("Submitted, awaiting confirmation")
    report = TurnoverReport.objects.get(shop=shop_a, month=portal.last_month)
    assert (report.status, str(report.amount)) == ("submitted", "286000.00")

    # --- The agents' briefing -----------------------------------------------------------------
    crumb(page, shop_a.name)
    page.get_by_role("link", name="Edit the briefing").first.click()
    expect(heading(page, "Briefing for our agents")).to_be_visible()
    page.get_by_label("Briefing for agents").fill(BRIEFING)
    page.get_by_role("button", name="Save the briefing").click()
    expect(messages(page)).to_contain_text("The briefing is saved.")
    changes = page.get_by_role("region", name="Recent changes")
    expect(changes.get_by_role("row").nth(1)).to_contain_text("you")
    shop_a.refresh_from_db()
    assert shop_a.briefing == BRIEFING

    crumb(page, shop_a.name)
    briefing = page.get_by_role("region", name="Briefing for our agents")
    expect(briefing).to_contain_text("winter coats pre-sale ships from 12-05")
    screenshot(page, "portal-shop-en")

    # --- An invoice and its PDF ---------------------------------------------------------------
    invoices = page.get_by_role("region", name="Invoices")
    invoices.get_by_role("link", name=f"{portal.month_before:%B %Y}").click()
    expect(heading(page, f"Invoice {invoice.number}")).to_be_visible()
    expect(page.get_by_role("heading", name="Commission statement")).to_be_visible()
    screenshot(page, "portal-invoice-en")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{invoice.number}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    # --- In Chinese -------------------------------------------------------------------------
    switch_language(page, "zh-hans")
    expect(heading(page, f"账单 {invoice.number}")).to_be_visible()
    screenshot(page, "portal-invoice-zh")
    crumb(page, shop_a.name)
    expect(page.get_by_role("heading", name="今日值班")).to_be_visible()
    screenshot(page, "portal-shop-zh")


def test_owner_typing_another_owners_addresses_gets_not_found(portal, page: Page, sign_in):
    shop_b, invoice_b = portal.shop_b, portal.invoice_b

    sign_in("owner_a")
    nowhere = page.goto("/portal/shops/987654321/")
    assert nowhere is not None and nowhere.status == 404
    page_for_nothing = page.locator("main").inner_text()

    for path in (
        f"/portal/shops/{shop_b.pk}/",
        f"/portal/invoices/{invoice_b.pk}/",
        f"/portal/invoices/{invoice_b.pk}/pdf/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        expect(heading(page, NOT_YOURS)).to_be_visible()
        # Word for word the page of an id that exists nowhere: the address reveals nothing.
        assert page.locator("main").inner_text() == page_for_nothing, path
        assert shop_b.name not in page.content()
        assert invoice_b.number not in page.content()
