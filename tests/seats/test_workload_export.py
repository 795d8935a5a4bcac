"""A shop's workloads as CSV or XLSX: managers any shop, owners their own with agents' given
names only (never employee numbers), in the reader's language."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.factories import AgentFactory, WorkloadFactory

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
OCTOBER = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


def url(shop) -> str:
    return f"/api/v1/shops/{shop.pk}/workloads/export/"


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:300]
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


@pytest.fixture
def october(shop_a, shop_b):
    li = AgentFactory(name="李小美", employee_no="E00042")
    wang = AgentFactory(name="Wang Fang", employee_no="E00043")
    WorkloadFactory(agent=li, shop=shop_a, date=dt.date(2026, 10, 2), shift="day")
    WorkloadFactory(
        agent=wang,
        shop=shop_a,
        date=dt.date(2026, 10, 1),
        shift="night",
        inquiries=0,
        conversions=0,
        sales_amount=Decimal("0.00"),
    )
    WorkloadFactory(agent=li, shop=shop_a, date=dt.date(2026, 10, 1), shift="day")
    WorkloadFactory(agent=li, shop=shop_a, date=dt.date(2026, 11, 1), shift="day")  # outside
    WorkloadFactory(agent=li, shop=shop_b, date=dt.date(2026, 10, 1), shift="day")  # other shop


@pytest.mark.django_db
def test_a_manager_exports_a_shops_workloads_oldest_first_with_full_names(
    manager_api, shop_a, october
):
    response = manager_api.get(url(shop_a), OCTOBER, **EN)
    assert response["Content-Disposition"] == (
        'attachment; filename="workloads-Shop-A-2026-10-01-2026-10-31.csv"'
    )
    rows = rows_of(response)
    assert [(row["Date"], row["Shift"], row["Agent"]) for row in rows] == [
        ("2026-10-01", "Day (09:00-17:00)", "李小美"),
        ("2026-10-01", "Night (17:00-24:00)", "Wang Fang"),
        ("2026-10-02", "Day (09:00-17:00)", "李小美"),
    ]
    assert rows[0] == {
        "Date": "2026-10-01",
        "Shift": "Day (09:00-17:00)",
        "Agent": "李小美",
        "Employee number": "E00042",
        "Inquiries": "50",
        "Conversions": "20",
        "Conversion rate": "40.0%",
        "Buyer messages": "300",
        "Agent messages": "360",
        "First response (s)": "30",
        "Sales attributed (CNY)": "1000.00",
    }
    assert rows[1]["Conversion rate"] == "", "no inquiries: no rate, never 0 %"


@pytest.mark.django_db
def test_an_owner_sees_agents_by_their_given_name_only(owner_a_api, shop_a, october):
    rows = rows_of(owner_a_api.get(url(shop_a), OCTOBER, **EN))
    assert [row["Agent"] for row in rows] == ["小美", "Wang", "小美"]
    assert "Employee number" not in rows[0]
    assert not any("E0004" in value for row in rows for value in row.values())


@pytest.mark.django_db
def test_another_owners_shop_answers_404(owner_b_api, shop_a, october):
    response = owner_b_api.get(url(shop_a), OCTOBER)
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.django_db
def test_the_export_speaks_chinese_and_opens_in_excel(owner_a_api, shop_a, october):
    response = owner_a_api.get(url(shop_a), {**OCTOBER, "format": "xlsx"}, **ZH)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["日期", "班次", "客服"]
    assert all(not value.isascii() for value in header), header
    first = [cell.value for cell in sheet[2]]
    assert first[0] == dt.datetime(2026, 10, 1) and sheet["A2"].number_format == "yyyy-mm-dd"
    assert first[1].startswith("白班")
    assert first[3] == 50 and isinstance(first[3], int)
    assert sheet["F2"].number_format == "0.0%" and first[5] == pytest.approx(0.4)
    assert sheet["J2"].number_format == "#,##0.00" and first[9] == pytest.approx(1000)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "date_from"),
        ({"date_from": "2026-10-01"}, "date_to"),
        ({"date_from": "2026-10-31", "date_to": "2026-10-01"}, "date_to"),
        ({"date_from": "2025-10-01", "date_to": "2026-10-31"}, "date_to"),
        ({"date_from": "2026/10/01", "date_to": "2026-10-31"}, "date_from"),
        ({**OCTOBER, "format": "xls"}, "format"),
    ],
)
def test_bad_ranges_and_formats_are_400_naming_the_field(manager_api, shop_a, query, field):
    response = manager_api.get(url(shop_a), query, **ZH)
    assert response.status_code == 400
    assert field in response.json()
    assert not response.json()[field][0].isascii(), "the reason in the reader's language"


@pytest.mark.django_db
def test_the_export_costs_the_same_queries_for_a_day_or_a_month(manager_api, shop_a):
    agent = AgentFactory()
    WorkloadFactory(agent=agent, shop=shop_a, date=dt.date(2026, 10, 1))
    with CaptureQueriesContext(connection) as one:
        manager_api.get(url(shop_a), OCTOBER)
    for day in range(2, 31):
        WorkloadFactory(agent=AgentFactory(), shop=shop_a, date=dt.date(2026, 10, day))
    with CaptureQueriesContext(connection) as many:
        response = manager_api.get(url(shop_a), OCTOBER)
    assert len(rows_of(response)) == 30
    assert len(many) == len(one)
