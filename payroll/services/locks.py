"""One lock per payroll month: everything that changes a month's payslips takes it first.

Payroll runs, the approval of a month and adjustments of a payslip start by locking the month,
so they never interleave: an approval never lands in the middle of a run, and a run reads the
month's payslips knowing no adjustment is half-way. On PostgreSQL it is a transaction-scoped
advisory lock (released at commit or rollback, also when the process dies) in a namespace of its
own (billing months lock in another); SQLite serialises every writer on its database lock anyway.
"""

from datetime import date

from django.db import connection

MONTH_LOCK_CLASS = 0x70617972  # "payr": the advisory-lock namespace of payroll months


def month_lock_key(month: date) -> int:
    return month.year * 12 + month.month - 1


def lock_month(month: date) -> None:
    """Hold the lock of ``month``'s payslips until the current transaction ends."""
    if not connection.in_atomic_block:
        raise RuntimeError("The month lock lasts for a transaction: take it inside one.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [MONTH_LOCK_CLASS, month_lock_key(month)]
            )
