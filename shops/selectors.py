"""Reads of the shops app: tenant-scoped lists, contracts, turnover reports, the shop's history,
the price book, seat occupancy and the DSR figures.

Every list starts from ``shops_for_user`` or ``agency.access.scoped_to_shops`` so an owner only
ever sees their own shops and what hangs off them; each list costs a constant number of queries
whatever its length.
"""

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from agency import clock
from agency.access import agent_shop_ids, is_agent, is_manager, scoped_to_shops
from agency.choices import Plan, Shift
from agency.models import User
from agency.money import round_money
from agency.months import month_last_day
from shops.models import Contract, DsrRating, PriceBookEntry, Shop, TurnoverReport

BUSINESS_TZ = ZoneInfo(settings.TIME_ZONE)
"""Business dates are Shanghai dates whatever time zone a request may have activated."""

DSR_WINDOW_DAYS = 180
DSR_COUNTED_PER_BUYER_MONTH = 3
DSR_TREND_STEP_DAYS = 7


# --- Tenant-scoped lists ------------------------------------------------------------------------


def shops_for_user(user: User) -> QuerySet[Shop]:
    """The shops ``user`` may see: every shop for a manager, their own for an owner, those served
    today for an agent, none for anyone else (the rule of ``agency.access``, applied to the shops
    themselves)."""
    if is_manager(user):
        return Shop.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return Shop.objects.none()
    if is_agent(user):
        return Shop.objects.filter(pk__in=sorted(agent_shop_ids(user)))
    return Shop.objects.filter(owner=user)


def possible_owners() -> QuerySet[User]:
    """Accounts a shop may belong to: active client accounts, by username; neither managers nor
    agents' accounts (``seats.Agent.user``, named by its related name: no import of seats)."""
    return User.objects.filter(is_active=True, is_staff=False, agent_profile__isnull=True).order_by(
        "username"
    )


def shop_list(*, user: User) -> QuerySet[Shop]:
    return shops_for_user(user).select_related("owner")


def shop_rows(queryset: QuerySet[Shop], *, fields: Iterable[str]) -> QuerySet:
    """``queryset``'s shops as rows of ``fields`` (``values_list`` tuples in that order), the
    owner as its username, in the queryset's order (one query)."""
    columns = ["owner__username" if name == "owner" else name for name in fields]
    return queryset.select_related(None).values_list(*columns)


def contract_list(*, user: User) -> QuerySet[Contract]:
    return scoped_to_shops(Contract.objects.all(), user)


def shop_list_with_active_contracts(*, user: User, day: dt.date) -> QuerySet[Shop]:
    """The shops ``user`` may open, each with ``active_contracts`` on ``day`` (2 queries)."""
    return shops_for_user(user).prefetch_related(
        Prefetch(
            "contracts",
            queryset=Contract.objects.active_on(day).order_by("start_date", "id"),
            to_attr="active_contracts",
        )
    )


# --- Contracts ----------------------------------------------------------------------------------


def covered_shifts(contract: Contract) -> tuple[str, ...]:
    """The shifts a contract's plan covers: one for the one-shift plan, both for the others.

    Full-day and day plans (temporary, promotion) all cover 09:00-24:00, i.e. both shifts.
    """
    if contract.plan == Plan.SHIFT and contract.shift:
        return (contract.shift,)
    return (Shift.DAY, Shift.NIGHT)


def shop_contracts(*, shop: Shop) -> QuerySet[Contract]:
    """All of a shop's contracts, newest first (one query)."""
    return Contract.objects.filter(shop=shop).order_by("-start_date", "-id")


def shop_contracts_on(*, shop: Shop, day: dt.date) -> QuerySet[Contract]:
    """A shop's contracts active on ``day``, oldest first (one query)."""
    return Contract.objects.filter(shop=shop).active_on(day).order_by("start_date", "id")


def seat_contracts_on(*, day: dt.date, seat_ids: Iterable[int]) -> QuerySet[Contract]:
    """The contracts on ``seat_ids`` active on ``day`` with their shop, by shop name (one
    query)."""
    return (
        Contract.objects.active_on(day)
        .filter(seat_id__in=list(seat_ids))
        .select_related("shop")
        .order_by("shop__name", "shop_id", "id")
    )


class ShopName(NamedTuple):
    """What a board shows of a shop: its id (for links) and name."""

    pk: int
    name: str


class SeatContractRow(NamedTuple):
    """A contract on a seat as a board reads it: enough for ``covered_shifts`` and the shop."""

    seat_id: int
    plan: str
    shift: str | None
    shop: ShopName


def seat_contract_rows_on(
    *, day: dt.date, seat_ids: Iterable[int] | None = None
) -> list[SeatContractRow]:
    """``seat_contracts_on`` as rows, of every seat when ``seat_ids`` is None (the dashboard's
    board names no seat), by shop name (one query, no model instances)."""
    contracts = Contract.objects.active_on(day).filter(seat__isnull=False)
    if seat_ids is not None:
        contracts = contracts.filter(seat_id__any=list(seat_ids))
    rows = contracts.order_by("shop__name", "shop_id", "id").values_list(
        "seat_id", "plan", "shift", "shop_id", "shop__name"
    )
    return [
        SeatContractRow(seat_id, plan, shift, ShopName(shop_id, name))
        for seat_id, plan, shift, shop_id, name in rows
    ]


def shops_with_active_contracts(*, shop_ids: Iterable[int], day: dt.date) -> set[int]:
    """Those of ``shop_ids`` with a contract active on ``day`` (one query)."""
    return set(
        Contract.objects.active_on(day)
        .filter(shop_id__in=list(shop_ids))
        .values_list("shop_id", flat=True)
        .distinct()
    )


def contracts_to_place(*, today: dt.date) -> QuerySet[Contract]:
    """Contracts a manager may still (re)place on a seat: those not ended before ``today``, with
    shop and seat, by shop name."""
    return (
        Contract.objects.exclude(end_date__lt=today)
        .select_related("shop", "seat")
        .order_by("shop__name", "start_date", "id")
    )


def shop_names(*, ids: Iterable[int]) -> dict[int, str]:
    """{shop id: name} of those of ``ids`` that exist (one query)."""
    return dict(Shop.objects.filter(pk__any=list(ids)).values_list("pk", "name"))


# --- Price book ---------------------------------------------------------------------------------


def list_prices() -> dict[str, Decimal]:
    """{plan: list price} from the price book, in one query."""
    return dict(PriceBookEntry.objects.filter(plan__in=Plan.values).values_list("plan", "price"))


# --- Turnover -----------------------------------------------------------------------------------


def turnover_report_list(*, user: User) -> QuerySet[TurnoverReport]:
    return scoped_to_shops(TurnoverReport.objects.all(), user, money=True)


def shop_turnover_reports(*, shop: Shop, user: User) -> QuerySet[TurnoverReport]:
    """A shop's turnover reports ``user`` may see, newest month first (one query)."""
    return scoped_to_shops(TurnoverReport.objects.filter(shop=shop), user, money=True).order_by(
        "-month"
    )


def turnover_reports_to_confirm(*, user: User) -> QuerySet[TurnoverReport]:
    """Submitted turnover reports ``user`` may see, oldest month first, with their shop."""
    return (
        turnover_report_list(user=user)
        .filter(status=TurnoverReport.Status.SUBMITTED)
        .select_related("shop")
        .order_by("month", "shop__name")
    )


def turnover_report_for(*, shop: Shop, month: dt.date) -> TurnoverReport | None:
    """The shop's report of ``month``, if there is one (one query)."""
    return TurnoverReport.objects.filter(shop=shop, month=month).first()


def turnover_report_confirmed(report: TurnoverReport) -> bool:
    """Whether the agency has confirmed the report (its figure is then locked for the owner)."""
    return report.status == TurnoverReport.Status.CONFIRMED


TURNOVER_LOOKBACK_MONTHS = 12


def turnover_month_to_report(*, shop: Shop) -> dt.date | None:
    """The month a turnover form offers: the latest ended month (Shanghai) of the last year in
    which the shop had a commission contract and that has no report yet, so never the month in
    progress and never a confirmed one. ``None`` when there is none (a submitted figure is
    corrected in its own row)."""
    months = [clock.previous_month()]
    for _ in range(TURNOVER_LOOKBACK_MONTHS - 1):
        months.append(clock.previous_month(months[-1]))
    spans = list(
        Contract.objects.filter(shop=shop, plan__in=Plan.monthly_plans()).values_list(
            "start_date", "end_date"
        )
    )
    reported = set(
        TurnoverReport.objects.filter(shop=shop, month__in=months).values_list("month", flat=True)
    )

    def commission_billed(month: dt.date) -> bool:
        last = month_last_day(month)
        return any(start <= last and (end is None or end >= month) for start, end in spans)

    return next(
        (month for month in months if month not in reported and commission_billed(month)), None
    )


def dsr_rating_list(*, user: User) -> QuerySet[DsrRating]:
    return scoped_to_shops(DsrRating.objects.all(), user)


# --- History ------------------------------------------------------------------------------------


def shop_history(*, shop: Shop, limit: int) -> list:
    """The shop's latest ``limit`` history rows (one per save), newest first, each with its
    ``history_user`` loaded (one query)."""
    return list(
        shop.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )


@dataclass(frozen=True)
class BriefingChange:
    when: dt.datetime
    user: User | None
    briefing: str
    created: bool


BRIEFING_HISTORY_ROWS = 50
"""How many of the shop's latest history rows are searched for briefing changes."""


def briefing_changes(*, shop: Shop, limit: int = 5) -> list[BriefingChange]:
    """The latest changes of a shop's briefing, newest first, with who made them (one query).

    The shop's history holds a row per save of any field; a row changed the briefing when its
    briefing differs from the row before it (or it created the shop with one). Only the latest
    ``BRIEFING_HISTORY_ROWS`` rows are read, which keeps the page's cost fixed.
    """
    rows = shop_history(shop=shop, limit=BRIEFING_HISTORY_ROWS)
    rows.reverse()  # oldest first, to compare each row with the one before it
    changes = []
    for index, row in enumerate(rows):
        if index == 0:
            if row.history_type != "+" or not row.briefing:
                continue
        elif row.briefing == rows[index - 1].briefing:
            continue
        changes.append(
            BriefingChange(
                when=row.history_date,
                user=row.history_user,
                briefing=row.briefing,
                created=row.history_type == "+",
            )
        )
    changes.reverse()
    return changes[:limit]


# --- Seat occupancy -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatBusiestDay:
    """The date of a range on which a seat serves the most (other) shops, and which ones."""

    date: dt.date | None
    shop_names: tuple[str, ...]

    @property
    def shop_count(self) -> int:
        return len(self.shop_names)


def seat_busiest_day(
    *,
    seat_id: int,
    start: dt.date,
    end: dt.date | None,
    exclude_shop_id: int | None = None,
    exclude_contract_id: int | None = None,
) -> SeatBusiestDay:
    """Find the date in ``[start, end]`` on which the seat serves the most distinct shops.

    One query fetches the seat's contracts overlapping the range (open ends included); the count
    of distinct shops can only rise on a date where some contract starts, so only those dates
    (and ``start`` itself) are examined. ``exclude_shop_id`` leaves out the shop being placed on
    the seat: a second contract of a shop already served adds no shop.
    """
    contracts = Contract.objects.filter(seat_id=seat_id).overlapping(start, end)
    if exclude_shop_id is not None:
        contracts = contracts.exclude(shop_id=exclude_shop_id)
    if exclude_contract_id is not None:
        contracts = contracts.exclude(pk=exclude_contract_id)
    rows = list(contracts.values_list("shop_id", "shop__name", "start_date", "end_date"))

    best = SeatBusiestDay(date=None, shop_names=())
    for day in sorted({max(row_start, start) for _, _, row_start, _ in rows}):
        names = {
            shop_id: name
            for shop_id, name, row_start, row_end in rows
            if row_start <= day and (row_end is None or day <= row_end)
        }
        if len(names) > best.shop_count:
            best = SeatBusiestDay(date=day, shop_names=tuple(sorted(names.values())))
    return best


# --- DSR (店铺动态评分) -------------------------------------------------------------------------


@dataclass(frozen=True)
class DsrFigures:
    """A shop's DSR on one date, with the reasons ratings in the window were left out."""

    as_of: dt.date
    window_start: dt.date
    counted_ratings: int
    description: Decimal | None
    service: Decimal | None
    logistics: Decimal | None
    excluded_not_alipay: int
    excluded_over_three: int


@dataclass(frozen=True)
class _RatedRow:
    local_date: dt.date
    counted: bool
    not_alipay: bool
    over_three: bool
    description: int
    service: int
    logistics: int


def dsr_window_start(as_of: dt.date) -> dt.date:
    return as_of - dt.timedelta(days=DSR_WINDOW_DAYS - 1)


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BUSINESS_TZ)


def _rated_rows(*, shop_id: int, first_day: dt.date, last_day: dt.date) -> list[_RatedRow]:
    """Ratings of a shop dated ``first_day .. last_day`` (Shanghai), in one query.

    Which of a buyer's ratings are their first 3 of a month is decided by the database with
    ``ROW_NUMBER()`` over (buyer, Shanghai month, paid with Alipay), ordered by time then id, so
    ties on the same second are broken the same way every time. Ratings not paid through Alipay
    never count and so do not use up one of the buyer's 3. The query starts at the first day of
    ``first_day``'s month: a window starting mid-month must still know the buyer's earlier ratings
    of that month to tell their first 3.
    """
    month_start = first_day.replace(day=1)
    local_month = TruncMonth("rated_at", tzinfo=BUSINESS_TZ)
    ratings = (
        DsrRating.objects.filter(
            shop_id=shop_id,
            rated_at__gte=_local_midnight(month_start),
            rated_at__lt=_local_midnight(last_day + dt.timedelta(days=1)),
        )
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("buyer"), local_month, F("paid_with_alipay")],
                order_by=[F("rated_at").asc(), F("id").asc()],
            )
        )
        .order_by("rated_at", "id")
        .values_list(
            "rated_at", "paid_with_alipay", "position", "description", "service", "logistics"
        )
    )
    rows = []
    for rated_at, alipay, position, description, service, logistics in ratings:
        local_date = rated_at.astimezone(BUSINESS_TZ).date()
        if local_date < first_day:
            continue
        over_three = alipay and position > DSR_COUNTED_PER_BUYER_MONTH
        rows.append(
            _RatedRow(
                local_date=local_date,
                counted=alipay and not over_three,
                not_alipay=not alipay,
                over_three=over_three,
                description=description,
                service=service,
                logistics=logistics,
            )
        )
    return rows


def _average(total: int, count: int) -> Decimal | None:
    return round_money(Decimal(total) / Decimal(count)) if count else None


class _DsrCalculator:
    """Prefix sums over a shop's rated rows, so every date's figures cost O(log n)."""

    def __init__(self, rows: list[_RatedRow]) -> None:
        self._dates = [row.local_date for row in rows]

        def prefix(values):
            return [0, *accumulate(values)]

        self._counted = prefix(int(row.counted) for row in rows)
        self._description = prefix(row.description if row.counted else 0 for row in rows)
        self._service = prefix(row.service if row.counted else 0 for row in rows)
        self._logistics = prefix(row.logistics if row.counted else 0 for row in rows)
        self._not_alipay = prefix(int(row.not_alipay) for row in rows)
        self._over_three = prefix(int(row.over_three) for row in rows)

    def figures(self, as_of: dt.date) -> DsrFigures:
        window_start = dsr_window_start(as_of)
        lo = bisect_left(self._dates, window_start)
        hi = bisect_right(self._dates, as_of)

        def span(prefix: list[int]) -> int:
            return prefix[hi] - prefix[lo]

        counted = span(self._counted)
        return DsrFigures(
            as_of=as_of,
            window_start=window_start,
            counted_ratings=counted,
            description=_average(span(self._description), counted),
            service=_average(span(self._service), counted),
            logistics=_average(span(self._logistics), counted),
            excluded_not_alipay=span(self._not_alipay),
            excluded_over_three=span(self._over_three),
        )


def shop_dsr(*, shop: Shop, as_of: dt.date | None = None) -> DsrFigures:
    """A shop's DSR on ``as_of`` (default: today in Shanghai), in one query.

    Per dimension: the sum of counted scores / the number of counted ratings over the ratings
    dated ``as_of - 179 .. as_of``, half-up to 2 places; ``None`` when nothing counts.
    """
    as_of = as_of or timezone.localdate()
    rows = _rated_rows(shop_id=shop.pk, first_day=dsr_window_start(as_of), last_day=as_of)
    return _DsrCalculator(rows).figures(as_of)


def shop_dsr_trend(
    *, shop: Shop, as_of: dt.date | None = None, weeks: int = 26
) -> list[DsrFigures]:
    """Weekly DSR points ending on ``as_of`` (default today), oldest first, in one query."""
    if weeks < 1:
        raise ValueError("A trend needs at least one week.")
    as_of = as_of or timezone.localdate()
    dates = [as_of - dt.timedelta(days=DSR_TREND_STEP_DAYS * k) for k in range(weeks - 1, -1, -1)]
    rows = _rated_rows(shop_id=shop.pk, first_day=dsr_window_start(dates[0]), last_day=as_of)
    calculator = _DsrCalculator(rows)
    return [calculator.figures(day) for day in dates]
