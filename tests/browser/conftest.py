"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

* The browser is ``/usr/bin/chromium`` (never a downloaded one); without it every test marked
  ``browser`` is skipped, saying why.
* The live server listens on localhost only. It needs committed data, so every test runs on a
  transactional database, flushed after each test: ``demo`` puts back the price book that a
  migration wrote before it seeds the demo agency.
* Playwright's sync API runs an event loop in the test thread, so Django's ORM would refuse to
  run there without ``DJANGO_ALLOW_ASYNC_UNSAFE``; with that loop running, the test also gets a
  database connection of its own, apart from the live server's. On SQLite both reach the same
  shared in-memory database, whose locks are per table and do not wait: touch the ORM from a
  test only while the page is not waiting on the server.
* Pages are 1280x800, in English unless a test switches; screenshots go to docs/screenshots/ with
  UPDATE_SCREENSHOTS=1 (a temporary folder otherwise).
"""

import importlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from demo.seed import DEMO_PASSWORD, seed_demo
from shops.models import PriceBookEntry

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1280, "height": 800}

expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: the browser tests drive Debian's chromium "
        "(apt-get install chromium, or `make test-deps` as root)"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "viewport": VIEWPORT,
        "locale": "en-US",
        "timezone_id": "Asia/Shanghai",
        "accept_downloads": True,
    }


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started once the test database exists.

    On SQLite the server must be handed the in-memory test database's connection, which it only
    finds when that database is set up first.
    """
    return live_server


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Pages are addressed from the live server's root: ``page.goto("/portal/")``."""
    return live_server.url


@pytest.fixture
def context(new_context) -> BrowserContext:
    context = new_context()
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def demo(live_server) -> None:
    """The demo agency (``demo.seed``): 10 seats, 20 agents, 25 shops, 60 days of workloads,
    DSR ratings, turnover and last month's invoices. Every user's password is ``DEMO_PASSWORD``.
    """
    # The flush after the previous test emptied the list prices the migration wrote.
    price_book = importlib.import_module("billing.migrations.0003_default_price_book")
    for plan, (price, tiers) in price_book.PRICES.items():
        PriceBookEntry.objects.get_or_create(
            plan=plan,
            defaults={"price": price, "commission_tiers": tiers, "commission_mode": "graduated"},
        )
    seed_demo()


@pytest.fixture
def sign_in(page: Page) -> Callable[..., None]:
    """Log in through the login form as one of the demo users."""

    def _sign_in(username: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    return _sign_in


@pytest.fixture
def screenshot(tmp_path_factory) -> Callable[[Page, str], Path]:
    """Save the whole page as <name>.png: in docs/screenshots/ with UPDATE_SCREENSHOTS=1.

    Otherwise the pictures go to a temporary folder, so an ordinary test run leaves the
    committed screenshots (which show the day they were taken) alone.
    """
    folder = (
        SCREENSHOTS
        if os.environ.get("UPDATE_SCREENSHOTS") == "1"
        else tmp_path_factory.mktemp("screenshots")
    )

    def _screenshot(page: Page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
        return path

    return _screenshot
