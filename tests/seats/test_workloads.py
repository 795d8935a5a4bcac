"""Workloads: KPIs, owner scoping, filters, and the all-or-nothing bulk upsert."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seats.models import WorkloadRecord
from seats.services import parse_workload_csv, workload_bulk_upsert
from tests.factories import (
    AgentFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    WorkloadFactory,
)

URL = "/api/v1/workloads/"
NOTHING_LEFT_OUT = {"ignored_columns": [], "skipped_rows": 0}
BULK = "/api/v1/workloads/bulk/"
D = dt.date
HEADER = (
    "agent,shop,date,shift,inquiries,conversions,buyer_messages,agent_messages,"
    "first_response_seconds,sales_amount"
)


def row(agent_, shop_, **overrides):
    data = {
        "agent": agent_.pk,
        "shop": shop_.pk,
        "date": "2026-10-01",
        "shift": "day",
        "inquiries": 80,
        "conversions": 30,
        "buyer_messages": 400,
        "agent_messages": 520,
        "first_response_seconds": 25,
        "sales_amount": "12000.50",
    }
    data.update(overrides)
    return data


def errors_of(response):
    assert response.status_code == 400, response.content
    return [(e["row"], e["field"]) for e in response.json()["errors"]]


# --- Reading ------------------------------------------------------------------------------------


def test_workload_shows_conversion_rate_answer_ratio_and_first_response_miss(manager_api):
    WorkloadFactory(
        inquiries=3,
        conversions=2,
        buyer_messages=300,
        agent_messages=360,
        first_response_seconds=121,
    )
    body = manager_api.get(URL).json()["results"][0]
    assert body["conversion_rate"] == "0.6667"
    assert body["answer_ratio"] == "1.2000"
    assert body["first_response_miss"] is True
    assert body["sales_amount"] == "1000.00"


def test_kpis_are_null_when_there_is_nothing_to_divide_by(manager_api):
    WorkloadFactory(inquiries=0, conversions=0, buyer_messages=0, first_response_seconds=120)
    body = manager_api.get(URL).json()["results"][0]
    assert body["conversion_rate"] is None
    assert body["answer_ratio"] is None
    assert body["first_response_miss"] is False  # 120 s is not over the limit


def test_owners_see_only_their_own_shops_workloads(owner_a_api, shop_a, shop_b):
    mine = WorkloadFactory(shop=shop_a)
    theirs = WorkloadFactory(shop=shop_b)
    listed = [r["id"] for r in owner_a_api.get(URL).json()["results"]]
    assert listed == [mine.pk]
    assert owner_a_api.get(f"{URL}{mine.pk}/").status_code == 200
    assert owner_a_api.get(f"{URL}{theirs.pk}/").status_code == 404


def test_owner_filtering_by_another_shop_gets_nothing_not_an_error(owner_a_api, shop_a, shop_b):
    WorkloadFactory(shop=shop_b)
    response = owner_a_api.get(f"{URL}?shop={shop_b.pk}")
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_manager_sees_every_shops_workloads(manager_api, shop_a, shop_b):
    WorkloadFactory(shop=shop_a)
    WorkloadFactory(shop=shop_b)
    assert manager_api.get(URL).json()["count"] == 2


def test_anonymous_gets_401_on_workloads(api):
    assert api.get(URL).status_code == 401


def test_owners_cannot_upload_workloads(owner_a_api, shop_a):
    response = owner_a_api.post(BULK, [], format="json")
    assert response.status_code == 403


def test_filters_agent_shop_dates_and_shift(manager_api, shop_a, shop_b):
    agent = AgentFactory()
    a = WorkloadFactory(agent=agent, shop=shop_a, date=D(2026, 10, 1), shift="day")
    b = WorkloadFactory(agent=agent, shop=shop_b, date=D(2026, 10, 2), shift="night")
    c = WorkloadFactory(shop=shop_a, date=D(2026, 10, 3), shift="day")

    def ids(query):
        response = manager_api.get(URL + query)
        assert response.status_code == 200
        return {r["id"] for r in response.json()["results"]}

    assert ids(f"?agent={agent.pk}") == {a.pk, b.pk}
    assert ids(f"?shop={shop_a.pk}") == {a.pk, c.pk}
    assert ids("?date_from=2026-10-02") == {b.pk, c.pk}
    assert ids("?date_to=2026-10-02") == {a.pk, b.pk}
    assert ids("?shift=night") == {b.pk}
    assert manager_api.get(URL + "?shift=full").status_code == 400
    assert manager_api.get(URL + "?date_from=10/01").status_code == 400


def test_seat_filter_means_work_of_the_agents_on_that_seat_on_each_date(manager_api, shop_a):
    seat, other_seat = SeatFactory(), SeatFactory()
    agent = AgentFactory()
    SeatAssignmentFactory(
        seat=seat, agent=agent, start_date=D(2026, 10, 1), end_date=D(2026, 10, 10)
    )
    SeatAssignmentFactory(seat=other_seat, agent=agent, start_date=D(2026, 10, 11))
    on_seat = WorkloadFactory(agent=agent, shop=shop_a, date=D(2026, 10, 10))
    WorkloadFactory(agent=agent, shop=shop_a, date=D(2026, 10, 11))  # moved to the other seat
    WorkloadFactory(shop=shop_a, date=D(2026, 10, 5))  # another agent
    response = manager_api.get(f"{URL}?seat={seat.pk}")
    assert [r["id"] for r in response.json()["results"]] == [on_seat.pk]


def test_workload_list_costs_the_same_queries_for_5_and_50_rows(manager_api, shop_a):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = manager_api.get(URL)
        return len(ctx.captured_queries), response.json()["count"]

    WorkloadFactory.create_batch(5, shop=shop_a)
    five = count_queries()
    WorkloadFactory.create_batch(45, shop=shop_a)
    fifty = count_queries()
    assert (five[1], fifty[1]) == (5, 50)
    assert five[0] == fifty[0]


# --- Bulk upsert: JSON ----------------------------------------------------------------------------


def test_bulk_json_creates_then_updates_by_agent_shop_date_shift(manager_api, shop_a):
    agent = AgentFactory()
    first = manager_api.post(BULK, [row(agent, shop_a), row(agent, shop_a, shift="night")])
    assert first.status_code == 200
    assert first.json() == {"created": 2, "updated": 0, **NOTHING_LEFT_OUT}
    again = manager_api.post(BULK, [row(agent, shop_a, inquiries=90)], format="json")
    assert again.json() == {"created": 0, "updated": 1, **NOTHING_LEFT_OUT}
    assert WorkloadRecord.objects.count() == 2  # sending a day again replaces, never doubles
    stored = WorkloadRecord.objects.get(shift="day")
    assert stored.inquiries == 90
    assert stored.sales_amount == Decimal("12000.50")


def test_bulk_is_all_or_nothing(manager_api, shop_a):
    agent = AgentFactory()
    response = manager_api.post(
        BULK, [row(agent, shop_a), row(agent, shop_a, shift="night", inquiries=-1)], format="json"
    )
    assert errors_of(response) == [(2, "inquiries")]
    assert not WorkloadRecord.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"agent": 999999}, "agent"),
        ({"agent": "abc"}, "agent"),
        ({"shop": 999999}, "shop"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "01/10/2026"}, "date"),
        ({"shift": "full"}, "shift"),
        ({"inquiries": -5}, "inquiries"),
        ({"inquiries": 2.5}, "inquiries"),
        ({"buyer_messages": "12.0"}, "buyer_messages"),
        ({"agent_messages": True}, "agent_messages"),
        ({"first_response_seconds": -1}, "first_response_seconds"),
        ({"inquiries": None}, "inquiries"),
        ({"conversions": 81}, "conversions"),
        ({"sales_amount": "12.345"}, "sales_amount"),
        ({"sales_amount": "-1.00"}, "sales_amount"),
        ({"sales_amount": "abc"}, "sales_amount"),
        ({"sales_amount": "NaN"}, "sales_amount"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bulk_row_validation_names_row_and_field(manager_api, shop_a, overrides, field):
    agent = AgentFactory()
    response = manager_api.post(
        BULK, [row(agent, shop_a, shift="night"), row(agent, shop_a, **overrides)], format="json"
    )
    assert (2, field) in errors_of(response)


def test_bulk_reports_every_error_of_every_row_at_once(manager_api, shop_a):
    agent = AgentFactory()
    response = manager_api.post(
        BULK,
        [row(agent, shop_a, shift="x", date="x"), row(agent, shop_a, inquiries="-1")],
        format="json",
    )
    assert errors_of(response) == [(1, "date"), (1, "shift"), (2, "inquiries")]
    messages = [e["message"] for e in response.json()["errors"]]
    assert all(messages)


def test_bulk_refuses_the_same_key_twice_in_one_upload(manager_api, shop_a):
    agent = AgentFactory()
    response = manager_api.post(BULK, [row(agent, shop_a), row(agent, shop_a)], format="json")
    assert errors_of(response) == [(2, None)]
    assert "row 1" in response.json()["errors"][0]["message"]


def test_bulk_refuses_a_missing_column(manager_api, shop_a):
    data = row(AgentFactory(), shop_a)
    del data["conversions"]
    assert errors_of(manager_api.post(BULK, [data], format="json")) == [(1, "conversions")]


def test_bulk_accepts_what_the_list_returns(manager_api, shop_a):
    WorkloadFactory(shop=shop_a)
    listed = manager_api.get(URL).json()["results"]
    response = manager_api.post(BULK, listed, format="json")
    assert response.json() == {"created": 0, "updated": 1, **NOTHING_LEFT_OUT}


def test_bulk_body_must_be_a_list_of_objects(manager_api):
    assert errors_of(manager_api.post(BULK, {"agent": 1}, format="json")) == [(None, None)]
    assert errors_of(manager_api.post(BULK, [1], format="json")) == [(1, None)]


def test_bulk_refuses_more_than_the_row_limit(manager_api, shop_a, settings):
    settings.AGENCY = {**settings.AGENCY, "WORKLOAD_BULK_MAX_ROWS": 3}
    agent = AgentFactory()
    rows = [row(agent, shop_a, date=f"2026-10-0{d}") for d in range(1, 5)]
    response = manager_api.post(BULK, rows, format="json")
    assert errors_of(response) == [(None, None)]
    assert "At most 3 rows" in response.json()["errors"][0]["message"]


def test_bulk_of_an_empty_list_changes_nothing(manager_api):
    response = manager_api.post(BULK, [], format="json")
    assert response.json() == {"created": 0, "updated": 0, **NOTHING_LEFT_OUT}


def test_bulk_row_limit_is_10000_by_default():
    from django.conf import settings

    assert settings.AGENCY["WORKLOAD_BULK_MAX_ROWS"] == 10_000


# --- Bulk upsert: CSV -----------------------------------------------------------------------------


def csv_file(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("workloads.csv", text.encode(encoding), content_type="text/csv")


def test_bulk_csv_with_bom_and_crlf_is_read(manager_api, shop_a):
    agent = AgentFactory()
    text = (
        f"{HEADER}\r\n"
        f"{agent.pk},{shop_a.pk},2026-10-01,day,80,30,400,520,25,12000.50\r\n"
        f"{agent.pk},{shop_a.pk},2026-10-01,night,60,20,300,330,140,800\r\n"
        "\r\n"
    )
    response = manager_api.post(BULK, {"file": csv_file(text, "utf-8-sig")}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, **NOTHING_LEFT_OUT}
    night = WorkloadRecord.objects.get(shift="night")
    assert (night.first_response_seconds, night.sales_amount) == (140, Decimal("800.00"))


def test_bulk_csv_rows_are_numbered_from_the_first_data_line(manager_api, shop_a):
    agent = AgentFactory()
    text = (
        f"{HEADER}\n"
        f"{agent.pk},{shop_a.pk},2026-10-01,day,80,30,400,520,25,12000.50\n"
        f"{agent.pk},{shop_a.pk},2026-10-01,night,80,90,400,520,25,1.00\n"
    )
    response = manager_api.post(BULK, {"file": csv_file(text)}, format="multipart")
    assert errors_of(response) == [(2, "conversions")]


def test_bulk_csv_header_problems_are_row_0(manager_api):
    text = HEADER.replace("inquiries", "inquires") + ",date\n"
    response = manager_api.post(BULK, {"file": csv_file(text)}, format="multipart")
    assert errors_of(response) == [(0, "date"), (0, "inquiries")]


def test_bulk_csv_columns_in_any_order_and_case(manager_api, shop_a):
    agent = AgentFactory()
    header = "Shop, Agent ,DATE,shift,inquiries,conversions,buyer_messages,agent_messages,"
    header += "first_response_seconds,sales_amount"
    text = f"{header}\n{shop_a.pk},{agent.pk},2026-10-01,Night,1,0,0,0,0,0\n"
    response = manager_api.post(BULK, {"file": csv_file(text)}, format="multipart")
    assert response.json() == {"created": 1, "updated": 0, **NOTHING_LEFT_OUT}
    assert WorkloadRecord.objects.get().agent_id == agent.pk


def test_bulk_csv_that_is_neither_utf8_nor_gbk_is_refused(manager_api, shop_a):
    raw = f"{HEADER}\n1,1,2026-10-01,day,1,0,0,0,0,0\n".encode() + b"\xff\x80\n"
    upload = SimpleUploadedFile("workloads.csv", raw, content_type="text/csv")
    response = manager_api.post(BULK, {"file": upload}, format="multipart")
    assert errors_of(response) == [(None, "file")]
    assert "UTF-8" in response.json()["errors"][0]["message"]


def test_bulk_multipart_without_a_file_is_refused(manager_api):
    response = manager_api.post(BULK, {"other": "x"}, format="multipart")
    assert errors_of(response) == [(None, "file")]


def test_bulk_csv_of_more_than_the_row_limit_is_refused(manager_api, settings):
    settings.AGENCY = {**settings.AGENCY, "WORKLOAD_BULK_MAX_ROWS": 2}
    text = HEADER + "\n" + "1,1,2026-10-01,day,1,0,0,0,0,0\n" * 3
    response = manager_api.post(BULK, {"file": csv_file(text)}, format="multipart")
    assert errors_of(response) == [(None, None)]


def test_parse_workload_csv_reads_text_and_bytes_alike():
    text = f"{HEADER}\n1,2,2026-10-01,day,1,0,0,0,0,0\n"
    assert parse_workload_csv(text) == parse_workload_csv(("\ufeff" + text).encode())
    assert parse_workload_csv(text).plain_rows[0]["shop"] == "2"


def test_parse_workload_csv_reports_an_empty_file_as_its_header():
    assert parse_workload_csv(b"").errors[0].row == 0


def test_parse_workload_csv_reports_a_line_with_too_many_cells():
    upload = parse_workload_csv(f"{HEADER}\n1,2,2026-10-01,day,1,0,0,0,0,0,extra\n")
    assert [(error.row, error.field) for error in upload.errors] == [(1, None)]


# --- Set-based ingest -----------------------------------------------------------------------------


def _rows(count: int) -> list[dict]:
    agents = AgentFactory.create_batch(50)
    shops = ShopFactory.create_batch(20)
    rows = []
    start = D(2026, 9, 1)
    for i in range(count):
        agent = agents[i % 50]
        shop = shops[(i // 50) % 20]
        day = start + dt.timedelta(days=i // 1000)
        rows.append(
            {
                "agent": agent.pk,
                "shop": shop.pk,
                "date": day.isoformat(),
                "shift": "day",
                "inquiries": str(i % 150),
                "conversions": "0",
                "buyer_messages": "10",
                "agent_messages": "12",
                "first_response_seconds": "30",
                "sales_amount": "99.90",
            }
        )
    return rows


def _bulk_query_budget() -> int:
    """30 queries for 10,000 rows.

    On SQLite, Django 5.2 caps one INSERT at 999 parameters (83 workloads), so the inserts there
    grow with the rows however large the batch; the rest stays constant.
    """
    if connection.vendor == "postgresql":
        return 30
    fields = [f for f in WorkloadRecord._meta.concrete_fields if not f.primary_key]
    per_insert = connection.ops.bulk_batch_size(fields, [None] * 10_000)
    return 30 + -(-10_000 // per_insert)


def test_bulk_of_10000_rows_costs_a_small_constant_number_of_queries(
    db, django_assert_max_num_queries
):
    rows = _rows(10_000)
    with django_assert_max_num_queries(_bulk_query_budget()):
        result = workload_bulk_upsert(rows=rows)
    assert (result.created, result.updated) == (10_000, 0)
    assert WorkloadRecord.objects.count() == 10_000


def test_bulk_resent_is_idempotent_2000_rows_updated_none_created(db):
    rows = _rows(2_000)
    assert workload_bulk_upsert(rows=rows).created == 2_000
    result = workload_bulk_upsert(rows=rows)
    assert (result.created, result.updated) == (0, 2_000)
    assert WorkloadRecord.objects.count() == 2_000


def test_bulk_mixed_new_and_stored_rows_are_counted_apart(db):
    rows = _rows(300)
    workload_bulk_upsert(rows=rows[:100])
    result = workload_bulk_upsert(rows=rows)
    assert (result.created, result.updated) == (200, 100)


# --- Management command -------------------------------------------------------------------------


def test_import_workloads_command_uses_the_same_upsert(tmp_path, shop_a):
    agent = AgentFactory()
    path = tmp_path / "day.csv"
    path.write_text(f"{HEADER}\n{agent.pk},{shop_a.pk},2026-10-01,day,80,30,400,520,25,1.00\n")
    out = io.StringIO()
    call_command("import_workloads", str(path), stdout=out)
    call_command("import_workloads", str(path), stdout=out)
    assert out.getvalue().splitlines() == ["created 1, updated 0", "created 0, updated 1"]


def test_import_workloads_command_fails_without_saving_on_a_bad_row(tmp_path, shop_a):
    path = tmp_path / "day.csv"
    path.write_text(f"{HEADER}\n999999,{shop_a.pk},2026-10-01,day,80,30,400,520,25,1.00\n")
    with pytest.raises(CommandError):
        call_command("import_workloads", str(path), stderr=io.StringIO())
    assert not WorkloadRecord.objects.exists()


def test_bulk_malformed_json_answers_400_in_the_errors_shape(manager_api):
    response = manager_api.generic("POST", BULK, "[{not json", content_type="application/json")
    assert errors_of(response) == [(None, None)]
