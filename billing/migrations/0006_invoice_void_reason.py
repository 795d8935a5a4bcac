"""Invoices say why they were voided (``void_reason``) and when the owner was told.

Invoices voided after their issue before reasons were recorded get a stated placeholder, so
that the next migration can require a reason of every issued invoice that is void.
"""

from django.db import migrations, models

REASON_BEFORE_REASONS = "Voided before void reasons were recorded."


def give_earlier_voids_a_reason(apps, schema_editor):
    Invoice = apps.get_model("billing", "Invoice")
    Invoice.objects.filter(status="void", issued_at__isnull=False, void_reason="").update(
        void_reason=REASON_BEFORE_REASONS
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_invoice_number_partial_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalinvoice",
            name="void_reason",
            field=models.TextField(
                blank=True, db_default="", default="", verbose_name="void reason"
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="void_notice_sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="void notice sent at"),
        ),
        migrations.AddField(
            model_name="invoice",
            name="void_reason",
            field=models.TextField(
                blank=True, db_default="", default="", verbose_name="void reason"
            ),
        ),
        migrations.RunPython(give_earlier_voids_a_reason, migrations.RunPython.noop),
    ]
