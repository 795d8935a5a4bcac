"""Races on PostgreSQL: two runs of one month at once, many issues at once, corrections.

Each thread has its own database connection, so these need a real server (SQLite's in-memory
test database is private to one connection) and committed data (``transaction=True``).
"""

import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from agency import clock
from agency.errors import StateConflict
from billing.models import Invoice, InvoiceSequence, Payment
from billing.services import (
    bill_month,
    credit_note_create,
    invoice_issue,
    payment_record,
    shop_credit_balance,
    turnover_correct,
)
from billing.services.runs import PAUSE_ENV
from tests.billing.factories import OCTOBER, confirmed_turnover, monthly_contract, shops_billed_in
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need PostgreSQL (SQLite's test database is in memory)")


def run_at_once(count: int, work: Callable[[int], object]) -> list:
    """Run ``work(i)`` in ``count`` threads released together; return results or exceptions."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # reported to the test, not lost in the thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


def test_two_runs_of_one_month_at_once_leave_one_invoice_per_shop():
    shops = shops_billed_in(OCTOBER, 40)

    results = run_at_once(2, lambda _: bill_month(month=OCTOBER))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [(0, 40), (40, 0)]  # one created them, the other recomputed them
    assert Invoice.objects.count() == 40
    assert set(Invoice.objects.values_list("shop_id", flat=True)) == {s.pk for s in shops}


def test_concurrent_issues_get_distinct_gapless_numbers(manager):
    for _ in range(12):
        shop = ShopFactory()
        monthly_contract(shop)
        confirmed_turnover(shop, "1000.00")
    bill_month(month=OCTOBER)
    drafts = list(Invoice.objects.order_by("id").values_list("id", flat=True))
    assert not InvoiceSequence.objects.exists()  # the year's row is created in the race too

    results = run_at_once(
        len(drafts), lambda i: invoice_issue(invoice_id=drafts[i], actor=manager).number
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    year = results[0][4:8]
    assert sorted(results) == [f"INV-{year}-{n:06d}" for n in range(1, len(drafts) + 1)]


def test_issuing_while_a_run_recomputes_never_changes_the_issued_invoice(manager):
    shops = shops_billed_in(OCTOBER, 30)
    bill_month(month=OCTOBER)
    ready = list(
        Invoice.objects.filter(awaiting_turnover=False).order_by("id").values_list("id", flat=True)
    )[:10]

    def work(index: int):
        if index == 0:
            return bill_month(month=OCTOBER)
        return invoice_issue(invoice_id=ready[index - 1], actor=manager).number

    results = run_at_once(len(ready) + 1, work)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Invoice.objects.count() == len(shops)
    issued = Invoice.objects.filter(pk__in=ready)
    assert all(invoice.status == "issued" for invoice in issued)
    assert all(invoice.lines.exists() for invoice in issued)
    # A rerun leaves them exactly as issued.
    before = {i.pk: (i.total, list(i.lines.values_list("amount", flat=True))) for i in issued}
    bill_month(month=OCTOBER)
    after = {i.pk: (i.total, list(i.lines.values_list("amount", flat=True))) for i in issued}
    assert after == before


def test_correcting_a_turnover_while_a_run_bills_the_month_waits_for_it(manager, monkeypatch):
    """The correction locks its report, then waits for the month; the run, at commit, checks
    its new drafts' shops. Locking the shop row with the report would deadlock the two."""
    shop = ShopFactory()
    monthly_contract(shop)
    report = confirmed_turnover(shop, "100000.00")
    monkeypatch.setenv(PAUSE_ENV, "1.5")  # the run holds the month's lock before committing

    def work(index: int):
        if index == 0:
            return bill_month(month=OCTOBER)
        time.sleep(0.5)  # the run has the month's lock by now
        return turnover_correct(
            report_id=report.pk, actor=manager, amount=Decimal("300000.00")
        ).amount

    results = run_at_once(2, work)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert results == [(1, 0), Decimal("300000.00")]
    draft = Invoice.objects.get(shop=shop, month=OCTOBER)
    assert draft.total == Decimal("10000.00")  # recomputed after the run, with the new figure


def _issued_invoices(manager, count: int, turnover: str = "1000.00") -> list[Invoice]:
    shops = []
    for _ in range(count):
        shop = ShopFactory()
        monthly_contract(shop)
        confirmed_turnover(shop, turnover)
        shops.append(shop)
    bill_month(month=OCTOBER)
    return [
        invoice_issue(invoice_id=pk, actor=manager)
        for pk in Invoice.objects.order_by("id").values_list("id", flat=True)
    ]


def test_payments_at_once_on_one_invoice_never_pay_more_than_its_balance(manager):
    (invoice,) = _issued_invoices(manager, 1)
    part = (invoice.total / 2).quantize(Decimal("0.01"), rounding="ROUND_DOWN")

    results = run_at_once(
        4,
        lambda _: payment_record(
            invoice_id=invoice.pk,
            amount=part,
            method="bank_transfer",
            received_on=clock.today(),
            actor=manager,
        ),
    )

    invoice.refresh_from_db()
    paid = [r for r in results if not isinstance(r, Exception)]
    # Two halves fit; then the invoice is paid (409) or a cent is left (400): the rest refused.
    assert len(paid) == 2
    assert all(isinstance(r, ValidationError | StateConflict) for r in results if r not in paid)
    assert invoice.amount_paid == part * 2 <= invoice.total
    assert Payment.objects.filter(invoice=invoice).count() == 2


def test_credit_notes_at_once_get_gapless_numbers_and_never_credit_more_than_the_total(manager):
    (invoice,) = _issued_invoices(manager, 1)
    third = (invoice.total / 3).quantize(Decimal("0.01"), rounding="ROUND_DOWN")

    results = run_at_once(
        5,
        lambda _: (
            credit_note_create(
                invoice_id=invoice.pk, amount=third, reason="Agreed discount", actor=manager
            ).number
        ),
    )

    numbers = sorted(r for r in results if isinstance(r, str))
    assert len(numbers) == 3  # the fourth and fifth would credit more than the total
    year = numbers[0][3:7]
    assert numbers == [f"CN-{year}-{n:06d}" for n in range(1, 4)]
    invoice.refresh_from_db()
    assert invoice.amount_credited == third * 3 <= invoice.total


def test_a_shops_credit_is_used_once_by_invoices_issued_at_once(manager):
    first, *_ = _issued_invoices(manager, 1)
    payment_record(
        invoice_id=first.pk,
        amount=first.total + Decimal("500.00"),
        method="bank_transfer",
        received_on=clock.today(),
        actor=manager,
        excess_to_credit=True,
    )
    # Two more months of the same shop, issued at once: 500.00 of credit to share.
    drafts = []
    for month in (OCTOBER.replace(month=8), OCTOBER.replace(month=9)):
        confirmed_turnover(first.shop, "1000.00", month=month)
        bill_month(month=month)
        drafts.append(Invoice.objects.get(shop=first.shop, month=month).pk)

    results = run_at_once(2, lambda i: invoice_issue(invoice_id=drafts[i], actor=manager))

    assert not [r for r in results if isinstance(r, Exception)], results
    used = Payment.objects.filter(shop=first.shop, method="credit")
    assert sum(p.amount for p in used) == Decimal("500.00")
    assert shop_credit_balance(shop_id=first.shop_id) == Decimal("0.00")
