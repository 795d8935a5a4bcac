"""The agent's own payslips at the desk: approved ones final, drafts marked "may change"; another
agent's payslip is 404."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from payroll.models import Payslip
from payroll.services.runs import (
    payroll_month_approve,
    payroll_run_create,
    payroll_run_execute,
)
from tests.factories import UserFactory
from tests.payroll.factories import OCTOBER, in_november, seated_agent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november():
    with in_november():
        yield


@pytest.fixture
def me(db):
    user = UserFactory(username="agent01", language="en")
    return seated_agent(
        user=user, name="王小美", base_salary=Decimal("1800.00"), hired_on=dt.date(2026, 10, 11)
    )


@pytest.fixture
def client(me):
    client = Client()
    client.force_login(me.user)
    return client


@pytest.fixture
def october(manager, me):
    seated_agent(name="李娜")
    run = payroll_run_create(month=OCTOBER, requested_by=manager, enqueue=False)
    payroll_run_execute(run_id=run.pk)


def test_an_agent_sees_only_their_own_payslips_with_the_draft_mark(client, october, me):
    text = client.get("/desk/payslips/").content.decode()
    assert "1,219.35" in text
    assert "Draft, may change" in text
    assert "李娜" not in text


def test_an_approved_payslip_shows_without_the_draft_mark(client, october, manager):
    payroll_month_approve(month=OCTOBER, actor=manager)
    text = client.get("/desk/payslips/").content.decode()
    assert "Draft, may change" not in text
    assert "Approved" in text


def test_the_payslip_page_explains_the_lines_and_links_the_pdf(client, october, me):
    payslip = Payslip.objects.get(agent=me)
    text = client.get(f"/desk/payslips/{payslip.pk}/").content.decode()
    assert "1,800.00 x 21 days employed / 31 days in the month" in text
    assert f"/api/v1/payslips/{payslip.pk}/pdf/" in text
    assert client.get(f"/api/v1/payslips/{payslip.pk}/pdf/").status_code == 200


def test_another_agents_payslip_is_404(client, october):
    other = Payslip.objects.get(agent__name="李娜")
    assert client.get(f"/desk/payslips/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/payslips/{other.pk}/pdf/").status_code == 404


def test_no_payslips_yet_says_so(client):
    assert "No payslips yet" in client.get("/desk/payslips/").content.decode()


def test_owners_get_403_and_managers_go_to_the_dashboard(manager, owner_a):
    for user, expected in ((owner_a, 403), (manager, 302)):
        browser = Client()
        browser.force_login(user)
        assert browser.get("/desk/payslips/").status_code == expected
