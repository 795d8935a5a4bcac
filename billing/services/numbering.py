"""Invoice numbers: ``INV-YYYY-NNNNNN``, gapless within each year of issue.

A number is taken inside the transaction that issues the invoice, from the year's row of
``InvoiceSequence`` locked with ``SELECT ... FOR UPDATE``: concurrent issues queue on that row,
and an issue that rolls back gives its number back with it, so no number is skipped or used
twice. The year is the Shanghai local year of the moment of issue.
"""

from django.db import transaction

from billing.models import InvoiceSequence


def invoice_number_format(*, year: int, number: int) -> str:
    return f"INV-{year:04d}-{number:06d}"


def invoice_number_next(*, year: int) -> str:
    """Take the next number of ``year``. Call it inside the issuing transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Invoice numbers are taken inside the transaction that issues.")
    sequence = InvoiceSequence.objects.select_for_update().filter(year=year).first()
    if sequence is None:
        # The year's first issue creates its row. Two first issues at once: the database makes
        # the second insert wait for the first and then skip it, and both lock the same row.
        InvoiceSequence.objects.bulk_create(
            [InvoiceSequence(year=year, last_number=0)], ignore_conflicts=True
        )
        sequence = InvoiceSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return invoice_number_format(year=year, number=sequence.last_number)
