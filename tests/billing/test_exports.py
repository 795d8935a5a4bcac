"""Exports of invoices and reports (``billing.exports``) as CSV and XLSX, in the reader's language.

One row per invoice (void ones too): the accountant reconciles invoice numbers, and the line
amounts per kind add up to the total.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import translation
from openpyxl import load_workbook

from billing.choices import InvoiceStatus
from billing.document_apis import InvoiceExportApi
from billing.models import Invoice
from tests.billing.test_documents import (
    CHINESE_SHOP,
    base_fee_line,
    full_invoice,
    make_invoice,
)
from tests.factories import ShopFactory

EXPORT = "/api/v1/invoices/export/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark first"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


@pytest.fixture
def chinese_shop(owner_a):
    return ShopFactory(owner=owner_a, name=CHINESE_SHOP, platform="tmall")


@pytest.fixture
def month_of_invoices(chinese_shop, shop_b):
    issued = full_invoice(chinese_shop, status=Invoice.Status.ISSUED, number="INV-2026-000123")
    issued.issued_at = dt.datetime(2026, 11, 1, 16, 30, tzinfo=dt.UTC)  # 00:30 on the 2nd there
    issued.save(update_fields=["issued_at"])
    awaiting = make_invoice(shop_b, awaiting=True)
    base_fee_line(awaiting, active=31, total=31)
    awaiting.total = Decimal("1500.00")
    awaiting.save(update_fields=["total"])
    full_invoice(ShopFactory(name="Elsewhere"), month=dt.date(2026, 9, 1))


# --- The month's invoices ---------------------------------------------------------------------


@pytest.mark.django_db
def test_month_export_is_one_row_per_invoice_with_labels_in_english(manager_api, month_of_invoices):
    response = manager_api.get(EXPORT, {"month": "2026-10"}, HTTP_ACCEPT="text/csv", **EN)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="invoices-2026-10.csv"'
    assert csv_rows(response.content) == [
        {
            "Invoice number": "",
            "Shop": "Shop B",
            "Platform": "Taobao",
            "Month": "October 2026",
            "Status": "Draft",
            "Awaiting turnover": "yes",
            "Issued on": "",
            "Paid on": "",
            "Service days": "0.00",
            "Base fee": "1500.00",
            "Commission": "0.00",
            "Total (CNY)": "1500.00",
        },
        {
            "Invoice number": "INV-2026-000123",
            "Shop": CHINESE_SHOP,
            "Platform": "Tmall",
            "Month": "October 2026",
            "Status": "Issued",
            "Awaiting turnover": "no",
            "Issued on": "2026-11-02",
            "Paid on": "",
            "Service days": "2000.00",
            "Base fee": "1016.13",
            "Commission": "5064.52",
            "Total (CNY)": "8080.65",
        },
    ]


@pytest.mark.django_db
def test_month_export_speaks_chinese_to_a_chinese_reader(manager_api, month_of_invoices):
    response = manager_api.get(EXPORT, {"month": "2026-10"}, **ZH)
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:5] == ["账单编号", "店铺", "平台", "月份", "状态"]
    assert rows[1][:6] == [
        "INV-2026-000123",
        CHINESE_SHOP,
        "天猫",
        "2026年10月",
        str(_in_chinese(InvoiceStatus.ISSUED.label)),
        "否",
    ]
    assert not any(value.isascii() and value.isalpha() for value in header)


def _in_chinese(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


@pytest.mark.django_db
def test_month_export_as_xlsx_holds_numbers_and_dates(manager_api, month_of_invoices):
    response = manager_api.get(EXPORT, {"month": "2026-10", "format": "xlsx"}, **EN)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="invoices-2026-10.xlsx"'
    sheet = sheet_of(response.content)
    assert sheet.title == "2026-10"
    assert sheet["A1"].value == "Invoice number" and sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    issued = [cell for cell in sheet[3]]
    assert issued[0].value == "INV-2026-000123"
    assert issued[6].value == dt.datetime(2026, 11, 2) and issued[6].number_format == "yyyy-mm-dd"
    assert issued[11].value == pytest.approx(8080.65) and issued[11].number_format == "#,##0.00"


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", ["pdf", "XLSX ", "json"])
def test_month_export_refuses_another_format_naming_the_field(manager_api, export_format):
    response = manager_api.get(EXPORT, {"month": "2026-10", "format": export_format}, **EN)
    assert response.status_code == 400
    assert list(response.json()) == ["format"]
    assert "csv or xlsx" in response.json()["format"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"month": ""}, {"month": "2026-13"}, {"month": "10/2026"}])
def test_month_export_refuses_a_missing_or_malformed_month(manager_api, query):
    response = manager_api.get(EXPORT, query, HTTP_ACCEPT="text/csv")
    assert response.status_code == 400
    assert "month" in response.json()


@pytest.mark.django_db
def test_month_export_lists_void_invoices_too(manager_api, shop_a):
    full_invoice(shop_a, status=Invoice.Status.VOID, number="INV-2026-000001")
    full_invoice(shop_a, status=Invoice.Status.ISSUED, number="INV-2026-000002")
    rows = csv_rows(manager_api.get(EXPORT, {"month": "2026-10"}, **EN).content)
    assert [(row["Invoice number"], row["Status"]) for row in rows] == [
        ("INV-2026-000001", "Void"),
        ("INV-2026-000002", "Issued"),
    ]


@pytest.mark.django_db
def test_month_export_keeps_spreadsheets_from_running_shop_names_as_formulas(manager_api, owner_a):
    make_invoice(ShopFactory(owner=owner_a, name="=HYPERLINK(1)"))
    rows = csv_rows(manager_api.get(EXPORT, {"month": "2026-10"}, **EN).content)
    assert rows[0]["Shop"] == "'=HYPERLINK(1)"


@pytest.mark.django_db
def test_month_export_of_a_month_without_invoices_is_just_the_header(manager_api):
    response = manager_api.get(EXPORT, {"month": "2031-02"})
    assert response.status_code == 200
    assert csv_rows(response.content) == []


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_month_export_costs_the_same_queries_for_one_invoice_or_many(manager_api, export_format):
    full_invoice(ShopFactory())
    query = {"month": "2026-10", "format": export_format}
    with CaptureQueriesContext(connection) as one:
        manager_api.get(EXPORT, query)
    for _ in range(5):
        full_invoice(ShopFactory())
    with CaptureQueriesContext(connection) as six:
        response = manager_api.get(EXPORT, query)
    assert response.status_code == 200
    assert len(six) == len(one)


def test_export_route_is_not_taken_by_the_invoice_detail_route():
    assert resolve(EXPORT).func.view_class is InvoiceExportApi


# --- A shop's invoices, for its owner -----------------------------------------------------------


def shop_export(shop) -> str:
    return f"/api/v1/shops/{shop.pk}/invoices/export/"


@pytest.mark.django_db
def test_an_owner_exports_their_shops_invoices_newest_month_first(owner_a_api, chinese_shop):
    full_invoice(chinese_shop, status=Invoice.Status.ISSUED, number="INV-2026-000123")
    full_invoice(chinese_shop, month=dt.date(2026, 9, 1))
    full_invoice(ShopFactory(owner=chinese_shop.owner, name="Other shop of A"))

    response = owner_a_api.get(shop_export(chinese_shop), {"format": "xlsx"}, **ZH)

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="invoices.xlsx"; '
        "filename*=UTF-8''invoices-%E5%B0%8F%E7%B1%B3%E6%97%97%E8%88%B0%E5%BA%97.xlsx"
    )
    sheet = sheet_of(response.content)
    assert sheet.title == CHINESE_SHOP
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["INV-2026-000123", None]
    assert sheet["D2"].number_format == 'yyyy"年"m"月"'


@pytest.mark.django_db
def test_another_owners_shop_invoices_answer_404(owner_b_api, shop_a):
    full_invoice(shop_a)
    assert owner_b_api.get(shop_export(shop_a)).status_code == 404


@pytest.mark.django_db
def test_a_token_without_accept_language_gets_the_accounts_language(shop_a):
    from rest_framework.test import APIClient

    owner = shop_a.owner
    owner.language = "zh-hans"
    owner.save(update_fields=["language"])
    full_invoice(shop_a)
    client = APIClient()
    client.force_authenticate(owner)
    header = client.get(shop_export(shop_a)).content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("账单编号,店铺,平台")


# --- The reports ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seat_profitability_export_has_the_pages_rows(manager_api, shop_a):
    full_invoice(shop_a)  # contracts without a seat: revenue served without a seat
    response = manager_api.get(
        "/api/v1/reports/seat-profitability/export/", {"month": "2026-10"}, **EN
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="seat-profitability-2026-10.csv"'
    )
    assert csv_rows(response.content) == [
        {
            "Seat": "All seats",
            "Revenue": "0.00",
            "Agent cost": "0.00",
            "Overhead": "0.00",
            "Margin": "0.00",
            "Agent cost basis": "Estimate: base salaries",
        },
        {
            "Seat": "Revenue served without a seat",
            "Revenue": "8080.65",
            "Agent cost": "",
            "Overhead": "",
            "Margin": "",
            "Agent cost basis": "",
        },
    ]


@pytest.mark.django_db
def test_revenue_by_plan_export_lists_every_plan_and_the_total(manager_api, shop_a):
    full_invoice(shop_a)
    response = manager_api.get(
        "/api/v1/reports/revenue-by-plan/export/", {"month": "2026-10", "format": "xlsx"}, **ZH
    )
    sheet = sheet_of(response.content)
    assert [cell.value for cell in sheet[1]] == ["收费模式", "收入（元）"]
    rows = [(row[0].value, row[1].value) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 5
    assert rows[-1][1] == pytest.approx(8080.65)
    assert all(not label.isascii() for label, _ in rows)


@pytest.mark.django_db
def test_revenue_by_month_export_is_twelve_months_newest_first_with_the_change(manager_api, shop_a):
    full_invoice(shop_a, month=dt.date(2026, 9, 1))
    full_invoice(shop_a)
    rows = csv_rows(
        manager_api.get(
            "/api/v1/reports/revenue-by-month/export/", {"month": "2026-10"}, **EN
        ).content
    )
    assert len(rows) == 12
    assert rows[0] == {
        "Month": "October 2026",
        "Revenue (CNY)": "8080.65",
        "Change on the month before": "0.0%",
    }
    assert rows[1]["Month"] == "September 2026" and rows[1]["Change on the month before"] == ""
    assert rows[-1]["Month"] == "November 2025"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/seat-profitability/export/",
        "/api/v1/reports/revenue-by-plan/export/",
        "/api/v1/reports/revenue-by-month/export/",
    ],
)
def test_report_exports_are_for_managers(owner_a_api, manager_api, path):
    assert owner_a_api.get(path, {"month": "2026-10"}).status_code == 403
    assert manager_api.get(path, {"month": "2026-10", "format": "xls"}).status_code == 400
    assert manager_api.get(path, {"month": "2026-1"}).status_code == 400
