"""A new invoice line is checked once per statement, not once per row.

``billing_invoiceline_final_locked`` (migration 0012) looked up each inserted line's invoice,
row by row: 7,750 lookups for a month's run, and a plan PostgreSQL keeps for the session, made
while the invoice table may still be empty (a run sends its new drafts' lines before their
invoices: ``billing.services.runs``), which then scans the whole table for every line of the
next run in the same session. Inserted lines are now checked by one statement-level trigger
over the statement's new rows (a transition table): one join whatever the number of lines,
planned for each statement.
The rule is the same: no line is added to an invoice that is not a draft, with the same
message. UPDATE and DELETE keep the row trigger (they need the old row's invoice too).
"""

from django.db import migrations

MESSAGE = (
    "'invoice ' || coalesce(invoice.number, '#' || invoice.id) || ' is ' || invoice.status"
    " || ': its lines never change'"
)

FORWARD = [
    "DROP TRIGGER IF EXISTS billing_invoiceline_final_locked ON billing_invoiceline",
    f"""
    CREATE OR REPLACE FUNCTION billing_invoiceline_final_locked() RETURNS trigger AS $$
    DECLARE
        invoice record;
    BEGIN
        SELECT id, number, status INTO invoice FROM billing_invoice WHERE id = OLD.invoice_id;
        IF FOUND AND invoice.status <> 'draft' THEN
            RAISE EXCEPTION USING
                MESSAGE = {MESSAGE},
                ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'UPDATE' THEN
            SELECT id, number, status INTO invoice FROM billing_invoice WHERE id = NEW.invoice_id;
            IF FOUND AND invoice.status <> 'draft' THEN
                RAISE EXCEPTION USING
                    MESSAGE = {MESSAGE},
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
    BEFORE UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_final_locked()
    """,
    f"""
    CREATE OR REPLACE FUNCTION billing_invoiceline_added_final_locked() RETURNS trigger AS $$
    DECLARE
        invoice record;
    BEGIN
        -- Planned for each statement (EXECUTE), never from a plan kept for the session: the
        -- join's best shape depends on how many lines and invoices there are now.
        EXECUTE 'SELECT i.id, i.number, i.status FROM billing_invoice i '
            'WHERE i.status <> ''draft'' AND i.id IN (SELECT invoice_id FROM added) '
            'ORDER BY i.id LIMIT 1'
            INTO invoice;
        -- EXECUTE leaves FOUND alone: no row leaves the record's fields null.
        IF invoice.id IS NOT NULL THEN
            RAISE EXCEPTION USING
                MESSAGE = {MESSAGE},
                ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER billing_invoiceline_added_final_locked
    AFTER INSERT ON billing_invoiceline
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION billing_invoiceline_added_final_locked()
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS billing_invoiceline_added_final_locked ON billing_invoiceline",
    "DROP FUNCTION IF EXISTS billing_invoiceline_added_final_locked()",
    "DROP TRIGGER IF EXISTS billing_invoiceline_final_locked ON billing_invoiceline",
    f"""
    CREATE OR REPLACE FUNCTION billing_invoiceline_final_locked() RETURNS trigger AS $$
    DECLARE
        invoice record;
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT id, number, status INTO invoice FROM billing_invoice WHERE id = OLD.invoice_id;
            IF FOUND AND invoice.status <> 'draft' THEN
                RAISE EXCEPTION USING
                    MESSAGE = {MESSAGE},
                    ERRCODE = 'integrity_constraint_violation';
            END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT id, number, status INTO invoice FROM billing_invoice WHERE id = NEW.invoice_id;
            IF FOUND AND invoice.status <> 'draft' THEN
                RAISE EXCEPTION USING
                    MESSAGE = {MESSAGE},
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
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("billing", "0012_money_immutable")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
