"""An approved payslip never changes but by an adjustment, and adjustment lines are never edited
or deleted, enforced by PostgreSQL triggers (SQLite has none: the services keep the same rules on
every database).

* ``payroll_payslip``: an approved row refuses DELETE, and any UPDATE that changes anything but
  ``adjustments``, ``total`` and ``updated_at``.
* ``payroll_payslipadjustment``: refuses UPDATE and DELETE.
"""

from django.db import migrations

CREATE = [
    """
    CREATE OR REPLACE FUNCTION payroll_payslip_approved_locked() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status = 'approved' THEN
                RAISE EXCEPTION 'payslip % is approved and cannot be deleted', OLD.id
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.status = 'approved' AND (
            to_jsonb(NEW) - 'adjustments' - 'total' - 'updated_at'
        ) IS DISTINCT FROM (
            to_jsonb(OLD) - 'adjustments' - 'total' - 'updated_at'
        ) THEN
            RAISE EXCEPTION 'payslip % is approved: only adjustments may change it', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER payroll_payslip_approved_locked
    BEFORE UPDATE OR DELETE ON payroll_payslip
    FOR EACH ROW EXECUTE FUNCTION payroll_payslip_approved_locked()
    """,
    """
    CREATE OR REPLACE FUNCTION payroll_adjustment_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'payslip adjustment % cannot be changed or deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER payroll_adjustment_immutable
    BEFORE UPDATE OR DELETE ON payroll_payslipadjustment
    FOR EACH ROW EXECUTE FUNCTION payroll_adjustment_immutable()
    """,
]
DROP = [
    "DROP TRIGGER IF EXISTS payroll_adjustment_immutable ON payroll_payslipadjustment",
    "DROP FUNCTION IF EXISTS payroll_adjustment_immutable()",
    "DROP TRIGGER IF EXISTS payroll_payslip_approved_locked ON payroll_payslip",
    "DROP FUNCTION IF EXISTS payroll_payslip_approved_locked()",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0002_builtin_review_items"),
    ]

    operations = [
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
