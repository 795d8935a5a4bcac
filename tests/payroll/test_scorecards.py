"""Monthly scorecards (DOMAIN.md, "Agent pay"): KPIs read from workloads, the roster (covers,
leave, unpaid leave), quality reviews and the pay book in force, for any number of agents in a
constant number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.choices import Shift
from payroll.models import PayBook, QualityReview
from payroll.scorecard_reads import agent_scorecard, ranking_board
from payroll.scorecards import month_scorecards
from tests.factories import (
    AgentFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    WorkloadFactory,
)
from tests.payroll.conftest import OCT, SHANGHAI

D = Decimal


pytestmark = pytest.mark.usefixtures("november")


def test_kpis_are_read_from_the_months_workloads(floor):
    card = month_scorecards(month=OCT)[floor["wang"].pk]
    assert card.kpis.inquiries == 110 * 28
    assert card.kpis.conversion_rate == D("0.6000")
    assert card.kpis.answer_ratio == D("1.1000")
    # 4 of the 28 records averaged over 120 s.
    assert card.fast_response_share == D("0.8571")
    assert card.kpis.sales == D("280000.00")
    assert card.average_load == 110
    assert card.load_band == "strained"


def test_leave_is_not_worked_paid_leave_is_not_scheduled_unpaid_leave_is(floor):
    card = month_scorecards(month=OCT)[floor["wang"].pk]
    assert card.days_worked == 28
    assert card.unpaid_leave_days == 1
    assert card.days_scheduled == 29  # 31 less the two days of paid leave
    line = {line.kpi: line for line in card.lines}["attendance"]
    assert line.actual == D("0.9655")  # 28 / 29


def test_a_cover_counts_as_days_worked_and_covers_for_the_floater(floor):
    card = month_scorecards(month=OCT)[floor["zhao"].pk]
    assert card.covers == 2
    assert card.days_worked == 2
    assert card.kpis.inquiries == 180


def test_the_quality_average_leaves_withdrawn_reviews_out(floor):
    card = month_scorecards(month=OCT)[floor["wang"].pk]
    assert card.quality_average == D("85.50")
    assert card.quality_reviews == 2


def test_an_agent_with_no_workload_is_not_scored(floor):
    cards = month_scorecards(month=OCT)
    for name in ("li", "qian"):
        card = cards[floor[name].pk]
        assert card.score is None
        assert card.grade == ""
    assert agent_scorecard(agent_id=floor["li"].pk, month=OCT).bonus == D("0.00")


def test_the_score_weights_each_kpi_against_its_target_with_the_defaults(floor):
    card = month_scorecards(month=OCT)[floor["wang"].pk]
    scores = {line.kpi: line.score for line in card.lines}
    assert scores == {
        "inquiries": D("100.00"),  # 110 a day worked, target 100: capped
        "conversion": D("100.00"),
        "answer_ratio": D("88.00"),  # 1.10 / 1.25
        "fast_responses": D("95.23"),  # 0.8571 / 0.90
        "sales": D("100.00"),
        "attendance": D("96.55"),
        "quality": D("95.00"),  # 85.50 / 90
    }
    # (100x15 + 100x20 + 88x15 + 95.23x5 + 100x25 + 96.55x5 + 95x15) / 100
    assert card.score == D("97.04")
    assert card.grade == "gold"


def test_unknown_figures_are_left_out_of_the_weighting(floor):
    card = month_scorecards(month=OCT)[floor["zhao"].pk]
    lines = {line.kpi: line for line in card.lines}
    assert lines["quality"].score is None  # no review
    # The floater has no roster day of his own but the covers: attendance 2 / 2.
    assert lines["attendance"].actual == D("1.0000")
    known = sum(line.weight for line in card.lines if line.score is not None)
    assert known == 85
    scored = agent_scorecard(agent_id=floor["zhao"].pk, month=OCT)
    assert scored.known_weight == 85
    assert [line.kpi for line in scored.unknown_lines] == ["quality"]


def test_the_pay_book_in_force_in_the_month_scores_it(floor):
    PayBook.objects.create(effective_from=dt.date(2026, 9, 1), gold_from=D("98.00"))
    PayBook.objects.create(effective_from=dt.date(2026, 11, 1), gold_from=D("90.01"))
    scored = agent_scorecard(agent_id=floor["wang"].pk, month=OCT)
    assert scored.book.effective_from == dt.date(2026, 9, 1)
    assert scored.card.grade == "silver"  # 97.04 under September's gold floor of 98
    assert scored.bonus == D("300.00")
    assert scored.grade_floor == D("90.00")


def test_the_ranking_board_ranks_by_score_and_puts_the_unscored_last(floor):
    board = ranking_board(month=OCT)
    ranked = [(row.rank, row.card.agent.name) for row in board.rows]
    assert ranked[0] == (1, "Wang")
    assert ranked[1][0] == 2 and ranked[1][1] == "Zhao"
    assert [rank for rank, _ in ranked[2:]] == [None, None]
    assert board.until == dt.date(2026, 10, 31)


def test_the_month_in_progress_is_scored_up_to_today(floor):
    with time_machine.travel(dt.datetime(2026, 10, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        card = month_scorecards(month=OCT)[floor["wang"].pk]
    assert card.until == dt.date(2026, 10, 10)
    assert card.days_worked == 7  # the 1st to the 10th less the three days away


def _grow(count: int, seat_start: int) -> None:
    shop = ShopFactory()
    for number in range(count):
        seat = SeatFactory(code=f"G{seat_start + number}")
        agent = AgentFactory(hired_on=dt.date(2025, 1, 1))
        SeatAssignmentFactory(seat=seat, agent=agent, shift=Shift.DAY, start_date=OCT)
        WorkloadFactory(agent=agent, shop=shop, date=OCT.replace(day=3))
        QualityReview.objects.create(
            agent=agent, shop=shop, chat_date=OCT, chat_reference="x", score=D("90")
        )


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_the_month_costs_the_same_queries_for_4_agents_and_for_24(floor):
    small = _queries(lambda: month_scorecards(month=OCT))
    board_small = _queries(lambda: ranking_board(month=OCT))
    _grow(20, 100)
    assert len(month_scorecards(month=OCT)) == 24
    assert _queries(lambda: month_scorecards(month=OCT)) == small
    assert _queries(lambda: ranking_board(month=OCT)) == board_small
