"""Reads of the seats app. Lists cost a constant number of queries whatever their length.

Tenant-scoped reads (workloads, handover notes) start from ``agency.access``; the rest is for
managers only and the API checks the role before it calls these.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal
from operator import itemgetter

from django.conf import settings
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Round
from django.utils import timezone

from agency import limits
from agency.access import scoped_to_shops
from agency.choices import Plan, Shift
from agency.dates import active_on_q
from agency.models import User
from seats.calculations import (
    BOTH_SHIFTS,
    LoadBand,
    ShiftSplit,
    agent_load_cap,
    answer_ratio,
    average_daily_inquiries,
    conversion_rate,
    day_share,
    first_response_miss_q,
    fits_seat,
    load_band,
    ratio,
    room_left,
    split_between_shifts,
)
from seats.models import (
    Agent,
    AgentDailyLoad,
    HandoverNote,
    Seat,
    SeatAssignment,
    ShopDailyLoad,
    ShopLoadWindow,
    SubAccount,
    WorkloadRecord,
)
from seats.roster import agents_by_id, roster_slots, shifts_worked

# --- Agents, seats, assignments ---------------------------------------------------------------


def agent_list() -> QuerySet[Agent]:
    return Agent.objects.all()


def agents_assignable() -> QuerySet[Agent]:
    """Agents who may be given a seat-shift: all but those who left, by name."""
    return Agent.objects.exclude(status=Agent.Status.LEFT).order_by("name", "id")


def agents_without_account(*, include_id: int | None = None) -> QuerySet[Agent]:
    """Agents who may be given an account: not linked to a user yet and not left, by name
    (``include_id``: that agent too, the one an account is already linked to)."""
    agents = Agent.objects.exclude(status=Agent.Status.LEFT).filter(user__isnull=True)
    if include_id is not None:
        agents = Agent.objects.filter(Q(pk__in=agents.values("pk")) | Q(pk=include_id))
    return agents.order_by("name", "id")


@dataclass(frozen=True)
class AgentPayTerms:
    """What pays an agent for a month: salary, own commission rate (None: the pay book's),
    employment dates."""

    agent_id: int
    name: str
    employee_no: str
    hired_on: date
    left_on: date | None
    base_salary: Decimal
    commission_rate: Decimal | None


def agents_employed_in(
    *, date_from: date, date_to: date, agent_ids: Iterable[int] | None = None
) -> list[AgentPayTerms]:
    """Agents employed on any date of [date_from, date_to] (hired by its end, not gone before
    its start), by name; one query. An agent marked as left without a last working day is not
    employed any more."""
    agents = Agent.objects.filter(hired_on__lte=date_to).filter(
        Q(left_on__gte=date_from) | (Q(left_on__isnull=True) & ~Q(status=Agent.Status.LEFT))
    )
    if agent_ids is not None:
        agents = agents.filter(pk__in=list(agent_ids))
    rows = agents.order_by("name", "id").values_list(
        "id", "name", "employee_no", "hired_on", "left_on", "base_salary", "commission_rate"
    )
    return [AgentPayTerms(*row) for row in rows]


def agent_work_days(
    *, date_from: date, date_to: date, agent_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """{agent id: dates with workload records} in [date_from, date_to]; one aggregate query."""
    records = WorkloadRecord.objects.filter(date__gte=date_from, date__lte=date_to)
    if agent_ids is not None:
        records = records.filter(agent_id__in=list(agent_ids))
    rows = records.values("agent_id").annotate(days=Count("date", distinct=True)).order_by()
    return {row["agent_id"]: row["days"] for row in rows}


def agent_names(*, ids: Iterable[int]) -> dict[int, str]:
    """{agent id: name} of those of ``ids`` that exist (one query)."""
    return dict(Agent.objects.filter(pk__any=list(ids)).values_list("pk", "name"))


def seats_by_code() -> QuerySet[Seat]:
    return Seat.objects.order_by("code")


def seat_list(*, day: date | None = None) -> QuerySet[Seat]:
    """Seats with who covers them on ``day`` (default today).

    Each seat carries ``current_assignments`` (2 queries in all); the shops a seat serves and its
    load come from ``seat_utilisation``.
    """
    day = day or timezone.localdate()
    return Seat.objects.prefetch_related(
        Prefetch(
            "assignments",
            queryset=SeatAssignment.objects.active_on(day).order_by("shift"),
            to_attr="current_assignments",
        ),
    )


def seat_shift_agent_ids(seat: Seat) -> dict[str, int | None]:
    """{shift: agent id} of a seat from ``seat_list``'s prefetch; None: the shift is uncovered."""
    holders: dict[str, int | None] = dict.fromkeys(Shift.values)
    for assignment in seat.current_assignments:
        holders[assignment.shift] = assignment.agent_id
    return holders


def seat_shops_on(*, day: date, seat_ids: Iterable[int] | None = None) -> dict[int, dict[int, int]]:
    """{seat id: {shop id: the shop's ``daily_inquiries_estimate``}} of the shops whose contracts
    on the seat are active on ``day``, shops in id order; seats serving none are absent.

    One query through the seat's contracts (the relation ``shops.Contract.seat`` declares).
    """
    seats = Seat.objects.filter(active_on_q(day, prefix="contracts__"))
    if seat_ids is not None:
        seats = seats.filter(pk__any=list(seat_ids))
    rows = (
        seats.values_list("pk", "contracts__shop_id", "contracts__shop__daily_inquiries_estimate")
        .distinct()
        .order_by()
    )
    shops_of: dict[int, dict[int, int]] = defaultdict(dict)
    for seat_id, shop_id, estimate in sorted(rows):
        shops_of[seat_id][shop_id] = estimate
    return dict(shops_of)


def seat_shift_holder(*, seat: Seat, shift: str, day: date) -> Agent | None:
    """The agent covering one shift of a seat on a date, if any."""
    assignment = (
        SeatAssignment.objects.active_on(day)
        .filter(seat=seat, shift=shift)
        .select_related("agent")
        .first()
    )
    return assignment.agent if assignment else None


def seat_coverage(*, seat_ids: Iterable[int], day: date) -> dict[int, dict[str, Agent]]:
    """{seat id: {shift: agent}} of who works each seat-shift on ``day``, by the roster: a cover
    before the seat-shift's own agent, nobody when that agent is on leave and nobody covers.
    Four queries (``seats.roster.roster_slots`` and the agents)."""
    seat_ids = list(seat_ids)
    if not seat_ids:
        return {}
    slots = roster_slots(date_from=day, date_to=day, seat_ids=seat_ids, seats_known=True)
    agents = agents_by_id(slot.agent_id for slot in slots)
    coverage: dict[int, dict[str, Agent]] = defaultdict(dict)
    for slot in slots:
        if slot.agent_id is not None:
            coverage[slot.seat_id][slot.shift] = agents[slot.agent_id]
    return dict(coverage)


def current_assignments(*, agent_ids: Iterable[int], day: date) -> dict[int, SeatAssignment]:
    """{agent id: the seat-shift the agent holds on ``day``}, with the seat (one query)."""
    return {
        assignment.agent_id: assignment
        for assignment in SeatAssignment.objects.active_on(day)
        .filter(agent_id__in=list(agent_ids))
        .select_related("seat")
    }


def agent_assignments(*, agent: Agent, limit: int) -> list[SeatAssignment]:
    """An agent's latest ``limit`` seat-shifts, newest start first, with the seat (one query)."""
    return list(agent.assignments.select_related("seat").order_by("-start_date")[:limit])


def assignment_list() -> QuerySet[SeatAssignment]:
    return SeatAssignment.objects.order_by("seat__code", "shift", "-start_date", "id")


# --- Workloads --------------------------------------------------------------------------------


def workload_list(*, user: User) -> QuerySet[WorkloadRecord]:
    """Workloads the user may see: a manager all, an owner those of their own shops."""
    return scoped_to_shops(WorkloadRecord.objects.all(), user)


WORKLOAD_COLUMNS = (
    "id",
    "agent_id",
    "shop_id",
    "date",
    "shift",
    "inquiries",
    "conversions",
    "buyer_messages",
    "agent_messages",
    "first_response_seconds",
    "sales_amount",
)


def workload_rows(queryset: QuerySet[WorkloadRecord]) -> QuerySet:
    """``queryset``'s workloads as ``WORKLOAD_COLUMNS`` tuples, in its order (one query)."""
    return queryset.values_list(*WORKLOAD_COLUMNS)


def workloads_on_seat(queryset: QuerySet[WorkloadRecord], seat_id: int) -> QuerySet:
    """Workloads done by the agents assigned to the seat on the workload's own date.

    A seat's work is its agents' work: an agent holds one seat-shift at a date, so the agent and
    the date say which seat the work was done on, whichever shop it was for.
    """
    on_seat = SeatAssignment.objects.filter(
        active_on_q(OuterRef("date")), seat_id=seat_id, agent_id=OuterRef("agent_id")
    )
    return queryset.filter(Exists(on_seat))


def _plus(first, second):
    """Adds figures that may be unknown (None): unknown parts are skipped, all unknown stays
    unknown."""
    if first is None:
        return second
    if second is None:
        return first
    return first + second


@dataclass(frozen=True)
class WorkloadKpis:
    """Workload figures summed over a set of records.

    Message counts, first responses and sales may be unknown on a record (a file without those
    columns): sums skip the unknown records, and a figure none of the records knows is None
    (shown as unknown, never as 0). ``buyer_messages`` and ``agent_messages`` add up the records
    that know both, so the answer ratio compares like with like. ``first_response_misses``
    counts, of the ``timed_records`` that know their average first response, those over the
    limit (``seats.calculations.first_response_miss_q``); ``sales`` is summed as whole cents, so
    it is exact on every database (SQLite adds decimals as floating point). Figures add up with
    ``+``.
    """

    records: int = 0
    inquiries: int = 0
    conversions: int = 0
    buyer_messages: int | None = None
    agent_messages: int | None = None
    timed_records: int = 0
    first_response_misses: int | None = None
    sales: Decimal | None = None

    @property
    def conversion_rate(self) -> Decimal | None:
        return conversion_rate(self.conversions, self.inquiries)

    @property
    def answer_ratio(self) -> Decimal | None:
        return answer_ratio(self.agent_messages, self.buyer_messages)

    def __add__(self, other: "WorkloadKpis") -> "WorkloadKpis":
        return WorkloadKpis(
            **{
                item.name: _plus(getattr(self, item.name), getattr(other, item.name))
                for item in fields(WorkloadKpis)
            }
        )


KPI_GROUPS = {"date": "date", "shop": "shop_id", "agent": "agent_id"}


def workload_kpis(
    *,
    date_from: date,
    date_to: date,
    by: str,
    shop_id: int | None = None,
    agent_id: int | None = None,
    agent_ids: Iterable[int] | None = None,
) -> dict:
    """{date, shop id or agent id (``by``): WorkloadKpis} over the records dated ``date_from ..
    date_to`` (both inclusive), optionally of one shop and/or one agent (or some), in key
    order.

    One aggregate query with a row per key, whatever the number of records; keys without
    records are absent.
    """
    key = KPI_GROUPS[by]
    records = WorkloadRecord.objects.filter(date__gte=date_from, date__lte=date_to)
    if shop_id is not None:
        records = records.filter(shop_id=shop_id)
    if agent_id is not None:
        records = records.filter(agent_id=agent_id)
    if agent_ids is not None:
        records = records.filter(agent_id__in=list(agent_ids))
    rows = records.values(key).annotate(**_kpi_aggregates()).order_by(key)
    return {row[key]: _kpis_of(row) for row in rows}


def _kpi_aggregates() -> dict:
    """The SQL aggregates behind ``WorkloadKpis``, for ``annotate`` on grouped workloads.

    ``Sum`` and ``Count(field)`` skip NULLs, so unknown figures are left out, and a sum over
    none is NULL (unknown)."""
    messages_known = Q(buyer_messages__isnull=False, agent_messages__isnull=False)
    return {
        "records": Count("id"),
        "inquiries_sum": Sum("inquiries"),
        "conversions_sum": Sum("conversions"),
        "buyer_messages_sum": Sum("buyer_messages", filter=messages_known),
        "agent_messages_sum": Sum("agent_messages", filter=messages_known),
        "timed": Count("first_response_seconds"),
        "misses": Count("id", filter=first_response_miss_q()),
        "sales_cents": Sum(Cast(Round(F("sales_amount") * 100), BigIntegerField())),
    }


def _kpis_of(row: Mapping) -> WorkloadKpis:
    cents = row["sales_cents"]
    return WorkloadKpis(
        records=row["records"],
        inquiries=row["inquiries_sum"] or 0,
        conversions=row["conversions_sum"] or 0,
        buyer_messages=row["buyer_messages_sum"],
        agent_messages=row["agent_messages_sum"],
        timed_records=row["timed"],
        first_response_misses=row["misses"] if row["timed"] else None,
        sales=None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01")),
    )


@dataclass(frozen=True)
class ShopKpis:
    shop_id: int
    shop_name: str
    kpis: WorkloadKpis


def agent_kpis(
    *, agent_id: int, date_from: date, date_to: date
) -> tuple[WorkloadKpis, list[ShopKpis]]:
    """An agent's workload figures over ``date_from .. date_to`` in total and per shop (shops
    by name). One aggregate query."""
    rows = (
        WorkloadRecord.objects.filter(agent_id=agent_id, date__gte=date_from, date__lte=date_to)
        .values("shop_id", "shop__name")
        .annotate(**_kpi_aggregates())
        .order_by("shop__name", "shop_id")
    )
    by_shop = [ShopKpis(row["shop_id"], row["shop__name"], _kpis_of(row)) for row in rows]
    return sum((entry.kpis for entry in by_shop), WorkloadKpis()), by_shop


def inquiries_per_day(
    by_date: Mapping[date, WorkloadKpis], *, date_from: date, date_to: date
) -> tuple[tuple[date, int], ...]:
    """(date, inquiries) for every date of ``date_from .. date_to``, zero-filled, from the figures
    of ``workload_kpis(by="date")``."""
    days = (date_to - date_from).days + 1
    dates = [date_from + timedelta(days=offset) for offset in range(days)]
    return tuple((day, by_date[day].inquiries if day in by_date else 0) for day in dates)


def daily_inquiries(
    *, date_from: date, date_to: date, shop_id: int | None = None
) -> tuple[tuple[date, int], ...]:
    """(date, inquiries) for every date of ``date_from .. date_to``, zero-filled (one query)."""
    by_date = workload_kpis(date_from=date_from, date_to=date_to, by="date", shop_id=shop_id)
    return inquiries_per_day(by_date, date_from=date_from, date_to=date_to)


def _not_rolled_up(rollup: type[AgentDailyLoad | ShopDailyLoad], date_from: date, date_to: date):
    """The dates of ``date_from .. date_to`` with no row in ``rollup`` (a roll-up with a date
    index), as a subquery for ``date__in``: the database probes the roll-up's date index once a
    date, so a range of rolled-up dates costs a few probes, never a read of the range's roll-up
    rows or of its workloads. Portable SQL: ``VALUES`` names its column ``column1`` on
    PostgreSQL and SQLite alike."""
    days = [date_from + timedelta(days=offset) for offset in range((date_to - date_from).days + 1)]
    table = connection.ops.quote_name(rollup._meta.db_table)
    values = ", ".join(["(%s)"] * len(days))
    return RawSQL(
        f"SELECT days.column1 FROM (VALUES {values}) AS days "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS rolled WHERE rolled.date = days.column1)",
        days,
    )


def agency_daily_inquiries(*, date_from: date, date_to: date) -> tuple[tuple[date, int], ...]:
    """(date, inquiries of all shops and agents) for every date of ``date_from .. date_to``,
    zero-filled, as ``daily_inquiries`` without a shop, from the roll-up: a date rolled up
    (``AgentDailyLoad``) adds its agents' totals, a date not rolled up yet its workloads
    (``agent_daily_load``'s rule). A row an agent a day instead of one a shop and shift. One
    query."""
    in_range = {"date__gte": date_from, "date__lte": date_to}
    rolled_up = AgentDailyLoad.objects.filter(**in_range)
    live = WorkloadRecord.objects.filter(
        **in_range, date__in=_not_rolled_up(AgentDailyLoad, date_from, date_to)
    )
    rows = (
        rolled_up.order_by()
        .values("date")
        .annotate(total=Sum("inquiries"))
        .values_list("date", "total")
        .union(
            live.order_by()
            .values("date")
            .annotate(total=Sum("inquiries"))
            .values_list("date", "total"),
            all=True,
        )
    )
    by_date = {day: int(total or 0) for day, total in rows}
    days = (date_to - date_from).days + 1
    dates = [date_from + timedelta(days=offset) for offset in range(days)]
    return tuple((day, by_date.get(day, 0)) for day in dates)


# --- Workload uploads: whom and which shop a row names ------------------------------------------

REFERENCE_CHUNK = 1000  # names per query; each is compared with up to three columns


def _chunked(values: Iterable, size: int = REFERENCE_CHUNK) -> list[list]:
    ordered = sorted(set(values), key=str)
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def _ids_in(references: Iterable[str]) -> list[int]:
    # ASCII digits only: "²" is a digit to Python but no id; 19 digits may pass 64 bits.
    return [
        int(text) for text in references if text.isascii() and text.isdigit() and len(text) < 19
    ]


def agents_named(*, references: Iterable[str]) -> list[tuple[int, str, str]]:
    """(id, employee number, name) of every agent whose id, employee number or name is one of
    ``references`` (one query per thousand references)."""
    found: list[tuple[int, str, str]] = []
    for chunk in _chunked(references):
        found.extend(
            Agent.objects.filter(
                Q(pk__any=_ids_in(chunk)) | Q(employee_no__any=chunk) | Q(name__any=chunk)
            ).values_list("pk", "employee_no", "name")
        )
    return list(dict.fromkeys(found))


def shops_named(*, references: Iterable[str]) -> list[tuple[int, str, str]]:
    """(id, name, platform shop id) of every shop whose id, name or platform shop id is one of
    ``references`` (one query per thousand references)."""
    shop_model = WorkloadRecord._meta.get_field("shop").related_model  # seats never imports shops
    found: list[tuple[int, str, str]] = []
    for chunk in _chunked(references):
        found.extend(
            shop_model.objects.filter(
                Q(pk__any=_ids_in(chunk)) | Q(name__any=chunk) | Q(platform_shop_id__any=chunk)
            ).values_list("pk", "name", "platform_shop_id")
        )
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class SubAccountUse:
    """A platform sub-account (旺旺子账号) in an agent's hands from ``granted_on`` to
    ``revoked_on`` (inclusive; open while not revoked)."""

    name: str
    shop_id: int
    agent_id: int
    granted_on: date
    revoked_on: date | None

    def usable_on(self, day: date) -> bool:
        """As ``SubAccount.objects.usable_on``: the revocation day still counts."""
        return self.granted_on <= day and (self.revoked_on is None or self.revoked_on >= day)


def sub_accounts_named(
    *, names: Iterable[str], date_from: date, date_to: date
) -> list[SubAccountUse]:
    """The sub-accounts called one of ``names`` usable on some date of ``date_from ..
    date_to`` (one query per thousand names)."""
    found: list[SubAccountUse] = []
    for chunk in _chunked(names):
        rows = (
            SubAccount.objects.filter(name__any=chunk, granted_on__lte=date_to)
            .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gte=date_from))
            .values_list("name", "shop_id", "agent_id", "granted_on", "revoked_on")
        )
        found.extend(SubAccountUse(*row) for row in rows)
    return found


def roster_shifts(*, agent_days: Iterable[tuple[int, date]]) -> dict[tuple[int, date], str]:
    """{(agent id, date): shift} for those of ``agent_days`` on which the roster gives the agent
    a seat-shift: a cover that date first, else their own seat-shift. Two queries per thousand
    agents, over the dates' span.

    The one place that says who worked which shift of a date: a workload file without a shift
    column takes it from here (``seats.roster.shifts_worked``), so work lands on the shift that
    the agent really worked, covers included.
    """
    wanted = set(agent_days)
    found: dict[tuple[int, date], str] = {}
    for chunk in _chunked({agent_id for agent_id, _ in wanted}):
        members = set(chunk)
        found |= shifts_worked(
            agent_days=[(agent_id, day) for agent_id, day in wanted if agent_id in members]
        )
    return found


# --- Load ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayLoad:
    date: date
    inquiries: int
    band: str


@dataclass(frozen=True)
class AgentDayLoad(DayLoad):
    """One agent's inquiries over all shops and shifts on one date, with its load band."""

    agent_id: int
    agent_name: str


def _agent_day_totals(records: QuerySet[WorkloadRecord]) -> QuerySet:
    """Rows (agent_id, date, agent__name, inquiries_total) over ``records``: each agent's
    inquiries per date, all shops and shifts added up.

    The one aggregate of an agent's daily load: the nightly roll-up
    (``seats.services.agent_daily_load_rollup``) writes it, ``agent_daily_load`` reads it for the
    dates not rolled up yet.
    """
    return (
        records.values("agent_id", "date", "agent__name")
        .annotate(inquiries_total=Sum("inquiries"))
        .order_by()
    )


def _day_shift_inquiries() -> Coalesce:
    """The inquiries of the day shift among the workloads summed (0 when there are none)."""
    return Coalesce(Sum("inquiries", filter=Q(shift=Shift.DAY)), 0)


def _shop_day_totals(records: QuerySet[WorkloadRecord]) -> QuerySet:
    """Rows (shop_id, date, inquiries_total, day_total) over ``records``: each shop's inquiries
    per date, all agents and shifts added up, and those of the day shift.

    The nightly roll-up writes it (``ShopDailyLoad``); ``_shop_history`` sums the same
    (``_day_shift_inquiries``) per shop for the dates not rolled up yet.
    """
    return (
        records.values("shop_id", "date")
        .annotate(inquiries_total=Sum("inquiries"), day_total=_day_shift_inquiries())
        .order_by()
    )


def agent_daily_load(
    *,
    date_from: date,
    date_to: date,
    agent_ids: Iterable[int] | None = None,
    min_inquiries: int | None = None,
) -> dict[tuple[int, date], AgentDayLoad]:
    """{(agent id, date): AgentDayLoad} of the agents with workloads on ``date_from ..
    date_to`` (both inclusive), optionally of ``agent_ids`` only; agent-days without workloads
    are absent.

    One source of truth: a date with roll-up rows (``AgentDailyLoad``, any agent) is read from
    the roll-up; a date not rolled up yet (today, or a missed night) is summed from the workloads
    with the roll-up's own aggregate (``_agent_day_totals``). The band is the one of the inquiries
    under the current thresholds (``seats.calculations.load_band``). With ``min_inquiries``,
    only the agent-days with at least that many (the database leaves the others out). One query.
    """
    rolled_up = AgentDailyLoad.objects.filter(date__gte=date_from, date__lte=date_to)
    # Whether a date is rolled up, asked once a date of the range (``_not_rolled_up``): only
    # the workloads of the dates not rolled up are read.
    live = WorkloadRecord.objects.filter(
        date__gte=date_from,
        date__lte=date_to,
        date__in=_not_rolled_up(AgentDailyLoad, date_from, date_to),
    )
    if agent_ids is not None:
        ids = list(agent_ids)
        rolled_up = rolled_up.filter(agent_id__any=ids)
        live = live.filter(agent_id__any=ids)
    live_totals = _agent_day_totals(live)
    if min_inquiries is not None:
        rolled_up = rolled_up.filter(inquiries__gte=min_inquiries)
        live_totals = live_totals.filter(inquiries_total__gte=min_inquiries)
    rows = (
        rolled_up.order_by()
        .values_list("agent_id", "date", "agent__name", "inquiries")
        .union(
            live_totals.values_list("agent_id", "date", "agent__name", "inquiries_total"),
            all=True,
        )
    )
    return {
        (agent_id, day): AgentDayLoad(
            date=day,
            inquiries=int(inquiries or 0),
            band=load_band(int(inquiries or 0)),
            agent_id=agent_id,
            agent_name=name,
        )
        for agent_id, day, name, inquiries in rows
    }


def agent_load(*, agent_id: int, date_from: date, date_to: date) -> list[DayLoad]:
    """An agent's inquiries and load band on every date of [date_from, date_to], zero-filled
    (``agent_daily_load`` of one agent). One query."""
    loads = agent_daily_load(date_from=date_from, date_to=date_to, agent_ids=[agent_id])
    days = (date_to - date_from).days + 1
    result = []
    for offset in range(days):
        day = date_from + timedelta(days=offset)
        found = loads.get((agent_id, day))
        inquiries = found.inquiries if found else 0
        result.append(DayLoad(date=day, inquiries=inquiries, band=load_band(inquiries)))
    return result


def agent_loads_on(*, day: date, agent_ids: Iterable[int]) -> dict[int, DayLoad]:
    """{agent id: DayLoad on ``day``} for each of ``agent_ids``, zero-filled
    (``agent_daily_load``). One query."""
    ids = list(agent_ids)
    loads = agent_daily_load(date_from=day, date_to=day, agent_ids=ids)
    result = {}
    for agent_id in ids:
        inquiries = loads[(agent_id, day)].inquiries if (agent_id, day) in loads else 0
        result[agent_id] = DayLoad(date=day, inquiries=inquiries, band=load_band(inquiries))
    return result


def overloaded_agents(*, date_from: date, date_to: date) -> list[AgentDayLoad]:
    """Agent-days of ``date_from .. date_to`` in the ``overloaded`` band, the latest date first
    and the busiest first within a date. One query."""
    overloaded_from = settings.AGENCY["LOAD_OVERLOADED_ABOVE"] + 1
    loads = agent_daily_load(
        date_from=date_from, date_to=date_to, min_inquiries=overloaded_from
    ).values()
    overloaded = [load for load in loads if load.band == LoadBand.OVERLOADED]
    return sorted(overloaded, key=lambda load: (-load.date.toordinal(), -load.inquiries))


@dataclass(frozen=True)
class AgentOverload:
    """An agent overloaded on ``days`` of the ``window_days`` days ending ``date_to``."""

    agent_id: int
    agent_name: str
    days: int
    window_days: int
    date_to: date
    busiest: int


def overload_window(day: date) -> tuple[date, date]:
    """The days a load alert counts: the OVERLOAD_ALERT_WINDOW_DAYS (14) ending ``day``."""
    return day - timedelta(days=limits.overload_alert_window_days() - 1), day


def agents_overloaded_often(*, day: date, min_days: int | None = None) -> list[AgentOverload]:
    """Agents overloaded on at least ``min_days`` (default ``OVERLOAD_ALERT_DAYS``, 3) of the
    days of ``overload_window(day)``, the most days first: one entry per agent and period
    ("张伟: overloaded 9 of the last 14 days"), not one per agent-day. Reads what
    ``agent_daily_load`` reads (the roll-up, live for days not rolled up), counted per agent
    in the database: a row an agent leaves it, not a row an agent-day. One query.
    """
    min_days = limits.overload_alert_days() if min_days is None else min_days
    first, last = overload_window(day)
    # Overloaded: above LOAD_OVERLOADED_ABOVE (``load_band``'s last band).
    overloaded_from = settings.AGENCY["LOAD_OVERLOADED_ABOVE"] + 1
    columns = ("agent_id", "agent__name", "days", "busiest")
    rolled_up = (
        AgentDailyLoad.objects.filter(
            date__gte=first, date__lte=last, inquiries__gte=overloaded_from
        )
        .order_by()
        .values("agent_id", "agent__name")
        .annotate(days=Count("*"), busiest=Max("inquiries"))
        .values_list(*columns)
    )
    live = WorkloadRecord.objects.filter(
        date__gte=first, date__lte=last, date__in=_not_rolled_up(AgentDailyLoad, first, last)
    )
    live_days = (
        _agent_day_totals(live)
        .filter(inquiries_total__gte=overloaded_from)
        .annotate(days=Value(1, output_field=IntegerField()), busiest=F("inquiries_total"))
        .values_list(*columns)
    )
    counted: dict[int, list] = {}
    for agent_id, name, days, busiest in rolled_up.union(live_days, all=True):
        entry = counted.setdefault(agent_id, [name, 0, 0])
        entry[1] += days
        entry[2] = max(entry[2], busiest)
    found = [
        AgentOverload(
            agent_id=agent_id,
            agent_name=name,
            days=days,
            window_days=(last - first).days + 1,
            date_to=last,
            busiest=busiest,
        )
        for agent_id, (name, days, busiest) in counted.items()
        if days >= max(min_days, 1)
    ]
    return sorted(found, key=lambda entry: (-entry.days, -entry.busiest, entry.agent_name))


def capacity_window(day: date) -> tuple[date, date]:
    """The history a capacity figure uses: the CAPACITY_HISTORY_DAYS (28) days before ``day``.

    ``day`` itself is left out: its workloads are still coming in.
    """
    return day - timedelta(days=limits.capacity_history_days()), day - timedelta(days=1)


def _shop_window_parts(*, shop_ids: Iterable[int] | None, day: date) -> list[QuerySet]:
    """The two sides of a capacity window summed per shop, rows (shop_id, inquiries,
    day_inquiries, days): a date rolled up (``ShopDailyLoad`` rows) counts its shops' rows, one a
    shop; a date not rolled up yet (a missed night) its workloads, by ``_day_shift_inquiries``. A
    shop appears at most once on each side."""
    first, last = capacity_window(day)
    in_window = {"date__gte": first, "date__lte": last}
    rolled_up = ShopDailyLoad.objects.filter(**in_window)
    live = WorkloadRecord.objects.filter(
        **in_window, date__in=_not_rolled_up(ShopDailyLoad, first, last)
    )
    if shop_ids is not None:
        ids = list(shop_ids)
        rolled_up = rolled_up.filter(shop_id__any=ids)
        live = live.filter(shop_id__any=ids)
    columns = ("shop_id", "total", "day_total", "days")
    return [
        rolled_up.order_by()
        .values("shop_id")
        .annotate(total=Sum("inquiries"), day_total=Sum("day_inquiries"), days=Count("id"))
        .values_list(*columns),
        live.order_by()
        .values("shop_id")
        .annotate(
            total=Sum("inquiries"),
            day_total=_day_shift_inquiries(),
            days=Count("date", distinct=True),
        )
        .values_list(*columns),
    ]


def _add_up(rows: Iterable[tuple]) -> dict[int, tuple[int, int, int]]:
    sums: dict[int, list[int]] = {}
    for shop_id, total, day_total, days in rows:
        found = sums.setdefault(shop_id, [0, 0, 0])
        found[0] += int(total)
        found[1] += int(day_total)
        found[2] += days
    return {shop_id: (total, day_total, days) for shop_id, (total, day_total, days) in sums.items()}


def shop_window_sums(
    *, day: date, shop_ids: Iterable[int] | None = None
) -> dict[int, tuple[int, int, int]]:
    """{shop id: (inquiries, day-shift inquiries, days with workloads)} over
    ``capacity_window(day)``, summed from the roll-up and the workloads (never from a stored
    window: this is what the nightly run stores as one). One query."""
    first, second = _shop_window_parts(shop_ids=shop_ids, day=day)
    return _add_up(first.union(second, all=True))


def _shop_history(*, shop_ids: Iterable[int] | None, day: date) -> dict[int, tuple[int, int, int]]:
    """{shop id: (average daily inquiries, day-shift inquiries, night-shift inquiries)} over
    ``capacity_window(day)``, for the shops with workloads there (of ``shop_ids``, or every shop
    when None).

    Read from the window the nightly run stored for ``day`` (``ShopLoadWindow``, one row a
    shop) when there is one for the window's current length; else summed as
    ``shop_window_sums``. The average is over the days with data. One query: each side asks
    whether the stored window exists, which PostgreSQL answers once.
    """
    window_days = limits.capacity_history_days()
    stored = ShopLoadWindow.objects.filter(as_of=day, window_days=window_days)
    kept = stored
    if shop_ids is not None:
        shop_ids = list(shop_ids)
        kept = stored.filter(shop_id__any=shop_ids)
    not_stored = ~Exists(stored)
    parts = [part.filter(not_stored) for part in _shop_window_parts(shop_ids=shop_ids, day=day)]
    rows = (
        kept.order_by()
        .values_list("shop_id", "inquiries", "day_inquiries", "days")
        .union(*parts, all=True)
    )
    return {
        shop_id: (average_daily_inquiries(total, days), day_total, total - day_total)
        for shop_id, (total, day_total, days) in _add_up(rows).items()
    }


def shop_daily_inquiries(*, shops: Mapping[int, int], day: date | None = None) -> dict[int, int]:
    """{shop id: expected daily inquiries} for capacity planning; ``shops`` maps each shop's id
    to its ``daily_inquiries_estimate``.

    A shop with workloads in the window counts its average over the days that have records
    (total inquiries of all agents and shifts / days with data), so a shop that joined ten days
    ago is not diluted by the eighteen days before it; a shop without history counts its
    ``daily_inquiries_estimate``. One aggregate query.
    """
    return {
        shop_id: split.total
        for shop_id, split in shop_shift_inquiries(shops=shops, day=day).items()
    }


def shop_shift_inquiries(
    *,
    shops: Mapping[int, int],
    day: date | None = None,
    shifts_of: Mapping[int, Iterable[str]] | None = None,
    every_shop: bool = False,
) -> dict[int, ShiftSplit]:
    """{shop id: its expected daily inquiries split between the shifts} for capacity planning.

    The total is ``shop_daily_inquiries``' (history, else the estimate); the split follows the
    shop's own day/night workloads in the same window, else the hours (8/15, 7/15), except that
    a shop whose contracts cover one shift only (``shifts_of``) has all of it on that shift
    (``seats.calculations.split_between_shifts``). One aggregate query.
    """
    day = day or timezone.localdate()
    # Every shop's history (``every_shop``, when ``shops`` are those of all seats) is read
    # without naming hundreds of ids; the database sums the window's rows either way.
    history = _shop_history(shop_ids=None if every_shop else shops, day=day)
    shifts_of = shifts_of or {}
    result = {}
    for shop_id, estimate in shops.items():
        found = history.get(shop_id)
        if found is None:
            expected, share = estimate, None  # no history: split by the hours
        else:
            expected, day_total, night_total = found
            share = day_share(day_total, night_total)
        result[shop_id] = split_between_shifts(
            expected, shifts=shifts_of.get(shop_id, BOTH_SHIFTS), share=share
        )
    return result


@dataclass(frozen=True)
class SeatLoad:
    """A seat's expected daily inquiries, in all and on each shift (each shift's load is its
    agent's projected daily load), against the seat peak and the per-agent cap."""

    seat_id: int
    seat_code: str
    shop_ids: tuple[int, ...]
    load: int
    peak: int
    shifts: ShiftSplit = ShiftSplit()
    agent_cap: int = 120

    @property
    def headroom(self) -> int:
        return self.peak - self.load

    def with_shop(self, split: ShiftSplit) -> ShiftSplit:
        return self.shifts + split

    def fits(self, split: ShiftSplit) -> bool:
        """Whether the seat may take ``split`` more a day: both agents within the cap (120) and
        the seat within its peak (600), inclusive (``seats.calculations.fits_seat``)."""
        return fits_seat(self.with_shop(split), cap=self.agent_cap, peak=self.peak)

    @property
    def over_agent_cap(self) -> bool:
        """An agent of this seat is planned above the cap already."""
        return self.shifts.busiest > self.agent_cap

    @property
    def utilisation(self) -> Decimal:
        """load / peak, 4 places (0.5000 is half the seat's 600 inquiries a day)."""
        return ratio(self.load, self.peak) or Decimal("0.0000")


def _seat_shop_shifts(
    *, day: date, seat_ids: Iterable[int] | None = None
) -> dict[int, dict[int, tuple[int, frozenset[str]]]]:
    """{seat id: {shop id: (estimate, shifts its contracts on the seat cover)}} on ``day``.

    A one-shift contract (plan ``shift``) covers its shift; every other plan covers both (the
    rule of ``shops.selectors.covered_shifts``, read here from the contract's columns). One query.
    """
    seats = Seat.objects.filter(active_on_q(day, prefix="contracts__"))
    if seat_ids is not None:
        seats = seats.filter(pk__any=list(seat_ids))
    rows = (
        seats.values_list(
            "pk",
            "contracts__shop_id",
            "contracts__shop__daily_inquiries_estimate",
            "contracts__plan",
            "contracts__shift",
        )
        .distinct()
        .order_by()
    )
    found: dict[int, dict[int, tuple[int, frozenset[str]]]] = defaultdict(dict)
    for seat_id, shop_id, estimate, plan, shift in sorted(rows, key=_seat_then_shop):
        covers = _ONE_SHIFT[shift] if plan == Plan.SHIFT and shift else _BOTH
        by_shop = found[seat_id]
        before = by_shop.get(shop_id)
        by_shop[shop_id] = (estimate, covers if before is None else before[1] | covers)
    return dict(found)


_BOTH = frozenset(BOTH_SHIFTS)
_ONE_SHIFT = {shift: frozenset((shift,)) for shift in BOTH_SHIFTS}
_seat_then_shop = itemgetter(0, 1)


def seat_utilisation(
    *, seats: Iterable[Seat] | None = None, day: date | None = None, every_seat: bool = False
) -> dict:
    """{seat id: SeatLoad}: each seat's expected daily inquiries, per shift and in all.

    A seat's load is the sum of its shops' ``shop_shift_inquiries`` over the shops whose
    contracts on the seat are active on ``day`` (default today), each on the shifts its contracts
    cover. Three queries whatever the number of seats, two when ``seats`` are given; every
    seat (``seats`` None, or ``every_seat``: the ``seats`` given are all of them) is read
    without naming them.
    """
    day = day or timezone.localdate()
    every_seat = every_seat or seats is None
    if seats is None:
        codes = dict(Seat.objects.order_by("code").values_list("pk", "code"))
    else:
        codes = {seat.pk: seat.code for seat in seats}
    shops_of = _seat_shop_shifts(day=day, seat_ids=None if every_seat else codes)
    estimates = {
        shop_id: estimate for by_id in shops_of.values() for shop_id, (estimate, _) in by_id.items()
    }
    expected = shop_shift_inquiries(shops=estimates, day=day, every_shop=every_seat)
    peak = limits.seat_peak_inquiries()
    cap = agent_load_cap()
    both = _BOTH
    result = {}
    for seat_id, code in codes.items():
        served = shops_of.get(seat_id, {})
        day_load = night_load = 0
        for shop_id, (_, covers) in served.items():
            split = expected[shop_id]
            # The shop's split on the shifts this seat serves it: both as planned, or all of
            # it on the one shift of a one-shift contract (``split_between_shifts``).
            if covers == both:
                day_load += split.day
                night_load += split.night
            elif Shift.DAY in covers:
                day_load += split.total
            else:
                night_load += split.total
        shifts = ShiftSplit(day=day_load, night=night_load)
        result[seat_id] = SeatLoad(
            seat_id=seat_id,
            seat_code=code,
            shop_ids=tuple(served),
            load=shifts.total,
            peak=peak,
            shifts=shifts,
            agent_cap=cap,
        )
    return result


@dataclass(frozen=True)
class CapacityOption:
    seat_id: int
    seat_code: str
    shop_ids: tuple[int, ...]
    projected_load: int
    headroom: int
    day_load: int
    night_load: int
    agent_cap: int
    peak: int


def seat_capacity(
    *, inquiries: int, day: date | None = None, shifts: Iterable[str] | None = None
) -> list[CapacityOption]:
    """Seats that can take a new shop with ``inquiries`` a day, most headroom first.

    The new shop has no history: its inquiries split by hours (8/15 day, 7/15 night), or all on
    one shift when ``shifts`` names one (a one-shift contract). A seat qualifies when it may take
    another shop (fewer than 3 on ``day``: ``agency.limits.seat_takes_another_shop``) and, with
    the new shop, each of its agents' projected daily load (``day_load``, ``night_load``) stays
    within the cap (120, the ``strained`` upper bound) and its ``projected_load`` within the
    seat peak (600): ``seats.calculations.fits_seat``. ``headroom`` is the tightest room left
    after it (``seats.calculations.room_left``).
    """
    new_shop = split_between_shifts(inquiries, shifts=shifts or (Shift.DAY, Shift.NIGHT))
    options = []
    for load in seat_utilisation(day=day).values():
        if not (limits.seat_takes_another_shop(len(load.shop_ids)) and load.fits(new_shop)):
            continue
        projected = load.with_shop(new_shop)
        options.append(
            CapacityOption(
                seat_id=load.seat_id,
                seat_code=load.seat_code,
                shop_ids=load.shop_ids,
                projected_load=projected.total,
                headroom=room_left(projected, cap=load.agent_cap, peak=load.peak),
                day_load=projected.day,
                night_load=projected.night,
                agent_cap=load.agent_cap,
                peak=load.peak,
            )
        )
    options.sort(key=lambda option: (-option.headroom, option.seat_code))
    return options


# --- Handover notes, prices ---------------------------------------------------------------------


def handover_note_list(*, user: User) -> QuerySet[HandoverNote]:
    """Handover notes the user may see: a manager all, an owner those of their own shops, an
    agent those of the shops they serve today; with who wrote and acknowledged them."""
    return scoped_to_shops(
        HandoverNote.objects.select_related("written_by", "acknowledged_by"), user
    )


def handover_notes_for(*, shop_id: int, day: date) -> QuerySet[HandoverNote]:
    """A shop's handover notes of ``day``, oldest first, with both agents loaded (one query)."""
    return (
        HandoverNote.objects.filter(shop_id=shop_id, date=day)
        .select_related("from_agent", "to_agent")
        .order_by("created_at", "id")
    )


def handover_notes_unacknowledged(*, limit: int) -> tuple[int, list[HandoverNote]]:
    """(how many handover notes no night agent acknowledged yet, the ``limit`` latest with
    their seat, shop and agents). Two queries."""
    notes = HandoverNote.objects.filter(acknowledged_at__isnull=True)
    latest = list(
        notes.select_related("seat", "shop", "from_agent", "to_agent").order_by(
            "-date", "seat__code", "shop__name"
        )[:limit]
    )
    return notes.count(), latest


OPEN_PROMISE_DAYS = 7
"""How far back the desk lists a shop's promises to buyers (``handover_open_promises``)."""


def handover_notes_of_shops(*, shop_ids: Iterable[int], day: date) -> list[HandoverNote]:
    """The notes of ``shop_ids`` dated ``day`` with their seat, agents and who wrote and
    acknowledged them, by shop and seat (one query)."""
    return list(
        HandoverNote.objects.filter(shop_id__in=list(shop_ids), date=day)
        .select_related("seat", "from_agent", "to_agent", "written_by", "acknowledged_by")
        .order_by("shop_id", "seat__code", "id")
    )


def handover_open_promises(*, shop_ids: Iterable[int], today: date) -> list[HandoverNote]:
    """A shop's open promises: the promises to buyers in its notes of the ``OPEN_PROMISE_DAYS``
    days before ``today`` (acknowledged or not; today's note is shown on its own), newest first.

    A promise ("call the buyer back on Friday", "ship the replacement once restocked") outlives
    the shift that made it; a week is how long a buyer waits before it turns into a complaint.
    One query.
    """
    return list(
        HandoverNote.objects.filter(
            shop_id__in=list(shop_ids),
            date__gte=today - timedelta(days=OPEN_PROMISE_DAYS),
            date__lt=today,
        )
        .exclude(promises="")
        .select_related("from_agent")
        .order_by("shop_id", "-date", "id")
    )


HANDOVER_ALERT_AT = dt_time(18, 0)
"""A note not acknowledged by this local time on its date is overdue (an alert)."""


def handover_overdue_q(now: datetime) -> Q:
    """The 18:00 rule: unacknowledged notes of an earlier date, or of today once it is 18:00."""
    today = timezone.localdate(now)
    if timezone.localtime(now).time() >= HANDOVER_ALERT_AT:
        dated = Q(date__lte=today)
    else:
        dated = Q(date__lt=today)
    return Q(acknowledged_at__isnull=True) & dated


def handover_notes_to_acknowledge(*, now: datetime) -> QuerySet[HandoverNote]:
    """Every note no night agent (or manager) acknowledged yet, newest date first, with its seat,
    shop, agents and author loaded and ``overdue`` annotated (``handover_overdue_q``)."""
    return (
        HandoverNote.objects.filter(acknowledged_at__isnull=True)
        .select_related("seat", "shop", "from_agent", "to_agent", "written_by")
        .annotate(
            overdue=Case(
                When(handover_overdue_q(now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-date", "seat__code", "shop__name", "id")
    )


@dataclass(frozen=True)
class PendingHandovers:
    count: int
    overdue: int
    latest: list[HandoverNote]


def handover_notes_pending(*, limit: int, now: datetime) -> PendingHandovers:
    """How many notes wait for acknowledgement, how many of them are overdue (past 18:00), and
    the ``limit`` latest (``handover_notes_to_acknowledge``). Two queries."""
    totals = HandoverNote.objects.filter(acknowledged_at__isnull=True).aggregate(
        count=Count("id"), overdue=Count("id", filter=handover_overdue_q(now))
    )
    latest = list(handover_notes_to_acknowledge(now=now)[:limit])
    return PendingHandovers(count=totals["count"], overdue=totals["overdue"], latest=latest)


def handover_notes() -> QuerySet[HandoverNote]:
    """Handover notes with their seat and shop loaded (managers only)."""
    return HandoverNote.objects.select_related("seat", "shop")


# --- Platform sub-accounts ----------------------------------------------------------------------


def sub_account_list(*, user: User) -> QuerySet[SubAccount]:
    """Sub-accounts the user may see (a manager all, an owner those of their own shops), with
    their shop and agent loaded, by shop and name."""
    return (
        scoped_to_shops(SubAccount.objects.all(), user)
        .select_related("shop", "agent")
        .order_by("shop__name", "name", "-granted_on", "id")
    )


def _shop_served_from(day: date) -> Exists:
    """Whether the sub-account's shop has a contract active on ``day`` or later (one that has
    not ended: open-ended, ending that day or after, or still to start). Read through the shop's
    ``contracts`` relation: seats does not import shops."""
    Contract = (
        SubAccount._meta.get_field("shop").related_model._meta.get_field("contracts").related_model
    )
    return Exists(
        Contract.objects.filter(shop_id=OuterRef("shop_id")).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )
    )


def sub_accounts_to_revoke(
    *,
    today: date,
    agent_ids: Iterable[int] | None = None,
    shop_ids: Iterable[int] | None = None,
) -> QuerySet[SubAccount]:
    """Active sub-accounts to take back (收回): their agent has left, or their shop's last
    contract has ended (no contract active ``today`` or later). Each carries ``shop_served``
    (False: the contracts ended) to say why; shop and agent loaded; one query. Managers only."""
    accounts = SubAccount.objects.active().annotate(shop_served=_shop_served_from(today))
    if agent_ids is not None:
        accounts = accounts.filter(agent_id__in=list(agent_ids))
    if shop_ids is not None:
        accounts = accounts.filter(shop_id__in=list(shop_ids))
    return (
        accounts.filter(Q(agent__status=Agent.Status.LEFT) | Q(shop_served=False))
        .select_related("shop", "agent")
        .order_by("shop__name", "name", "id")
    )


def sub_accounts_to_revoke_first(*, today: date, limit: int) -> tuple[int, list[SubAccount]]:
    """(how many sub-accounts are to revoke, the first ``limit`` of them), in one query: the
    count rides along on each row as a window over the whole list."""
    rows = list(sub_accounts_to_revoke(today=today).annotate(total=Window(Count("id")))[:limit])
    return (rows[0].total if rows else 0), rows


def sub_accounts_of(
    *, shop_id: int | None = None, agent_id: int | None = None
) -> QuerySet[SubAccount]:
    """A shop's or an agent's sub-accounts, active ones first, then the latest revoked, with
    shop and agent loaded (one query)."""
    accounts = SubAccount.objects.select_related("shop", "agent")
    if shop_id is not None:
        accounts = accounts.filter(shop_id=shop_id)
    if agent_id is not None:
        accounts = accounts.filter(agent_id=agent_id)
    return accounts.order_by(F("revoked_on").desc(nulls_first=True), "shop__name", "name", "id")
