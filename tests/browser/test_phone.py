"""The manager app at a phone's width (390 px, an iPhone 12-15): nothing widens the page.

The top bar folds behind a menu button (a checkbox and its label: no script), wide tables
scroll inside their card, the agent's 8-week heatmap fits. Screenshots: docs/screenshots/
phone-*.png with UPDATE_SCREENSHOTS=1.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from seats.models import Agent
from tests.browser.pages import heading, switch_language

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PAGES = [
    ("/", "Dashboard"),
    ("/shops/", "Shops"),
    ("/agents/", "Agents"),
    ("/seats/", "Seats"),
    ("/workloads/import/", "Import workloads"),
    ("/quote/?daily_inquiries=450&coverage=full&days=5", "Quote"),
    ("/billing/", "Billing"),
    ("/billing/invoices/", "Invoices"),
    ("/reports/", "Reports"),
    ("/sub-accounts/", None),
]


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_main_pages_fit_a_phone_and_the_menu_folds(demo, page: Page, sign_in, screenshot):
    sign_in("manager")  # at the desktop width, where the top bar shows everything
    page.set_viewport_size(PHONE)
    agent = Agent.objects.get(employee_no="E001")
    for path, title in [*PAGES, (f"/agents/{agent.pk}/", agent.name)]:
        page.goto(path)
        if title:
            expect(heading(page, title)).to_be_visible()
        assert page_width(page) <= PHONE["width"], path
        name = path.strip("/").split("?")[0].replace("/", "-") or "dashboard"
        screenshot(page, f"phone-{re.sub(r'[0-9]+', 'detail', name)}")

    # The heatmap's 8 weeks fit without scrolling its card.
    page.goto(f"/agents/{agent.pk}/")
    heatmap = page.locator("table.heatmap")
    assert heatmap.evaluate(
        "table => table.parentElement.scrollWidth <= table.parentElement.clientWidth"
    )

    # The navigation hides behind the menu button, which opens it.
    page.goto("/")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(navigation).to_be_visible()
    screenshot(page, "phone-menu")
    navigation.get_by_role("link", name="Seats", exact=True).click()
    expect(heading(page, "Seats")).to_be_visible()
    expect(navigation).to_be_hidden()

    # In Chinese too: the longer labels still fit.
    page.get_by_text("Menu", exact=True).click()
    switch_language(page, "zh-hans")
    for path, _ in PAGES:
        page.goto(path)
        assert page_width(page) <= PHONE["width"], path
    screenshot(page, "phone-sub-accounts-zh")
    page.goto("/")
    expect(page.get_by_role("heading", name="今日值班")).to_be_visible()
    screenshot(page, "phone-dashboard-zh")


def test_the_desktop_top_bar_has_no_menu_button(demo, page: Page, sign_in):
    sign_in("manager")
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
