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
* **agent_cost** (people cost), in one of two ways:

  - the month's payroll is **approved**: the approved pay (base pay less unpaid leave,
    commission, grade bonus, cover allowances, adjustments) of every agent who worked the seat,
    each payslip shared between the seats its agent worked by seat-shift days worked, covers
    included (``payroll.selectors.approved_people_cost``). Pay of agents who worked no seat that
    month is the report's *unallocated cost*. ``estimate`` is False.
  - otherwise an **estimate**: for each assignment of the seat overlapping the month, the
    agent's monthly base salary x assigned days / days in month, each rounded half-up to cents
    (no commission, bonus or allowances; leave and covers are not seen). ``estimate`` is True
    and the unallocated cost 0.00.
* **overhead**: the seat's monthly overhead, in full.
* **margin** = revenue - agent_cost - overhead (negative for a loss).

Shares are rounded half-up to cents, the seats in the order of their codes and the unallocated
share last; the last share of an invoice is its total minus the others, so the shares always add
up to the invoice total exactly (the remainder is at most a cent per share). Payslips are shared
the same way.

The seats listed are those in use in the month: with an assignment or a contract overlapping it,
or (approved months) people cost. The whole report costs a constant number of queries (five for
an estimate, six with approved pay), whatever the number of seats, shops, invoices and payslips.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from agency.money import share_by_days
from agency.months import days_in_month, month_last_day
from billing.calculations import active_days, prorate
from billing.models import Invoice
from payroll.selectors import approved_people_cost
from seats.models import Seat, SeatAssignment
from shops.models import Contract

_ZERO = Decimal("0.00")


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
    # True while the month's payroll is not approved: agent costs are prorated base salaries.
    estimate: bool = True
    # Approved pay of agents who worked no seat in the month (0.00 for an estimate).
    unallocated_cost: Decimal = _ZERO


def _overlapping(month: date) -> Q:
    return Q(start_date__lte=month_last_day(month)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=month)
    )


def _days_in_month(start: date, end: date | None, month: date, month_end: date) -> int:
    """The dates of ``[start, end]`` in ``month`` (its first day to ``month_end``, its last) as
    a bit a day (bit 0: the 1st), so that the dates a shop was served add up with ``|`` and
    count with ``int.bit_count``."""
    first = max(start, month)
    last = month_end if end is None else min(end, month_end)
    if last < first:
        return 0
    return ((1 << (last.day - first.day + 1)) - 1) << (first.day - 1)


def seat_profitability(*, month: date) -> SeatProfitabilityReport:
    """Compute the profitability of every seat in use in ``month`` (any date of the month)."""
    month = month.replace(day=1)
    total_days = days_in_month(month)
    month_end = month_last_day(month)

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
    served: dict[int, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    for shop_id, seat_id, start, end in contracts:
        served[shop_id][seat_id] |= _days_in_month(start, end, month, month_end)

    people_cost = approved_people_cost(month=month)
    seat_ids = {seat_id for _, seat_id, _, _ in contracts if seat_id is not None}
    seat_ids |= {seat_id for seat_id, _, _, _ in assignments}
    if people_cost is not None:
        seat_ids |= {seat_id for seat_id in people_cost if seat_id is not None}
    seats = list(
        Seat.objects.filter(id__any=seat_ids).order_by("code").values_list("id", "code", "overhead")
    )
    code_of = {seat_id: code for seat_id, code, _ in seats}

    revenue: dict[int, Decimal] = defaultdict(lambda: _ZERO)
    unallocated = _ZERO
    for shop_id, total in invoice_totals:
        by_seat = served.get(shop_id, {})
        if len(by_seat) == 1:
            # Served by one seat (or none): the whole invoice is its share (``share_by_days`` of
            # a single share), without sorting or sharing.
            [(seat_id, dates)] = by_seat.items()
            if dates and seat_id is not None:
                revenue[seat_id] += total
                continue
        days = sorted(
            ((seat_id, dates.bit_count()) for seat_id, dates in by_seat.items()),
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
    unallocated_cost = _ZERO
    if people_cost is None:
        for seat_id, start, end, salary in assignments:
            agent_cost[seat_id] += prorate(salary, active_days(start, end, month), total_days)
    else:
        unallocated_cost = people_cost.pop(None, _ZERO)
        agent_cost.update(people_cost)

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
    return SeatProfitabilityReport(
        month=month,
        seats=rows,
        unallocated_revenue=unallocated,
        estimate=people_cost is None,
        unallocated_cost=unallocated_cost,
    )
