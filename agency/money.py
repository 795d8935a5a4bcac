"""Money: CNY as ``Decimal``, rounded half-up to the cent.

Every app rounds money the same way (invoice lines, turnover figures, quotes, the average
turnover a page shows), so the rule lives in the foundation layer, below all of them.
Floats are never used: ``0.1 + 0.2`` must not decide an invoice.
"""

from collections.abc import Hashable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

CENT = Decimal("0.01")
Key = TypeVar("Key", bound=Hashable)


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


def share_by_days(total: Decimal, days: Sequence[tuple[Key, int]]) -> dict[Key, Decimal]:
    """Share ``total`` between keys in proportion to their days, to the cent.

    Each share but the last is ``total x days / all days`` rounded half-up; the last is what
    remains, so the shares add up to ``total`` exactly. 3,000.00 over 20 and 11 days gives
    1,935.48 and 1,064.52; 100.00 over three equal shares gives 33.33, 33.33 and 33.34.
    Keys with 0 days get 0.00; with no days at all there is nothing to share it by (ValueError).
    An invoice shared between the seats that served its shop and a payslip shared between the
    seats its agent worked are split by this one rule.
    """
    all_days = sum(count for _, count in days)
    if all_days <= 0 or any(count < 0 for _, count in days):
        raise ValueError("Sharing needs a positive number of days.")
    shares: dict[Key, Decimal] = {}
    given = Decimal("0.00")
    last = len(days) - 1
    for index, (key, count) in enumerate(days):
        share = total - given if index == last else prorate(total, count, all_days)
        shares[key] = shares.get(key, Decimal("0.00")) + share
        given += share
    return shares
