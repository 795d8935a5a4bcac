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
* Tiers see a shop's month once (DOMAIN.md, "Plans and prices"): several commission contracts
  in the month (a renewal) put the sum of their attributed turnover through the tiers of the
  contract in force on the month's last service day, and split that commission between their
  lines by attributed turnover, to the cent.
* No confirmed turnover: no commission line and the invoice is *awaiting turnover*.
* Every line is rounded half-up to cents; the total is the sum of the lines.

The money math itself lives in ``billing.calculations``; this module only decides which lines a
contract gives and writes down how each amount was reached as data (``details``: the kind of
line and every figure behind its amount). What a reader sees is rendered from those figures in
the reader's language by ``billing.line_text``; the stored ``description`` is its English
rendering (for the admin), made by the same function.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple

from django.utils import translation
from django.utils.translation import gettext

from agency.choices import Plan
from agency.errors import ApplicationError
from agency.money import round_money
from agency.months import days_in_month, month_last_day
from billing.calculations import (
    active_days_between,
    attributed_turnover,
    prorate,
    split_by_weights,
    tier_breakdown,
)
from billing.line_text import ENGLISH, describe
from billing.models import InvoiceLine
from billing.services.writes import details_json, line_columns_text
from shops.terms import Tier, tiers_from_json

QUANTITY_STEP = Decimal("0.0001")
SHARE_STEP = Decimal("0.000001")
"""Precision of a line's ``share`` of the month's commission in its details (for reading only:
the amount comes from the exact split)."""
_ONE = Decimal("1")
_ZERO_MONEY = Decimal("0.00")
_DAY_PLANS = frozenset(Plan.day_plans())
_MONTHLY_PLANS = frozenset(Plan.monthly_plans())


class ContractTermsError(ApplicationError):
    """A contract's stored terms cannot be billed (e.g. unusable commission tiers).

    Raised by a run (which then fails, naming the contract) and by recomputing a draft, e.g.
    when a turnover is confirmed: the API answers 400 with the message rather than bill wrongly.
    """


class BillableContract(NamedTuple):
    """The billable terms of a contract, as the billing run reads them in one query (a named
    tuple: a run makes thousands, each a row as read)."""

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
    # ``details`` as the JSON text that is stored (``writes.details_json``), made once.
    details_text: str = ""
    # The line's COPY text from kind to details (``writes.line_columns_text``), made once.
    columns_text: str = ""


@dataclass(slots=True)
class InvoiceFigures:
    shop_id: int
    lines: list[LineFigures] = field(default_factory=list)
    awaiting_turnover: bool = False

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), _ZERO_MONEY)


_DESCRIBED: dict[tuple[str, str], str] = {}
_DESCRIBED_MAX = 20_000


def _english(kind: str, details: dict[str, Any], text: str) -> str:
    """``describe(kind, details)`` in English, worded once per distinct details (``text``, their
    JSON): a month's base fees and day rates mostly share their figures, so most lines of a run
    reuse a wording. The stored description is the same either way."""
    key = (kind, text)
    found = _DESCRIBED.get(key)
    if found is None:
        if len(_DESCRIBED) >= _DESCRIBED_MAX:
            _DESCRIBED.clear()
        found = _DESCRIBED[key] = describe(kind, details, messages=ENGLISH, keep=False)
    return found


def _line(
    *,
    contract_id: int,
    kind: str,
    quantity: Decimal,
    unit_price: Decimal,
    amount: Decimal,
    details: dict[str, Any],
    text: str | None = None,
) -> LineFigures:
    """A line whose ``details`` name its kind and hold every figure its description needs; the
    stored description is rendered from them (in English: the run renders inside
    ``translation.override("en")``). ``text``, when given, is their ``details_json`` (with the
    kind first), written already."""
    details = {"kind": kind, **details}
    if text is None:
        text = details_json(details)
    description = _english(kind, details, text)
    return LineFigures(
        contract_id,
        kind,
        description,
        quantity,
        unit_price,
        amount,
        details,
        text,
        line_columns_text(kind, description, quantity, unit_price, amount, text),
    )


_SHARED_LINES: dict[tuple, LineFigures] = {}
# A 5,000-shop month of the bench has 175 distinct ones; all are forgotten past this many (a
# line with its details and texts is a kilobyte or two).
_SHARED_LINES_MAX = 4096


def _shared_line(key: tuple, contract_id: int, make: Callable[[], LineFigures]) -> LineFigures:
    """The line ``make()`` gives, for ``contract_id``, made once per ``key`` (every figure the
    line is made from, money as its exact text): a month's day rates and base fees mostly
    repeat a few prices and periods, and their figures, details, wording and COPY text do not
    depend on the contract. Lines share the (never changed) details dict of their figures."""
    line = _SHARED_LINES.get(key)
    if line is None:
        if len(_SHARED_LINES) >= _SHARED_LINES_MAX:
            _SHARED_LINES.clear()
        line = _SHARED_LINES[key] = make()
    return LineFigures(
        contract_id,
        line.kind,
        line.description,
        line.quantity,
        line.unit_price,
        line.amount,
        line.details,
        line.details_text,
        line.columns_text,
    )


@lru_cache(maxsize=256)
def _parsed_tiers(key: tuple[tuple[Any, Any], ...]) -> tuple[Tier, ...]:
    return tiers_from_json([{"from": lower, "rate": rate} for lower, rate in key])


@lru_cache(maxsize=256)
def _parsed_tiers_text(text: str) -> tuple[Tier, ...]:
    return tiers_from_json(json.loads(text))


def _unbillable(terms: "BillableContract", error: Exception) -> ContractTermsError:
    return ContractTermsError(
        gettext("Contract %(id)s (shop %(shop)s) cannot be billed: %(error)s")
        % {"id": terms.id, "shop": terms.shop_id, "error": error}
    )


def contract_tiers(terms: BillableContract) -> tuple[Tier, ...]:
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
        raise _unbillable(terms, error) from error


def _day_rate_line(terms: BillableContract, month: date, month_end: date) -> LineFigures:
    assert terms.end_date is not None  # day plans always end (contract_day_plan_has_end)
    first = max(terms.start_date, month)
    last = min(terms.end_date, month_end)
    days = active_days_between(terms.start_date, terms.end_date, month, month_end)
    price = terms.price
    return _shared_line(
        (InvoiceLine.Kind.DAY_RATE, terms.plan, str(price), first, last, days),
        terms.id,
        lambda: _line(
            contract_id=terms.id,
            kind=InvoiceLine.Kind.DAY_RATE,
            quantity=Decimal(days),
            unit_price=price,
            amount=round_money(price * days),
            details={
                "plan": terms.plan,
                "service_days": days,
                "first_day": first.isoformat(),
                "last_day": last.isoformat(),
                "day_rate": str(price),
            },
        ),
    )


def _base_fee_line(
    terms: BillableContract, month: date, month_end: date, active: int, total: int
) -> LineFigures:
    first = max(terms.start_date, month)
    last = month_end if terms.end_date is None else min(terms.end_date, month_end)
    price = terms.price
    return _shared_line(
        (InvoiceLine.Kind.BASE_FEE, terms.plan, str(price), first, last, active, total),
        terms.id,
        lambda: _line(
            contract_id=terms.id,
            kind=InvoiceLine.Kind.BASE_FEE,
            quantity=(
                _ONE if active == total else (Decimal(active) / total).quantize(QUANTITY_STEP)
            ),
            unit_price=price,
            amount=prorate(price, active, total),
            details={
                "plan": terms.plan,
                "active_days": active,
                "days_in_month": total,
                "first_day": first.isoformat(),
                "last_day": last.isoformat(),
                "monthly_fee": str(price),
            },
        ),
    )


@dataclass(frozen=True, slots=True)
class _Attribution:
    """A commission contract's attributed turnover for the month.

    ``share`` is the days of the month the contract earns turnover for when it shares days with
    another commission contract of the shop (each shared day split equally), else ``None``.
    """

    terms: BillableContract
    active: int
    share: Fraction | None
    turnover: Decimal


def _attribution(
    terms: BillableContract, turnover: Decimal, active: int, total: int, share: Fraction | None
) -> _Attribution:
    if share is None or share == active:
        return _Attribution(terms, active, None, attributed_turnover(turnover, active, total))
    attributed = attributed_turnover(turnover, share.numerator, share.denominator * total)
    return _Attribution(terms, active, share, attributed)


def _commission_rows(
    terms: BillableContract, turnover: Decimal
) -> tuple[tuple[Tier, ...], list[tuple[Tier, Decimal, Decimal]]]:
    """``terms``' tiers and ``turnover`` through them in its mode, or the contract refused."""
    tiers = contract_tiers(terms)
    try:
        # ``contract_tiers`` gives validated tiers only (``tiers_from_json``).
        return tiers, tier_breakdown(turnover, tiers, terms.commission_mode, tiers_checked=True)
    except ValueError as error:
        raise _unbillable(terms, error) from error


def _slices(
    tiers: Sequence[Tier], rows: Sequence[tuple[Tier, Decimal, Decimal]]
) -> list[dict[str, str | None]]:
    return _slices_and_json(tiers, rows)[0]


@dataclass(frozen=True, slots=True)
class _TierTexts:
    """A schedule's bounds and rates as a line's details write them, by tier position: ``from``,
    ``to`` (None for the last tier), ``rate``, and the JSON of a slice up to its amount."""

    bounds: tuple[tuple[str, str | None, str], ...]
    heads: tuple[str, ...]


_TIER_TEXTS: dict[int, tuple[tuple[Tier, ...], _TierTexts]] = {}


def _tier_texts(tiers: Sequence[Tier]) -> _TierTexts:
    """``tiers``' texts, made once per schedule: a run's contracts share the few schedules
    ``contract_tiers`` parsed. Kept by the schedule's identity (a tuple, held by the entry, so
    its id stays its own while kept); any other sequence is written out afresh."""
    entry = _TIER_TEXTS.get(id(tiers))
    if entry is not None and entry[0] is tiers:
        return entry[1]
    bounds = tuple(
        (
            str(tier.lower),
            str(tiers[index + 1].lower) if index + 1 < len(tiers) else None,
            str(tier.rate),
        )
        for index, tier in enumerate(tiers)
    )
    heads = []
    for lower, upper, rate in bounds:
        to = "null" if upper is None else f'"{upper}"'
        heads.append(f'{{"from":"{lower}","to":{to},"rate":"{rate}","amount":"')
    texts = _TierTexts(bounds=bounds, heads=tuple(heads))
    if isinstance(tiers, tuple):
        if len(_TIER_TEXTS) >= 256:
            _TIER_TEXTS.clear()
        _TIER_TEXTS[id(tiers)] = (tiers, texts)
    return texts


def _slices_and_json(
    tiers: Sequence[Tier], rows: Sequence[tuple[Tier, Decimal, Decimal]]
) -> tuple[list[dict[str, str | None]], str]:
    """The slices of a commission's details, and their JSON as ``details_json`` writes it (the
    list's items, without its brackets): bounds and rates are texts of Decimals, which JSON
    writes as they are."""
    texts = _tier_texts(tiers)
    slices = []
    json_parts = []
    for number, (tier, on_slice, earned) in enumerate(rows):
        # A graduated breakdown lists the tiers from the first; a flat one the tier it uses.
        index = number
        if index >= len(tiers) or tiers[index] is not tier:
            index = next(i for i, candidate in enumerate(tiers) if candidate == tier)
        lower, upper, rate = texts.bounds[index]
        amount, commission = str(on_slice), str(earned)
        slices.append(
            {"from": lower, "to": upper, "rate": rate, "amount": amount, "commission": commission}
        )
        json_parts.append(f'{texts.heads[index]}{amount}","commission":"{commission}"}}')
    return slices, ",".join(json_parts)


def _attribution_details(turnover: Decimal, attribution: _Attribution, total: int) -> dict:
    return {
        "plan": attribution.terms.plan,
        "turnover": str(turnover),
        "active_days": attribution.active,
        "days_in_month": total,
        "attributed_turnover": str(attribution.turnover),
        **({"shared_days": str(attribution.share)} if attribution.share is not None else {}),
    }


@lru_cache(maxsize=64)
def _json_string(text: str) -> str:
    return details_json(text)


def _commission_json(head: dict, mode: str, slices_json: str) -> str:
    """``details_json`` of a one-contract commission line's details (``head``, from
    ``_attribution_details``, then its mode and slices), written out directly: a run has
    thousands of them, all different, and their figures are texts of Decimals and whole
    numbers, which JSON writes as they are; only the plan's and mode's names are escaped (once
    per name). Some three times sooner than the encoder; tests hold the two to the same text."""
    shared = head.get("shared_days")
    return (
        f'{{"kind":"commission","plan":{_json_string(head["plan"])},'
        f'"turnover":"{head["turnover"]}","active_days":{head["active_days"]},'
        f'"days_in_month":{head["days_in_month"]},'
        f'"attributed_turnover":"{head["attributed_turnover"]}",'
        + ("" if shared is None else f'"shared_days":"{shared}",')
        + f'"mode":{_json_string(mode)},"slices":[{slices_json}]}}'
    )


def _commission_line(turnover: Decimal, attribution: _Attribution, total: int) -> LineFigures:
    """The commission line of a shop's only commission contract of the month: its attributed
    turnover through its own tiers."""
    terms = attribution.terms
    tiers, rows = _commission_rows(terms, attribution.turnover)
    amount = round_money(sum((row[2] for row in rows), _ZERO_MONEY))
    head = _attribution_details(turnover, attribution, total)
    slices, slices_json = _slices_and_json(tiers, rows)
    mode = terms.commission_mode
    return _line(
        contract_id=terms.id,
        kind=InvoiceLine.Kind.COMMISSION,
        quantity=_ONE,
        unit_price=amount,
        amount=amount,
        details={**head, "mode": mode, "slices": slices},
        text=_commission_json(head, mode, slices_json),
    )


def _in_force_on_last_day(
    attributions: Sequence[_Attribution], month_end: date
) -> tuple[_Attribution, date]:
    """The commission contract in force on the month's last service day, and that day.

    The last service day is the latest date on which any of the shop's commission contracts is
    active in the month; the contract in force is one active on it. When several are (a day
    shift and a night shift side by side), the one that started last wins (a renewal over the
    contract it renews), then the highest id (the contract made last), so the choice never
    depends on the order the contracts were read in.
    """

    def last_active(terms: BillableContract) -> date:
        return month_end if terms.end_date is None else min(terms.end_date, month_end)

    candidates = [item for item in attributions if item.active] or list(attributions)
    last_day = max(last_active(item.terms) for item in candidates)
    in_force = max(
        (item for item in candidates if last_active(item.terms) == last_day),
        key=lambda item: (item.terms.start_date, item.terms.id),
    )
    return in_force, last_day


def _month_commission_lines(
    turnover: Decimal, attributions: Sequence[_Attribution], total: int, month_end: date
) -> list[LineFigures]:
    """The commission lines of several commission contracts sharing a shop's month.

    Tiers see the month once (DOMAIN.md, "Plans and prices"): the contracts' attributed
    turnover goes through the tiers and mode of the contract in force on the month's last
    service day as one sum, and that commission is split between the lines by attributed
    turnover (``split_by_weights``: largest remainder on cents, so the lines add up to it
    exactly). A renewal therefore never raises the bill.
    """
    for item in attributions:
        # Every contract's terms must still be billable, even those whose tiers are not used.
        _commission_rows(item.terms, _ZERO_MONEY)
    in_force, last_day = _in_force_on_last_day(attributions, month_end)
    month_turnover = sum((item.turnover for item in attributions), _ZERO_MONEY)
    tiers, rows = _commission_rows(in_force.terms, month_turnover)
    month_commission = round_money(sum((row[2] for row in rows), _ZERO_MONEY))
    amounts = split_by_weights(month_commission, [item.turnover for item in attributions])
    slices = _slices(tiers, rows)
    lines = []
    for item, amount in zip(attributions, amounts, strict=True):
        share = (item.turnover / month_turnover if month_turnover else _ZERO_MONEY).quantize(
            SHARE_STEP, rounding=ROUND_HALF_UP
        )
        lines.append(
            _line(
                contract_id=item.terms.id,
                kind=InvoiceLine.Kind.COMMISSION,
                quantity=_ONE,
                unit_price=amount,
                amount=amount,
                details={
                    **_attribution_details(turnover, item, total),
                    "mode": in_force.terms.commission_mode,
                    "month_attributed_turnover": str(month_turnover),
                    "share": str(share),
                    "month_commission": str(month_commission),
                    "tiers_of_contract": in_force.terms.id,
                    "tiers_in_force_on": last_day.isoformat(),
                    "month_slices": slices,
                },
            )
        )
    return lines


def _commission_lines(
    contracts: Sequence[BillableContract],
    month: date,
    month_end: date,
    total: int,
    turnover: Decimal,
) -> list[LineFigures]:
    """The commission lines of the shop's commission contracts, in the contracts' order."""
    monthly = [terms for terms in contracts if terms.plan in _MONTHLY_PLANS]
    shares = _commission_shares(monthly, month, month_end)
    attributions = [
        _attribution(
            terms,
            turnover,
            active_days_between(terms.start_date, terms.end_date, month, month_end),
            total,
            shares.get(terms.id),
        )
        for terms in monthly
    ]
    if not attributions:
        return []
    if len(attributions) == 1:
        return [_commission_line(turnover, attributions[0], total)]
    return _month_commission_lines(turnover, attributions, total, month_end)


def invoice_figures(
    *, shop_id: int, month: date, contracts: Sequence[BillableContract], turnover: Decimal | None
) -> InvoiceFigures:
    """The lines of one shop's invoice for ``month`` (its first day).

    ``contracts`` are the shop's contracts active in the month, in the order their lines should
    appear; ``turnover`` is the shop's confirmed turnover for the month, or ``None``.
    """
    with translation.override("en"):
        return _shop_figures(
            shop_id, month, month_last_day(month), days_in_month(month), contracts, turnover
        )


def _shop_figures(
    shop_id: int,
    month: date,
    month_end: date,
    total_days: int,
    contracts: Sequence[BillableContract],
    turnover: Decimal | None,
) -> InvoiceFigures:
    figures = InvoiceFigures(shop_id=shop_id)
    commission_lines = iter(
        ()
        if turnover is None
        else _commission_lines(contracts, month, month_end, total_days, turnover)
    )
    for terms in contracts:
        if terms.plan in _DAY_PLANS:
            figures.lines.append(_day_rate_line(terms, month, month_end))
        elif terms.plan in _MONTHLY_PLANS:
            active = active_days_between(terms.start_date, terms.end_date, month, month_end)
            figures.lines.append(_base_fee_line(terms, month, month_end, active, total_days))
            if turnover is None:
                figures.awaiting_turnover = True
            else:
                figures.lines.append(next(commission_lines))
        else:
            raise ContractTermsError(
                gettext("Contract %(id)s (shop %(shop)s) has an unknown plan %(plan)r.")
                % {"id": terms.id, "shop": terms.shop_id, "plan": terms.plan}
            )
    return figures


def _commission_shares(
    contracts: Sequence[BillableContract], month: date, month_end: date
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


FIGURES_CHUNK = 500


def iter_invoices_figures(
    *, month: date, contracts: Iterable[BillableContract], turnover: dict[int, Decimal]
) -> Iterator[tuple[int, InvoiceFigures]]:
    """``(shop id, figures)`` of every shop of ``contracts`` in their order, made a few hundred
    shops at a time as the caller asks for them: a run stores one shop's lines while the next
    shops are worked out."""
    by_shop: dict[int, list[BillableContract]] = {}
    for terms in contracts:
        by_shop.setdefault(terms.shop_id, []).append(terms)
    month_end, total_days = month_last_day(month), days_in_month(month)
    shops = list(by_shop.items())
    for at in range(0, len(shops), FIGURES_CHUNK):
        with translation.override("en"):  # the stored descriptions are the English rendering
            chunk = [
                (
                    shop_id,
                    _shop_figures(
                        shop_id, month, month_end, total_days, terms, turnover.get(shop_id)
                    ),
                )
                for shop_id, terms in shops[at : at + FIGURES_CHUNK]
            ]
        yield from chunk
