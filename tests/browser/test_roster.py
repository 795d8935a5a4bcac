"""The roster in a real browser: a manager approves leave, sees the gap two weeks ahead and fills
it with a cover (docs/seats.md, "Roster, leave and cover"). Time is frozen on 2026-10-15 in
Shanghai (ticking, so that the browser's waits still run); the screenshot is roster-cover.png.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from agency.choices import Shift
from demo.seed import DEMO_PASSWORD
from seats.models import CoverAssignment, Leave
from tests.browser.pages import heading, messages
from tests.factories import (
    AgentFactory,
    ContractFactory,
    ManagerFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 10, 15)
GAP = TODAY + dt.timedelta(days=14)  # Thursday 2026-10-29


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def floor(live_server, frozen):
    """Seat R01 serving one shop, Wang Fang on day and Li Na on night; Zhao Lei floats; Wang Fang
    has asked for a day off two weeks ahead."""
    ManagerFactory(username="boss", password=DEMO_PASSWORD)
    seat = SeatFactory(code="R01")
    wang = AgentFactory(name="Wang Fang")
    li = AgentFactory(name="Li Na")
    AgentFactory(name="Zhao Lei")
    SeatAssignmentFactory(seat=seat, agent=wang, shift=Shift.DAY)
    SeatAssignmentFactory(seat=seat, agent=li, shift=Shift.NIGHT)
    ContractFactory(shop=ShopFactory(owner=UserFactory(), name="Harbour Kites"), seat=seat)
    Leave.objects.create(agent=wang, start_date=GAP, end_date=GAP, reason="Family visit")
    return seat


def test_a_manager_approves_leave_and_fills_the_gap_with_a_cover(
    floor, page: Page, sign_in, screenshot
):
    sign_in("boss")
    page.goto("/leave/")
    expect(heading(page, "Leave")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Approve…").click()

    # Approving leaves R01's day shift of the 29th empty: the roster of that week says so.
    expect(messages(page)).to_contain_text("Give them a cover on the roster")
    expect(page).to_have_url(re.compile(r"/roster/\?period=week&start=2026-10-29"))
    gap = page.locator("td.roster-cell.uncovered")
    expect(gap).to_have_count(1)
    expect(gap).to_contain_text("Wang Fang on leave")

    gap.get_by_role("link", name=re.compile("^Add cover")).click()
    agent = page.get_by_label("Agent")
    # Only the free agent is offered: Li Na works the night shift that day.
    expect(agent.locator("option")).to_have_text(["—", "Zhao Lei"])
    agent.select_option(label="Zhao Lei")
    page.get_by_role("button", name="Give the cover").click()

    expect(messages(page)).to_contain_text("Zhao Lei covers seat R01")
    expect(page.locator("td.roster-cell.uncovered")).to_have_count(0)
    covered = page.locator("td.roster-cell.roster-leave")
    expect(covered).to_contain_text("Zhao Lei")
    expect(covered).to_contain_text("Cover")
    cover = CoverAssignment.objects.get()
    assert (cover.agent.name, cover.start_date, cover.shift) == ("Zhao Lei", GAP, Shift.DAY)
    screenshot(page, "roster-cover")
