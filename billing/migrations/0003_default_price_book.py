"""The agency's list prices (DOMAIN.md): 100/day, 200/day, 1,500/month, 3,000/month."""

from django.db import migrations

DEFAULT_TIERS = [
    {"from": "0.00", "rate": "0.0300"},
    {"from": "100000.00", "rate": "0.0200"},
    {"from": "500000.00", "rate": "0.0100"},
]
PRICES = {
    "temporary": ("100.00", []),
    "promotion": ("200.00", []),
    "shift": ("1500.00", DEFAULT_TIERS),
    "full_day": ("3000.00", DEFAULT_TIERS),
}


def create_price_book(apps, schema_editor):
    PriceBookEntry = apps.get_model("billing", "PriceBookEntry")
    for plan, (price, tiers) in PRICES.items():
        PriceBookEntry.objects.get_or_create(
            plan=plan,
            defaults={"price": price, "commission_tiers": tiers, "commission_mode": "graduated"},
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_initial")]

    operations = [migrations.RunPython(create_price_book, migrations.RunPython.noop)]
