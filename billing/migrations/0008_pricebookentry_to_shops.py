"""The price book is the shops app's now (``shops.0002_pricebookentry``).

State only: the tables stay, shops' models use them under their old names.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0007_invoice_issued_void_has_reason'),
        ('shops', '0002_pricebookentry'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='HistoricalPriceBookEntry'),
                migrations.DeleteModel(name='PriceBookEntry'),
            ],
            database_operations=[],
        ),
    ]
