"""An approved payslip never changes but by an adjustment, and adjustment lines are never edited
or deleted, enforced by PostgreSQL triggers (SQLite has none: the services keep the same rules on
every database).

* ``payroll_payslip``: an approved row refuses DELETE, and any UPDATE that changes anything but
  ``adjustments``, ``total`` and ``updated_at``.
* ``payroll_payslipadjustment``: refuses UPDATE and DELETE.

The check that a payslip's total is the sum of its lines compares at the cent (rounded), so
that SQLite, which keeps decimals as binary floats, does not refuse an exact total.
"""

import django.db.models.expressions
import django.db.models.functions.math
from django.db import migrations, models

CREATE = [
    """
    CREATE OR REPLACE FUNCTION payroll_payslip_approved_locked() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status = 'approved' THEN
                RAISE EXCEPTION USING
                    MESSAGE = 'payslip ' || OLD.id || ' is approved and cannot be deleted',
                    ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.status = 'approved' AND (
            to_jsonb(NEW) - 'adjustments' - 'total' - 'updated_at'
        ) IS DISTINCT FROM (
            to_jsonb(OLD) - 'adjustments' - 'total' - 'updated_at'
        ) THEN
            RAISE EXCEPTION USING
                MESSAGE = 'payslip ' || OLD.id || ' is approved: only adjustments may change it',
                ERRCODE = 'integrity_constraint_violation';
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
        RAISE EXCEPTION USING
            MESSAGE = 'payslip adjustment ' || OLD.id || ' cannot be changed or deleted',
            ERRCODE = 'integrity_constraint_violation';
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
        ("seats", "0011_agent_pay_terms_and_unpaid_leave"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='payslip',
            name='payslip_total_is_sum_of_lines',
        ),
        migrations.AddConstraint(
            model_name='payslip',
            constraint=models.CheckConstraint(condition=models.Q(('total', django.db.models.functions.math.Round(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('base_pay'), '-', models.F('deductions')), '+', models.F('commission')), '+', models.F('bonus')), '+', models.F('cover_allowance')), '+', models.F('adjustments')), 2))), name='payslip_total_is_sum_of_lines'),
        ),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
