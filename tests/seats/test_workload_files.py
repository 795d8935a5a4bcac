"""Workload files as Chinese offices have them: GBK CSV saved by Excel, .xlsx workbooks, Chinese
headers, sub-account names, the roster's shift, extra columns and summary rows."""

import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from seats.models import SeatAssignment, SubAccount, WorkloadRecord
from seats.selectors import agent_kpis, workload_kpis
from seats.services import read_workload_file, workload_bulk_upsert
from seats.services.workloads import files
from seats.services.workloads.rows import FieldError, money, parse_date, seconds, whole_number
from tests.factories import AgentFactory, SeatAssignmentFactory, SeatFactory, ShopFactory

BULK = "/api/v1/workloads/bulk/"
TEMPLATE = "/api/v1/workloads/template/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.fixture(autouse=True)
def frozen():
    """10:00 on 2026-11-28 in Shanghai: the 27th's shifts are over, the 28th's day has begun."""
    with time_machine.travel(dt.datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def xiaolu(db):
    """小鹿童装旗舰店 with two agents on the roster, each holding a sub-account of the shop."""
    shop = ShopFactory(name="小鹿童装旗舰店", platform="tmall", platform_shop_id="58001234")
    mei = AgentFactory(name="王小美", employee_no="A001")
    lan = AgentFactory(name="李兰", employee_no="A002")
    seat = SeatFactory(code="S01")
    SeatAssignmentFactory(seat=seat, agent=mei, shift="day", start_date=D(2026, 11, 1))
    SeatAssignmentFactory(seat=seat, agent=lan, shift="night", start_date=D(2026, 11, 1))
    for agent, name in ((mei, "小鹿童装旗舰店:小美"), (lan, "小鹿童装旗舰店:阿兰")):
        SubAccount.objects.create(shop=shop, agent=agent, name=name, granted_on=D(2026, 11, 1))
    return shop, mei, lan


@pytest.fixture
def manager_client(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def errors_of(response):
    assert response.status_code == 400, response.content
    return [(e["row"], e["field"]) for e in response.json()["errors"]]


def upload(api, name: str, raw: bytes, **extra):
    file = SimpleUploadedFile(name, raw, content_type="application/octet-stream")
    return api.post(BULK, {"file": file}, format="multipart", **extra)


# A 赤兔 export as Excel saves it on a Chinese Windows: GBK, CRLF, agents named by sub-account,
# no shop and no shift column, counts with thousands separators, rates as percentages, a 合计 row.
CHITU_EXPORT = (
    "日期,旺旺,接待人数,咨询人数,询单人数,最终付款人数,询单转化率,买家消息数,客服消息数,"
    "首次响应(秒),客服销售额,满意率\r\n"
    '2026/11/27,小鹿童装旗舰店:小美,"1,500","1,420","1,234",456,36.95%,"5,210","6,020",'
    '18.6,"￥12,000.00",98.50%\r\n'
    "2026/11/27,小鹿童装旗舰店:阿兰,90,85,80,30,37.50%,400,520,25,￥3400.5,100.00%\r\n"
    '合计,,"1,590","1,505","1,314",486,36.99%,"5,610","6,540",19.1,"￥15,400.50",99.25%\r\n'
)


def test_a_gbk_csv_saved_by_excel_imports_in_one_step(manager_api, xiaolu):
    shop, mei, lan = xiaolu
    response = upload(manager_api, "赤兔客服绩效.csv", CHITU_EXPORT.encode("gbk"))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 2,
        "updated": 0,
        "ignored_columns": ["接待人数", "咨询人数", "询单转化率", "满意率"],
        "skipped_rows": 1,
    }
    day = WorkloadRecord.objects.get(agent=mei)
    assert (day.shop, day.date, day.shift) == (shop, D(2026, 11, 27), "day")
    assert (day.inquiries, day.conversions) == (1234, 456)  # 询单人数 counts, 咨询人数 not
    assert (day.buyer_messages, day.agent_messages) == (5210, 6020)
    assert (day.first_response_seconds, day.sales_amount) == (19, Decimal("12000.00"))
    night = WorkloadRecord.objects.get(agent=lan)
    assert (night.shift, night.sales_amount) == ("night", Decimal("3400.50"))


def test_the_same_export_in_utf8_with_a_bom_reads_the_same(manager_api, xiaolu):
    text = CHITU_EXPORT.replace("￥", "¥")  # UTF-8 has the half-width sign too
    response = upload(manager_api, "export.csv", text.encode("utf-8-sig"))
    assert response.json()["created"] == 2


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_an_xlsx_with_chinese_headers_and_date_cells_imports_in_one_step(manager_api, xiaolu):
    shop, mei, lan = xiaolu
    raw = workbook_bytes(
        [
            ["小鹿童装旗舰店 客服数据 2026-11-27"],  # a title line above the header
            ["日期", "班次", "工号", "店铺名称", "询单人数", "成交人数", "客服销售额", "满意率"],
            [dt.datetime(2026, 11, 27), "白班", "A001", "小鹿童装旗舰店", 80, 30, 12000.5, 0.985],
            [dt.datetime(2026, 11, 27), "晚班", "A002", "小鹿童装旗舰店", 60, 20, "￥800", 1],
            [None, None, None, None, None, None, None, None],
            ["平均值", None, None, None, 70, 25, 6400.25, 0.99],
        ]
    )
    # Named without .xlsx: the zip signature says what it is.
    response = upload(manager_api, "export", raw)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 2,
        "updated": 0,
        "ignored_columns": ["满意率"],
        "skipped_rows": 1,
    }
    day = WorkloadRecord.objects.get(agent=mei)
    assert (day.shop, day.date, day.shift, day.inquiries) == (shop, D(2026, 11, 27), "day", 80)
    assert day.sales_amount == Decimal("12000.50")
    # The file had no message counts and no first response: unknown, never 0.
    assert (day.buyer_messages, day.agent_messages, day.first_response_seconds) == (
        None,
        None,
        None,
    )
    listed = manager_api.get("/api/v1/workloads/", {"agent": mei.pk}).json()["results"][0]
    assert listed["buyer_messages"] is None
    assert listed["answer_ratio"] is None
    assert listed["first_response_miss"] is None


def test_header_and_row_errors_come_together_in_the_readers_language(manager_api, xiaolu):
    text = (
        "日期,客服,店铺,询单人数,买家消息数\n"
        "2026/13/40,小鹿童装旗舰店:小美,小鹿童装旗舰店,80,abc\n"
        "2026/11/27,无名氏,小鹿童装旗舰店,80,1\n"
    )
    response = upload(manager_api, "x.csv", text.encode("gbk"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert errors_of(response) == [(0, "成交人数"), (1, "日期"), (1, "买家消息数"), (2, "客服")]
    body = response.json()
    for message in [body["detail"], *(error["message"] for error in body["errors"])]:
        assert any("\u4e00" <= char <= "\u9fff" for char in message), message
        assert not any(word in message for word in ("Expected", "Unknown", "column", "agent"))
    assert not WorkloadRecord.objects.exists()


def test_errors_name_the_column_as_the_file_wrote_it_in_english_too(manager_api, xiaolu):
    text = "Date,Agent,Shop,Inquiries,Conversions\n2026-11-27,A001,小鹿童装旗舰店,10,11\n"
    response = upload(manager_api, "x.csv", text.encode())
    assert errors_of(response) == [(1, "Conversions")]
    assert "cannot exceed" in response.json()["errors"][0]["message"]


def test_two_agents_of_one_name_are_an_error_saying_so(manager_api, xiaolu):
    shop, mei, _ = xiaolu
    AgentFactory(name="王小美", employee_no="B009")
    text = "日期,班次,客服,店铺,询单人数,成交人数\n2026-11-27,白班,王小美,小鹿童装旗舰店,10,1\n"
    response = upload(manager_api, "x.csv", text.encode())
    assert errors_of(response) == [(1, "客服")]
    assert "2 agents match" in response.json()["errors"][0]["message"]
    # The employee number names one of them.
    fixed = text.replace("王小美", "A001")
    assert upload(manager_api, "x.csv", fixed.encode()).json()["created"] == 1


def test_shops_by_id_name_or_platform_shop_id_and_agents_by_id_number_or_name(manager_api, xiaolu):
    shop, mei, lan = xiaolu
    text = (
        "date,shift,agent,shop,inquiries,conversions\n"
        f"2026-11-25,day,{mei.pk},{shop.pk},1,0\n"
        f"2026-11-26,day,A001,58001234,1,0\n"
        "2026-11-27,day,王小美,小鹿童装旗舰店,1,0\n"
    )
    response = upload(manager_api, "x.csv", text.encode())
    assert response.json()["created"] == 3
    assert set(WorkloadRecord.objects.values_list("agent", "shop").distinct()) == {
        (mei.pk, shop.pk)
    }


def test_a_sub_account_counts_only_for_its_shop_and_while_in_use(manager_api, xiaolu):
    shop, mei, _ = xiaolu
    SubAccount.objects.filter(agent=mei).update(revoked_on=D(2026, 11, 20))
    other = ShopFactory(name="别家店")
    text = (
        "日期,班次,旺旺,店铺,询单人数,成交人数\n"
        "2026-11-20,白班,小鹿童装旗舰店:小美,小鹿童装旗舰店,1,0\n"  # the revocation day counts
        "2026-11-21,白班,小鹿童装旗舰店:小美,小鹿童装旗舰店,1,0\n"
        "2026-11-20,白班,小鹿童装旗舰店:小美,别家店,1,0\n"
    )
    response = upload(manager_api, "x.csv", text.encode())
    assert errors_of(response) == [(2, "旺旺"), (3, "旺旺")]
    assert other.pk  # named by its name, found, but the sub-account is not its own


def test_without_a_shop_column_the_agent_must_be_a_sub_account(manager_api, xiaolu):
    text = "日期,班次,客服,询单人数,成交人数\n2026-11-27,白班,A001,1,0\n"
    response = upload(manager_api, "x.csv", text.encode())
    assert errors_of(response) == [(1, "店铺")]


def test_without_a_shift_the_roster_says_and_no_seat_shift_is_an_error(manager_api, xiaolu):
    shop, mei, lan = xiaolu
    AgentFactory(name="赵六", employee_no="A009")  # on no seat
    text = (
        "日期,客服,店铺,询单人数,成交人数\n"
        "2026-11-27,A002,小鹿童装旗舰店,10,1\n"
        "2026-11-27,A009,小鹿童装旗舰店,10,1\n"
        "2026-10-27,A001,小鹿童装旗舰店,10,1\n"  # before the assignment began
    )
    response = upload(manager_api, "x.csv", text.encode())
    assert errors_of(response) == [(2, "班次"), (3, "班次")]
    response = upload(manager_api, "x.csv", text.encode(), HTTP_ACCEPT_LANGUAGE="en")
    assert "roster" in response.json()["errors"][0]["message"]
    assert (
        upload(manager_api, "x.csv", "\n".join(text.splitlines()[:2]).encode()).json()["created"]
        == 1
    )
    assert WorkloadRecord.objects.get().shift == "night"


def test_the_roster_does_not_excuse_a_shift_that_has_not_begun(manager_api, xiaolu):
    text = "日期,客服,店铺,询单人数,成交人数\n2026-11-28,A002,小鹿童装旗舰店,10,1\n"
    assert errors_of(upload(manager_api, "x.csv", text.encode())) == [(1, "班次")]


def test_json_rows_may_leave_the_optional_counts_out_or_null(manager_api, xiaolu):
    shop, mei, _ = xiaolu
    rows = [
        {"agent": mei.pk, "shop": shop.pk, "date": "2026-11-26", "shift": "day",
         "inquiries": 5, "conversions": 1, "sales_amount": None},
        {"agent": "小鹿童装旗舰店:小美", "date": "2026-11-27", "inquiries": 5, "conversions": 1},
    ]  # fmt: skip
    response = manager_api.post(BULK, rows, format="json")
    assert response.json() == {"created": 2, "updated": 0, "ignored_columns": [], "skipped_rows": 0}
    assert set(WorkloadRecord.objects.values_list("sales_amount", flat=True)) == {None}


def test_a_file_without_the_optional_columns_replaces_their_figures_with_unknown(
    manager_api, xiaolu
):
    shop, mei, _ = xiaolu
    full = (
        "日期,班次,客服,店铺,询单人数,成交人数,客服销售额\n2026-11-27,白班,A001,58001234,10,1,99\n"
    )
    upload(manager_api, "x.csv", full.encode())
    short = "日期,班次,客服,店铺,询单人数,成交人数\n2026-11-27,白班,A001,58001234,12,1\n"
    assert upload(manager_api, "x.csv", short.encode()).json()["updated"] == 1
    assert WorkloadRecord.objects.get().sales_amount is None


def test_resolution_costs_the_same_queries_for_10_and_300_rows(db, xiaolu):
    shop, mei, lan = xiaolu
    SubAccount.objects.update(granted_on=D(2026, 1, 1))
    SeatAssignment.objects.update(start_date=D(2026, 1, 1))

    def rows(count: int) -> bytes:
        lines = ["日期,旺旺,询单人数,成交人数"]
        for index in range(count):
            day = D(2026, 11, 27) - dt.timedelta(days=index // 2)
            agent = "小鹿童装旗舰店:小美" if index % 2 else "小鹿童装旗舰店:阿兰"
            lines.append(f"{day:%Y/%m/%d},{agent},10,1")
        return "\n".join(lines).encode("gbk")

    counts = []
    for count in (10, 300):
        with CaptureQueriesContext(connection) as queries:
            result = workload_bulk_upsert(rows=read_workload_file(rows(count)))
        assert result.created == count
        counts.append(len(queries))
        WorkloadRecord.objects.all().delete()
    if connection.vendor == "sqlite":
        # SQLite inserts at most 999 parameters a statement: 300 rows take a few more INSERTs.
        assert counts[1] - counts[0] <= 3
    else:
        assert counts[1] == counts[0]
    assert counts[0] <= 12


def test_old_xls_files_and_broken_workbooks_are_refused_clearly(manager_api):
    assert errors_of(upload(manager_api, "x.xls", b"\xd0\xcf\x11\xe0rest")) == [(None, "file")]
    assert errors_of(upload(manager_api, "x.xlsx", b"PK\x03\x04broken")) == [(None, "file")]


# --- Values as exports write them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27", D(2026, 11, 27)),
        ("2026/11/27", D(2026, 11, 27)),
        ("2026/1/5", D(2026, 1, 5)),
        ("2026年1月5日", D(2026, 1, 5)),
        ("2026/11/27 0:00:00", D(2026, 11, 27)),
        (dt.datetime(2026, 11, 27), D(2026, 11, 27)),
    ],
)
def test_dates_as_exports_write_them(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["27/11/2026", "2026-11/27", "2026/2/30", "", 46000])
def test_dates_that_are_not(text):
    with pytest.raises(FieldError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥12,000.00", Decimal("12000.00")),
        ("￥12000", Decimal("12000.00")),
        ("1,234,567.8", Decimal("1234567.80")),
        (12000.5, Decimal("12000.50")),
        ("3400.5元", Decimal("3400.50")),
    ],
)
def test_amounts_with_currency_signs_and_thousands_separators(text, expected):
    assert money(text) == expected


@pytest.mark.parametrize("text", ["12,00.00", "¥-5", "1.234", "12%"])
def test_amounts_that_are_not(text):
    with pytest.raises(FieldError):
        money(text)


def test_counts_and_seconds():
    assert whole_number("1,234") == 1234
    assert whole_number(80.0) == 80
    assert seconds("18.5") == 19
    assert seconds(25) == 25
    for wrong in ("1,23", "12.5", "36.95%"):
        with pytest.raises(FieldError):
            whole_number(wrong)


def test_the_shift_column_takes_day_night_or_the_chinese_words(manager_api, xiaolu):
    text = (
        "日期,班次,客服,店铺,询单人数,成交人数\n"
        "2026-11-27,Night,A002,58001234,1,0\n"
        "2026-11-26,早班,A001,58001234,1,0\n"
        "2026-11-26,中班,A001,58001234,1,0\n"
    )
    assert errors_of(upload(manager_api, "x.csv", text.encode())) == [(3, "班次")]


# --- Unknown figures in the KPIs ---------------------------------------------------------------


def test_kpis_skip_unknown_figures_and_stay_unknown_when_none_is_known(manager_api, xiaolu):
    shop, mei, _ = xiaolu
    rows = [
        {"agent": mei.pk, "shop": shop.pk, "date": "2026-11-25", "shift": "day",
         "inquiries": 10, "conversions": 5},
        {"agent": mei.pk, "shop": shop.pk, "date": "2026-11-26", "shift": "day",
         "inquiries": 10, "conversions": 5, "buyer_messages": 100, "agent_messages": 150,
         "first_response_seconds": 200, "sales_amount": "50.00"},
    ]  # fmt: skip
    manager_api.post(BULK, rows, format="json")
    total, _ = agent_kpis(agent_id=mei.pk, date_from=D(2026, 11, 1), date_to=D(2026, 11, 30))
    assert (total.records, total.inquiries, total.sales) == (2, 20, Decimal("50.00"))
    assert (total.answer_ratio, total.first_response_misses, total.timed_records) == (
        Decimal("1.5000"),
        1,
        1,
    )
    by_date = workload_kpis(date_from=D(2026, 11, 25), date_to=D(2026, 11, 25), by="date")
    unknown = by_date[D(2026, 11, 25)]
    assert (unknown.sales, unknown.answer_ratio, unknown.first_response_misses) == (
        None,
        None,
        None,
    )
    assert (unknown + by_date[D(2026, 11, 25)]).sales is None


def test_the_agent_page_shows_unknown_sales_as_a_dash_not_zero(manager_client, xiaolu):
    shop, mei, _ = xiaolu
    text = "日期,班次,客服,店铺,询单人数,成交人数\n2026-11-27,白班,A001,58001234,10,1\n"
    workload_bulk_upsert(rows=read_workload_file(text.encode()))
    html = manager_client.get(f"/agents/{mei.pk}/").content.decode()
    assert "¥ 0.00" not in html
    assert "–" in html


# --- Templates and the other doors ------------------------------------------------------------


def test_the_template_speaks_the_requests_language(manager_api):
    chinese = manager_api.get(TEMPLATE, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 200
    assert chinese["Content-Type"].startswith("text/csv")
    assert chinese.content.decode("utf-8-sig").splitlines()[0].startswith("日期,班次,客服,店铺")
    english = manager_api.get(TEMPLATE, {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200
    sheet = load_workbook(io.BytesIO(english.content)).active
    assert [cell.value for cell in sheet[1]][:4] == ["date", "shift", "agent", "shop"]
    assert sheet.max_row == 1


def test_a_filled_in_template_imports(manager_api, xiaolu):
    template = manager_api.get(TEMPLATE, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content
    filled = template + "2026/11/27,白班,A001,小鹿童装旗舰店,80,30,400,520,25,¥1200\r\n".encode()
    assert upload(manager_api, "template.csv", filled).json()["created"] == 1


def test_an_unknown_template_format_is_400(manager_api):
    response = manager_api.get(TEMPLATE, {"format": "pdf"})
    assert response.status_code == 400
    assert "format" in response.json()


def test_owners_get_no_template(owner_a_api):
    assert owner_a_api.get(TEMPLATE, {"format": "csv"}).status_code == 403


def test_the_command_names_ignored_columns_and_skipped_rows(tmp_path, xiaolu):
    path = tmp_path / "chitu.csv"
    path.write_bytes(CHITU_EXPORT.encode("gbk"))
    out = io.StringIO()
    call_command("import_workloads", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "created 2, updated 0",
        "skipped 1 summary row(s)",
        "ignored columns: 接待人数, 咨询人数, 询单转化率, 满意率",
    ]


def test_the_import_page_reads_a_workbook_and_shows_what_it_left_out(manager_client, xiaolu):
    raw = workbook_bytes(
        [
            ["日期", "班次", "工号", "店铺", "询单人数", "成交人数", "满意率"],
            [dt.datetime(2026, 11, 27), "白班", "A001", "小鹿童装旗舰店", 80, 30, 0.98],
            ["合计", None, None, None, 80, 30, 0.98],
        ]
    )
    file = SimpleUploadedFile("export.xlsx", raw)
    response = manager_client.post("/workloads/import/", {"file": file})
    preview = response.context["preview"]
    assert preview.errors == []
    assert (preview.ignored_columns, preview.skipped_rows) == (["满意率"], 1)
    html = response.content.decode()
    assert "满意率" in html and "1 summary row skipped." in html
    digest = preview.digest
    manager_client.post("/workloads/import/", {"confirm": "1", "digest": digest})
    assert WorkloadRecord.objects.get().inquiries == 80


def test_the_import_page_links_both_templates(manager_client):
    html = manager_client.get("/workloads/import/").content.decode()
    assert f"{TEMPLATE}?format=csv" in html and f"{TEMPLATE}?format=xlsx" in html


def test_names_no_database_can_hold_are_row_errors_never_a_500(manager_api, xiaolu):
    shop, mei, _ = xiaolu
    rows = [
        {"agent": "小\x00美", "shop": shop.pk, "date": "2026-11-26", "shift": "day",
         "inquiries": 5, "conversions": 1},
        {"agent": mei.pk, "shop": "\udb3bshop", "date": "2026-11-26", "shift": "night",
         "inquiries": 5, "conversions": 1},
        {"agent": "²", "shop": shop.pk, "date": "2026-11-26", "shift": "night",
         "inquiries": 5, "conversions": 1},
    ]  # fmt: skip
    # Sent as a client would: the JSON text escapes the lone surrogate (\\udb3b).
    response = manager_api.generic("POST", BULK, json.dumps(rows), content_type="application/json")
    assert response.status_code == 400
    fields = [(error["row"], error["field"]) for error in response.json()["errors"]]
    assert fields == [(1, "agent"), (2, "shop"), (3, "agent")]
    assert WorkloadRecord.objects.count() == 0


def _read_line_by_line(monkeypatch) -> None:
    """Make every file take the line-by-line reading (summary lines, too many cells...)."""
    monkeypatch.setattr(files, "_plain_lines", lambda *args: False)


def _read(raw: bytes):
    read = read_workload_file(raw)
    return read.rows, read.labels, read.missing, read.ignored_columns, read.errors


@pytest.mark.parametrize(
    ("lines", "plain"),
    [
        (
            [
                "小鹿童装旗舰店 客服数据",  # a title line above the header
                " 日期 ,工号, 店铺名称,询单人数,成交人数 ,满意率",
                "2026/11/27 , A001,小鹿童装旗舰店\u3000, 80,30,98%",
                "  ,  ,\t,,,",  # blank
                "2026/11/27,A002 ,小鹿童装旗舰店,1,0,",
            ],
            True,
        ),
        (["日期,工号,店铺,询单人数,成交人数", "2026-11-27,A001,小鹿童装旗舰店", ""], False),
        (["日期,工号,店铺,询单人数", "2026-11-27,A001,小鹿童装旗舰店,1,2,3"], False),
        (["日期,工号,店铺,询单人数", "合计,,,1", "2026-11-27,A001,小鹿童装旗舰店,1"], False),
        (["日期,工号", "2026-11-27,A001", "2026-11-27 ,A002"], True),
    ],
    ids=["untrimmed", "short line", "long line", "summary", "no shop"],
)
def test_reading_a_files_columns_at_once_gives_the_rows_line_by_line_gives(
    monkeypatch, lines, plain
):
    raw = "\r\n".join(lines).encode("gbk")
    at_once = _read(raw)
    assert (read_workload_file(raw).cells is not None) == plain
    _read_line_by_line(monkeypatch)
    assert at_once == _read(raw)


def test_a_file_of_plain_lines_is_read_column_by_column_and_stored_as_line_by_line(
    manager_api, xiaolu, monkeypatch
):
    text = "日期,班次,工号,店铺,询单人数,成交人数\n" + "".join(
        f" 2026-11-{day:02d} ,白班,A001, 小鹿童装旗舰店,{day},1\n" for day in range(1, 28)
    )
    assert read_workload_file(text.encode()).cells["shop"][0] == "小鹿童装旗舰店"
    assert upload(manager_api, "x.csv", text.encode()).json()["created"] == 27
    stored = list(WorkloadRecord.objects.order_by("date").values_list("date", "inquiries"))
    _read_line_by_line(monkeypatch)
    assert upload(manager_api, "x.csv", text.encode()).json()["updated"] == 27
    assert stored == list(WorkloadRecord.objects.order_by("date").values_list("date", "inquiries"))
