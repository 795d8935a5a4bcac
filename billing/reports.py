"""Seat profitability (坐席盈利): what each seat earned in a month against what it cost.

For a month, per seat:

* **revenue**: every live invoice of the month (``draft``, ``issued`` and ``paid``; a ``void``
  invoice is replaced by its re-bill, so counting it would count the month twice) is shared
  between the seats that served its shop, by days served. A shop's days served by a seat are the
  dates of the month on which at least one of its contracts on that seat was active (two
  contracts on the same seat on the same date count that date once). Dates served by contracts
  without a seat form one more share, the month's *unallocated revenue*: no seat earned it.
  Drafts count so that the report is useful before the invoices are issued; a draft awaiting
  turnover has no commission line yet, so its revenue grows when the turnover is confirmed.
* **agent_cost**: for each assignment of the seat overlapping the month, the agent's monthly base
  salary x assigned days / days in month, each rounded half-up to cents.
* **overhead**: the seat's monthly overhead, in full.
* **margin** = revenue - agent_cost - overhead (negative for a loss).

Shares are rounded half-up to cents, the seats in the order of their codes and the unallocated
share last; the last share of an invoice is its total minus the others, so the shares always add
up to the invoice total exactly (the remainder is at most a cent per share).

The seats listed are those in use in the month: with an assignment or a contract overlapping it.
The whole report costs four queries, whatever the number of seats, shops and invoices.
"""

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from django.db.models import Q

from agency.months import days_in_month, month_last_day
from billing.calculations import active_days, prorate
from billing.models import Invoice
from seats.models import Seat, SeatAssignment
from shops.models import Contract

_ZERO = Decimal("0.00")
Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class SeatProfitability:
    seat_id: int
    seat_code: str
    revenue: Decimal
    agent_cost: Decimal
    overhead: Decimal

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.agent_cost - self.overhead


@dataclass(frozen=True)
class SeatProfitabilityReport:
    month: date
    seats: list[SeatProfitability]
    unallocated_revenue: Decimal


def share_by_days(total: Decimal, days: Sequence[tuple[Key, int]]) -> dict[Key, Decimal]:
    """Share ``total`` between keys in proportion to their days, to the cent.

    Each share but the last is ``total x days / all days`` rounded half-up; the last is what
    remains, so the shares add up to ``total`` exactly. 3,000.00 over 20 and 11 days gives
    1,935.48 and 1,064.52; 100.00 over three equal shares gives 33.33, 33.33 and 33.34.
    Keys with 0 days get 0.00; with no days at all there is nothing to share it by (ValueError).
    """
    all_days = sum(count for _, count in days)
    if all_days <= 0 or any(count < 0 for _, count in days):
        raise ValueError("Sharing needs a positive number of days.")
    shares: dict[Key, Decimal] = {}
    given = _ZERO
    last = len(days) - 1
    for index, (key, count) in enumerate(days):
        share = total - given if index == last else prorate(total, count, all_days)
        shares[key] = shares.get(key, _ZERO) + share
        given += share
    return shares


def _overlapping(month: date) -> Q:
    return Q(start_date__lte=month_last_day(month)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=month)
    )


def _dates_in_month(start: date, end: date | None, month: date) -> set[date]:
    first = max(start, month)
    last = month_last_day(month) if end is None else min(end, month_last_day(month))
    return {first + timedelta(days=offset) for offset in range((last - first).days + 1)}


def seat_profitability(*, month: date) -> SeatProfitabilityReport:
    """Compute the profitability of every seat in use in ``month`` (any date of the month)."""
    month = month.replace(day=1)
    total_days = days_in_month(month)

    invoice_totals = list(
        Invoice.objects.filter(month=month).live().values_list("shop_id", "total")
    )
    contracts = list(
        Contract.objects.filter(_overlapping(month)).values_list(
            "shop_id", "seat_id", "start_date", "end_date"
        )
    )
    assignments = list(
        SeatAssignment.objects.filter(_overlapping(month)).values_list(
            "seat_id", "start_date", "end_date", "agent__base_salary"
        )
    )

    # Dates of the month each shop was served, per seat (None: by a contract without a seat).
    served: dict[int, dict[int | None, set[date]]] = defaultdict(lambda: defaultdict(set))
    for shop_id, seat_id, start, end in contracts:
        served[shop_id][seat_id] |= _dates_in_month(start, end, month)

    seat_ids = {seat_id for _, seat_id, _, _ in contracts if seat_id is not None}
    seat_ids |= {seat_id for seat_id, _, _, _ in assignments}
    seats = list(
        Seat.objects.filter(id__in=seat_ids).order_by("code").values_list("id", "code", "overhead")
    )
    code_of = {seat_id: code for seat_id, code, _ in seats}

    revenue: dict[int, Decimal] = defaultdict(lambda: _ZERO)
    unallocated = _ZERO
    for shop_id, total in invoice_totals:
        by_seat = served.get(shop_id, {})
        days = sorted(
            ((seat_id, len(dates)) for seat_id, dates in by_seat.items()),
            # Seats by code, the share served without a seat last.
            key=lambda item: (item[0] is None, code_of.get(item[0], "")),
        )
        if not days:
            unallocated += total
            continue
        for seat_id, share in share_by_days(total, days).items():
            if seat_id is None:
                unallocated += share
            else:
                revenue[seat_id] += share

    agent_cost: dict[int, Decimal] = defaultdict(lambda: _ZERO)
    for seat_id, start, end, salary in assignments:
        agent_cost[seat_id] += prorate(salary, active_days(start, end, month), total_days)

    rows = [
        SeatProfitability(
            seat_id=seat_id,
            seat_code=code,
            revenue=revenue[seat_id],
            agent_cost=agent_cost[seat_id],
            overhead=overhead,
        )
        for seat_id, code, overhead in seats
    ]
    return SeatProfitabilityReport(month=month, seats=rows, unallocated_revenue=unallocated)
