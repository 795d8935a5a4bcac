from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_invoice_void_reason"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "void"), _negated=True),
                    ("issued_at__isnull", True),
                    models.Q(("void_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="invoice_issued_void_has_reason",
            ),
        ),
    ]
