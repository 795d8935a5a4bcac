"""Money the owner has seen never changes, enforced by PostgreSQL triggers against every path
(the ORM, queryset ``update()``, raw SQL). SQLite has none: the models keep the same rules on
every database (``billing.immutability``), for saves of instances.

* ``billing_invoice``: a draft changes freely. An issued, paid or void row refuses DELETE, a
  status change other than issued -> paid or issued -> void, and any change but the ones its
  life makes: an issued invoice its payments, credit notes, status and the dates and reason of
  the transition, and its issue and due dates (no money); a paid one its credit notes; a void
  one nothing. The jobs' stamps
  (``updated_at``, ``overdue_published_at``, ``void_notice_sent_at``) are not figures.
  Its number, once given, is never taken back (a draft has none: ``invoice_draft_has_no_number``).
* ``billing_invoiceline``: INSERT, UPDATE and DELETE refused when the invoice is not a draft.
* ``billing_creditnote``: only ``notice_sent_at`` (the email's claim), ``updated_at`` and
  ``created_by`` (set null when the user goes) change; never deleted.
* ``billing_payment``: only ``recorded_by`` (set null when the user goes) and ``updated_at``
  change; never deleted.
* ``billing_creditentry``: the credit ledger: never changed or deleted.
"""

from django.db import migrations

INVOICE_FREE = {
    # Kept equal to ``billing.immutability.INVOICE_FREE_FIELDS`` (tested).
    "issued": [
        "status",
        "paid_at",
        "voided_at",
        "void_reason",
        "amount_paid",
        "amount_credited",
        "issued_at",
        "due_date",
    ],
    "paid": ["amount_credited"],
}
BOOKKEEPING = ["updated_at", "overdue_published_at", "void_notice_sent_at"]


def _array(names: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{name}'" for name in names) + "]::text[]"


CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION billing_invoice_final_locked() RETURNS trigger AS $$
    DECLARE
        free text[];
        label text;
    BEGIN
        label := coalesce(OLD.number, '#' || OLD.id);
        IF TG_OP = 'DELETE' THEN
            IF OLD.status <> 'draft' THEN
                RAISE EXCEPTION USING
                    MESSAGE = 'invoice ' || label || ' is ' || OLD.status
                        || ' and cannot be deleted',
                    ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.status = 'draft' THEN
            RETURN NEW;
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status
           AND NOT (OLD.status = 'issued' AND NEW.status IN ('paid', 'void')) THEN
            RAISE EXCEPTION USING
                MESSAGE = 'invoice ' || label || ' is ' || OLD.status || ' and cannot become '
                    || coalesce(NEW.status, 'null'),
                ERRCODE = 'integrity_constraint_violation';
        END IF;
        free := CASE OLD.status
            WHEN 'issued' THEN {_array(INVOICE_FREE["issued"])}
            WHEN 'paid' THEN {_array(INVOICE_FREE["paid"])}
            ELSE ARRAY[]::text[]
        END || {_array(BOOKKEEPING)};
        IF (to_jsonb(NEW) - free) IS DISTINCT FROM (to_jsonb(OLD) - free) THEN
            RAISE EXCEPTION USING
                MESSAGE = 'invoice ' || label || ' is ' || OLD.status
                    || ': its number, shop, month and figures never change',
                ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER billing_invoice_final_locked
    BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_final_locked()
    """,
    """
    CREATE OR REPLACE FUNCTION billing_invoiceline_final_locked() RETURNS trigger AS $$
    DECLARE
        invoice record;
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT id, number, status INTO invoice FROM billing_invoice WHERE id = OLD.invoice_id;
            IF FOUND AND invoice.status <> 'draft' THEN
                RAISE EXCEPTION USING
                    MESSAGE = 'invoice ' || coalesce(invoice.number, '#' || invoice.id) || ' is '
                        || invoice.status || ': its lines never change',
                    ERRCODE = 'integrity_constraint_violation';
            END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT id, number, status INTO invoice FROM billing_invoice WHERE id = NEW.invoice_id;
            IF FOUND AND invoice.status <> 'draft' THEN
                RAISE EXCEPTION USING
                    MESSAGE = 'invoice ' || coalesce(invoice.number, '#' || invoice.id) || ' is '
                        || invoice.status || ': its lines never change',
                    ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END IF;
        RETURN OLD;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER billing_invoiceline_final_locked
    BEFORE INSERT OR UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_final_locked()
    """,
    """
    CREATE OR REPLACE FUNCTION billing_creditnote_immutable() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR (
            to_jsonb(NEW) - 'notice_sent_at' - 'updated_at' - 'created_by_id'
        ) IS DISTINCT FROM (
            to_jsonb(OLD) - 'notice_sent_at' - 'updated_at' - 'created_by_id'
        ) THEN
            RAISE EXCEPTION USING
                MESSAGE = 'credit note ' || OLD.number || ' cannot be changed or deleted',
                ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER billing_creditnote_immutable
    BEFORE UPDATE OR DELETE ON billing_creditnote
    FOR EACH ROW EXECUTE FUNCTION billing_creditnote_immutable()
    """,
    """
    CREATE OR REPLACE FUNCTION billing_payment_immutable() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR (
            to_jsonb(NEW) - 'recorded_by_id' - 'updated_at'
        ) IS DISTINCT FROM (
            to_jsonb(OLD) - 'recorded_by_id' - 'updated_at'
        ) THEN
            RAISE EXCEPTION USING
                MESSAGE = 'payment ' || OLD.id || ' cannot be changed or deleted',
                ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER billing_payment_immutable
    BEFORE UPDATE OR DELETE ON billing_payment
    FOR EACH ROW EXECUTE FUNCTION billing_payment_immutable()
    """,
    """
    CREATE OR REPLACE FUNCTION billing_creditentry_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = 'credit entry ' || OLD.id || ' cannot be changed or deleted',
            ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER billing_creditentry_immutable
    BEFORE UPDATE OR DELETE ON billing_creditentry
    FOR EACH ROW EXECUTE FUNCTION billing_creditentry_immutable()
    """,
]
DROP = [
    "DROP TRIGGER IF EXISTS billing_creditentry_immutable ON billing_creditentry",
    "DROP FUNCTION IF EXISTS billing_creditentry_immutable()",
    "DROP TRIGGER IF EXISTS billing_payment_immutable ON billing_payment",
    "DROP FUNCTION IF EXISTS billing_payment_immutable()",
    "DROP TRIGGER IF EXISTS billing_creditnote_immutable ON billing_creditnote",
    "DROP FUNCTION IF EXISTS billing_creditnote_immutable()",
    "DROP TRIGGER IF EXISTS billing_invoiceline_final_locked ON billing_invoiceline",
    "DROP FUNCTION IF EXISTS billing_invoiceline_final_locked()",
    "DROP TRIGGER IF EXISTS billing_invoice_final_locked ON billing_invoice",
    "DROP FUNCTION IF EXISTS billing_invoice_final_locked()",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("billing", "0011_credit_note_notice_sent_at")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
