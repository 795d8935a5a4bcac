"""What the desk shows an agent, composed from the apps' selectors (never their models).

Everything is read for the agent the account signs in as, through the roster
(``seats.roster``): the shifts they work (a cover counts, their own shift on leave or covered by
someone else is marked), and the shops they serve now, the same rule as ``agency.access``. Each
page costs a fixed number of queries whatever the number of shops, shifts or notes.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agency.choices import Shift
from agency.months import month_last_day
from seats.roster import roster_slots
from seats.selectors import (
    WorkloadKpis,
    agent_kpis,
    handover_notes_of_shops,
    handover_open_promises,
    seats_by_code,
    workload_kpis,
)
from seats.services import handover_writing_open_for_agents, handover_writing_opens
from shops.briefing import BriefingSection, briefing_sections
from shops.selectors import covered_shifts, seat_contracts_on

if TYPE_CHECKING:
    from seats.models import HandoverNote
    from shops.models import Shop

UPCOMING_DAYS = 7


@dataclass(frozen=True)
class DeskShift:
    """One seat-shift of the agent's on one date."""

    date: dt.date
    seat_code: str
    shift: str
    kind: str | None  # regular or cover, when the agent works it
    works: bool  # False: their own shift, but on leave or covered by someone else
    on_leave: bool


@dataclass
class DeskShop:
    """One shop the agent serves today, on one seat."""

    shop: "Shop"
    seat_id: int
    seat_code: str
    shifts: list[str] = field(default_factory=list)
    sections: list[BriefingSection] = field(default_factory=list)
    note: "HandoverNote | None" = None
    promises: "list[HandoverNote]" = field(default_factory=list)
    writes: bool = False  # the agent is the seat's day agent today
    acknowledges: bool = False  # the agent is the seat's night agent today
    writing_open: bool = False  # the 16:00 rule, now

    @property
    def can_write(self) -> bool:
        editable = self.note is None or (
            self.note.acknowledged_at is None and self.writes and self.writing_open
        )
        return self.writes and self.writing_open and editable

    @property
    def can_acknowledge(self) -> bool:
        return self.acknowledges and self.note is not None and self.note.acknowledged_at is None


@dataclass
class Desk:
    today: dt.date
    now: dt.datetime
    writing_opens: dt.datetime
    today_shifts: list[DeskShift]
    next_shifts: list[DeskShift]
    shops: list[DeskShop]

    @property
    def writing_opens_text(self) -> str:
        return f"{self.writing_opens:%H:%M}"


def _shifts(*, agent_id: int, today: dt.date) -> tuple[list[DeskShift], list, dict[int, str]]:
    """The agent's seat-shifts from ``today`` on, the roster's slots, and the seats' codes."""
    slots = roster_slots(
        date_from=today, date_to=today + dt.timedelta(days=UPCOMING_DAYS), agent_id=agent_id
    )
    codes = dict(
        seats_by_code().filter(pk__in={slot.seat_id for slot in slots}).values_list("pk", "code")
    )
    return (
        [
            DeskShift(
                date=slot.date,
                seat_code=codes.get(slot.seat_id, ""),
                shift=slot.shift,
                kind=slot.kind if slot.agent_id == agent_id else None,
                works=slot.agent_id == agent_id,
                on_leave=slot.on_leave and slot.regular_agent_id == agent_id,
            )
            for slot in slots
        ],
        slots,
        codes,
    )


def agent_desk(*, agent_id: int, now: dt.datetime) -> Desk:
    """The desk of ``agent_id`` at ``now`` (Shanghai): shifts of today and the next 7 days, and
    per shop served now its briefing, today's note and its open promises."""
    today = now.date()
    shifts, slots, seat_codes = _shifts(agent_id=agent_id, today=today)
    worked = {
        (slot.seat_id, slot.shift)
        for slot in slots
        if slot.date == today and slot.agent_id == agent_id
    }
    writing_open = handover_writing_open_for_agents(day=today, now=now)
    shops: dict[tuple[int, int], DeskShop] = {}
    for contract in seat_contracts_on(day=today, seat_ids={seat for seat, _ in worked}):
        for shift in covered_shifts(contract):
            if (contract.seat_id, shift) not in worked:
                continue
            key = (contract.shop_id, contract.seat_id)
            entry = shops.get(key)
            if entry is None:
                entry = shops[key] = DeskShop(
                    shop=contract.shop,
                    seat_id=contract.seat_id,
                    seat_code=seat_codes.get(contract.seat_id, ""),
                    sections=briefing_sections(contract.shop.briefing),
                    writing_open=writing_open,
                )
            if shift not in entry.shifts:
                entry.shifts.append(shift)
            entry.writes = entry.writes or shift == Shift.DAY
            entry.acknowledges = entry.acknowledges or shift == Shift.NIGHT
    shop_ids = {shop_id for shop_id, _ in shops}
    for note in handover_notes_of_shops(shop_ids=shop_ids, day=today):
        if (note.shop_id, note.seat_id) in shops:
            shops[(note.shop_id, note.seat_id)].note = note
    promises: dict[int, list] = defaultdict(list)
    for note in handover_open_promises(shop_ids=shop_ids, today=today):
        promises[note.shop_id].append(note)
    for entry in shops.values():
        entry.promises = promises.get(entry.shop.pk, [])
        entry.shifts.sort(key=Shift.values.index)
    return Desk(
        today=today,
        now=now,
        writing_opens=handover_writing_opens(today),
        today_shifts=[item for item in shifts if item.date == today],
        next_shifts=[item for item in shifts if item.date > today],
        shops=list(shops.values()),
    )


@dataclass(frozen=True)
class MonthKpis:
    month: dt.date
    totals: WorkloadKpis
    days_worked: int

    @property
    def inquiries_per_day(self) -> int | None:
        return round(self.totals.inquiries / self.days_worked) if self.days_worked else None


def agent_month_kpis(*, agent_id: int, month: dt.date, today: dt.date) -> MonthKpis:
    """The agent's own figures for ``month`` (up to ``today`` in the month in progress); days
    worked are the dates with workloads. Two queries."""
    last = min(month_last_day(month), today)
    totals, _ = agent_kpis(agent_id=agent_id, date_from=month, date_to=last)
    by_date = workload_kpis(date_from=month, date_to=last, by="date", agent_id=agent_id)
    return MonthKpis(month=month, totals=totals, days_worked=len(by_date))
