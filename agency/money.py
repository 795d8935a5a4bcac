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


def divide_to_cents(numerator: Decimal, denominator: int) -> Decimal:
    """Return ``numerator / denominator`` rounded half-up to cents, computed exactly.

    Dividing ``Decimal`` values rounds to the context precision before ``round_money`` sees the
    result, which could in principle move a value across the half-cent boundary. Working on the
    exact integer ratio keeps the single rounding the billing rules ask for.
    """
    if not numerator.is_finite():
        raise ValueError("An amount must be a finite number.")
    if denominator <= 0:
        raise ValueError("Cannot divide an amount by zero or a negative number of days.")
    top, bottom = numerator.as_integer_ratio()
    bottom *= denominator
    cents, remainder = divmod(abs(top) * 100, bottom)
    if 2 * remainder >= bottom:
        cents += 1
    if top < 0:
        cents = -cents
    return Decimal(cents).scaleb(-2)


def check_days(active: int, total: int) -> None:
    """Refuse a day count outside 0..``total`` (a month of ``total`` days)."""
    if total <= 0:
        raise ValueError("A month must have at least one day.")
    if not 0 <= active <= total:
        raise ValueError(f"Active days must be between 0 and {total} (got {active}).")


def prorate(amount: Decimal, active: int, total: int) -> Decimal:
    """Return ``amount x active / total``, rounded half-up to cents.

    A monthly fee or salary for part of a month: 1,500 from the 11th of a 31-day month is
    1,500 x 21 / 31 = 1,016.13; a base salary of 1,800 from the 11th is 1,219.35. A full month
    yields the amount itself, never a cent more or less.
    """
    check_days(active, total)
    if active == total:
        return round_money(amount)
    return divide_to_cents(amount * active, total)
