"""Money: CNY as ``Decimal``, rounded half-up to the cent.

Every app rounds money the same way (invoice lines, turnover figures, quotes, the average
turnover a page shows), so the rule lives in the foundation layer, below all of them.
Floats are never used: ``0.1 + 0.2`` must not decide an invoice.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round_money(value: Decimal) -> Decimal:
    """Round to cents, half-up, as every invoice line must be.

    Python's default for ``Decimal`` is banker's rounding (half-even); shop owners and their
    accountants expect 0.005 to become 0.01, so the mode is stated explicitly.
    """
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
