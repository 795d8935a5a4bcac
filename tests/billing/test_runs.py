"""Billing a month: one invoice per shop, drafts recomputed, idempotent and set-based."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.choices import Plan
from billing.models import Invoice, InvoiceLine
from billing.services import bill_month, invoice_issue, invoice_pay, invoice_void, writes
from billing.services.lines import ContractTermsError
from tests.billing.factories import (
    NOVEMBER,
    OCTOBER,
    confirmed_turnover,
    day_plan_contract,
    monthly_contract,
    shops_billed_in,
)
from tests.factories import ShopFactory, TurnoverReportFactory

D = Decimal
pytestmark = pytest.mark.django_db


def invoice_of(shop, month=OCTOBER) -> Invoice:
    return Invoice.objects.exclude(status="void").get(shop=shop, month=month)


def figures_of_month(month=OCTOBER) -> dict:
    return {
        invoice.shop_id: (
            invoice.status,
            invoice.total,
            invoice.awaiting_turnover,
            [
                (line.kind, line.contract_id, line.quantity, line.unit_price, line.amount)
                for line in invoice.lines.order_by("position")
            ],
        )
        for invoice in Invoice.objects.filter(month=month).exclude(status="void")
    }


# --- Which shops get an invoice ---------------------------------------------------------------


def test_every_shop_with_a_contract_active_in_the_month_gets_one_invoice(shop_a, shop_b):
    monthly_contract(shop_a, start=dt.date(2026, 10, 31))  # last day of the month
    day_plan_contract(shop_b, start=dt.date(2026, 9, 25), end=dt.date(2026, 10, 1))  # first day
    before = ShopFactory()
    monthly_contract(before, start=dt.date(2026, 1, 1), end=dt.date(2026, 9, 30))
    after = ShopFactory()
    monthly_contract(after, start=dt.date(2026, 11, 1))
    ShopFactory()  # no contract at all

    assert bill_month(month=OCTOBER) == (2, 0)

    assert set(Invoice.objects.values_list("shop_id", flat=True)) == {shop_a.pk, shop_b.pk}
    assert invoice_of(shop_a).status == "draft"
    assert invoice_of(shop_b).total == D("100.00")


def test_any_date_of_the_month_names_the_month(shop_a):
    monthly_contract(shop_a)
    bill_month(month=dt.date(2026, 10, 17))
    assert invoice_of(shop_a).month == OCTOBER


def test_lines_store_quantity_unit_price_amount_description_and_details(shop_a):
    contract = monthly_contract(shop_a, plan=Plan.SHIFT, start=dt.date(2026, 10, 11))
    confirmed_turnover(shop_a, "300000.00")

    bill_month(month=OCTOBER)

    invoice = invoice_of(shop_a)
    base_fee, fee_on_turnover = invoice.lines.order_by("position")
    assert (base_fee.kind, base_fee.contract_id, base_fee.amount) == (
        "base_fee",
        contract.pk,
        D("1016.13"),
    )
    assert base_fee.description == "21 of 31 days x 1,500.00"
    assert base_fee.details["active_days"] == 21
    assert fee_on_turnover.kind == "commission"
    assert fee_on_turnover.amount == D("5064.52")
    assert fee_on_turnover.details["attributed_turnover"] == "203225.81"
    assert fee_on_turnover.details["slices"][0] == {
        "from": "0.00",
        "to": "100000.00",
        "rate": "0.0300",
        "amount": "100000.00",
        "commission": "3000.000000",
    }
    assert invoice.total == D("6080.65") == base_fee.amount + fee_on_turnover.amount
    assert not invoice.awaiting_turnover


def test_only_confirmed_turnover_is_billed(shop_a):
    monthly_contract(shop_a)
    TurnoverReportFactory(shop=shop_a, month=OCTOBER, amount=D("300000.00"), status="submitted")
    confirmed_turnover(shop_a, "999999.00", month=NOVEMBER)  # another month

    bill_month(month=OCTOBER)

    invoice = invoice_of(shop_a)
    assert invoice.awaiting_turnover
    assert invoice.status == "draft"
    assert list(invoice.lines.values_list("kind", flat=True)) == ["base_fee"]
    assert invoice.total == D("3000.00")


# --- Drafts are recomputed; issued, paid and void invoices are not ------------------------------


def test_rerunning_a_month_gives_the_same_figures_and_counts_updates(shop_a, shop_b):
    monthly_contract(shop_a, start=dt.date(2026, 10, 11))
    confirmed_turnover(shop_a, "300000.00")
    day_plan_contract(shop_b, start=dt.date(2026, 10, 3), end=dt.date(2026, 10, 9))

    assert bill_month(month=OCTOBER) == (2, 0)
    first = figures_of_month()
    assert bill_month(month=OCTOBER) == (0, 2)
    assert bill_month(month=OCTOBER) == (0, 2)

    assert figures_of_month() == first
    assert Invoice.objects.count() == 2
    assert InvoiceLine.objects.count() == 3  # replaced, never doubled


def test_a_draft_follows_its_contracts_and_turnover(shop_a):
    contract = monthly_contract(shop_a)
    bill_month(month=OCTOBER)
    draft = invoice_of(shop_a)
    assert (draft.total, draft.awaiting_turnover) == (D("3000.00"), True)

    contract.price = D("2800.00")
    contract.save()
    confirmed_turnover(shop_a, "100000.00")
    bill_month(month=OCTOBER)

    draft.refresh_from_db()
    assert (draft.total, draft.awaiting_turnover) == (D("5800.00"), False)
    assert list(draft.lines.values_list("kind", "amount")) == [
        ("base_fee", D("2800.00")),
        ("commission", D("3000.00")),
    ]
    assert draft.history.count() == 2  # created, then changed by the second run


def test_a_run_that_creates_some_drafts_and_changes_others_writes_both(shop_a, shop_b):
    """New drafts' lines are sent while the run goes on (PostgreSQL), a changed draft's after
    its old lines are gone: both end up with their own lines, the ids of the run's own."""
    contract = monthly_contract(shop_a)
    bill_month(month=OCTOBER)
    contract.price = D("2800.00")
    contract.save()
    day_plan_contract(shop_b, start=dt.date(2026, 10, 5), end=dt.date(2026, 10, 7))

    assert bill_month(month=OCTOBER) == (1, 1)

    changed, new = invoice_of(shop_a), invoice_of(shop_b)
    assert list(changed.lines.values_list("kind", "amount")) == [("base_fee", D("2800.00"))]
    assert [line.kind for line in new.lines.all()] == ["day_rate"]
    assert new.total == sum(line.amount for line in new.lines.all())
    assert InvoiceLine.objects.filter(invoice__month=OCTOBER).count() == 2
    assert list(new.history.values_list("history_type", flat=True)) == ["+"]


def test_issued_and_paid_invoices_never_change(shop_a, shop_b, manager):
    for shop in (shop_a, shop_b):
        monthly_contract(shop)
        confirmed_turnover(shop, "100000.00")
    bill_month(month=OCTOBER)
    issued = invoice_issue(invoice_id=invoice_of(shop_a).pk, actor=manager)
    paid = invoice_pay(
        invoice_id=invoice_issue(invoice_id=invoice_of(shop_b).pk, actor=manager).pk,
        actor=manager,
    )
    before = figures_of_month()

    shop_a.contracts.update(price=D("1.00"))
    shop_b.contracts.update(price=D("1.00"))
    assert bill_month(month=OCTOBER) == (0, 0)

    assert figures_of_month() == before
    issued.refresh_from_db()
    paid.refresh_from_db()
    assert (issued.status, paid.status) == ("issued", "paid")


def test_a_void_invoice_is_ignored_and_the_shop_gets_a_new_draft(shop_a, manager):
    monthly_contract(shop_a)
    confirmed_turnover(shop_a, "100000.00")
    bill_month(month=OCTOBER)
    first = invoice_issue(invoice_id=invoice_of(shop_a).pk, actor=manager)
    invoice_void(invoice_id=first.pk, actor=manager, reason="Wrong price")
    shop_a.contracts.update(price=D("2500.00"))

    assert bill_month(month=OCTOBER) == (1, 0)

    first.refresh_from_db()
    assert (first.status, first.total) == ("void", D("6000.00"))
    replacement = invoice_of(shop_a)
    assert replacement.pk != first.pk
    assert (replacement.status, replacement.number, replacement.total) == (
        "draft",
        None,
        D("5500.00"),
    )
    assert first.lines.count() == 2  # the void invoice keeps its lines


def test_a_draft_of_a_shop_no_longer_billed_in_the_month_is_removed(shop_a, shop_b):
    moved = monthly_contract(shop_a)
    monthly_contract(shop_b)
    bill_month(month=OCTOBER)

    moved.start_date = NOVEMBER
    moved.save()
    assert bill_month(month=OCTOBER) == (0, 1)

    assert not Invoice.objects.filter(shop=shop_a).exists()
    assert Invoice.objects.filter(shop=shop_b).count() == 1


def test_months_are_billed_independently(shop_a):
    monthly_contract(shop_a)
    bill_month(month=OCTOBER)
    assert bill_month(month=NOVEMBER) == (1, 0)
    assert bill_month(month=OCTOBER) == (0, 1)
    assert Invoice.objects.filter(shop=shop_a).count() == 2


def test_a_contract_that_cannot_be_billed_stops_the_run_and_names_it(shop_a, shop_b):
    monthly_contract(shop_a)
    broken = monthly_contract(shop_b, tiers=[{"from": "500.00", "rate": "0.03"}])
    confirmed_turnover(shop_b, "1000.00")

    with pytest.raises(ContractTermsError, match=f"Contract {broken.pk}"):
        bill_month(month=OCTOBER)

    assert not Invoice.objects.exists()  # all or nothing


# --- Set-based: the query count does not grow with the shops ----------------------------------


def test_a_run_costs_the_same_queries_for_10_and_200_shops(django_assert_num_queries):
    shops_billed_in(OCTOBER, 10)
    with CaptureQueriesContext(connection) as first_run:
        assert bill_month(month=OCTOBER) == (10, 0)
    with CaptureQueriesContext(connection) as rerun:
        assert bill_month(month=OCTOBER) == (0, 10)
    assert len(first_run) <= 10, [query["sql"][:80] for query in first_run]

    march = dt.date(2026, 3, 1)  # before October: the October contracts are not billed in it
    shops_billed_in(march, 200)
    with django_assert_num_queries(len(first_run)):
        assert bill_month(month=march) == (200, 0)
    with django_assert_num_queries(len(rerun)):
        assert bill_month(month=march) == (0, 200)


def test_the_orm_fallback_writes_the_same_invoices(monkeypatch):
    shops_billed_in(OCTOBER, 24)
    bill_month(month=OCTOBER)
    bill_month(month=OCTOBER)
    set_based = figures_of_month()
    history = Invoice.history.count()
    Invoice.objects.all().delete()

    monkeypatch.setattr(writes, "SET_BASED", False)
    bill_month(month=OCTOBER)
    assert bill_month(month=OCTOBER) == (0, 24)

    assert figures_of_month() == set_based
    assert Invoice.history.filter(history_type="+").count() == 2 * 24
    assert history == 24  # reruns with the same figures write no history


def test_history_rows_copy_the_invoice_as_written(shop_a, manager):
    monthly_contract(shop_a)
    bill_month(month=OCTOBER, actor=manager)
    invoice = invoice_of(shop_a)
    record = invoice.history.get()
    assert (record.history_type, record.total, record.status, record.shop_id) == (
        "+",
        invoice.total,
        "draft",
        shop_a.pk,
    )
    assert record.history_user == manager
    assert record.created_at == invoice.created_at


@pytest.mark.parametrize("set_based", [True, False], ids=["set-based", "orm"])
def test_a_rerun_leaves_unchanged_drafts_as_they_are(shop_a, shop_b, monkeypatch, set_based):
    monkeypatch.setattr(writes, "SET_BASED", set_based)
    monthly_contract(shop_a)
    confirmed_turnover(shop_a, "100000.00")
    changed = monthly_contract(shop_b)
    bill_month(month=OCTOBER)
    kept_lines = list(invoice_of(shop_a).lines.values_list("id", flat=True))
    kept_stamp = invoice_of(shop_a).updated_at

    changed.price = D("2800.00")
    changed.save()
    assert bill_month(month=OCTOBER) == (0, 2)  # both still counted as recomputed

    kept = invoice_of(shop_a)
    assert list(kept.lines.values_list("id", flat=True)) == kept_lines  # not rewritten
    assert (kept.updated_at, kept.history.count()) == (kept_stamp, 1)
    draft = invoice_of(shop_b)
    assert list(draft.lines.values_list("amount", flat=True)) == [D("2800.00")]
    record = draft.history.first()
    assert (record.history_type, record.total) == ("~", D("2800.00"))
    assert record.created_at == draft.created_at


def test_a_draft_whose_lines_change_but_not_its_total_gets_new_lines(shop_a):
    contract = day_plan_contract(shop_a, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 10))
    bill_month(month=OCTOBER)
    draft = invoice_of(shop_a)
    InvoiceLine.objects.filter(invoice=draft).update(description="edited")
    Invoice.objects.filter(pk=draft.pk).update(figures_hash="")  # as if written by older code

    bill_month(month=OCTOBER)

    line = invoice_of(shop_a).lines.get()
    assert line.contract_id == contract.pk
    assert line.description == "10 service days (2026-10-01 to 2026-10-10) x 100.00"
    assert draft.history.count() == 1  # the same total and flag: no change to record


def test_a_drafts_digest_hashes_the_copy_text_that_is_stored():
    """Each line is made into its COPY text once: the digest hashes that text and COPY sends
    it, so a change in the details alone (a slice of the tiers) changes the digest, and what
    is stored is what was hashed."""
    from billing.services.lines import InvoiceFigures, LineFigures
    from billing.services.runs import _line_rows, _line_tuples

    def figures(rate: str) -> InvoiceFigures:
        details = {"kind": "commission", "slices": [{"from": "0.00", "rate": rate}]}
        line = LineFigures(1, "commission", "Turnover 10.00", D("1"), D("0.30"), D("0.30"), details)
        return InvoiceFigures(shop_id=1, lines=[line])

    texts, digest = _line_rows(figures("0.03"))
    _, other = _line_rows(figures("0.030"))
    rows = _line_tuples(figures("0.03"))
    assert digest != other
    assert texts == [writes.line_copy_text(rows[0])]
    assert (
        texts[0].split("\t")[7] == '{"kind":"commission","slices":[{"from":"0.00","rate":"0.03"}]}'
    )
    assert writes._encode_line(7, rows[0]) == "7" + texts[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ids are reserved on PostgreSQL")
def test_reserved_invoice_ids_come_from_the_invoice_tables_own_sequence(shop_a, shop_b):
    """The ids a run reserves for its new drafts are the sequence's next values, one a shop and
    none twice: an invoice saved afterwards gets a later id."""
    reserved = writes.reserve_invoice_ids([shop_a.pk, shop_b.pk, 99])
    assert list(reserved) == [shop_a.pk, shop_b.pk, 99]
    assert len(set(reserved.values())) == 3
    monthly_contract(shop_a)
    bill_month(month=OCTOBER)
    assert invoice_of(shop_a).pk > max(reserved.values())
    assert writes.reserve_invoice_ids([]) == {}


def test_history_copy_text_writes_each_rows_own_creation_time():
    """A new draft's creation time is ``now``, written out once for all of them; a changed
    draft keeps its own (a datetime or the database's text of one)."""
    now = dt.datetime(2026, 11, 1, 2, 3, 4, 567890, tzinfo=dt.UTC)
    earlier = dt.datetime(2026, 10, 2, 9, 0, tzinfo=dt.UTC)
    rows = [
        {"id": 1, "shop_id": 10, "created_at": now, "total": D("1.00"), "awaiting_turnover": False},
        {
            "id": 2,
            "shop_id": 11,
            "created_at": earlier,
            "total": D("2.50"),
            "awaiting_turnover": True,
        },
        {"id": 3, "shop_id": 12, "created_at": "2026-10-03 08:00:00+00", "total": D("0.00")},
    ]
    rows[2]["awaiting_turnover"] = False
    for row, kind in zip(rows, "+~~", strict=True):
        row["history_type"] = kind
    text = writes.history_copy_text(
        month=OCTOBER, now=now, rows=rows, user_id=None, reason="billing run 2026-10"
    )
    stamp = now.isoformat()
    tail = f"\t2026-10-01\tdraft\t{stamp}\t{stamp}\t\\N\tbilling run 2026-10\n"
    assert text == (
        f"1\t10\t{stamp}\t1.00\tf\t+{tail}"
        f"2\t11\t{earlier.isoformat()}\t2.50\tt\t~{tail}"
        f"3\t12\t2026-10-03 08:00:00+00\t0.00\tf\t~{tail}"
    )
