"""Pure arithmetic of seats and workloads: load bands, KPI ratios, capacity and quotes.

Nothing here touches the database, so every rule can be tested with tables and hypothesis (a rule
that is also counted in SQL, like the first-response miss, keeps its ``Q`` filter beside it).
Thresholds come from ``settings.AGENCY`` unless a caller passes them in.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agency.choices import Plan, Shift, shift_length
from agency.money import round_money

RATIO_PLACES = Decimal("0.0001")


class LoadBand(models.TextChoices):
    IDLE = "idle", _("Idle")
    NORMAL = "normal", _("Normal")
    BUSY = "busy", _("Busy")
    STRAINED = "strained", _("Strained")
    OVERLOADED = "overloaded", _("Overloaded")


class Coverage(models.TextChoices):
    """What a quote covers: one shift or both (hours: ``agency.choices.SHIFT_HOURS``)."""

    DAY = "day", _("Day shift (09:00-17:00)")
    NIGHT = "night", _("Night shift (17:00-24:00)")
    FULL = "full", _("Full day (09:00-24:00)")


def load_band(inquiries: int, thresholds: Mapping[str, int] | None = None) -> str:
    """The load band of an agent's daily inquiries (sum over all shops and shifts).

    idle < 60 <= normal < 80 <= busy < 100 <= strained <= 120 < overloaded, with the bounds
    taken from ``settings.AGENCY`` (``LOAD_*``).
    """
    bounds = thresholds or settings.AGENCY
    if inquiries > bounds["LOAD_OVERLOADED_ABOVE"]:
        return LoadBand.OVERLOADED
    if inquiries >= bounds["LOAD_STRAINED_FROM"]:
        return LoadBand.STRAINED
    if inquiries >= bounds["LOAD_BUSY_FROM"]:
        return LoadBand.BUSY
    if inquiries >= bounds["LOAD_NORMAL_FROM"]:
        return LoadBand.NORMAL
    return LoadBand.IDLE


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator to 4 places, half-up; None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, ROUND_HALF_UP)


def conversion_rate(conversions: int, inquiries: int) -> Decimal | None:
    """询单转化率: conversions / inquiries."""
    return ratio(conversions, inquiries)


def answer_ratio(agent_messages: int | None, buyer_messages: int | None) -> Decimal | None:
    """答问比: agent messages / buyer messages; None when either is unknown."""
    if agent_messages is None or buyer_messages is None:
        return None
    return ratio(agent_messages, buyer_messages)


def first_response_miss_limit() -> int:
    """The slowest average first response that still keeps the buyer, in seconds (120)."""
    return settings.AGENCY["FIRST_RESPONSE_MISS_SECONDS"]


def is_first_response_miss(first_response_seconds: int, limit: int | None = None) -> bool:
    """A first response slower than the limit (120 s) loses the buyer."""
    if limit is None:
        limit = first_response_miss_limit()
    return first_response_seconds > limit


def first_response_miss_q(limit: int | None = None) -> Q:
    """``is_first_response_miss`` as a filter on workload records, for counting in SQL."""
    if limit is None:
        limit = first_response_miss_limit()
    return Q(first_response_seconds__gt=limit)


def average_daily_inquiries(total: int, days_with_data: int) -> int:
    """A shop's average daily inquiries over the days that have records, rounded half-up."""
    if days_with_data <= 0:
        return 0
    return int((Decimal(total) / Decimal(days_with_data)).to_integral_value(ROUND_HALF_UP))


def coverage_capacity(coverage: str, peak: int | None = None) -> int:
    """Daily inquiries one seat carries for a coverage.

    A seat peaks at ``SEAT_PEAK_INQUIRIES`` (600) over its 15 hours; one shift carries its share by
    hours, rounded down so a quote never promises more than the seat can do:
    day 600 x 8/15 = 320, night 600 x 7/15 = 280.
    """
    if peak is None:
        peak = settings.AGENCY["SEAT_PEAK_INQUIRIES"]
    if coverage == Coverage.FULL:
        return peak
    return peak * shift_length(Shift(coverage)) // shift_length(None)


def seats_needed(daily_inquiries: int, capacity: int) -> int:
    """Seats needed to carry ``daily_inquiries``; at least one."""
    return max(1, math.ceil(daily_inquiries / capacity))


@dataclass(frozen=True)
class ShortJobOption:
    """The day-plan alternative: the temporary plan covers 09:00-24:00 at a day rate."""

    plan: str
    seats: int
    seat_capacity: int
    days: int
    day_rate: Decimal
    total: Decimal


@dataclass(frozen=True)
class Quote:
    daily_inquiries: int
    coverage: str
    plan: str
    shift: str | None
    seats: int
    seat_capacity: int
    unit_price: Decimal
    monthly_price: Decimal
    short_job: ShortJobOption | None


def quote(
    *,
    daily_inquiries: int,
    coverage: str,
    prices: Mapping[str, Decimal],
    days: int | None = None,
    peak: int | None = None,
) -> Quote:
    """What a shop with ``daily_inquiries`` a day needs and pays for a coverage.

    One shift (``day``/``night``) is the ``shift`` plan, full coverage the ``full_day`` plan; the
    monthly price is seats x the plan's list price (commission on turnover comes on top). With
    ``days`` (a short job), the temporary plan is offered too: seats x day rate x days, no
    commission; it always covers 09:00-24:00, so its seats are counted at full-day capacity.
    """
    coverage = Coverage(coverage)
    capacity = coverage_capacity(coverage, peak)
    seats = seats_needed(daily_inquiries, capacity)
    plan = Plan.FULL_DAY if coverage == Coverage.FULL else Plan.SHIFT
    unit_price = round_money(prices[plan])
    short_job = None
    if days is not None:
        full_capacity = coverage_capacity(Coverage.FULL, peak)
        short_seats = seats_needed(daily_inquiries, full_capacity)
        day_rate = round_money(prices[Plan.TEMPORARY])
        short_job = ShortJobOption(
            plan=Plan.TEMPORARY,
            seats=short_seats,
            seat_capacity=full_capacity,
            days=days,
            day_rate=day_rate,
            total=round_money(day_rate * short_seats * days),
        )
    return Quote(
        daily_inquiries=daily_inquiries,
        coverage=coverage.value,
        plan=plan.value,
        shift=None if coverage == Coverage.FULL else coverage.value,
        seats=seats,
        seat_capacity=capacity,
        unit_price=unit_price,
        monthly_price=round_money(unit_price * seats),
        short_job=short_job,
    )
