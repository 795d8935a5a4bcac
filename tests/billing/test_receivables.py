"""Receivables by age (账龄) as of a date: what was outstanding then, in which bucket, per shop,
and the API that serves it."""

import csv
import datetime as dt
import io
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from billing.models import Invoice
from billing.receivables import BUCKETS, age_bucket, overdue_summary, receivables
from billing.services import credit_note_create, payment_record
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 30)
_numbers = count(1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 11, 30, 15, 0, tzinfo=SHANGHAI), tick=False):
        yield


def issued(shop, *, total="1000.00", issued_on=dt.date(2026, 9, 1), due=None, month=None):
    """An issued invoice made directly (issue dates in the past are the point here)."""
    number = next(_numbers)
    return Invoice.objects.create(
        shop=shop,
        month=month or dt.date(2020, 1, 1) + dt.timedelta(days=31 * number),
        total=Decimal(total),
        status=Invoice.Status.ISSUED,
        number=f"INV-2026-{number:06d}",
        issued_at=dt.datetime.combine(issued_on, dt.time(10), tzinfo=SHANGHAI),
        due_date=due or issued_on + dt.timedelta(days=15),
    )


def pay(invoice, manager, amount, on):
    return payment_record(
        invoice_id=invoice.pk, amount=amount, method="bank_transfer", received_on=on, actor=manager
    )


# --- Buckets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, bucket",
    [
        (-5, "current"),
        (0, "current"),
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
        (400, "days_over_90"),
    ],
)
def test_bucket_boundaries(days, bucket):
    assert age_bucket(days) == bucket


@pytest.mark.parametrize("days", [0, 1, 30, 31, 60, 61, 90, 91])
def test_an_invoice_sits_in_the_bucket_of_its_days_past_due(shop_a, days):
    issued(shop_a, due=TODAY - dt.timedelta(days=days), issued_on=dt.date(2026, 1, 1))
    [row] = receivables(as_of=TODAY).rows
    assert [key for key in BUCKETS if row.amounts[key]] == [age_bucket(days)]
    assert row.total == Decimal("1000.00")


def test_rows_per_shop_and_the_totals(shop_a, shop_b):
    issued(shop_a, total="100.00", due=TODAY)
    issued(shop_a, total="200.00", due=TODAY - dt.timedelta(days=45))
    issued(shop_b, total="300.00", due=TODAY - dt.timedelta(days=100))
    report = receivables(as_of=TODAY)
    assert [(row.shop_name, row.total, row.invoices) for row in report.rows] == [
        ("Shop A", Decimal("300.00"), 2),
        ("Shop B", Decimal("300.00"), 1),
    ]
    assert report.totals.amounts == {
        "current": Decimal("100.00"),
        "days_1_30": Decimal("0.00"),
        "days_31_60": Decimal("200.00"),
        "days_61_90": Decimal("0.00"),
        "days_over_90": Decimal("300.00"),
    }
    assert report.totals.overdue == Decimal("500.00")


# --- As of a date -----------------------------------------------------------------------------


def test_as_of_a_past_date_ignores_later_payments_and_credit_notes(shop_a, manager):
    invoice = issued(shop_a, total="1000.00", issued_on=dt.date(2026, 9, 1))
    pay(invoice, manager, "300.00", dt.date(2026, 10, 10))
    pay(invoice, manager, "200.00", dt.date(2026, 11, 20))
    credit_note_create(invoice_id=invoice.pk, amount="100.00", reason="Missed day", actor=manager)
    as_of = lambda day: receivables(as_of=day).totals.total  # noqa: E731
    assert as_of(dt.date(2026, 8, 31)) == Decimal("0.00")  # not issued yet
    assert as_of(dt.date(2026, 9, 1)) == Decimal("1000.00")
    assert as_of(dt.date(2026, 10, 10)) == Decimal("700.00")
    assert as_of(dt.date(2026, 11, 19)) == Decimal("700.00")
    assert as_of(dt.date(2026, 11, 20)) == Decimal("500.00")
    assert as_of(TODAY) == Decimal("400.00")  # the credit note was issued today
    invoice.refresh_from_db()
    assert as_of(TODAY) == invoice.balance
    # 2026-09-16 due: 55 days past it on 2026-11-10
    assert receivables(as_of=dt.date(2026, 11, 10)).totals.amounts["days_31_60"] == Decimal(
        "700.00"
    )


def test_an_excess_credit_note_makes_no_negative_row(shop_a, manager):
    invoice = issued(shop_a, total="1000.00")
    pay(invoice, manager, "1000.00", dt.date(2026, 10, 1))
    credit_note_create(invoice_id=invoice.pk, amount="400.00", reason="Refund", actor=manager)
    assert receivables(as_of=TODAY).rows == []


def test_drafts_count_for_nobody_and_void_invoices_until_their_void(shop_a, manager):
    Invoice.objects.create(shop=shop_a, month=dt.date(2026, 10, 1), total=Decimal("50.00"))
    void = issued(shop_a, total="800.00", issued_on=dt.date(2026, 9, 1))
    Invoice.objects.filter(pk=void.pk).update(
        status=Invoice.Status.VOID,
        voided_at=timezone.make_aware(dt.datetime(2026, 10, 5, 10)),
        void_reason="Wrong turnover",
    )
    assert receivables(as_of=dt.date(2026, 10, 4)).totals.total == Decimal("800.00")
    assert receivables(as_of=dt.date(2026, 10, 5)).rows == []


def test_the_report_costs_the_same_queries_for_2_or_40_invoices(
    shop_a, manager, django_assert_num_queries
):
    for _ in range(2):
        pay(issued(shop_a), manager, "10.00", dt.date(2026, 10, 1))
    with django_assert_num_queries(3):
        receivables(as_of=TODAY)
    for index in range(38):
        shop = ShopFactory(name=f"Shop {index:02d}")
        invoice = issued(shop)
        pay(invoice, manager, "10.00", dt.date(2026, 10, 1))
    with django_assert_num_queries(3):
        report = receivables(as_of=TODAY)
    assert len(report.rows) == 39


def test_owners_get_their_own_shops_only(shop_a, shop_b, owner_a):
    issued(shop_a)
    issued(shop_b)
    assert [row.shop_id for row in receivables(as_of=TODAY, user=owner_a).rows] == [shop_a.pk]


def test_the_overdue_summary_counts_balances_and_lists_the_oldest(shop_a, shop_b, manager):
    old = issued(shop_a, total="500.00", due=TODAY - dt.timedelta(days=40))
    pay(old, manager, "100.00", dt.date(2026, 11, 1))
    issued(shop_b, total="300.00", due=TODAY - dt.timedelta(days=2))
    issued(shop_b, total="999.00", due=TODAY)  # due today: not overdue
    summary = overdue_summary(today=TODAY)
    assert (summary.count, summary.amount) == (2, Decimal("700.00"))
    assert [(i.pk, i.days_overdue) for i in summary.oldest][0] == (old.pk, 40)


# --- The API ----------------------------------------------------------------------------------

URL = "/api/v1/reports/receivables/"


def test_the_api_reads_as_of_today_by_default(manager_api, shop_a):
    issued(shop_a, total="1000.00", due=TODAY - dt.timedelta(days=3))
    body = manager_api.get(URL).json()
    assert body["as_of"] == "2026-11-30"
    [row] = body["results"]
    assert row["shop"] == shop_a.pk and row["shop_name"] == "Shop A"
    assert (row["days_1_30"], row["overdue"], row["total"]) == ("1000.00", "1000.00", "1000.00")
    assert body["totals"]["shop"] is None and body["totals"]["total"] == "1000.00"


@pytest.mark.parametrize(
    "query, reason",
    [("2026-12-01", "future"), ("2026-13-01", "YYYY-MM-DD"), ("yesterday", "YYYY-MM-DD")],
)
def test_a_future_or_malformed_date_is_a_400_naming_as_of(manager_api, query, reason):
    response = manager_api.get(URL, {"as_of": query})
    assert response.status_code == 400
    assert list(response.json()) == ["as_of"]
    assert reason in response.json()["as_of"][0]


def test_owners_read_their_own_rows_in_the_api(owner_a_api, shop_a, shop_b):
    issued(shop_a)
    issued(shop_b)
    body = owner_a_api.get(URL).json()
    assert [row["shop"] for row in body["results"]] == [shop_a.pk]
    assert body["totals"]["total"] == "1000.00"


def test_the_export_is_the_table_with_its_totals(manager_api, shop_a):
    issued(shop_a, total="1000.00", due=TODAY - dt.timedelta(days=95))
    response = manager_api.get(
        "/api/v1/reports/receivables/export/", {"as_of": "2026-11-30"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "receivables-2026-11-30.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Shop" and rows[0][-1] == "Outstanding (CNY)"
    assert rows[1][0] == "Shop A" and rows[-1][0] == "All shops"
    assert rows[1][5] == rows[1][6]
    assert len(rows) == 3
