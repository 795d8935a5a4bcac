"""What the client portal composes from the apps' selectors. Each costs a constant number of
queries, whatever the data; nothing here queries a table itself.

Every read starts from a shop the caller was allowed to open (``shops.selectors.shops_for_user``)
or from ``scoped_to_shops``, so nothing here can reach another owner's shop. What owners see of
an agent is the given name only (``Agent.first_name``); the compositions hand templates plain
strings, never the agent rows, so a template cannot print more.
"""

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from agency import clock
from agency.choices import Shift
from agency.months import month_last_day
from seats.calculations import first_response_miss_limit
from seats.selectors import (
    WorkloadKpis,
    handover_notes_for,
    inquiries_per_day,
    seat_coverage,
    sub_accounts_of,
    workload_kpis,
)
from shops.selectors import covered_shifts, shop_contracts_on

if TYPE_CHECKING:
    from agency.models import User
    from shops.models import Contract, Shop


def previewing(*, user: "User", shop: "Shop") -> bool:
    """A manager looking at someone else's shop sees the owner's portal read-only."""
    return shop.owner_id != user.pk


# --- Coverage -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftCover:
    shift: str
    agent_first_name: str | None
    """The given name of the agent on this shift today; None when no agent is assigned."""


@dataclass(frozen=True)
class ContractCover:
    contract: "Contract"
    shifts: tuple[ShiftCover, ...]
    has_seat: bool


@dataclass(frozen=True)
class HandoverView:
    from_first_name: str
    to_first_name: str | None
    open_cases: str
    promises: str
    acknowledged_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Coverage:
    day: dt.date
    contracts: tuple[ContractCover, ...]
    handovers: tuple[HandoverView, ...]

    @property
    def shifts_covered(self) -> tuple[str, ...]:
        """Every shift covered by at least one active contract, day first."""
        covered = {cover.shift for item in self.contracts for cover in item.shifts}
        return tuple(shift for shift in Shift.values if shift in covered)


def shop_coverage(*, shop: "Shop", day: dt.date | None = None) -> Coverage:
    """What covers the shop on ``day`` (default today): plans, shifts, agents, handover notes.

    Three queries: the active contracts, the assignments of their seats that day, and the day's
    handover notes for this shop.
    """
    day = day or clock.today()
    contracts = list(shop_contracts_on(shop=shop, day=day))
    seat_ids = {contract.seat_id for contract in contracts if contract.seat_id}
    holders = seat_coverage(seat_ids=seat_ids, day=day) if seat_ids else {}

    def first_name(contract: "Contract", shift: str) -> str | None:
        agent = holders.get(contract.seat_id, {}).get(shift) if contract.seat_id else None
        return agent.first_name if agent else None

    covers = tuple(
        ContractCover(
            contract=contract,
            shifts=tuple(
                ShiftCover(shift=shift, agent_first_name=first_name(contract, shift))
                for shift in covered_shifts(contract)
            ),
            has_seat=contract.seat_id is not None,
        )
        for contract in contracts
    )
    handovers = tuple(
        HandoverView(
            from_first_name=note.from_agent.first_name,
            to_first_name=note.to_agent.first_name if note.to_agent else None,
            open_cases=note.open_cases,
            promises=note.promises,
            acknowledged_at=note.acknowledged_at,
            created_at=note.created_at,
        )
        for note in handover_notes_for(shop_id=shop.pk, day=day)
    )
    return Coverage(day=day, contracts=covers, handovers=handovers)


# --- Service: workload figures ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ServiceMonth(WorkloadKpis):
    """A shop's workload figures over ``first .. last`` (both inclusive)."""

    month: dt.date
    first: dt.date
    last: dt.date


def _difference(current, previous):
    if current is None or previous is None:
        return None
    return current - previous


@dataclass(frozen=True)
class ServiceComparison:
    this_month: ServiceMonth
    last_month: ServiceMonth
    daily_inquiries: tuple[tuple[dt.date, int], ...]
    """Inquiries per day from the first day of last month to today, zero-filled."""
    miss_seconds: int

    @property
    def deltas(self) -> dict[str, Any]:
        """This month minus last month, per figure (None when either side has no ratio)."""
        now, then = self.this_month, self.last_month
        return {
            "inquiries": now.inquiries - then.inquiries,
            "conversions": now.conversions - then.conversions,
            "conversion_rate": _difference(now.conversion_rate, then.conversion_rate),
            "answer_ratio": _difference(now.answer_ratio, then.answer_ratio),
            "first_response_misses": _difference(
                now.first_response_misses, then.first_response_misses
            ),
            "sales": _difference(now.sales, then.sales),
        }


def shop_service(*, shop: "Shop", today: dt.date | None = None) -> ServiceComparison:
    """This month so far and all of last month, from one aggregate query grouped by date
    (``seats.selectors.workload_kpis``): at most one row per day of the two months, whatever the
    number of records. A first-response miss is a record whose average first response is over
    ``seats.calculations.first_response_miss_limit()`` (120 s).
    """
    today = today or clock.today()
    this_start = today.replace(day=1)
    last_start = clock.previous_month(this_start)
    by_date = workload_kpis(date_from=last_start, date_to=today, by="date", shop_id=shop.pk)
    totals: dict[dt.date, WorkloadKpis] = {}
    for day, figures in by_date.items():
        month = day.replace(day=1)
        totals[month] = totals.get(month, WorkloadKpis()) + figures

    def month_figures(month: dt.date, last: dt.date) -> ServiceMonth:
        figures = totals.get(month, WorkloadKpis())
        return ServiceMonth(month=month, first=month, last=last, **asdict(figures))

    return ServiceComparison(
        this_month=month_figures(this_start, today),
        last_month=month_figures(last_start, month_last_day(last_start)),
        daily_inquiries=inquiries_per_day(by_date, date_from=last_start, date_to=today),
        miss_seconds=first_response_miss_limit(),
    )


# --- Platform sub-accounts ----------------------------------------------------------------------


@dataclass(frozen=True)
class SubAccountView:
    """One of the shop's platform sub-accounts as its owner sees it: who holds it (given name
    only) since when, and whether it was taken back."""

    name: str
    agent_first_name: str
    granted_on: dt.date
    revoked_on: dt.date | None


def shop_sub_accounts(*, shop: "Shop") -> tuple[SubAccountView, ...]:
    """The shop's sub-accounts, those still in an agent's hands first. One query."""
    return tuple(
        SubAccountView(
            name=account.name,
            agent_first_name=account.agent.first_name,
            granted_on=account.granted_on,
            revoked_on=account.revoked_on,
        )
        for account in sub_accounts_of(shop_id=shop.pk)
    )
