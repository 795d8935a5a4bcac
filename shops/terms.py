"""A contract's money terms: commission tiers, commission modes and the validated terms.

Pure: nothing here touches the database. Contracts and the price book store tiers as JSON and
read them back through ``tiers_from_json``, so a hand-edited value cannot reach an invoice;
billing's money math (``billing.calculations``) charges commission with these tiers.

A tier's ``rate`` is a fraction (0.03 means 3 %); bounds are money (``Decimal``, CNY).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext

from agency.money import CENT

RATE_STEP = Decimal("0.0001")
"""Precision at which tier rates are stored and exchanged (0.01 of a percent)."""

MODE_GRADUATED = "graduated"
MODE_FLAT = "flat"
COMMISSION_MODES = (MODE_GRADUATED, MODE_FLAT)

_ZERO = Decimal("0")
_ONE = Decimal("1")


@dataclass(frozen=True)
class Tier:
    """One commission tier: ``rate`` applies to turnover from ``lower`` (inclusive) upwards.

    A tier ends where the next one starts, so only lower bounds are stored; the last tier is
    open-ended. ``rate`` is a fraction: 0.03 means 3 %.
    """

    lower: Decimal
    rate: Decimal


DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier(lower=Decimal("0.00"), rate=Decimal("0.03")),
    Tier(lower=Decimal("100000.00"), rate=Decimal("0.02")),
    Tier(lower=Decimal("500000.00"), rate=Decimal("0.01")),
)
"""The price book's default tiers: 3 % up to 100,000, 2 % up to 500,000, 1 % above."""


@dataclass(frozen=True)
class ContractTerms:
    """A contract's money terms after the price book filled in what was not given.

    ``commission_tiers`` is the stored (JSON) form, validated and normalised; day plans have
    none.
    """

    price: Decimal
    commission_mode: str
    commission_tiers: list[dict[str, str]]


def validate_tiers(tiers: Sequence[Tier]) -> None:
    """Raise ``ValueError`` with a message for people unless ``tiers`` form a usable schedule.

    The rules make every turnover from 0 upwards fall in exactly one tier: at least one tier,
    the first starting at 0, bounds strictly ascending, and rates between 0 % and 100 %.
    """
    if not tiers:
        raise ValueError(gettext("Add at least one commission tier."))
    for number, tier in enumerate(tiers, start=1):
        if not tier.lower.is_finite() or not tier.rate.is_finite():
            raise ValueError(
                gettext("Tier %(number)s: the lower bound and the rate must be numbers.")
                % {"number": number}
            )
        if tier.lower < 0:
            raise ValueError(
                gettext("Tier %(number)s: the lower bound cannot be negative.") % {"number": number}
            )
        if not _ZERO <= tier.rate <= _ONE:
            raise ValueError(
                gettext("Tier %(number)s: the rate must be between 0 and 1 (0%% to 100%%).")
                % {"number": number}
            )
    if tiers[0].lower != 0:
        raise ValueError(gettext("The first commission tier must start at 0."))
    for number, (previous, current) in enumerate(zip(tiers, tiers[1:], strict=False), start=2):
        if current.lower <= previous.lower:
            raise ValueError(
                gettext(
                    "Tier %(number)s: each tier must start above the one before (%(lower)s is "
                    "not above %(previous)s)."
                )
                % {"number": number, "lower": current.lower, "previous": previous.lower}
            )


def _not_a_number(number: int, key: str, raw: Any) -> str:
    return gettext("Tier %(number)s: %(key)r must be a number (got %(raw)r).") % {
        "number": number,
        "key": key,
        "raw": raw,
    }


def _decimal_field(entry: dict[str, Any], key: str, number: int) -> Decimal:
    """Read one tier field from JSON, accepting strings and numbers but never booleans."""
    if key not in entry:
        raise ValueError(
            gettext("Tier %(number)s: %(key)r is missing.") % {"number": number, "key": key}
        )
    raw = entry[key]
    # A JSON number arrives as float; going through str keeps 0.03 as 0.03, not 0.0299999...
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ValueError(
            gettext("Tier %(number)s: %(key)r must be a number.") % {"number": number, "key": key}
        )
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(_not_a_number(number, key, raw)) from None
    if not value.is_finite():
        raise ValueError(_not_a_number(number, key, raw))
    return value


def tiers_from_json(data: list[dict[str, Any]]) -> tuple[Tier, ...]:
    """Build validated tiers from their stored form ``[{"from": "0.00", "rate": "0.03"}, ...]``.

    Contracts and the price book keep tiers as JSON; reading them always goes through
    ``validate_tiers`` so a hand-edited or outdated value cannot produce a wrong invoice.
    """
    if not isinstance(data, list):
        raise ValueError(gettext("Commission tiers must be a list of {'from', 'rate'} entries."))
    tiers: list[Tier] = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise ValueError(
                gettext("Tier %(number)s must have a 'from' and a 'rate'.") % {"number": number}
            )
        tiers.append(
            Tier(
                lower=_decimal_field(entry, "from", number),
                rate=_decimal_field(entry, "rate", number),
            )
        )
    result = tuple(tiers)
    validate_tiers(result)
    return result


def tiers_to_json(tiers: Sequence[Tier]) -> list[dict[str, str]]:
    """Return tiers in their stored form, with bounds to 2 places and rates to 4 places.

    Strings rather than JSON numbers, so that storing and reading back never passes a value
    through a float. Rates finer than 0.0001 (0.01 %) are rounded half-up to that step.
    """
    return [
        {
            "from": str(tier.lower.quantize(CENT, rounding=ROUND_HALF_UP)),
            "rate": str(tier.rate.quantize(RATE_STEP, rounding=ROUND_HALF_UP)),
        }
        for tier in tiers
    ]
