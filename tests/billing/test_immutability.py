"""Money the owner has seen never changes (``billing.immutability``).

On PostgreSQL the triggers of ``billing/migrations/0012_money_immutable.py`` refuse every path:
a queryset ``update()`` or ``delete()``, raw SQL, a saved instance. On every database the models
refuse a saved instance (``invoice_change_check``, ``invoice_delete_check``,
``invoice_lines_check``); SQLite cannot stop a queryset ``update()`` (no triggers), which is why
those attacks are PostgreSQL's tests. The services still do all they do after issue: pay in
parts, credit, void, stamp the overdue event.
"""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from agency.errors import StateConflict
from billing.immutability import (
    INVOICE_BOOKKEEPING_FIELDS,
    INVOICE_FREE_FIELDS,
    LEDGER_FREE_FIELDS,
    invoice_change_check,
    ledger_change_check,
)
from billing.models import CreditEntry, CreditNote, Invoice, InvoiceLine, Payment
from billing.services import (
    credit_note_create,
    invoice_void,
    payment_record,
)
from billing.services.reminders import _overdue_publish
from tests.billing.payment_world import PAY_DAY, draft_invoice, issued_invoice

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no triggers: a queryset update() or raw SQL is stopped on PostgreSQL only",
)


@pytest.fixture(autouse=True)
def pay_day():
    with time_machine.travel(PAY_DAY, tick=False):
        yield


@pytest.fixture
def issued(shop_a, manager) -> Invoice:
    return issued_invoice(shop_a, manager, total="3000.00")


def _refused_by_the_database(action, message: str) -> None:
    with pytest.raises(IntegrityError, match=message), transaction.atomic():
        action()


def _issue_of(pk: int) -> dict:
    return Invoice.objects.filter(pk=pk).values("number", "total", "status", "shop_id").get()


# --- Attacks on PostgreSQL: every path refused -------------------------------------------------


@on_postgresql
@pytest.mark.parametrize(
    "change",
    [
        {"total": Decimal("1.00")},
        {"number": None},
        {"number": "INV-2026-999999"},
        {"status": "draft", "number": None},
        {"month": dt.date(2026, 9, 1)},
        {"awaiting_turnover": True},
    ],
    ids=["total", "number-taken-back", "number-changed", "back-to-draft", "month", "awaiting"],
)
def test_a_queryset_update_of_an_issued_invoices_figures_is_refused(issued, change):
    before = _issue_of(issued.pk)
    _refused_by_the_database(
        lambda: Invoice.objects.filter(pk=issued.pk).update(**change),
        "never change|cannot become",
    )
    assert _issue_of(issued.pk) == before


@on_postgresql
def test_a_queryset_update_of_another_shop_is_refused(issued, shop_b):
    _refused_by_the_database(
        lambda: Invoice.objects.filter(pk=issued.pk).update(shop=shop_b), "never change"
    )


@on_postgresql
def test_raw_sql_cannot_change_an_issued_invoice(issued):
    def attack():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE billing_invoice SET total = 1 WHERE id = %s", [issued.pk])

    _refused_by_the_database(attack, "never change")


@on_postgresql
def test_a_void_invoice_never_comes_back(issued, manager):
    invoice_void(invoice_id=issued.pk, actor=manager, reason="Wrong contract")
    for status in ("issued", "draft", "paid"):
        _refused_by_the_database(
            lambda status=status: Invoice.objects.filter(pk=issued.pk).update(status=status),
            "is void and cannot become",
        )
    _refused_by_the_database(
        lambda: Invoice.objects.filter(pk=issued.pk).update(void_reason="other"), "never change"
    )


@on_postgresql
def test_a_paid_invoice_stays_paid(issued, manager):
    payment_record(
        invoice_id=issued.pk,
        amount="3000.00",
        method="bank_transfer",
        received_on=PAY_DAY.date(),
        actor=manager,
    )
    for status in ("issued", "void"):
        _refused_by_the_database(
            lambda status=status: Invoice.objects.filter(pk=issued.pk).update(status=status),
            "is paid and cannot become",
        )
    _refused_by_the_database(
        lambda: Invoice.objects.filter(pk=issued.pk).update(amount_paid=Decimal("0")),
        "never change",
    )


@on_postgresql
def test_an_issued_invoice_is_never_deleted(issued):
    # The ORM deletes the lines first: refused there already.
    _refused_by_the_database(
        lambda: Invoice.objects.filter(pk=issued.pk).delete(),
        "cannot be deleted|its lines never change",
    )

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM billing_invoice WHERE id = %s", [issued.pk])

    _refused_by_the_database(raw, "cannot be deleted")


@on_postgresql
def test_the_lines_of_an_issued_invoice_are_never_added_changed_or_deleted(issued):
    line = issued.lines.first()
    count = issued.lines.count()
    _refused_by_the_database(
        lambda: InvoiceLine.objects.filter(pk=line.pk).update(amount=Decimal("1.00")),
        "its lines never change",
    )
    _refused_by_the_database(
        lambda: InvoiceLine.objects.filter(pk=line.pk).delete(), "its lines never change"
    )

    def add():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO billing_invoiceline (invoice_id, contract_id, kind, description, "
                "quantity, unit_price, amount, details, position) "
                "VALUES (%s, %s, 'base_fee', 'extra', 1, 1, 1, '{}', 9)",
                [issued.pk, line.contract_id],
            )

    _refused_by_the_database(add, "its lines never change")
    assert issued.lines.count() == count


@on_postgresql
def test_a_line_cannot_move_from_a_draft_to_an_issued_invoice(issued, shop_b):
    draft = draft_invoice(shop_b)
    line = draft.lines.first()
    _refused_by_the_database(
        lambda: InvoiceLine.objects.filter(pk=line.pk).update(invoice=issued),
        "its lines never change",
    )


@on_postgresql
def test_credit_notes_payments_and_credit_entries_never_change(issued, ledger):
    payment, note = ledger["payment"], ledger["credit note"]
    for queryset, change in (
        (CreditNote.objects.filter(pk=note.pk), {"amount": Decimal("1.00")}),
        (CreditNote.objects.filter(pk=note.pk), {"number": "CN-2026-999999"}),
        (Payment.objects.filter(pk=payment.pk), {"amount": Decimal("1.00")}),
        (CreditEntry.objects.filter(shop=issued.shop), {"amount": Decimal("1.00")}),
    ):
        _refused_by_the_database(
            lambda queryset=queryset, change=change: queryset.update(**change),
            "cannot be changed or deleted",
        )

    def delete(model, pk):  # raw: the ORM's PROTECT would refuse before the database
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [pk])

    entry = CreditEntry.objects.filter(shop=issued.shop).first()
    for model, pk in ((CreditEntry, entry.pk), (CreditNote, note.pk), (Payment, payment.pk)):
        _refused_by_the_database(
            lambda model=model, pk=pk: delete(model, pk), "cannot be changed or deleted"
        )


@on_postgresql
def test_a_draft_still_changes_and_is_deleted(shop_a):
    draft = draft_invoice(shop_a)
    Invoice.objects.filter(pk=draft.pk).update(total=Decimal("1.00"))
    InvoiceLine.objects.filter(invoice=draft).update(amount=Decimal("1.00"))
    InvoiceLine.objects.filter(invoice=draft).delete()
    Invoice.objects.filter(pk=draft.pk).delete()
    assert not Invoice.objects.exists()


# --- The services still work (on both databases; the triggers watch on PostgreSQL) ---------


def test_the_life_of_an_invoice_passes_the_rules(issued, manager):
    """Pay in parts, credit, stamp the overdue event: each a change the rules allow."""
    number, total = issued.number, issued.total
    assert _overdue_publish(invoice_id=issued.pk)
    payment_record(
        invoice_id=issued.pk,
        amount="1000.00",
        method="bank_transfer",
        received_on=PAY_DAY.date(),
        actor=manager,
    )
    credit_note_create(invoice_id=issued.pk, amount="500.00", reason="Refunds", actor=manager)
    payment_record(
        invoice_id=issued.pk,
        amount="1500.00",
        method="alipay",
        received_on=PAY_DAY.date(),
        actor=manager,
    )
    issued.refresh_from_db()
    assert (issued.status, issued.number, issued.total) == ("paid", number, total)
    credit_note_create(invoice_id=issued.pk, amount="100.00", reason="More", actor=manager)
    issued.refresh_from_db()
    assert issued.amount_credited == Decimal("600.00")


def test_an_issued_invoice_is_voided_and_keeps_its_number(issued, manager):
    invoice_void(invoice_id=issued.pk, actor=manager, reason="Wrong contract")
    issued.refresh_from_db()
    assert issued.status == "void" and issued.number.startswith("INV-2026-")


# --- Saved instances: refused on every database ----------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total", Decimal("1.00")),
        ("number", None),
        ("month", dt.date(2026, 9, 1)),
        ("status", "draft"),
    ],
)
def test_saving_an_issued_invoice_with_a_changed_figure_is_refused(issued, field, value):
    invoice = Invoice.objects.get(pk=issued.pk)
    setattr(invoice, field, value)
    with pytest.raises(StateConflict, match="never change|cannot become"):
        invoice.save()
    with pytest.raises(StateConflict):
        invoice.save(update_fields=[field])
    assert _issue_of(issued.pk)["total"] == Decimal("3000.00")


def test_reverting_an_issued_invoice_to_its_draft_history_is_refused(issued):
    """What the admin's revert does (``HistoryReadOnlyMixin`` offers it to nobody): save the
    instance a history record holds."""
    draft_record = Invoice.history.filter(id=issued.pk, status="draft").earliest("history_date")
    with pytest.raises(StateConflict, match="cannot become"):
        draft_record.instance.save()
    assert _issue_of(issued.pk)["status"] == "issued"


def test_saving_a_void_invoice_as_issued_is_refused(issued, manager):
    invoice_void(invoice_id=issued.pk, actor=manager, reason="Wrong contract")
    invoice = Invoice.objects.get(pk=issued.pk)
    invoice.status = "issued"
    with pytest.raises(StateConflict, match="cannot become"):
        invoice.save(update_fields=["status"])


def test_deleting_an_issued_invoice_instance_is_refused(issued):
    with pytest.raises(StateConflict, match="never deleted"):
        Invoice.objects.get(pk=issued.pk).delete()
    assert Invoice.objects.filter(pk=issued.pk).exists()


def test_saving_adding_or_deleting_a_line_of_an_issued_invoice_is_refused(issued):
    line = issued.lines.get(kind="base_fee")
    line.amount = Decimal("1.00")
    with pytest.raises(StateConflict, match="its lines never change"):
        line.save()
    with pytest.raises(StateConflict, match="its lines never change"):
        line.delete()
    line.pk, line._state.adding = None, True
    with pytest.raises(StateConflict, match="its lines never change"):
        line.save()
    assert issued.lines.get(kind="base_fee").amount == Decimal("3000.00")


def test_an_unchanged_save_of_an_issued_invoice_passes(issued):
    invoice = Invoice.objects.get(pk=issued.pk)
    invoice.total = Decimal("3000")  # the same figure, written differently
    invoice.save()


def test_the_refusal_is_translated(issued):
    from django.utils import translation

    invoice = Invoice.objects.get(pk=issued.pk)
    invoice.total = Decimal("1.00")
    with translation.override("zh-hans"), pytest.raises(StateConflict) as refused:
        invoice.save()
    assert "永不更改" in str(refused.value)


def test_the_migrations_trigger_allows_what_the_python_rule_allows():
    migration = importlib.import_module("billing.migrations.0012_money_immutable")
    assert {status: frozenset(names) for status, names in migration.INVOICE_FREE.items()} == {
        status: names for status, names in INVOICE_FREE_FIELDS.items() if names
    }
    assert frozenset(migration.BOOKKEEPING) == INVOICE_BOOKKEEPING_FIELDS


def test_invoice_change_check_reads_the_stored_status():
    stored = {"id": 1, "number": "INV-2026-000001", "status": "paid", "total": Decimal("10")}
    invoice_change_check(stored=stored, current={"amount_credited": 5}, fields=["amount_credited"])
    with pytest.raises(StateConflict):
        invoice_change_check(stored=stored, current={"total": Decimal("9")}, fields=["total"])
    draft = {**stored, "status": "draft", "number": None}
    invoice_change_check(stored=draft, current={"total": Decimal("9")}, fields=["total"])


# --- Payments, credit notes and credit entries, on every database (ledger_change_check) ------


@pytest.fixture
def ledger(issued, manager) -> dict:
    payment = payment_record(
        invoice_id=issued.pk,
        amount="3500.00",
        method="bank_transfer",
        received_on=PAY_DAY.date(),
        actor=manager,
        excess_to_credit=True,
    )
    note = credit_note_create(
        invoice_id=issued.pk, amount="100.00", reason="Refunded orders", actor=manager
    )
    return {
        "payment": Payment.objects.get(pk=payment.pk),
        "credit note": CreditNote.objects.get(pk=note.pk),
        "credit entry": CreditEntry.objects.filter(shop=issued.shop).first(),
    }


@pytest.mark.parametrize("kind", ["payment", "credit note", "credit entry"])
def test_saving_a_changed_payment_credit_note_or_credit_entry_is_refused(ledger, kind):
    row = ledger[kind]
    stored_amount = row.amount
    row.amount = Decimal("1.00")
    with pytest.raises(StateConflict, match="never changes"):
        row.save()
    assert type(row).objects.get(pk=row.pk).amount == stored_amount


@pytest.mark.parametrize("kind", ["payment", "credit note", "credit entry"])
def test_deleting_a_payment_credit_note_or_credit_entry_instance_is_refused(ledger, kind):
    row = ledger[kind]
    with pytest.raises(StateConflict, match="never deleted"):
        row.delete()
    assert type(row).objects.filter(pk=row.pk).exists()


def test_the_free_fields_of_a_payment_and_a_credit_note_still_change(ledger):
    from django.utils import timezone

    note = ledger["credit note"]
    note.notice_sent_at = timezone.now()
    note.save(update_fields=["notice_sent_at", "updated_at"])
    payment = ledger["payment"]
    payment.recorded_by = None
    payment.save()


def test_the_ledger_refusal_is_translated(ledger):
    from django.utils import translation

    payment = ledger["payment"]
    payment.amount = Decimal("1.00")
    with translation.override("zh-hans"), pytest.raises(StateConflict) as refused:
        payment.save()
    assert "付款" in str(refused.value) and "never" not in str(refused.value)


def test_the_migrations_triggers_free_the_same_ledger_fields():
    """The PostgreSQL triggers and ``LEDGER_FREE_FIELDS`` allow the same changes."""
    migration = importlib.import_module("billing.migrations.0012_money_immutable")
    sql = "\n".join(migration.CREATE)
    for kind, table in (("credit note", "billing_creditnote"), ("payment", "billing_payment")):
        body = sql.split(f"FUNCTION {table}_immutable()")[1].split("$$ LANGUAGE")[0]
        freed = {
            part.strip().strip("'")
            for part in body.split("to_jsonb(NEW)")[1].split(")")[0].split(" - ")[1:]
        }
        assert freed == set(LEDGER_FREE_FIELDS[kind]), kind
    assert LEDGER_FREE_FIELDS["credit entry"] == frozenset()


def test_ledger_change_check_names_the_changed_fields():
    stored = {"id": 7, "amount": Decimal("5.00"), "recorded_by_id": 3}
    ledger_change_check(
        kind="payment", stored=stored, current={"recorded_by_id": None}, fields=["recorded_by_id"]
    )
    with pytest.raises(StateConflict, match=r"#7 never changes \(amount\)"):
        ledger_change_check(
            kind="payment", stored=stored, current={"amount": Decimal("4")}, fields=["amount"]
        )
