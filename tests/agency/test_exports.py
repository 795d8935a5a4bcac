"""The table export helper (``agency.exports``): CSV that Excel on a Chinese Windows opens right,
XLSX with real numbers and dates, formulas never run, headers and choices in the reader's language.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from agency.exports import (
    Column,
    Kind,
    attachment_header,
    display_width,
    filename_part,
    table_csv,
    table_response,
    table_xlsx,
)
from shops.choices import ShopPlatform

COLUMNS = (
    Column("shop", _("Shop")),
    Column("platform", _("Platform"), Kind.CHOICE, dict(ShopPlatform.choices)),
    Column("day", _("Date"), Kind.DATE),
    Column("month", _("Month"), Kind.MONTH),
    Column("amount", _("Total (CNY)"), Kind.MONEY),
    Column("inquiries", _("Inquiries"), Kind.COUNT),
    Column("rate", _("Conversion rate"), Kind.PERCENT),
)
ROW = {
    "shop": "小鹿童装旗舰店",
    "platform": "tmall",
    "day": dt.date(2026, 11, 30),
    "month": dt.date(2026, 11, 1),
    "amount": Decimal("12345.675"),
    "inquiries": 1234,
    "rate": Decimal("0.7234"),
}


def _csv(columns=COLUMNS, rows=(ROW,)) -> list[list[str]]:
    content = table_csv(columns, rows)
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark first"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_csv_is_utf8_with_bom_and_crlf_line_ends_so_excel_reads_chinese_names():
    content = table_csv(COLUMNS, [ROW, ROW])
    assert content[:3] == b"\xef\xbb\xbf"
    assert content.count(b"\r\n") == 3 and b"\n" not in content.replace(b"\r\n", b"")
    assert "小鹿童装旗舰店".encode() in content


def test_csv_writes_plain_numbers_iso_dates_and_labels_in_english():
    with translation.override("en"):
        header, row = _csv()
    assert header == [
        "Shop",
        "Platform",
        "Date",
        "Month",
        "Total (CNY)",
        "Inquiries",
        "Conversion rate",
    ]
    assert row == [
        "小鹿童装旗舰店",
        "Tmall",
        "2026-11-30",
        "November 2026",
        "12345.68",
        "1234",
        "72.3%",
    ]


def test_csv_headers_and_choices_follow_the_active_language():
    with translation.override("zh-hans"):
        header, row = _csv()
    assert header[:4] == ["店铺", "平台", "日期", "月份"]
    assert row[1] == "天猫"
    assert row[3] == "2026年11月"


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted(text):
    (_header, row) = _csv(rows=[{**ROW, "shop": text}])
    assert row[0] == f"'{text}"
    sheet = _sheet(table_xlsx(COLUMNS, [{**ROW, "shop": text}], sheet_title="x"))
    # (XML keeps no carriage return: it reads back as a line feed, still after the quote.)
    assert sheet["A2"].value.startswith("'") and sheet["A2"].data_type == "s"


def test_numbers_the_exporter_writes_are_never_quoted_even_negative():
    (_header, row) = _csv(rows=[{**ROW, "amount": Decimal("-120.5"), "rate": Decimal("-0.1")}])
    assert row[4] == "-120.50"
    assert row[6] == "-10.0%"


def test_missing_values_are_empty_cells():
    empty = dict.fromkeys(ROW)
    (_header, row) = _csv(rows=[empty])
    assert row == [""] * len(COLUMNS)
    sheet = _sheet(table_xlsx(COLUMNS, [empty], sheet_title="x"))
    assert [cell.value for cell in sheet[2]] == [None] * len(COLUMNS)


def test_an_unknown_choice_is_written_as_stored():
    (_header, row) = _csv(rows=[{**ROW, "platform": "kuaishou"}])
    assert row[1] == "kuaishou"


def test_xlsx_holds_real_numbers_and_dates_with_number_formats():
    with translation.override("en"):
        sheet = _sheet(table_xlsx(COLUMNS, [ROW], sheet_title="Invoices 2026-11"))
    assert sheet.title == "Invoices 2026-11"
    shop, platform, day, month, amount, inquiries, rate = (cell for cell in sheet[2])
    assert shop.value == "小鹿童装旗舰店"
    assert platform.value == "Tmall"
    assert day.value == dt.datetime(2026, 11, 30) and day.number_format == "yyyy-mm-dd"
    assert month.value == dt.datetime(2026, 11, 1) and month.number_format == "mmmm yyyy"
    assert amount.value == pytest.approx(12345.68) and amount.number_format == "#,##0.00"
    assert inquiries.value == 1234 and inquiries.number_format == "#,##0"
    assert rate.value == pytest.approx(0.7234) and rate.number_format == "0.0%"


def test_xlsx_in_chinese_names_months_the_chinese_way():
    with translation.override("zh-hans"):
        sheet = _sheet(table_xlsx(COLUMNS, [ROW], sheet_title="账单"))
    assert sheet["A1"].value == "店铺"
    assert sheet["D2"].number_format == 'yyyy"年"m"月"'


def test_xlsx_header_is_bold_and_frozen_and_columns_fit_their_contents():
    sheet = _sheet(table_xlsx(COLUMNS, [ROW], sheet_title="x"))
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    # Seven Chinese characters take 14 columns, plus a margin.
    assert sheet.column_dimensions["A"].width >= display_width("小鹿童装旗舰店")
    assert 8 <= sheet.column_dimensions["F"].width <= 60


def test_xlsx_sheet_title_drops_characters_excel_refuses_and_fits_31():
    sheet = _sheet(table_xlsx(COLUMNS, [], sheet_title="a/b:c*d?[e]" + "x" * 40))
    assert sheet.title == "a b c d  e " + "x" * 20


def test_an_ascii_file_name_is_a_plain_attachment():
    assert (
        attachment_header("invoices-2026-11.csv") == 'attachment; filename="invoices-2026-11.csv"'
    )


def test_a_chinese_file_name_survives_with_rfc_5987():
    header = attachment_header("workloads-小鹿童装-2026-11-01-2026-11-30.xlsx")
    assert header == (
        'attachment; filename="workloads-2026-11-01-2026-11-30.xlsx"; '
        "filename*=UTF-8''workloads-%E5%B0%8F%E9%B9%BF%E7%AB%A5%E8%A3%85-2026-11-01-2026-11-30.xlsx"
    )


def test_filename_part_keeps_chinese_and_drops_path_and_quote_characters():
    assert filename_part(' 小鹿/童装 "旗舰店" ') == "小鹿-童装-旗舰店"
    assert filename_part("../..") == "export"


@pytest.mark.parametrize(
    ("export_format", "content_type", "magic"),
    [
        ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbf"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            b"PK",
        ),
    ],
)
def test_table_response_is_a_private_attachment(export_format, content_type, magic):
    response = table_response(
        COLUMNS, [ROW], export_format=export_format, filename="report", sheet_title="x"
    )
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="report.{export_format}"'
    assert response["Cache-Control"] == "private"
    assert response.content.startswith(magic)
