"""The agent's day on a phone (390 px), in a real browser (docs/desk.md).

Wang Fang works the day shift of seat S001, which serves two shops; Li Na works its night shift.
Both sign in through the ordinary login page and find their desk in Chinese (neither chose a
language). At 16:05 Wang Fang reads both briefings, copies a quick reply and writes the handover
of one shop; at 17:02 Li Na reads it and acknowledges it. The record says each did it as
themselves. Screenshots go to docs/screenshots/desk-*.png (with UPDATE_SCREENSHOTS=1).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from agency.choices import Shift
from seats.models import HandoverNote
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 390, "height": 844}
PASSWORD = "pw-secret-123"
BRIEFING = """Products: 童装 90-160 码；尺码偏小，建议拍大一码。
Shipping: 16:00 前付款当天顺丰发货，其余次日发。
Promotions: 满300减30，至月底。
Returns: 七天无理由退换，质量问题我们承担运费。
Quick replies (快捷短语): 亲，在的～ / 亲，已为您备注优先发货 / 亲，质量问题我们包邮退换哦"""


@pytest.fixture
def floor(transactional_db, live_server):
    owner = UserFactory(username="owner")
    seat = SeatFactory(code="S001")
    day = AgentFactory(name="王芳", user=UserFactory(username="wangfang"))
    night = AgentFactory(name="李娜", user=UserFactory(username="lina"))
    SeatAssignmentFactory(seat=seat, agent=day, shift=Shift.DAY)
    SeatAssignmentFactory(seat=seat, agent=night, shift=Shift.NIGHT)
    deer = ShopFactory(owner=owner, name="小鹿童装旗舰店", briefing=BRIEFING)
    tea = ShopFactory(
        owner=owner,
        name="山野茶舍",
        briefing="Shipping: 48 小时内发货。\nReturns: 茶叶拆封后不退。\n快捷短语: 亲，新茶已到～",
    )
    ContractFactory(shop=deer, seat=seat)
    ContractFactory(shop=tea, seat=seat)
    return deer


def _sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("form[action='/accounts/logout/']")).to_be_visible()
    page.goto("/desk/")


def _sign_out(page: Page) -> None:
    page.locator("form[action='/accounts/logout/'] button").click()


def test_the_agents_day_on_a_phone(floor, page: Page, screenshot):
    page.set_viewport_size(PHONE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    with time_machine.travel(dt.datetime(2026, 10, 15, 16, 5, tzinfo=SHANGHAI), tick=True):
        _sign_in(page, "wangfang")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.get_by_role("heading", name="我的工作台", level=1)).to_be_visible()
        deer = page.locator("section.desk-shop", has_text="小鹿童装旗舰店")
        tea = page.locator("section.desk-shop", has_text="山野茶舍")
        expect(deer.get_by_text("尺码偏小，建议拍大一码")).to_be_visible()
        expect(tea.get_by_text("茶叶拆封后不退")).to_be_visible()
        copy = deer.locator("button[data-copy='亲，已为您备注优先发货']")
        copy.click()
        expect(copy).to_have_attribute("data-copy-done", "")
        # The desk fits the phone: nothing is wider than the screen.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        screenshot(page, "desk-day-agent-phone")

        deer.get_by_label("未结问题").fill("订单 881：退款审核中，买家等回复。")
        deer.get_by_label("对买家的承诺").fill("20:00 前回电买家张女士。")
        deer.get_by_role("button", name="交接给晚班").click()
        expect(page.locator("ul.messages")).to_contain_text("交接记录已保存")
        screenshot(page, "desk-handover-written-phone")
        _sign_out(page)

    note = HandoverNote.objects.get()
    assert note.written_by.username == "wangfang"

    with time_machine.travel(dt.datetime(2026, 10, 15, 17, 2, tzinfo=SHANGHAI), tick=True):
        _sign_in(page, "lina")
        deer = page.locator("section.desk-shop", has_text="小鹿童装旗舰店")
        expect(deer.get_by_text("20:00 前回电买家张女士。")).to_be_visible()
        expect(deer.get_by_role("button", name="交接给晚班")).to_have_count(0)
        deer.get_by_role("button", name="已阅读，确认收到").click()
        expect(page.locator("ul.messages")).to_contain_text("你已确认收到")
        expect(deer.get_by_text("lina 已于")).to_be_visible()
        screenshot(page, "desk-night-agent-acknowledged-phone")

    note.refresh_from_db()
    assert note.acknowledged_by.username == "lina"
