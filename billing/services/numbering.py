"""Document numbers, gapless within each year of issue: invoices ``INV-YYYY-NNNNNN`` and credit
notes ``CN-YYYY-NNNNNN``.

A number is taken inside the transaction that issues the document, from the year's row of its
sequence (``InvoiceSequence``, ``CreditNoteSequence``) locked with ``SELECT ... FOR UPDATE``:
concurrent issues queue on that row, and an issue that rolls back gives its number back with it,
so no number is skipped or used twice. The year is the Shanghai local year of the moment of issue.
"""

from django.db import models, transaction

from billing.models import CreditNoteSequence, InvoiceSequence


def invoice_number_format(*, year: int, number: int) -> str:
    return f"INV-{year:04d}-{number:06d}"


def credit_note_number_format(*, year: int, number: int) -> str:
    return f"CN-{year:04d}-{number:06d}"


def _next_in_sequence(sequence_model: type[models.Model], year: int) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Document numbers are taken inside the transaction that issues.")
    sequence = sequence_model.objects.select_for_update().filter(year=year).first()
    if sequence is None:
        # The year's first issue creates its row. Two first issues at once: the database makes
        # the second insert wait for the first and then skip it, and both lock the same row.
        sequence_model.objects.bulk_create(
            [sequence_model(year=year, last_number=0)], ignore_conflicts=True
        )
        sequence = sequence_model.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def invoice_number_next(*, year: int) -> str:
    """Take the next invoice number of ``year``. Call it inside the issuing transaction."""
    return invoice_number_format(year=year, number=_next_in_sequence(InvoiceSequence, year))


def credit_note_number_next(*, year: int) -> str:
    """Take the next credit-note number of ``year``. Call it inside the issuing transaction."""
    return credit_note_number_format(year=year, number=_next_in_sequence(CreditNoteSequence, year))
