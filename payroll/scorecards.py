"""Monthly scorecards (绩效考核): every agent's KPIs, scored against the pay book's targets and
weighted into a score of 0-100 and a grade.

``month_scorecards`` reads a month for any number of agents in a constant number of queries
(agents, workload aggregates, work days, the roster's four, unpaid leave, quality reviews, the
pay book); the payroll run, the ranking board, the agent's desk and the API all read it. The
month in progress is scored up to today (``until``); nothing is scored in the future.

KPIs and how each is read (docs/pay.md):

* inquiries per day worked: the month's inquiries / days worked (by the roster; an agent with
  workloads but no roster days: / days with workloads);
* conversion rate: conversions / inquiries; answer ratio: agent / buyer messages;
* first responses within 120 s: the share of the records that know their average first response
  whose average is within the limit;
* attributed sales: the month's sales attributed to the agent (客服销售额);
* attendance: days worked / days scheduled (days on the roster, unpaid leave included; approved
  paid leave is not a scheduled day);
* quality: the average score of the month's quality reviews (withdrawn ones do not count).

A figure nobody knows (exports without messages or sales, no reviews) is left out of the
weighting rather than scored 0 (``payroll.calculations.weighted_score``); an agent with no
workload recorded in the month is not scored at all (no grade, no bonus).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from agency import clock
from agency.months import month_last_day
from payroll import calculations
from payroll.choices import Kpi
from payroll.selectors import pay_book_for, quality_averages
from seats.calculations import load_band
from seats.roster import approved_leave_days, roster_slots
from seats.selectors import (
    AgentPayTerms,
    WorkloadKpis,
    agent_work_days,
    agents_employed_in,
    workload_kpis,
)

_RATIO = Decimal("0.0001")


@dataclass(frozen=True)
class KpiLine:
    """One scored KPI: what the agent did, the target, the score (0-100) and its weight."""

    kpi: str
    actual: Decimal | None
    target: Decimal
    weight: int
    score: Decimal | None

    @property
    def label(self) -> str:
        return str(Kpi(self.kpi).label)

    @property
    def points(self) -> Decimal | None:
        """score x weight / 100: the points this KPI adds when every KPI is known."""
        if self.score is None:
            return None
        return (self.score * self.weight / 100).quantize(
            calculations.SCORE_PLACES, rounding=ROUND_HALF_UP
        )


@dataclass(frozen=True)
class Scorecard:
    agent: AgentPayTerms
    month: date
    until: date
    kpis: WorkloadKpis
    days_worked: int
    days_scheduled: int
    work_days: int
    covers: int
    unpaid_leave_days: int
    average_load: int | None
    load_band: str | None
    quality_average: Decimal | None
    quality_reviews: int
    lines: list[KpiLine]
    score: Decimal | None
    grade: str
    seat_days: dict[int, int] = field(default_factory=dict)
    # Seat-shift days the agent held on approved leave (the seat paid them while a cover, or
    # nobody, worked), and the dates worked or held: what ``approved_people_cost`` shares pay by.
    leave_seat_days: dict[int, int] = field(default_factory=dict)
    seat_dates: int = 0

    @property
    def agent_id(self) -> int:
        return self.agent.agent_id

    @property
    def fast_response_share(self) -> Decimal | None:
        return _share(self.kpis)


def _share(kpis: WorkloadKpis) -> Decimal | None:
    if not kpis.timed_records or kpis.first_response_misses is None:
        return None
    fast = kpis.timed_records - kpis.first_response_misses
    return (Decimal(fast) / kpis.timed_records).quantize(_RATIO, rounding=ROUND_HALF_UP)


def scorecard_until(month: date) -> date:
    """The last date a month's scorecard counts: its last day, or today for the month in
    progress. Callers refuse months that have not started (``clock.month_has_started``)."""
    return min(month_last_day(month), clock.today())


@dataclass
class _RosterFacts:
    worked: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))
    scheduled: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))
    covers: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    seat_days: dict[int, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    held: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))
    leave_seat_days: dict[int, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )


def _roster_facts(*, date_from: date, date_to: date, agent_id: int | None) -> _RosterFacts:
    facts = _RosterFacts()
    for slot in roster_slots(date_from=date_from, date_to=date_to, agent_id=agent_id):
        if slot.agent_id is not None:
            facts.worked[slot.agent_id].add(slot.date)
            facts.scheduled[slot.agent_id].add(slot.date)
            facts.seat_days[slot.agent_id][slot.seat_id] += 1
            if slot.kind == "cover":
                facts.covers[slot.agent_id] += 1
        # A day of approved leave is not a scheduled day: paid leave is not an absence, and
        # unpaid leave is added back by ``month_scorecards`` (it is). The seat still holds the
        # agent that day: their pay for it is that seat's cost.
        if slot.on_leave and slot.regular_agent_id is not None:
            facts.held[slot.regular_agent_id].add(slot.date)
            facts.leave_seat_days[slot.regular_agent_id][slot.seat_id] += 1
    return facts


def month_scorecards(
    *, month: date, agent_ids: Iterable[int] | None = None
) -> dict[int, Scorecard]:
    """{agent id: Scorecard} of the agents employed in ``month`` (or of ``agent_ids`` among
    them), by name. A constant number of queries, whatever the number of agents."""
    month = month.replace(day=1)
    until = scorecard_until(month)
    wanted = None if agent_ids is None else sorted(set(agent_ids))
    agents = agents_employed_in(date_from=month, date_to=until, agent_ids=wanted)
    if not agents:
        return {}
    ids = [agent.agent_id for agent in agents] if wanted is not None else None
    book = pay_book_for(month)
    kpis = workload_kpis(date_from=month, date_to=until, by="agent", agent_ids=ids)
    work_days = agent_work_days(date_from=month, date_to=until, agent_ids=ids)
    single = ids[0] if ids is not None and len(ids) == 1 else None
    roster = _roster_facts(date_from=month, date_to=until, agent_id=single)
    unpaid: dict[int, int] = defaultdict(int)
    for agent_id, _ in approved_leave_days(date_from=month, date_to=until, unpaid=True):
        unpaid[agent_id] += 1
    unpaid_scheduled = {
        (agent_id, day)
        for agent_id, day in approved_leave_days(date_from=month, date_to=until, unpaid=True)
    }
    quality = quality_averages(date_from=month, date_to=until, agent_ids=ids)

    cards = {}
    for agent in agents:
        agent_id = agent.agent_id
        figures = kpis.get(agent_id, WorkloadKpis())
        worked = roster.worked.get(agent_id, set())
        scheduled = set(roster.scheduled.get(agent_id, set()))
        # Unpaid leave counts as a scheduled day even where the roster has no seat-shift.
        scheduled |= {day for who, day in unpaid_scheduled if who == agent_id}
        days_worked = len(worked)
        with_records = work_days.get(agent_id, 0)
        per_day_base = days_worked or with_records
        per_day = (
            (Decimal(figures.inquiries) / per_day_base).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if figures.records and per_day_base
            else None
        )
        average_load = (
            int((Decimal(figures.inquiries) / with_records).to_integral_value(ROUND_HALF_UP))
            if with_records
            else None
        )
        attendance = (
            (Decimal(days_worked) / len(scheduled)).quantize(_RATIO, ROUND_HALF_UP)
            if scheduled
            else None
        )
        quality_average, reviews = quality.get(agent_id, (None, 0))
        actual = {
            Kpi.INQUIRIES: per_day,
            Kpi.CONVERSION: figures.conversion_rate if figures.records else None,
            Kpi.ANSWER_RATIO: figures.answer_ratio,
            Kpi.FAST_RESPONSES: _share(figures),
            Kpi.SALES: figures.sales,
            Kpi.ATTENDANCE: attendance,
            Kpi.QUALITY: quality_average,
        }
        lines = [
            KpiLine(
                kpi=kpi,
                actual=actual[kpi],
                target=book.targets[kpi],
                weight=book.weights[kpi],
                score=calculations.kpi_score(actual[kpi], book.targets[kpi]),
            )
            for kpi in Kpi.values
        ]
        # No workload recorded: nothing to measure the month by, so no score and no grade
        # (attendance alone earns no bonus).
        score = (
            calculations.weighted_score({line.kpi: line.score for line in lines}, book.weights)
            if figures.records
            else None
        )
        cards[agent_id] = Scorecard(
            agent=agent,
            month=month,
            until=until,
            kpis=figures,
            days_worked=days_worked,
            days_scheduled=len(scheduled),
            work_days=with_records,
            covers=roster.covers.get(agent_id, 0),
            unpaid_leave_days=unpaid.get(agent_id, 0),
            average_load=average_load,
            load_band=None if average_load is None else str(load_band(average_load)),
            quality_average=quality_average,
            quality_reviews=reviews,
            lines=lines,
            score=score,
            grade=calculations.grade_for(score, book.grade_floors),
            seat_days=dict(roster.seat_days.get(agent_id, {})),
            leave_seat_days=dict(roster.leave_seat_days.get(agent_id, {})),
            seat_dates=len(worked | roster.held.get(agent_id, set())),
        )
    return cards


def ranking(cards: dict[int, Scorecard]) -> list[Scorecard]:
    """The month's ranking board: by score, highest first (unscored last), then by name."""
    return sorted(
        cards.values(),
        key=lambda card: (card.score is None, -(card.score or 0), card.agent.name),
    )
