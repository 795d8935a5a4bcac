"""Pure arithmetic of seats and workloads: load bands, KPI ratios, capacity and quotes.

Nothing here touches the database, so every rule can be tested with tables and hypothesis (a rule
that is also counted in SQL, like the first-response miss, keeps its ``Q`` filter beside it).
Thresholds come from ``settings.AGENCY`` unless a caller passes them in.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

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
    # total / days rounded half up, in whole numbers: floor((2 total + days) / 2 days).
    return (2 * total + days_with_data) // (2 * days_with_data)


def agent_load_cap(thresholds: Mapping[str, int] | None = None) -> int:
    """The most daily inquiries a plan may put on one agent: the upper bound of the ``strained``
    band (``LOAD_OVERLOADED_ABOVE``, 120). Above it an agent is overloaded, so capacity planning
    and quotes never plan past it."""
    return (thresholds or settings.AGENCY)["LOAD_OVERLOADED_ABOVE"]


def seat_peak(peak: int | None = None) -> int:
    """The seat peak (``SEAT_PEAK_INQUIRIES``, 600) unless a caller passes one."""
    return settings.AGENCY["SEAT_PEAK_INQUIRIES"] if peak is None else peak


HOURS_DAY_SHARE = Fraction(shift_length(Shift.DAY), shift_length(None))
"""The day shift's share of a shop's inquiries when its history says nothing: 8/15 by hours."""


def day_share(day_inquiries: int, night_inquiries: int) -> Fraction:
    """The day shift's share of a shop's inquiries: what its workloads of the last 28 days say
    (day / (day + night)), else the hours, 8/15 (night gets the rest, 7/15)."""
    total = day_inquiries + night_inquiries
    if total <= 0:
        return HOURS_DAY_SHARE
    return Fraction(day_inquiries, total)


@dataclass(frozen=True)
class ShiftSplit:
    """A shop's (or a seat's) daily inquiries on each shift of a seat."""

    day: int = 0
    night: int = 0

    @property
    def total(self) -> int:
        return self.day + self.night

    def on(self, shift: str) -> int:
        return self.day if shift == Shift.DAY else self.night

    def __add__(self, other: "ShiftSplit") -> "ShiftSplit":
        return ShiftSplit(day=self.day + other.day, night=self.night + other.night)

    @property
    def busiest(self) -> int:
        """The heavier shift's load: one agent's projected daily load on the busier shift."""
        return max(self.day, self.night)


BOTH_SHIFTS = (Shift.DAY, Shift.NIGHT)
_DAY_ONLY = frozenset((Shift.DAY,))
_NIGHT_ONLY = frozenset((Shift.NIGHT,))


def split_between_shifts(
    inquiries: int,
    *,
    shifts: Iterable[str] = BOTH_SHIFTS,
    share: Fraction | None = None,
) -> ShiftSplit:
    """Split a shop's daily inquiries between a seat's shifts.

    A contract covering one shift puts all of them on it; a contract covering both splits them by
    ``share`` (the day's share, ``day_share``; default the hours, 8/15): day = inquiries x share
    rounded half-up, night the rest, so the two always add up to the inquiries
    (450 -> day 240, night 210).
    """
    if shifts is not BOTH_SHIFTS:  # the common case needs no set
        covered = frozenset(shifts)
        if covered == _DAY_ONLY:
            return ShiftSplit(day=inquiries)
        if covered == _NIGHT_ONLY:
            return ShiftSplit(night=inquiries)
    share = HOURS_DAY_SHARE if share is None else share
    # inquiries x share rounded half up, in whole numbers: floor((2 n p + q) / 2 q) for p/q.
    numerator, denominator = share.numerator, share.denominator
    day = (2 * inquiries * numerator + denominator) // (2 * denominator)
    return ShiftSplit(day=day, night=inquiries - day)


def fits_seat(load: ShiftSplit, *, cap: int | None = None, peak: int | None = None) -> bool:
    """Whether a seat's projected daily load may be planned: each shift's agent at most the cap
    (``agent_load_cap``, 120: never plan an agent into the ``overloaded`` band) and the seat at
    most its peak (600, a further cap). Both bounds inclusive."""
    cap = agent_load_cap() if cap is None else cap
    return load.day <= cap and load.night <= cap and load.total <= seat_peak(peak)


def room_left(load: ShiftSplit, *, cap: int | None = None, peak: int | None = None) -> int:
    """The tightest room a seat has left: the least of each agent's room under the cap and the
    seat's room under its peak (negative when a bound is already passed)."""
    cap = agent_load_cap() if cap is None else cap
    return min(cap - load.day, cap - load.night, seat_peak(peak) - load.total)


def coverage_shifts(coverage: str) -> tuple[str, ...]:
    """The seat shifts a quote's coverage asks for: one shift, or both for the full day."""
    if coverage == Coverage.FULL:
        return (Shift.DAY, Shift.NIGHT)
    return (coverage,)


def coverage_capacity(coverage: str, peak: int | None = None, cap: int | None = None) -> int:
    """The most daily inquiries one seat carries for a coverage, by ``fits_seat``.

    One shift: one agent, so the cap (120), within the shift's share of the peak. Full day: the
    largest N whose split by hours (8/15, 7/15) keeps both agents within the cap: 225 (day 120,
    night 105), within the peak of 600.
    """
    cap = agent_load_cap() if cap is None else cap
    peak = seat_peak(peak)
    shifts = coverage_shifts(coverage)
    if len(shifts) == 1:
        return min(cap, peak * shift_length(Shift(shifts[0])) // shift_length(None))
    # The closed form, then nudged by the rounding of the split.
    best = min(peak, math.floor(cap / HOURS_DAY_SHARE), math.floor(cap / (1 - HOURS_DAY_SHARE)))
    while best > 0 and not fits_seat(split_between_shifts(best, shifts=shifts), cap=cap, peak=peak):
        best -= 1
    while best < peak and fits_seat(
        split_between_shifts(best + 1, shifts=shifts), cap=cap, peak=peak
    ):
        best += 1
    return best


def seats_needed(daily_inquiries: int, capacity: int) -> int:
    """Seats needed to carry ``daily_inquiries``; at least one."""
    return max(1, math.ceil(daily_inquiries / capacity))


@dataclass(frozen=True)
class ShiftPlan:
    """One shift of a quote: its share of the shop's inquiries, the agents it needs so none is
    planned above the cap, and each agent's load once spread over the quote's seats."""

    shift: str
    inquiries: int
    agents_needed: int
    load_per_agent: int


@dataclass(frozen=True)
class SeatPlan:
    """How many seats carry a shop's daily inquiries on some shifts, and why."""

    seats: int
    shifts: tuple[ShiftPlan, ...]
    agent_cap: int
    peak: int
    seats_for_peak: int

    @property
    def agents(self) -> int:
        """Agents working for the shop: one per seat on each shift covered."""
        return self.seats * len(self.shifts)


def seat_plan(
    daily_inquiries: int,
    *,
    shifts: Iterable[str],
    share: Fraction | None = None,
    cap: int | None = None,
    peak: int | None = None,
) -> SeatPlan:
    """Seats for a shop: each covered shift needs ceil(its inquiries / cap) agents, a seat gives
    one agent per shift, and the seat peak is a further cap (ceil(inquiries / peak)); at least one
    seat. A 450-inquiry full-day shop: day 240 -> 2 agents, night 210 -> 2, so 2 seats, not the 1
    that 450 <= 600 alone would suggest.
    """
    cap = agent_load_cap() if cap is None else cap
    peak = seat_peak(peak)
    shifts = tuple(shift.value for shift in (Shift.DAY, Shift.NIGHT) if shift in set(shifts))
    split = split_between_shifts(daily_inquiries, shifts=shifts, share=share)
    needed = {shift: max(1, math.ceil(split.on(shift) / cap)) for shift in shifts}
    for_peak = seats_needed(daily_inquiries, peak)
    seats = max(for_peak, *needed.values())
    return SeatPlan(
        seats=seats,
        shifts=tuple(
            ShiftPlan(
                shift=shift,
                inquiries=split.on(shift),
                agents_needed=needed[shift],
                load_per_agent=math.ceil(split.on(shift) / seats),
            )
            for shift in shifts
        ),
        agent_cap=cap,
        peak=peak,
        seats_for_peak=for_peak,
    )


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
    agent_cap: int
    peak: int
    seats_for_peak: int
    shifts: tuple[ShiftPlan, ...]


def quote(
    *,
    daily_inquiries: int,
    coverage: str,
    prices: Mapping[str, Decimal],
    days: int | None = None,
    peak: int | None = None,
    cap: int | None = None,
) -> Quote:
    """What a shop with ``daily_inquiries`` a day needs and pays for a coverage.

    One shift (``day``/``night``) is the ``shift`` plan, full coverage the ``full_day`` plan.
    Seats follow ``seat_plan``: a new shop has no history, so full coverage splits its inquiries
    by hours (8/15 day, 7/15 night); no agent is planned above the cap (120) and no seat above its
    peak (600). The monthly price is seats x the plan's list price (commission on turnover comes
    on top). With ``days`` (a short job), the temporary plan is offered too: seats x day rate x
    days, no commission; it always covers 09:00-24:00, so its seats are counted as full day.
    """
    coverage = Coverage(coverage)
    plan_of_seats = seat_plan(daily_inquiries, shifts=coverage_shifts(coverage), cap=cap, peak=peak)
    plan = Plan.FULL_DAY if coverage == Coverage.FULL else Plan.SHIFT
    unit_price = round_money(prices[plan])
    short_job = None
    if days is not None:
        full = seat_plan(daily_inquiries, shifts=coverage_shifts(Coverage.FULL), cap=cap, peak=peak)
        day_rate = round_money(prices[Plan.TEMPORARY])
        short_job = ShortJobOption(
            plan=Plan.TEMPORARY,
            seats=full.seats,
            seat_capacity=coverage_capacity(Coverage.FULL, peak, cap),
            days=days,
            day_rate=day_rate,
            total=round_money(day_rate * full.seats * days),
        )
    return Quote(
        daily_inquiries=daily_inquiries,
        coverage=coverage.value,
        plan=plan.value,
        shift=None if coverage == Coverage.FULL else coverage.value,
        seats=plan_of_seats.seats,
        seat_capacity=coverage_capacity(coverage, peak, cap),
        unit_price=unit_price,
        monthly_price=round_money(unit_price * plan_of_seats.seats),
        short_job=short_job,
        agent_cap=plan_of_seats.agent_cap,
        peak=plan_of_seats.peak,
        seats_for_peak=plan_of_seats.seats_for_peak,
        shifts=plan_of_seats.shifts,
    )
