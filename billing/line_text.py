"""An invoice line's description, in the reader's language, from the figures stored with it.

A line stores how its amount was reached as data (``InvoiceLine.details``, written by the
billing run): the kind of line, the service days and their period, the active days of the
month, the day rate or monthly fee, the turnover and the part of it attributed to the contract,
the commission mode and the tier slices with their rates and amounts. Everything a reader sees
about a line is rendered from those figures here, in the active language, so the invoice page,
the portal, the PDF, the emails and the API say the same thing in English and in Chinese:

* ``line_description``: one sentence, e.g. "21 of 31 days x 1,500.00" / "21/31 天 × 1,500.00",
  "Turnover 300,000.00 x 21/31 = 203,225.81, graduated tiers" / "营业额 300,000.00 × 21/31 =
  203,225.81（按比例），分段累进提成";
* ``line_steps``: the tier arithmetic of a commission line, one step per slice
  ("0.00 to 100,000.00: 100,000.00 x 3% = 3,000.00").

The calculation is printed once: the description names the figures that lead to the turnover
the tiers see, the steps the tiers; neither repeats the other, and neither repeats the line's
amount.

The stored ``InvoiceLine.description`` is the English rendering (``english_description``), kept
for the admin and for lines billed before their figures were recorded. Details are read
defensively: a line whose figures are missing or malformed shows its stored description and no
steps, never a calculation the document cannot vouch for.
"""

from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from agency.formatting import money_text, rate_text
from billing.choices import InvoiceLineKind

if TYPE_CHECKING:
    from billing.models import InvoiceLine

# --- Reading a line's details -----------------------------------------------------------------


def detail_decimal(value: Any) -> Decimal | None:
    """A number from a line's ``details`` JSON, or None when it is missing or not a number."""
    # JSON's whole numbers and texts first: the same Decimal as ``Decimal(str(value))``, sooner.
    kind = type(value)
    if kind is int:
        return Decimal(value)
    if kind is str:
        return _decimal_text(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None
    return _decimal_text(str(value))


@lru_cache(maxsize=4096)
def _decimal_text(text: str) -> Decimal | None:
    # Decimals are immutable: a figure that recurs (31 days, a fee, a rate) is parsed once.
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def detail_whole(value: Any) -> int | None:
    if type(value) is int:
        return value
    number = detail_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def days_fraction(details: Mapping) -> tuple[int, int] | None:
    """``(active_days, days_in_month)`` when both are there and make sense, else None."""
    active, total = (
        detail_whole(details.get("active_days")),
        detail_whole(details.get("days_in_month")),
    )
    if active is None or total is None or not 0 <= active <= total or total <= 0:
        return None
    return active, total


@dataclass(frozen=True)
class CommissionSlice:
    """One tier slice of a commission: ``amount`` of turnover between ``lower`` and ``upper``
    (None: no upper bound) at ``rate`` earned ``commission``."""

    lower: Decimal
    upper: Decimal | None
    rate: Decimal
    amount: Decimal
    commission: Decimal


def read_slice(entry: Any) -> CommissionSlice | None:
    """A slice of ``details["slices"]`` (or ``month_slices``), or None when it is malformed."""
    if not isinstance(entry, dict):
        return None
    lower = detail_decimal(entry.get("from"))
    rate = detail_decimal(entry.get("rate"))
    amount = detail_decimal(entry.get("amount"))
    commission = detail_decimal(entry.get("commission"))
    upper_raw = entry.get("to")
    upper = None if upper_raw is None else detail_decimal(upper_raw)
    if None in (lower, rate, amount, commission) or (upper_raw is not None and upper is None):
        return None
    return CommissionSlice(
        lower=lower, upper=upper, rate=rate, amount=amount, commission=commission
    )


def _count(value: Decimal | Fraction) -> str:
    """Days as people write them: 21, or 7.5 for days shared with another contract."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _shared_days(raw: Any) -> Fraction | None:
    if not isinstance(raw, str | int):
        return None
    try:
        share = Fraction(str(raw))
    except (ValueError, ZeroDivisionError):
        return None
    return share if share >= 0 else None


# --- Messages -----------------------------------------------------------------------------------


# The messages reach these as variables: every literal is wrapped where it is written
# (``m.gettext("...")`` in the renderers below), so the catalogue extraction sees them there.
_look_up = translation.gettext
_look_up_plural = translation.ngettext


class Messages:
    """The messages the descriptions are worded with: the active language's, looked up on every
    call (what a reader sees)."""

    def gettext(self, message: str) -> str:
        return _look_up(message)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return _look_up_plural(singular, plural, number)


class LanguageMessages(Messages):
    """The messages of one fixed language, each looked up once and kept.

    For rendering thousands of lines in one language (a billing run stores every description in
    English): a lookup through the active language costs some 6 us, a few per line, more than
    the rest of the line's wording. The texts are the ones ``gettext`` gives inside
    ``translation.override(language)``, so the rendering is the same; the catalogues do not
    change while the process runs, and a dictionary is safe to share between threads.
    """

    KEPT = 4096
    """At most this many texts are kept (messages x the counts seen: days of a month)."""

    DESCRIPTIONS_KEPT = 8192
    """Descriptions kept (by the figures they are worded from); all forgotten past that."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._texts: dict[tuple[str, str | None, int | None], str] = {}
        self._descriptions: dict[tuple, str] = {}

    def _lookup(self, key: tuple[str, str | None, int | None]) -> str:
        message, plural, number = key
        with translation.override(self.language):
            text = _look_up(message) if plural is None else _look_up_plural(message, plural, number)
        if len(self._texts) < self.KEPT:
            self._texts[key] = text
        return text

    def gettext(self, message: str) -> str:
        key = (message, None, None)
        return self._texts.get(key) or self._lookup(key)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        key = (singular, plural, number)
        return self._texts.get(key) or self._lookup(key)

    def description(self, kind: str, details: Mapping, fallback: str) -> str:
        """``describe`` in this language, kept by the figures the line is worded from (a list
        reads the same lines again, page after page): the kind, the stored text and, for each
        figure the kind's wording reads (``WORDED_FROM``), its type and value, or its absence.
        A figure that cannot be a key (a list, say) is worded every time."""
        fields = WORDED_FROM.get(kind)
        if fields is None:
            return _describe(kind, details, fallback, self)
        figures = [details.get(name, _ABSENT) for name in fields]
        key = (kind, fallback, *[(type(value), value) for value in figures])
        try:
            return self._descriptions[key]
        except KeyError:
            pass
        except TypeError:
            return _describe(kind, details, fallback, self)
        if len(self._descriptions) >= self.DESCRIPTIONS_KEPT:
            self._descriptions.clear()
        text = self._descriptions[key] = _describe(kind, details, fallback, self)
        return text


ACTIVE_LANGUAGE = Messages()
ENGLISH = LanguageMessages("en")
"""The language of the stored ``InvoiceLine.description``."""
_KEPT_LANGUAGES: dict[str, LanguageMessages] = {"en": ENGLISH}


def messages_in(language: str | None) -> Messages:
    """The messages of ``language`` kept once looked up (``LanguageMessages``), for lists that
    word many lines in the request's language; the active language's lookups for a language the
    site does not offer (or none)."""
    if language not in dict(settings.LANGUAGES):
        return ACTIVE_LANGUAGE
    if language not in _KEPT_LANGUAGES:
        _KEPT_LANGUAGES[language] = LanguageMessages(language)
    return _KEPT_LANGUAGES[language]


# --- Rendering --------------------------------------------------------------------------------


def _mode_text(mode: Any, m: "Messages") -> str | None:
    if mode == "graduated":
        return m.gettext("graduated tiers")
    if mode == "flat":
        return m.gettext("whole turnover at one tier's rate")
    return None


def _day_rate(details: Mapping, m: "Messages") -> str | None:
    days = detail_whole(details.get("service_days"))
    rate = detail_decimal(details.get("day_rate"))
    first, last = details.get("first_day"), details.get("last_day")
    if days is None or days < 0 or rate is None or not isinstance(first, str):
        return None
    if not isinstance(last, str) or last == first:
        period = first
    else:
        period = m.gettext("%(first)s to %(last)s") % {"first": first, "last": last}
    return m.ngettext(
        "%(days)s service day (%(period)s) x %(rate)s",
        "%(days)s service days (%(period)s) x %(rate)s",
        days,
    ) % {"days": days, "period": period, "rate": money_text(rate)}


def _base_fee(details: Mapping, m: "Messages") -> str | None:
    fee = detail_decimal(details.get("monthly_fee"))
    fraction = days_fraction(details)
    if fee is None or fraction is None:
        return None
    return m.gettext("%(active)s of %(total)s days x %(fee)s") % {
        "active": fraction[0],
        "total": fraction[1],
        "fee": money_text(fee),
    }


def _attribution(details: Mapping, m: "Messages") -> str | None:
    """How the turnover the contract answers for was reached, or None when it cannot be said."""
    turnover = detail_decimal(details.get("turnover"))
    attributed = detail_decimal(details.get("attributed_turnover"))
    fraction = days_fraction(details)
    if turnover is None or attributed is None or fraction is None:
        return None
    values = {
        "turnover": money_text(turnover),
        "attributed": money_text(attributed),
        "active": fraction[0],
        "days": fraction[1],
    }
    if "shared_days" in details:
        shared = _shared_days(details["shared_days"])
        if shared is None:
            return None
        values["active"] = _count(shared)
        return (
            m.gettext(
                "Turnover %(turnover)s x %(active)s/%(days)s (days shared with another "
                "contract split equally) = %(attributed)s"
            )
            % values
        )
    if fraction[0] == fraction[1] and turnover == attributed:
        return m.gettext("Turnover %(turnover)s") % values
    return m.gettext("Turnover %(turnover)s x %(active)s/%(days)s = %(attributed)s") % values


def _commission(details: Mapping, m: "Messages") -> str | None:
    attribution = _attribution(details, m)
    if attribution is None:
        return None
    mode = _mode_text(details.get("mode"), m)
    month_turnover = detail_decimal(details.get("month_attributed_turnover"))
    month_commission = detail_decimal(details.get("month_commission"))
    in_force_on = details.get("tiers_in_force_on")
    if month_turnover is not None and month_commission is not None:
        # Several commission contracts share the month: the tiers saw the month's sum once.
        if mode is None or not isinstance(in_force_on, str):
            return None
        return m.gettext(
            "%(attribution)s of the month's %(month_turnover)s: its share of the month's "
            "commission %(month_commission)s (tiers of the contract in force on "
            "%(date)s, %(mode)s)"
        ) % {
            "attribution": attribution,
            "month_turnover": money_text(month_turnover),
            "month_commission": money_text(month_commission),
            "date": in_force_on,
            "mode": mode,
        }
    if mode is None:
        return attribution
    return m.gettext("%(attribution)s, %(mode)s") % {"attribution": attribution, "mode": mode}


_RENDERERS = {
    InvoiceLineKind.DAY_RATE: _day_rate,
    InvoiceLineKind.BASE_FEE: _base_fee,
    InvoiceLineKind.COMMISSION: _commission,
}
# The figures of ``details`` each renderer reads, and nothing else (tests hold them to it): a
# description is a function of the kind, these figures and the stored text.
WORDED_FROM: dict[str, tuple[str, ...]] = {
    InvoiceLineKind.DAY_RATE: ("service_days", "day_rate", "first_day", "last_day"),
    InvoiceLineKind.BASE_FEE: ("monthly_fee", "active_days", "days_in_month"),
    InvoiceLineKind.COMMISSION: (
        "turnover",
        "attributed_turnover",
        "active_days",
        "days_in_month",
        "shared_days",
        "mode",
        "month_attributed_turnover",
        "month_commission",
        "tiers_in_force_on",
    ),
}
_ABSENT = object()  # a figure the details do not hold (``shared_days`` counts by its presence)


def describe(
    kind: str,
    details: Any,
    fallback: str = "",
    *,
    messages: "Messages | None" = None,
    keep: bool = True,
) -> str:
    """A line's description in the active language (or in ``messages``' language), from its
    kind and details; ``fallback`` (the stored description) when the details do not hold the
    figures. ``keep=False`` words it without keeping it in ``messages`` (for a caller that
    keeps the descriptions it words itself, as a billing run does)."""
    if type(details) is not dict and not isinstance(details, Mapping):  # JSON's dict: sooner
        return fallback
    if keep and isinstance(messages, LanguageMessages):
        return messages.description(kind, details, fallback)
    return _describe(kind, details, fallback, messages or ACTIVE_LANGUAGE)


def _describe(kind: str, details: Mapping, fallback: str, messages: "Messages") -> str:
    render = _RENDERERS.get(kind)
    text = render(details, messages) if render is not None else None
    return text if text is not None else fallback


def _slice_text(item: CommissionSlice) -> str:
    values = {
        "lower": money_text(item.lower),
        "upper": money_text(item.upper) if item.upper is not None else "",
        "amount": money_text(item.amount),
        "rate": rate_text(item.rate),
        "commission": money_text(item.commission),
    }
    if item.upper is None:
        return _("above %(lower)s: %(amount)s x %(rate)s = %(commission)s") % values
    return _("%(lower)s to %(upper)s: %(amount)s x %(rate)s = %(commission)s") % values


def steps(kind: str, details: Any) -> tuple[str, ...]:
    """The tier arithmetic of a commission line in the active language, one step per slice;
    nothing for other lines, and nothing unless every slice is readable (half an explanation
    would mislead)."""
    if kind != InvoiceLineKind.COMMISSION or not isinstance(details, Mapping):
        return ()
    if describe(kind, details) == "":
        return ()  # the description falls back: a calculation without its head is not shown
    shares_month = "month_commission" in details
    raw = details.get("month_slices" if shares_month else "slices")
    if not isinstance(raw, list) or not raw:
        return ()
    slices = [read_slice(entry) for entry in raw]
    if None in slices:
        return ()
    return tuple(_slice_text(item) for item in slices)


def _language(language: str | None):
    return translation.override(language) if language else nullcontext()


def line_description(line: "InvoiceLine", language: str | None = None) -> str:
    """``line``'s description in ``language`` (default: the active one)."""
    with _language(language):
        return describe(line.kind, line.details, line.description)


def line_steps(line: "InvoiceLine", language: str | None = None) -> tuple[str, ...]:
    """``line``'s tier arithmetic in ``language`` (default: the active one)."""
    with _language(language):
        return steps(line.kind, line.details)


def english_description(kind: str, details: Mapping) -> str:
    """The English rendering stored in ``InvoiceLine.description`` (admin, old rows)."""
    return describe(kind, details, messages=ENGLISH)
