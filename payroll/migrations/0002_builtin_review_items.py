"""The quality review sheet's built-in items (``payroll.qa_items``), named by code so that each
reader sees them in their own language."""

from django.db import migrations

ITEMS = [
    # code, points, fatal
    ("greeting", 10, False),
    ("response", 20, False),
    ("accuracy", 25, False),
    ("resolution", 25, False),
    ("selling", 20, False),
    ("abuse", 0, True),
    ("privacy", 0, True),
    ("promise", 0, True),
]


def add_items(apps, schema_editor):
    QaItem = apps.get_model("payroll", "QaItem")
    for position, (code, weight, fatal) in enumerate(ITEMS):
        QaItem.objects.get_or_create(
            code=code, defaults={"weight": weight, "fatal": fatal, "position": position}
        )


def remove_items(apps, schema_editor):
    apps.get_model("payroll", "QaItem").objects.filter(
        code__in=[code for code, _, _ in ITEMS], marks__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("payroll", "0001_initial")]

    operations = [migrations.RunPython(add_items, remove_items)]
