"""One lock per billing month: everything that changes a month's invoices takes it first.

Billing runs, the recomputation of a draft and the life-cycle changes (issue, pay, void) of an
invoice all start by locking the invoice's month, so they never interleave: a run reads the
month's invoices knowing no issue is half-way, and an issue waits for a run to finish. On
PostgreSQL it is a transaction-scoped advisory lock (released at commit or rollback, also when
the process dies); SQLite serialises every writer on its database lock anyway.
"""

from datetime import date

from django.db import connection

MONTH_LOCK_CLASS = 0x62696C6C  # "bill": the advisory-lock namespace of billing months


def month_lock_key(month: date) -> int:
    return month.year * 12 + month.month - 1


def lock_month(month: date) -> None:
    """Hold the lock of ``month``'s invoices until the current transaction ends."""
    if not connection.in_atomic_block:
        raise RuntimeError("The month lock lasts for a transaction: take it inside one.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [MONTH_LOCK_CLASS, month_lock_key(month)]
            )


CREDIT_LOCK_CLASS = 0x63726564  # "cred": the advisory-lock namespace of shops' credit balances


def lock_shop_credit(shop_id: int) -> None:
    """Hold the lock of a shop's credit balance until the current transaction ends: whoever
    adds to it or uses it reads the balance after every earlier change has committed."""
    if not connection.in_atomic_block:
        raise RuntimeError("The credit lock lasts for a transaction: take it inside one.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CREDIT_LOCK_CLASS, shop_id])
