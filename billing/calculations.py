"""Pure money math for billing: contract days, proration, commission and splitting.

Nothing here touches the database, so every rule of the price book can be checked with plain
tables and property tests, and the billing services, the invoice explanation and the quote
screens all share one implementation of each rule.

Conventions, taken from the billing rules:

* Money is ``Decimal`` in CNY and every figure that reaches an invoice line is rounded half-up
  to 0.01 (``agency.money.round_money``). Floats are never used: ``0.1 + 0.2`` must not decide
  an invoice.
* A month is the ``date`` of its first day; "2026-10" is ``date(2026, 10, 1)``.
* Commission tiers and modes are a contract's terms (``shops.terms``); here they are charged.
* Contract date ranges are inclusive at both ends; an open contract has ``end=None``.
"""

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from agency.money import CENT, prorate, round_money
from agency.months import month_last_day
from shops.terms import COMMISSION_MODES, MODE_FLAT, Tier, validate_tiers

_ZERO = Decimal("0")


# --- Rounding ---------------------------------------------------------------------------------


# --- Contract days in a month -----------------------------------------------------------------


def active_days(start: date, end: date | None, month: date) -> int:
    """Count the dates of the contract ``[start, end]`` that fall inside ``month``.

    Both ends are inclusive, as contract dates are; ``end=None`` means the contract is still
    running. Any date of the month may be passed as ``month``. A contract that does not overlap
    the month has 0 active days. A contract ending before it starts is a data error, not an
    empty contract, so it raises instead of quietly billing nothing.
    """
    return active_days_between(start, end, month.replace(day=1), month_last_day(month))


def active_days_between(start: date, end: date | None, first: date, last: date) -> int:
    """``active_days`` for the month from ``first`` to ``last`` (its first and last day), for
    callers that count thousands of contracts of one month and know its bounds already."""
    if end is not None and end < start:
        raise ValueError(f"A contract cannot end ({end}) before it starts ({start}).")
    overlap_start = first if start < first else start
    overlap_end = last if end is None or last < end else end
    if overlap_end < overlap_start:
        return 0
    return (overlap_end - overlap_start).days + 1


def service_days(start: date, end: date, month: date) -> int:
    """Count the service days of a day plan (temporary, promotion) inside ``month``.

    Day plans are sold for a fixed set of dates, so unlike monthly plans they always have an end
    date; every date from start to end, inclusive, is a billed service day.
    """
    return active_days(start, end, month)


# --- Proration --------------------------------------------------------------------------------


def attributed_turnover(turnover: Decimal, active: int, total: int) -> Decimal:
    """Return the share of a month's turnover earned while the contract was active.

    The billing rules round this share to cents *before* it goes through the commission tiers,
    so it is a figure of its own (shown on the invoice) rather than a step hidden inside
    ``commission``. The arithmetic is the same as ``prorate``.
    """
    if turnover.is_finite() and turnover < 0:
        raise ValueError("Turnover cannot be negative.")
    return prorate(turnover, active, total)


# --- Commission tiers -------------------------------------------------------------------------


def tier_breakdown(
    turnover: Decimal, tiers: Sequence[Tier], mode: str, *, tiers_checked: bool = False
) -> list[tuple[Tier, Decimal, Decimal]]:
    """Explain a commission as ``(tier, slice of turnover, commission on that slice)`` rows.

    ``graduated`` cuts the turnover at each tier's lower bound and charges each slice at its own
    tier's rate (300,000 -> 100,000 x 3 % + 200,000 x 2 %). ``flat`` charges the whole turnover
    at the rate of the one tier it falls in (300,000 -> 300,000 x 2 %). A tier applies from its
    lower bound inclusive, so exactly 100,000 is in the 2 % tier.

    Slice commissions are exact (not rounded): the invoice line is rounded once, in
    ``commission``, as the billing rules round lines rather than their parts. Only slices with
    turnover in them are listed; a turnover of 0 is explained by the first tier with 0.

    ``tiers_checked`` says the tiers already passed ``validate_tiers`` (``tiers_from_json``
    gives only such tiers), so a run does not check a schedule again for every contract.
    """
    if mode not in COMMISSION_MODES:
        raise ValueError(f"Unknown commission mode {mode!r}; use 'graduated' or 'flat'.")
    if not turnover.is_finite():
        raise ValueError("Turnover must be a number.")
    if turnover < 0:
        raise ValueError("Turnover cannot be negative.")
    if not tiers_checked:
        validate_tiers(tiers)

    if mode == MODE_FLAT:
        tier = next(t for t in reversed(tiers) if t.lower <= turnover)
        return [(tier, turnover, turnover * tier.rate)]

    rows: list[tuple[Tier, Decimal, Decimal]] = []
    for index, tier in enumerate(tiers):
        if turnover <= tier.lower:
            break
        upper = tiers[index + 1].lower if index + 1 < len(tiers) else None
        top = turnover if upper is None else min(turnover, upper)
        amount = top - tier.lower
        rows.append((tier, amount, amount * tier.rate))
    if not rows:
        rows.append((tiers[0], turnover, turnover * tiers[0].rate))
    return rows


def commission(turnover: Decimal, tiers: Sequence[Tier], mode: str) -> Decimal:
    """Return the commission on a month's (attributed) turnover, rounded half-up to cents.

    Defined as the rounded sum of ``tier_breakdown`` so that the figure on the invoice and the
    explanation printed under it can never disagree.
    """
    rows = tier_breakdown(turnover, tiers, mode)
    return round_money(sum((row[2] for row in rows), _ZERO))


# --- Splitting an amount ----------------------------------------------------------------------


def split_by_weights(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` (whole cents) into parts proportional to ``weights`` that sum to it exactly.

    Used when a shop's month goes through the tiers once for several commission contracts: the
    month's commission is shared between their lines by attributed turnover, and the lines must
    add up to the commission of the month to the cent (a renewal never raises the bill).

    Largest-remainder method on cents: every part first gets its exact share rounded down to a
    cent; the cents still missing go one each to the parts with the largest remainders, ties to
    the earlier part (the order of the invoice lines). So each part is within a cent of its exact
    share and the parts sum to ``total``: 7,000.00 over three equal weights is 2,333.34 +
    2,333.33 + 2,333.33; 1.00 over weights 1 and 2 is 0.33 + 0.67.

    Weights are compared exactly (no float, no intermediate rounding). When every weight is 0
    (no attributed turnover at all) every part is 0, which needs a total of 0.
    """
    if not total.is_finite() or total < 0:
        raise ValueError("The amount to split must be a number of 0 or more.")
    if total != total.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(f"The amount to split must be in whole cents (got {total}).")
    if any(not weight.is_finite() or weight < 0 for weight in weights):
        raise ValueError("Weights must be numbers of 0 or more.")
    exact = [Fraction(weight) for weight in weights]
    cents = int(total * 100)
    weight_sum = sum(exact, Fraction(0))
    if weight_sum == 0:
        if cents:
            raise ValueError(f"Cannot split {total} by weights that are all 0.")
        return [Decimal(0).scaleb(-2) for _ in weights]
    shares = [cents * weight / weight_sum for weight in exact]
    parts = [share.numerator // share.denominator for share in shares]
    missing = cents - sum(parts)  # 0 <= missing < len(parts): each floor lost less than a cent
    by_remainder = sorted(
        range(len(parts)), key=lambda index: (-(shares[index] - parts[index]), index)
    )
    for index in by_remainder[:missing]:
        parts[index] += 1
    return [Decimal(part).scaleb(-2) for part in parts]
