"""What one shop owes for one month: the invoice lines of its contracts, built without a query.

The billing run, the recomputation of a single draft and the benchmark all go through
``invoice_figures``; it is pure (plain values in, plain values out) so a run over thousands of
shops spends no query per shop, and each rule below has a table test.

Rules (DOMAIN.md, "Billing"):

* ``temporary`` / ``promotion``: one ``day_rate`` line, service days in the month x day rate.
* ``shift`` / ``full_day``: a ``base_fee`` line, the monthly fee prorated by active days
  (a full month is exactly the fee), and a ``commission`` line on the attributed turnover:
  confirmed turnover x active days / days in month, rounded to cents first, then put through
  the contract's tiers in its mode.
* No confirmed turnover: no commission line and the invoice is *awaiting turnover*.
* Every line is rounded half-up to cents; the total is the sum of the lines.

The money math itself lives in ``billing.calculations``; this module only decides which lines a
contract gives and writes down how each amount was reached (``details``, read by the invoice
documents) in words a shop owner reads (``description``).
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from agency.choices import Plan
from agency.errors import ApplicationError
from billing.calculations import (
    Tier,
    active_days,
    attributed_turnover,
    days_in_month,
    month_last_day,
    prorate,
    round_money,
    tier_breakdown,
    tiers_from_json,
)
from billing.models import InvoiceLine

QUANTITY_STEP = Decimal("0.0001")
_ONE = Decimal("1")
_ZERO_MONEY = Decimal("0.00")
_DAY_PLANS = frozenset(Plan.day_plans())
_MONTHLY_PLANS = frozenset(Plan.monthly_plans())


class ContractTermsError(ApplicationError):
    """A contract's stored terms cannot be billed (e.g. unusable commission tiers).

    Raised by a run (which then fails, naming the contract) and by recomputing a draft, e.g.
    when a turnover is confirmed: the API answers 400 with the message rather than bill wrongly.
    """


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """The billable terms of a contract, as the billing run reads them in one query."""

    id: int
    shop_id: int
    plan: str
    price: Decimal
    commission_mode: str
    commission_tiers: Any
    start_date: date
    end_date: date | None

    # The columns to read, in the order of the fields above (``values_list(*COLUMNS)``).
    COLUMNS = (
        "id",
        "shop_id",
        "plan",
        "price",
        "commission_mode",
        "commission_tiers",
        "start_date",
        "end_date",
    )


@dataclass(slots=True)
class LineFigures:
    contract_id: int
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    details: dict[str, Any]


@dataclass(slots=True)
class InvoiceFigures:
    shop_id: int
    lines: list[LineFigures] = field(default_factory=list)
    awaiting_turnover: bool = False

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), _ZERO_MONEY)


def money_text(value: Decimal) -> str:
    """Money as people read it on an invoice: 1,016.13."""
    return format(value, ",.2f")


def percent_text(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')}%"


@lru_cache(maxsize=256)
def _parsed_tiers(key: tuple[tuple[Any, Any], ...]) -> tuple[Tier, ...]:
    return tiers_from_json([{"from": lower, "rate": rate} for lower, rate in key])


@lru_cache(maxsize=256)
def _parsed_tiers_text(text: str) -> tuple[Tier, ...]:
    return tiers_from_json(json.loads(text))


def contract_tiers(terms: ContractTerms) -> tuple[Tier, ...]:
    """The contract's validated tiers; most contracts share the price book's, parsed once.

    ``commission_tiers`` is the stored JSON, either as text (what the billing run reads: equal
    texts are parsed once) or already decoded.
    """
    raw = terms.commission_tiers
    try:
        if isinstance(raw, str):
            return _parsed_tiers_text(raw)
        if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
            raise ValueError("Commission tiers must be a list of {'from', 'rate'} entries.")
        key = tuple((entry.get("from"), entry.get("rate")) for entry in raw)
        try:
            return _parsed_tiers(key)
        except TypeError:  # an unhashable value inside an entry: parse it uncached
            return tiers_from_json(raw)
    except ValueError as error:  # json.JSONDecodeError is a ValueError too
        raise ContractTermsError(
            f"Contract {terms.id} (shop {terms.shop_id}) cannot be billed: {error}"
        ) from error


def _day_rate_line(terms: ContractTerms, month: date, month_end: date) -> LineFigures:
    assert terms.end_date is not None  # day plans always end (contract_day_plan_has_end)
    first = max(terms.start_date, month)
    last = min(terms.end_date, month_end)
    days = active_days(terms.start_date, terms.end_date, month)
    first_day, last_day = first.isoformat(), last.isoformat()
    period = first_day if first == last else f"{first_day} to {last_day}"
    noun = "service day" if days == 1 else "service days"
    return LineFigures(
        contract_id=terms.id,
        kind=InvoiceLine.Kind.DAY_RATE,
        description=f"{days} {noun} ({period}) x {money_text(terms.price)}",
        quantity=Decimal(days),
        unit_price=terms.price,
        amount=round_money(terms.price * days),
        details={
            "plan": terms.plan,
            "service_days": days,
            "first_day": first_day,
            "last_day": last_day,
            "day_rate": str(terms.price),
        },
    )


def _base_fee_line(
    terms: ContractTerms, month: date, month_end: date, active: int, total: int
) -> LineFigures:
    quantity = _ONE if active == total else (Decimal(active) / total).quantize(QUANTITY_STEP)
    return LineFigures(
        contract_id=terms.id,
        kind=InvoiceLine.Kind.BASE_FEE,
        description=f"{active} of {total} days x {money_text(terms.price)}",
        quantity=quantity,
        unit_price=terms.price,
        amount=prorate(terms.price, active, total),
        details={
            "plan": terms.plan,
            "active_days": active,
            "days_in_month": total,
            "first_day": max(terms.start_date, month).isoformat(),
            "last_day": (
                month_end if terms.end_date is None else min(terms.end_date, month_end)
            ).isoformat(),
            "monthly_fee": str(terms.price),
        },
    )


def _commission_line(
    terms: ContractTerms, turnover: Decimal, active: int, total: int, share: Fraction | None = None
) -> LineFigures:
    """``share``: the days of the month this contract earns turnover for, when it shares days
    with another commission contract of the shop (each shared day is split equally)."""
    tiers = contract_tiers(terms)
    mode = terms.commission_mode
    if share is None or share == active:
        share = None
        attributed = attributed_turnover(turnover, active, total)
    else:
        attributed = attributed_turnover(turnover, share.numerator, share.denominator * total)
    try:
        rows = tier_breakdown(attributed, tiers, mode)
    except ValueError as error:
        raise ContractTermsError(
            f"Contract {terms.id} (shop {terms.shop_id}) cannot be billed: {error}"
        ) from error
    amount = round_money(sum((row[2] for row in rows), _ZERO_MONEY))

    uppers = {tier: nxt.lower for tier, nxt in zip(tiers, tiers[1:], strict=False)}
    slices = [
        {
            "from": str(tier.lower),
            "to": None if tier not in uppers else str(uppers[tier]),
            "rate": str(tier.rate),
            "amount": str(on_slice),
            "commission": str(earned),
        }
        for tier, on_slice, earned in rows
    ]
    head = f"Turnover {money_text(turnover)}"
    if share is not None:
        days = f"{float(share):g}"
        head += (
            f" x {days}/{total} (days shared with another contract split equally)"
            f" = {money_text(attributed)}"
        )
    elif active != total:
        head += f" x {active}/{total} = {money_text(attributed)}"
    parts = " + ".join(
        f"{money_text(on_slice)} x {percent_text(tier.rate)}" for tier, on_slice, _ in rows
    )
    return LineFigures(
        contract_id=terms.id,
        kind=InvoiceLine.Kind.COMMISSION,
        description=f"{head}: {parts}",
        quantity=_ONE,
        unit_price=amount,
        amount=amount,
        details={
            "plan": terms.plan,
            "turnover": str(turnover),
            "active_days": active,
            "days_in_month": total,
            "attributed_turnover": str(attributed),
            **({"shared_days": str(share)} if share is not None else {}),
            "mode": mode,
            "slices": slices,
        },
    )


def invoice_figures(
    *, shop_id: int, month: date, contracts: Sequence[ContractTerms], turnover: Decimal | None
) -> InvoiceFigures:
    """The lines of one shop's invoice for ``month`` (its first day).

    ``contracts`` are the shop's contracts active in the month, in the order their lines should
    appear; ``turnover`` is the shop's confirmed turnover for the month, or ``None``.
    """
    return _shop_figures(
        shop_id, month, month_last_day(month), days_in_month(month), contracts, turnover
    )


def _shop_figures(
    shop_id: int,
    month: date,
    month_end: date,
    total_days: int,
    contracts: Sequence[ContractTerms],
    turnover: Decimal | None,
) -> InvoiceFigures:
    figures = InvoiceFigures(shop_id=shop_id)
    shares = _commission_shares(contracts, month, month_end)
    for terms in contracts:
        if terms.plan in _DAY_PLANS:
            figures.lines.append(_day_rate_line(terms, month, month_end))
        elif terms.plan in _MONTHLY_PLANS:
            active = active_days(terms.start_date, terms.end_date, month)
            figures.lines.append(_base_fee_line(terms, month, month_end, active, total_days))
            if turnover is None:
                figures.awaiting_turnover = True
            else:
                figures.lines.append(
                    _commission_line(terms, turnover, active, total_days, shares.get(terms.id))
                )
        else:
            raise ContractTermsError(
                f"Contract {terms.id} (shop {terms.shop_id}) has an unknown plan {terms.plan!r}."
            )
    return figures


def _commission_shares(
    contracts: Sequence[ContractTerms], month: date, month_end: date
) -> dict[int, Fraction]:
    """Days of the month each commission contract earns turnover for.

    A shop's turnover is earned once. When two commission contracts of a shop are active on the
    same date (a day-shift and a night-shift contract, say), that date's turnover is split
    equally between them, so the shop never pays commission twice on the same sales. Without
    overlaps every contract simply earns its active days.
    """
    monthly = [terms for terms in contracts if terms.plan in _MONTHLY_PLANS]
    if len(monthly) < 2:
        return {}
    spans = {
        terms.id: (
            max(terms.start_date, month),
            min(terms.end_date, month_end) if terms.end_date else month_end,
        )
        for terms in monthly
    }
    shares = dict.fromkeys(spans, Fraction(0))
    day = month
    while day <= month_end:
        active_ids = [cid for cid, (start, end) in spans.items() if start <= day <= end]
        for cid in active_ids:
            shares[cid] += Fraction(1, len(active_ids))
        day += timedelta(days=1)
    return shares


def invoices_figures(
    *, month: date, contracts: Iterable[ContractTerms], turnover: dict[int, Decimal]
) -> dict[int, InvoiceFigures]:
    """``invoice_figures`` for every shop of ``contracts`` (grouped by shop, order kept)."""
    by_shop: dict[int, list[ContractTerms]] = {}
    for terms in contracts:
        by_shop.setdefault(terms.shop_id, []).append(terms)
    month_end, total_days = month_last_day(month), days_in_month(month)
    return {
        shop_id: _shop_figures(shop_id, month, month_end, total_days, terms, turnover.get(shop_id))
        for shop_id, terms in by_shop.items()
    }
