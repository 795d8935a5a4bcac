"""The manager's payroll pages: months, a month's payslips, one payslip; running, approving and
adjusting through the services, each behind a confirmation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from payroll.models import PayrollMonth, Payslip, PayslipAdjustment
from payroll.services.runs import payroll_run_create, payroll_run_execute
from tests.factories import UserFactory
from tests.payroll.factories import OCTOBER, in_november, seated_agent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    """Overrides the manager app's frozen October day: here it is mid-November."""
    with in_november():
        yield dt.date(2026, 11, 16)


@pytest.fixture
def october(manager):
    seated_agent(name="王小美", base_salary=Decimal("1800.00"), hired_on=dt.date(2026, 10, 11))
    seated_agent(name="李娜", base_salary=Decimal("3100.00"))
    run = payroll_run_create(month=OCTOBER, requested_by=manager, enqueue=False)
    return payroll_run_execute(run_id=run.pk)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_months_page_lists_months_with_status_and_totals(manager_client, october):
    response = manager_client.get("/payroll/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/payroll/2026-10/" in text
    assert "4,319.35" in text  # 1,219.35 + 3,100.00
    assert 'data-confirm="' in text


def test_the_months_page_without_payroll_says_so(manager_client):
    assert "No payroll yet" in manager_client.get("/payroll/").content.decode()


def test_running_payroll_from_the_page_makes_the_drafts(
    manager_client, django_capture_on_commit_callbacks
):
    seated_agent()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post("/payroll/", {"month": "2026-10"})
    assert response.status_code == 302
    assert response["Location"] == "/payroll/2026-10/"
    assert Payslip.objects.filter(month=OCTOBER, status="draft").count() == 1


def test_a_future_month_is_refused_on_the_form(manager_client):
    response = manager_client.post("/payroll/", {"month": "2027-01"})
    assert response.status_code == 200
    assert "has not started yet" in response.content.decode()


def test_the_month_page_lists_payslips_sorted_with_totals(manager_client, october):
    response = manager_client.get("/payroll/2026-10/?sort=-total")
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("李娜") < text.index("王小美")
    assert "4,319.35" in text
    assert "/api/v1/payslips/export/?month=2026-10" in text
    assert (
        manager_client.get("/payroll/2026-10/?sort=agent").content.decode().index("李娜")
        < text.index("王小美") + 10**6
    )


def test_approve_is_disabled_with_the_reason_before_the_month_ends(manager_client, manager):
    seated_agent()
    run = payroll_run_create(month=dt.date(2026, 11, 1), requested_by=manager, enqueue=False)
    payroll_run_execute(run_id=run.pk)
    text = manager_client.get("/payroll/2026-11/").content.decode()
    assert "disabled" in text
    assert "has not ended yet" in text


def test_approving_from_the_page_locks_the_month(manager_client, october):
    page = manager_client.get("/payroll/2026-10/").content.decode()
    assert "Approve the payroll of" in page  # the confirmation's question

    response = manager_client.post("/payroll/2026-10/")

    assert response.status_code == 302
    assert PayrollMonth.objects.get(month=OCTOBER).approved
    again = manager_client.get("/payroll/2026-10/").content.decode()
    assert "Approved already." in again


def test_the_payslip_page_shows_the_arithmetic_and_adds_an_adjustment(manager_client, october):
    payslip = Payslip.objects.get(agent__name="王小美")
    text = manager_client.get(f"/payroll/payslips/{payslip.pk}/").content.decode()
    assert "1,800.00 x 21 days employed / 31 days in the month" in text
    assert f"/api/v1/payslips/{payslip.pk}/pdf/" in text
    assert "data-confirm" in text

    response = manager_client.post(
        f"/payroll/payslips/{payslip.pk}/", {"amount": "30.65", "reason": "Night shift top-up"}
    )

    assert response.status_code == 302
    payslip.refresh_from_db()
    assert payslip.total == Decimal("1250.00")
    assert "Night shift top-up" in manager_client.get(response["Location"]).content.decode()


def test_a_bad_adjustment_shows_on_the_form(manager_client, october):
    payslip = Payslip.objects.first()
    response = manager_client.post(
        f"/payroll/payslips/{payslip.pk}/", {"amount": "0", "reason": "x"}
    )
    assert response.status_code == 200
    assert "changes nothing" in response.content.decode()
    assert not PayslipAdjustment.objects.exists()


@pytest.mark.parametrize("url", ["/payroll/", "/payroll/2026-10/"])
def test_payroll_pages_send_owners_to_the_portal_and_agents_to_the_desk(url, db):
    owner = UserFactory()
    assert signed_in(owner).get(url)["Location"].startswith("/portal/")
    agent_user = UserFactory()
    seated_agent(user=agent_user)
    assert signed_in(agent_user).get(url)["Location"].startswith("/desk/")


def test_the_month_page_costs_the_same_queries_for_2_or_12_payslips(
    manager_client, manager, django_assert_max_num_queries
):
    for _ in range(12):
        seated_agent()
    run = payroll_run_create(month=OCTOBER, requested_by=manager, enqueue=False)
    payroll_run_execute(run_id=run.pk)
    with django_assert_max_num_queries(16):
        assert manager_client.get("/payroll/2026-10/").status_code == 200


def test_an_unknown_month_is_404(manager_client):
    assert manager_client.get("/payroll/2026-13/").status_code == 404
