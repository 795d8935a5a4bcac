"""The manager's day in a real browser, on the demo agency (docs/web.md).

The story: a new shop and its contract through the forms, the contract put on a seat after the
capacity preview, a workload file refused then one saved, a billing run watched until it is
done, the shop's invoice issued and its PDF downloaded, then the pages in Chinese. Screenshots
of every main page go to docs/screenshots/manager-*.png.
"""

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from agency import clock
from billing.models import Invoice
from billing.services import billing_run_execute
from seats.models import Agent, WorkloadRecord
from seats.services.workloads import COLUMNS
from shops.models import Contract
from tests.browser.pages import fact, heading, label, messages, switch_language

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data"
SHOP_NAME = "Harbour Kites"
SHOP_INQUIRIES = 150
SEAT = "S10"  # the demo's empty seat


def nav(page: Page, name: str) -> None:
    """Follow a link of the main navigation (named "Main", or 主导航 in Chinese), and wait for
    the new page's load event: its deferred scripts (the confirm dialogs) are then in place."""
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("navigation", name=re.compile("^(Main|主导航)$")).get_by_role(
            "link", name=name, exact=True
        ).click()


def good_workloads(*, day_agent: int, night_agent: int, shop: int, today: date) -> bytes:
    rows = []
    for days_ago in (2, 1):
        day = (today - timedelta(days=days_ago)).isoformat()
        rows.append([day_agent, shop, day, "day", 80, 41, 520, 610, 28, "6150.00"])
        rows.append([night_agent, shop, day, "night", 70, 33, 450, 540, 41, "4870.50"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_manager_runs_a_new_shop_from_contract_to_invoice(
    demo, page: Page, sign_in, screenshot, monkeypatch, mailoutbox
):
    today = timezone.localdate()
    last_month = clock.previous_month(today)
    # A temporary job of 5 days at the end of last month that runs on after today.
    start = today.replace(day=1) - timedelta(days=5)
    end = today + timedelta(days=5)
    # Irreversible actions ask in a confirm dialog first (static/js/confirm.js): accept each,
    # and keep its question.
    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)

    sign_in("manager")
    expect(heading(page, "Dashboard")).to_be_visible()

    # --- A new shop and its contract, through the forms -------------------------------------
    nav(page, "Shops")
    page.get_by_role("link", name="New shop").click()
    expect(heading(page, "New shop")).to_be_visible()
    page.get_by_label(label("Owner")).select_option(label="owner_m")
    page.get_by_label(label("Name")).fill(SHOP_NAME)
    page.get_by_label(label("Platform")).select_option(label="Taobao")
    page.get_by_label("Platform shop id").fill("TB-HK-0001")
    page.get_by_label("Product category").fill("kites")
    page.get_by_label("Status").select_option(label="Active")
    page.get_by_label("Estimated daily inquiries").fill(str(SHOP_INQUIRIES))
    page.get_by_label("Briefing").fill("Kites and lines; ships from Weifang within 48 h.")
    page.get_by_role("button", name="Save").click()
    expect(heading(page, SHOP_NAME)).to_be_visible()
    expect(messages(page)).to_contain_text(f"Shop “{SHOP_NAME}” saved.")

    page.get_by_role("link", name="New contract").click()
    expect(heading(page, f"New contract for {SHOP_NAME}")).to_be_visible()
    page.get_by_label("Plan").select_option(label="Temporary (per day)")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill(end.isoformat())
    page.get_by_role("button", name="Save contract").click()
    expect(messages(page)).to_contain_text("Contract saved.")
    contracts = page.get_by_role("region", name="Contracts")
    expect(contracts.get_by_role("row").filter(has_text="Temporary (per day)")).to_contain_text(
        "no seat"
    )

    # --- The contract on a seat, after the capacity preview ----------------------------------
    contract = Contract.objects.get(shop__name=SHOP_NAME)
    nav(page, "Seats")
    page.get_by_role("link", name="Put a contract on a seat").first.click()
    page.get_by_label("Contract").select_option(str(contract.pk))
    page.get_by_label(label("Seat")).select_option(label=SEAT)
    page.get_by_role("button", name="Check capacity").click()
    preview = page.get_by_role("region", name=f"Seat {SEAT} on {today:%Y-%m-%d}")
    expect(preview).to_be_visible()
    expect(fact(preview, "Expected load now")).to_contain_text("0 / 600")
    expect(fact(preview, "Projected load")).to_contain_text(str(SHOP_INQUIRIES))
    # 150 a day split by hours: the day agent would answer 80, 40 under the 120 cap.
    expect(fact(preview, "Day agent's load with the shop")).to_have_text("80 / 120")
    expect(fact(preview, "Headroom")).to_have_text("40")
    expect(preview.get_by_role("status")).to_have_text("The seat can take this shop.")
    preview.get_by_role("button", name="Save").click()
    expect(heading(page, "Seats")).to_be_visible()
    expect(messages(page)).to_contain_text(f"Seat {SEAT} now serves {SHOP_NAME}.")
    expect(page.get_by_role("row").filter(has_text=SEAT).first).to_contain_text(SHOP_NAME)

    # --- Workloads: a bad file is refused whole, a good one is previewed then saved -----------
    nav(page, "Workloads")
    expect(heading(page, "Import workloads")).to_be_visible()
    stored = WorkloadRecord.objects.count()
    page.get_by_label("Workload file (CSV or Excel)").set_input_files(DATA / "workloads_bad.csv")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("errors; nothing was saved.")
    problems = page.get_by_role("region", name="2. Check workloads_bad.csv")
    for row, column, problem in [
        (
            "1",
            "agent",
            "Unknown agent '999901': not an agent id, employee number or name, nor a "
            "sub-account of the shop in use that date.",
        ),
        ("2", "date", "'2026-02-30' is not a valid date."),
        ("3", "shift", "The shift must be day or night (白班 or 晚班), got 'evening'."),
        ("4", "conversions", "Conversions (55) cannot exceed inquiries (40)."),
    ]:
        cells = problems.get_by_role("row").filter(has_text=problem).get_by_role("cell")
        expect(cells).to_have_text([row, column, problem])
    expect(page.get_by_role("button", name="Save these workloads")).to_have_count(0)
    assert WorkloadRecord.objects.count() == stored

    agents = dict(
        Agent.objects.filter(employee_no__in=["E019", "E020"]).values_list("employee_no", "pk")
    )
    page.get_by_label("Workload file (CSV or Excel)").set_input_files(
        {
            "name": "workloads_harbour_kites.csv",
            "mimeType": "text/csv",
            "buffer": good_workloads(
                day_agent=agents["E019"],
                night_agent=agents["E020"],
                shop=contract.shop_id,
                today=today,
            ),
        }
    )
    page.get_by_role("button", name="Check the file").click()
    ready = page.get_by_role("status").filter(has_text="rows are ready")
    expect(ready).to_contain_text("4 rows are ready.")
    expect(ready).to_contain_text("4 new, 0 replacing saved workloads.")
    expect(page.get_by_role("row").filter(has_text=SHOP_NAME)).to_have_count(4)
    screenshot(page, "manager-workload-import")
    assert WorkloadRecord.objects.count() == stored  # the check saved nothing
    page.get_by_role("button", name="Save these workloads").click()
    expect(messages(page)).to_contain_text(
        "Saved workloads_harbour_kites.csv: 4 new workloads, 0 replaced."
    )
    assert WorkloadRecord.objects.count() == stored + 4

    # --- Billing: start a run and watch its row until it is done -----------------------------
    # The run is not handed to the (eager) task queue but executed by the test while the page
    # polls, so the row can only turn "Done" through htmx. The polls are held in the browser
    # while the run writes: on SQLite a request read at the same moment would hit the shared
    # in-memory database's table locks, which fail at once instead of waiting.
    queued: list[int] = []
    monkeypatch.setattr("billing.services.runs._enqueue", queued.append)
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/billing/runs/*/", hold)

    nav(page, "Billing")
    expect(heading(page, "Billing")).to_be_visible()
    expect(page.get_by_label("Month to bill")).to_have_value(f"{last_month:%Y-%m}")
    page.get_by_role("button", name="Bill this month").click()
    expect(messages(page)).to_contain_text(f"Billing run for {last_month:%B %Y}")
    assert dialogs[-1].startswith(f"Bill {last_month:%Y-%m}? "), dialogs
    assert len(queued) == 1
    row = page.locator(f"#run-{queued[0]}")
    expect(row).to_contain_text("Queued")
    for _ in range(40):  # htmx polls every 2 s
        if held:
            break
        page.wait_for_timeout(250)
    assert held, "the page does not poll the queued run"
    billing_run_execute(run_id=queued[0])
    for route in held:
        route.continue_()
    page.unroute("**/billing/runs/*/")
    expect(row).to_contain_text("Done")
    expect(row.get_by_role("link", name="Invoices")).to_be_visible()
    screenshot(page, "manager-billing")

    # --- The shop's invoice: issue it, download its PDF --------------------------------------
    row.get_by_role("link", name="Invoices").click()
    expect(heading(page, "Invoices")).to_be_visible()
    page.get_by_role("link", name=SHOP_NAME).click()
    expect(heading(page, f"Draft for {SHOP_NAME}, {last_month:%B %Y}")).to_be_visible()
    lines = page.get_by_role("region", name="Lines")
    expect(lines.locator("tfoot")).to_contain_text("500.00")  # 5 service days at 100.00
    page.get_by_role("button", name="Issue…").click()
    expect(heading(page, re.compile(r"^Invoice INV-\d{4}-\d{6}$"))).to_be_visible()
    assert dialogs[-1] == (
        f"Issue the {last_month:%B %Y} invoice of {SHOP_NAME}? Issued invoices never change."
    )
    number = heading(page, re.compile("^Invoice")).inner_text().removeprefix("Invoice ")
    expect(messages(page)).to_contain_text(f"Invoice {number} issued")
    assert [m.subject for m in mailoutbox if number in m.subject], "the owner got no email"
    screenshot(page, "manager-invoice")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == f"{number}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    # --- A void says why; then the month is billed again at once -----------------------------
    page.get_by_role("link", name="Void…").click()
    expect(heading(page, f"Void invoice {number}")).to_be_visible()
    page.get_by_role("button", name="Void invoice").click()  # no reason given
    expect(page.get_by_text("Say why the invoice is voided.")).to_be_visible()
    reason = "Billed before the contract was extended."
    page.get_by_label(label("Why is this invoice voided?")).fill(reason)
    page.get_by_role("button", name="Void invoice").click()
    expect(heading(page, f"Invoice {number}")).to_be_visible()
    expect(messages(page)).to_contain_text(f"Invoice {number} voided")
    expect(page.get_by_text(f"VOID: {reason}")).to_be_visible()
    # The owner never chose a language: the void email is in Chinese, with the reason as given.
    assert [m for m in mailoutbox if number in m.subject and reason in m.body]
    page.get_by_role("button", name=f"Bill {last_month:%B %Y} again for {SHOP_NAME}").click()
    expect(heading(page, f"Draft for {SHOP_NAME}, {last_month:%B %Y}")).to_be_visible()
    expect(messages(page)).to_contain_text(f"{last_month:%B %Y} billed again for {SHOP_NAME}")
    page.go_back()  # to the void invoice, which now links the month's current invoice
    expect(heading(page, f"Invoice {number}")).to_be_visible()

    # --- The same pages in Chinese -----------------------------------------------------------
    switch_language(page, "zh-hans")
    expect(heading(page, f"账单 {number}")).to_be_visible()
    nav(page, "工作台")
    expect(heading(page, "工作台")).to_be_visible()
    expect(page.get_by_role("heading", name="待处理")).to_be_visible()
    expect(page.get_by_role("heading", name="今日值班")).to_be_visible()
    screenshot(page, "manager-dashboard-zh")


def test_manager_pages_show_the_agency(demo, page: Page, sign_in, screenshot):
    sign_in("manager")
    expect(heading(page, "Dashboard")).to_be_visible()
    # One line per agent and period, not one per agent-day: the demo's S01 night agent.
    expect(page.get_by_role("heading", name="Agents overloaded often")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"overloaded \d+ of the last 14 days")).first
    ).to_be_visible()
    expect(page.locator("svg").first).to_be_visible()
    screenshot(page, "manager-dashboard")

    # Today's handover notes: read one, record that the night agent has read it.
    alerts = page.get_by_role("region", name="Needs attention")
    count = alerts.get_by_role("heading", name=re.compile("handover notes? not acknowledged$"))
    waiting = int(count.inner_text().split()[0])
    assert waiting >= 1, "the demo has no handover note waiting"
    note = alerts.locator("li", has=page.locator("details")).first
    note.locator("summary").click()
    expect(note).to_contain_text("buyer waits for a refund review")
    note.get_by_role("button", name="Acknowledged").click()
    expect(messages(page)).to_contain_text("acknowledged by")
    if waiting > 1:
        expect(count).to_have_text(re.compile(rf"^{waiting - 1} handover notes? not acknowledged$"))
    else:
        expect(count).to_have_count(0)

    nav(page, "Shops")
    expect(heading(page, "Shops")).to_be_visible()
    expect(page.get_by_text("25 shops")).to_be_visible()
    screenshot(page, "manager-shops")
    page.get_by_role("link", name="小鹿童装旗舰店").click()
    expect(heading(page, "小鹿童装旗舰店")).to_be_visible()
    expect(page.get_by_role("heading", name="DSR (last 180 days)")).to_be_visible()
    expect(page.get_by_text("Ratings counted")).to_be_visible()
    screenshot(page, "manager-shop")

    nav(page, "Agents")
    expect(heading(page, "Agents")).to_be_visible()
    screenshot(page, "manager-agents")
    page.get_by_role("link", name="张伟").click()
    expect(heading(page, "张伟")).to_be_visible()
    heatmap = page.locator("table.heatmap")
    expect(heatmap.locator("td.band-overloaded").first).to_be_visible()
    screenshot(page, "manager-agent")

    # Hiring: a new agent through the form.
    nav(page, "Agents")
    page.get_by_role("link", name="New agent").click()
    expect(heading(page, "New agent")).to_be_visible()
    page.get_by_label(label("Name")).fill("王芳")
    page.get_by_label(label("Employee number")).fill("E-2026-NEW")
    page.get_by_label(label("Hired on")).fill("2026-11-02")
    page.get_by_label(label("Monthly base salary (CNY)")).fill("1800.00")
    page.get_by_role("button", name="Save").click()
    expect(heading(page, "王芳")).to_be_visible()
    expect(messages(page)).to_contain_text("Agent “王芳” saved.")

    nav(page, "Seats")
    expect(page.get_by_role("heading", name="Coverage board")).to_be_visible()
    screenshot(page, "manager-seats")
    page.get_by_role("link", name="New seat").click()
    page.get_by_label(label("Code")).fill("S99")
    page.get_by_role("button", name="Save").click()
    expect(messages(page)).to_contain_text("Seat S99 saved.")
    expect(page.get_by_role("rowheader", name=re.compile("^S99"))).to_be_visible()

    nav(page, "Quote")
    page.get_by_label("Daily inquiries").fill("450")
    page.get_by_label("Coverage").select_option(label="Full day (09:00-24:00)")
    page.get_by_label("Days (short job)").fill("10")
    page.get_by_role("button", name="Price it").click()
    offer = page.get_by_role("region", name="Our offer")
    expect(offer).to_contain_text("Long-term, full day (monthly)")
    screenshot(page, "manager-quote")

    # A confirmed turnover corrected on last month's draft: the draft follows at once.
    draft = (
        Invoice.objects.filter(
            month=clock.previous_month(),
            status=Invoice.Status.DRAFT,
            lines__kind="commission",
        )
        .distinct()
        .first()
    )
    assert draft is not None, "the demo has no draft with a commission"
    page.goto(f"/billing/invoices/{draft.pk}/")
    turnover = page.get_by_role("region", name="Turnover of the month")
    expect(turnover).to_contain_text("confirmed")
    turnover.get_by_label(label("Turnover (CNY)")).fill("250000.00")
    turnover.get_by_role("button", name="Correct the turnover").click()
    expect(messages(page)).to_contain_text("corrected; the draft is recomputed.")
    expect(page.get_by_role("region", name="Turnover of the month")).to_contain_text(
        "250,000.00 CNY"
    )
    draft.refresh_from_db()
    assert draft.lines.get(kind="commission").details["turnover"] == "250000.00"
    expect(page.get_by_role("region", name="Lines").locator("tfoot")).to_contain_text(
        f"{draft.total:,.2f}"
    )

    nav(page, "Reports")
    expect(page.get_by_role("heading", name=re.compile("^Seat profitability"))).to_be_visible()
    screenshot(page, "manager-reports")
