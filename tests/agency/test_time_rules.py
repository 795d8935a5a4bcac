"""Nothing is billed, reported or worked in the future (DOMAIN.md, "Time rules").

Every test freezes the clock in Shanghai: at 13:20 on 2026-11-30 (the last day of November, a
day shift running, the night shift not begun) unless it says otherwise, and once at 00:30 on
2027-01-01 in Shanghai, which is still 2026-12-31 in UTC.
"""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from agency import clock
from agency.months import month_last_day
from billing import tasks
from billing.documents import render_invoice_html
from billing.models import BillingRun, Invoice
from billing.services import bill_month, billing_run_create, invoice_issue, turnover_confirm
from seats.services import WorkloadBulkError, workload_bulk_upsert
from shops.models import TurnoverReport
from shops.services import turnover_submit
from tests.billing.factories import confirmed_turnover, monthly_contract
from tests.factories import AgentFactory, TurnoverReportFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)
DECEMBER = dt.date(2026, 12, 1)
LAST_DAY_1320 = dt.datetime(2026, 11, 30, 13, 20, tzinfo=SHANGHAI)


@pytest.fixture
def at():
    """Travel to a Shanghai moment: ``at(datetime)``; the default moment is frozen already."""
    travels = []

    def travel(moment: dt.datetime):
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travels.append(traveller)

    travel(LAST_DAY_1320)
    yield travel
    for traveller in reversed(travels):
        traveller.stop()


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


# --- The clock --------------------------------------------------------------------------------


def test_clock_business_dates_are_shanghai_dates(at):
    at(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC))
    assert clock.today() == dt.date(2027, 1, 1)
    assert clock.current_month() == dt.date(2027, 1, 1)
    assert clock.previous_month() == DECEMBER
    assert clock.month_has_ended(DECEMBER) and not clock.month_has_ended(dt.date(2027, 1, 5))
    assert clock.month_has_started(dt.date(2027, 1, 31))
    assert not clock.month_has_started(dt.date(2027, 2, 1))
    assert month_last_day(dt.date(2028, 2, 10)) == dt.date(2028, 2, 29)
    assert month_last_day(dt.date(9999, 12, 1)) == dt.date(9999, 12, 31)


@pytest.mark.parametrize(
    ("hour", "minute", "day_begun", "night_begun"),
    [(8, 59, False, False), (9, 0, True, False), (16, 59, True, False), (17, 0, True, True)],
)
def test_clock_shifts_begin_at_nine_and_at_five(at, hour, minute, day_begun, night_begun):
    at(dt.datetime(2026, 11, 30, hour, minute, tzinfo=SHANGHAI))
    today = dt.date(2026, 11, 30)
    assert clock.shift_has_begun(today, "day") is day_begun
    assert clock.shift_has_begun(today, "night") is night_begun
    assert clock.shift_has_begun(today - dt.timedelta(days=1), "night")
    assert not clock.shift_has_begun(today + dt.timedelta(days=1), "day")


# --- Billing: a month is billed once it has started ----------------------------------------


def test_billing_a_month_that_has_not_started_is_refused_in_the_service(at, shop_a):
    monthly_contract(shop_a)
    with pytest.raises(ValidationError) as refused:
        bill_month(month=DECEMBER)
    assert "2026-12 has not started yet" in refused.value.message_dict["month"][0]
    with pytest.raises(ValidationError):
        billing_run_create(month=DECEMBER, enqueue=False)
    assert not Invoice.objects.exists() and not BillingRun.objects.exists()


def test_billing_run_api_refuses_a_month_that_has_not_started_with_400(at, manager_api):
    response = manager_api.post("/api/v1/billing/runs/", {"month": "2026-12"}, format="json")
    assert response.status_code == 400
    assert "has not started yet" in response.json()["month"][0]
    assert not BillingRun.objects.exists()


def test_billing_run_api_refusal_speaks_the_requests_language(at, manager_api):
    response = manager_api.post(
        "/api/v1/billing/runs/",
        {"month": "2026-12"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "尚未开始" in response.json()["month"][0]


def test_billing_run_form_refuses_a_month_that_has_not_started(at, manager):
    response = client_for(manager).post(reverse("web:billing"), {"month": "2026-12"})
    assert response.status_code in (200, 400)
    assert "2026-12 has not started yet" in response.content.decode()
    assert not BillingRun.objects.exists()


def test_run_billing_command_refuses_a_month_that_has_not_started(at):
    with pytest.raises((CommandError, ValidationError)):
        call_command("run_billing", "--month", "2026-12", stdout=io.StringIO())
    assert not Invoice.objects.exists()


def test_month_in_progress_is_billed_as_a_preview_that_cannot_be_issued(at, shop_a, manager):
    monthly_contract(shop_a, plan="temporary", price="100.00", end=dt.date(2026, 11, 30))
    bill_month(month=NOVEMBER)
    draft = Invoice.objects.get(month=NOVEMBER)
    assert draft.month_in_progress

    api = client_for(manager)
    body = api.get(f"/api/v1/invoices/{draft.pk}/").json()
    assert body["month_in_progress"] is True
    response = api.post(f"/api/v1/invoices/{draft.pk}/issue/")
    assert response.status_code == 409
    assert "still in progress" in response.json()["detail"]
    draft.refresh_from_db()
    assert (draft.status, draft.number) == (Invoice.Status.DRAFT, None)

    page = api.get(reverse("web:invoice-detail", args=[draft.pk])).content.decode()
    assert "month in progress, not final" in page
    assert reverse("web:invoice-issue", args=[draft.pk]) not in page  # no Issue button
    portal = client_for(shop_a.owner).get(reverse("portal:invoice", args=[draft.pk]))
    assert "Month in progress, not final" in portal.content.decode()
    assert "month in progress, not final" in render_invoice_html(draft)  # the PDF's source


def test_an_invoice_of_the_month_in_progress_is_issued_once_the_month_has_ended(
    at, shop_a, manager
):
    monthly_contract(shop_a, plan="temporary", price="100.00", end=dt.date(2026, 11, 30))
    bill_month(month=NOVEMBER)
    draft = Invoice.objects.get(month=NOVEMBER)
    at(dt.datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI))
    issued = invoice_issue(invoice_id=draft.pk, actor=manager)
    assert issued.status == Invoice.Status.ISSUED and not issued.month_in_progress
    assert issued.number == "INV-2026-000001"


def test_an_ended_months_invoice_says_it_is_final(at, shop_a, manager):
    monthly_contract(shop_a)
    confirmed_turnover(shop_a, "1000.00", month=OCTOBER)
    bill_month(month=OCTOBER)
    invoice = Invoice.objects.get(month=OCTOBER)
    body = client_for(manager).get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert body["month_in_progress"] is False


def test_the_nightly_schedule_bills_only_the_ended_month(at, shop_a):
    monthly_contract(shop_a)
    at(dt.datetime(2026, 12, 1, 2, 0, tzinfo=SHANGHAI))
    tasks.bill_previous_month()
    assert set(Invoice.objects.values_list("month", flat=True)) == {NOVEMBER}


# --- Turnover: reported for months that have ended -------------------------------------------


@pytest.mark.parametrize("month", ["2026-11", "2026-12", "2027-06"])
@pytest.mark.parametrize("who", ["owner", "manager"])
def test_turnover_for_a_month_that_has_not_ended_is_400(at, shop_a, manager, who, month):
    user = manager if who == "manager" else shop_a.owner
    response = client_for(user).post(
        "/api/v1/turnover-reports/",
        {"shop": shop_a.pk, "month": month, "amount": "1000.00"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "has not ended yet" in response.json()["month"][0]
    assert not TurnoverReport.objects.exists()


def test_turnover_for_the_last_ended_month_is_accepted(at, shop_a):
    response = client_for(shop_a.owner).post(
        "/api/v1/turnover-reports/",
        {"shop": shop_a.pk, "month": "2026-10", "amount": "1000.00"},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_turnover_of_the_month_in_progress_is_not_confirmed(at, shop_a, manager):
    """A figure stored before the rule (or by hand) for a month not over cannot be billed."""
    report = TurnoverReportFactory(shop=shop_a, month=NOVEMBER)
    with pytest.raises(ValidationError):
        turnover_confirm(report_id=report.pk, actor=manager)
    report.refresh_from_db()
    assert report.status == TurnoverReport.Status.SUBMITTED


def test_turnover_submit_service_refuses_the_month_in_progress(at, shop_a):
    with pytest.raises(ValidationError) as refused:
        turnover_submit(actor=shop_a.owner, shop=shop_a, month=NOVEMBER, amount=Decimal("1"))
    assert "report its turnover from 2026-12-01 on" in refused.value.message_dict["month"][0]


def test_turnover_month_refusal_in_chinese(at, shop_a):
    response = client_for(shop_a.owner, "zh-hans").post(
        "/api/v1/turnover-reports/",
        {"shop": shop_a.pk, "month": "2026-11", "amount": "1000.00"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "尚未结束" in response.json()["month"][0]


def test_the_portal_form_offers_the_last_ended_month_without_a_report(at, shop_a):
    """The latest ended month billed with a commission and not reported yet: never the month in
    progress, never a confirmed month, never one before the shop's commission contract."""
    monthly_contract(shop_a, start=dt.date(2026, 8, 1))
    client = client_for(shop_a.owner)
    url = reverse("portal:shop-turnover", kwargs={"pk": shop_a.pk})
    page = client.get(url).content.decode()
    assert 'value="2026-10"' in page and 'max="2026-10"' in page
    # October confirmed: the form offers September, never the confirmed month.
    TurnoverReportFactory(shop=shop_a, month=OCTOBER, status="confirmed")
    page = client.get(url).content.decode()
    assert 'value="2026-09"' in page and 'value="2026-10"' not in page
    # Every month since the contract began is reported: nothing is offered.
    TurnoverReportFactory(shop=shop_a, month=dt.date(2026, 9, 1))
    TurnoverReportFactory(shop=shop_a, month=dt.date(2026, 8, 1))
    page = client.get(url).content.decode()
    assert 'name="month" value=' not in page and 'value="2026-07"' not in page


def test_the_portal_form_refuses_the_month_in_progress(at, shop_a):
    response = client_for(shop_a.owner).post(
        reverse("portal:shop-turnover", kwargs={"pk": shop_a.pk}),
        {"month": "2026-11", "amount": "1000.00"},
    )
    assert "has not ended yet" in response.content.decode()
    assert not TurnoverReport.objects.exists()


def test_the_manager_turnover_form_refuses_the_month_in_progress(at, shop_a, manager):
    response = client_for(manager).post(
        reverse("web:shop-turnover", kwargs={"pk": shop_a.pk}),
        {"month": "2026-11", "amount": "1000.00", "confirm": "on"},
    )
    assert "has not ended yet" in response.content.decode()
    assert not TurnoverReport.objects.exists()


# --- Workloads: recorded for shifts that have begun -------------------------------------------


def _row(agent, shop, day, shift):
    return {
        "agent": agent.pk,
        "shop": shop.pk,
        "date": day.isoformat(),
        "shift": shift,
        "inquiries": 10,
        "conversions": 5,
        "buyer_messages": 40,
        "agent_messages": 50,
        "first_response_seconds": 30,
        "sales_amount": "100.00",
    }


def test_a_workload_dated_after_today_is_a_row_error(at, shop_a):
    agent = AgentFactory()
    with pytest.raises(WorkloadBulkError) as refused:
        workload_bulk_upsert(
            rows=[
                _row(agent, shop_a, dt.date(2026, 11, 29), "night"),
                _row(agent, shop_a, dt.date(2027, 1, 2), "day"),
            ]
        )
    [error] = refused.value.errors
    assert (error.row, error.field) == (2, "date")
    assert "in the future" in error.message


def test_a_workload_of_a_shift_of_today_that_has_not_begun_is_a_row_error(at, shop_a):
    """13:20: the day shift is running, the night shift begins at 17:00."""
    agent = AgentFactory()
    today = dt.date(2026, 11, 30)
    with pytest.raises(WorkloadBulkError) as refused:
        workload_bulk_upsert(
            rows=[_row(agent, shop_a, today, "day"), _row(agent, shop_a, today, "night")]
        )
    [error] = refused.value.errors
    assert (error.row, error.field) == (2, "shift")
    assert "begins at 17:00" in error.message

    at(dt.datetime(2026, 11, 30, 17, 0, tzinfo=SHANGHAI))
    result = workload_bulk_upsert(
        rows=[_row(agent, shop_a, today, "day"), _row(agent, shop_a, today, "night")]
    )
    assert result.created == 2


def test_the_workload_api_answers_the_future_row_with_400(at, shop_a, manager_api):
    agent = AgentFactory()
    response = manager_api.post(
        "/api/v1/workloads/bulk/",
        [_row(agent, shop_a, dt.date(2026, 11, 30), "night")],
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "shift"


def test_new_years_morning_in_shanghai_is_today_though_utc_is_still_last_year(at, shop_a):
    at(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC))  # 00:30 on 2027-01-01 in Shanghai
    agent = AgentFactory()
    assert (
        workload_bulk_upsert(rows=[_row(agent, shop_a, dt.date(2026, 12, 31), "night")]).created
        == 1
    )
    with pytest.raises(WorkloadBulkError) as refused:
        workload_bulk_upsert(rows=[_row(agent, shop_a, dt.date(2027, 1, 1), "day")])
    assert refused.value.errors[0].field == "shift"


def test_the_admin_refuses_a_workload_of_a_shift_not_begun(at, shop_a, manager):
    manager.is_superuser = True
    manager.save(update_fields=["is_superuser"])
    agent = AgentFactory()
    client = client_for(manager)
    response = client.post(
        "/admin/seats/workloadrecord/add/",
        {
            "agent": agent.pk,
            "shop": shop_a.pk,
            "date": "2026-11-30",
            "shift": "night",
            "inquiries": 1,
            "conversions": 0,
            "buyer_messages": 1,
            "agent_messages": 1,
            "first_response_seconds": 1,
            "sales_amount": "0.00",
        },
    )
    assert response.status_code == 200
    assert "begins at 17:00" in response.content.decode()


def test_a_preview_asks_for_no_turnover_before_the_month_has_ended(at, shop_a, manager):
    """A month in progress has no turnover to wait for: the pages say "in progress" instead."""
    monthly_contract(shop_a)
    bill_month(month=NOVEMBER)
    draft = Invoice.objects.get(month=NOVEMBER)
    assert draft.awaiting_turnover and draft.month_in_progress
    manager_page = client_for(manager).get(reverse("web:invoice-detail", args=[draft.pk]))
    owner_page = client_for(shop_a.owner).get(reverse("portal:invoice", args=[draft.pk]))
    for page in (manager_page.content.decode(), owner_page.content.decode()):
        assert "onth in progress, not final" in page
        assert "awaiting turnover" not in page and "It waits for your turnover" not in page
    pdf_source = render_invoice_html(draft)
    assert "month in progress, not final" in pdf_source and "awaiting turnover" not in pdf_source
