"""A confirmed turnover is billed: PostgreSQL refuses changing it but through the correction
service, against every path (the ORM, queryset ``update()``, raw SQL). SQLite has no trigger:
``TurnoverReport.save()`` keeps the same rule (``shops.immutability``) for saves of instances.

``shops_turnoverreport``: a confirmed row refuses DELETE, a status other than confirmed, and any
change but ``updated_at`` and the users set null when they go (``confirmed_by_id``,
``submitted_by_id``), except its ``amount`` while the transaction-local setting
``agency.turnover_correction`` is ``on``: only ``shops.immutability.turnover_correction()``,
opened by ``billing.services.turnover_correct``, sets it.
"""

from django.db import migrations

CREATE = [
    """
    CREATE OR REPLACE FUNCTION shops_turnover_confirmed_locked() RETURNS trigger AS $$
    DECLARE
        free text[] := ARRAY['updated_at', 'confirmed_by_id', 'submitted_by_id'];
    BEGIN
        IF OLD.status <> 'confirmed' THEN
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION USING
                MESSAGE = 'turnover report ' || OLD.id || ' is confirmed and cannot be deleted',
                ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.status IS DISTINCT FROM 'confirmed' THEN
            RAISE EXCEPTION USING
                MESSAGE = 'turnover report ' || OLD.id || ' is confirmed and stays confirmed',
                ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF coalesce(current_setting('agency.turnover_correction', true), '') = 'on' THEN
            free := free || ARRAY['amount'];
        END IF;
        IF (to_jsonb(NEW) - free) IS DISTINCT FROM (to_jsonb(OLD) - free) THEN
            RAISE EXCEPTION USING
                MESSAGE = 'turnover report ' || OLD.id
                    || ' is confirmed: only the turnover correction changes its amount',
                ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER shops_turnover_confirmed_locked
    BEFORE UPDATE OR DELETE ON shops_turnoverreport
    FOR EACH ROW EXECUTE FUNCTION shops_turnover_confirmed_locked()
    """,
]
DROP = [
    "DROP TRIGGER IF EXISTS shops_turnover_confirmed_locked ON shops_turnoverreport",
    "DROP FUNCTION IF EXISTS shops_turnover_confirmed_locked()",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("shops", "0004_shop_payment_terms")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
