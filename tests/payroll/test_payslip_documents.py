"""The payslip PDF (Chinese by default) explains every line; the accountant's XLSX has one row per
payslip and a totals row."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from payroll.documents import render_payslip_html
from payroll.models import Payslip
from payroll.services.runs import payroll_run_create, payroll_run_execute, payslip_adjust
from tests.billing.pdf_text import pdf_text
from tests.conftest import _client_for
from tests.factories import UserFactory
from tests.payroll.factories import OCTOBER, in_november, seated_agent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november():
    with in_november():
        yield


@pytest.fixture
def payslip(manager):
    agent = seated_agent(
        name="王小美",
        employee_no="A001",
        base_salary=Decimal("1800.00"),
        hired_on=dt.date(2026, 10, 11),
        user=UserFactory(username="agent01"),
    )
    seated_agent(name="李娜", employee_no="A002", base_salary=Decimal("3100.00"))
    run = payroll_run_create(month=OCTOBER, requested_by=manager, enqueue=False)
    payroll_run_execute(run_id=run.pk)
    payslip = Payslip.objects.get(agent=agent)
    payslip_adjust(payslip=payslip, amount="80.65", reason="补发上月提成", actor=manager)
    return Payslip.objects.get(pk=payslip.pk)


def test_the_pdf_is_in_chinese_and_explains_each_line(manager_api, payslip):
    response = manager_api.get(f"/api/v1/payslips/{payslip.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "payslip-2026-10-A001.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in (
        "工资条",
        "王小美",
        "2026年10月",
        "底薪",
        "1,219.35",
        "补发上月提成",
        "1,300.00",
    ):
        assert expected in text.replace(" ", ""), expected


def test_the_pdf_html_shows_the_arithmetic_and_the_draft_mark(payslip):
    html = render_payslip_html(payslip, "en")
    assert "1,800.00 x 21 days employed / 31 days in the month" in html
    assert "watermark" in html
    assert "Draft: the figures may still change" in html


def test_an_agent_downloads_their_own_payslip(payslip):
    client = _client_for(payslip.agent.user)
    assert client.get(f"/api/v1/payslips/{payslip.pk}/pdf/?lang=en").status_code == 200
    assert client.get(f"/api/v1/payslips/{payslip.pk}/pdf/?lang=fr").status_code == 400


def test_the_xlsx_has_one_row_per_payslip_and_a_totals_row(manager_api, payslip):
    response = manager_api.get("/api/v1/payslips/export/?month=2026-10")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, *payslips, totals = rows
    assert len(payslips) == 2
    assert [row[1] for row in payslips] == ["李娜", "王小美"]
    total_column = len(header) - 1
    assert totals[total_column] == pytest.approx(3100 + 1300)
    assert payslips[1][total_column] == pytest.approx(1300.00)
