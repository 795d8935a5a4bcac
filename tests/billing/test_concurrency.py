"""Races on PostgreSQL: two runs of one month at once, many issues at once, corrections.

Each thread has its own database connection, so these need a real server (SQLite's in-memory
test database is private to one connection) and committed data (``transaction=True``).
"""

import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, connections

from billing.models import Invoice, InvoiceSequence
from billing.services import bill_month, invoice_issue, turnover_correct
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
