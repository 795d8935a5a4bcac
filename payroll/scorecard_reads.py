"""What the scorecard pages, the desk and the API read: one agent's month, the month's ranking
board, with the pay book that scored them and the bonus each grade earns.

Every read is a constant number of queries (``payroll.scorecards.month_scorecards`` plus the
pay book), whatever the number of agents.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from agency import clock
from agency.months import format_month, parse_month
from payroll.models import PayBook
from payroll.scorecards import Scorecard, month_scorecards, ranking, scorecard_until
from payroll.selectors import pay_book_for

NO_BONUS = Decimal("0.00")


def scorecard_month(text: str | None, *, started: bool = True) -> date:
    """The month asked for as ``YYYY-MM`` (none: the month in progress). A malformed month, or
    (``started``) one that has not started, is refused on ``month``."""
    if not text:
        return clock.current_month()
    try:
        month = parse_month(text)
    except ValueError as error:
        raise ValidationError({"month": [str(error)]}) from None
    if started and not clock.month_has_started(month):
        raise ValidationError(
            {
                "month": [
                    gettext("%(month)s has not started yet; there is nothing to score.")
                    % {"month": format_month(month)}
                ]
            }
        )
    return month


def pay_book_is_default(book: PayBook) -> bool:
    """Whether ``book`` is the documented defaults (no version saved for the month)."""
    return book.pk is None


@dataclass(frozen=True)
class ScoredMonth:
    """One agent's scorecard with what the pay book makes of it."""

    card: Scorecard
    book: PayBook
    rank: int | None = None

    @property
    def bonus(self) -> Decimal:
        return self.book.grade_bonuses.get(self.card.grade, NO_BONUS)

    @property
    def known_weight(self) -> int:
        """The weights of the KPIs that are known: the score is their weighted average."""
        return sum(line.weight for line in self.card.lines if line.score is not None)

    @property
    def known_points(self) -> Decimal:
        return sum(
            (line.points for line in self.card.lines if line.points is not None), Decimal("0")
        )

    @property
    def unknown_lines(self) -> list:
        return [line for line in self.card.lines if line.score is None]

    @property
    def grade_floor(self) -> Decimal | None:
        return self.book.grade_floors.get(self.card.grade)

    @property
    def line(self) -> dict:
        """The KPI lines by KPI (``scored.line.conversion``)."""
        return {line.kpi: line for line in self.card.lines}


def agent_scorecard(*, agent_id: int, month: date) -> ScoredMonth | None:
    """The agent's scorecard of ``month`` (None: not employed in it)."""
    card = month_scorecards(month=month, agent_ids=[agent_id]).get(agent_id)
    if card is None:
        return None
    return ScoredMonth(card=card, book=pay_book_for(month))


@dataclass(frozen=True)
class Board:
    month: date
    until: date
    book: PayBook
    rows: list[ScoredMonth]


def ranking_board(*, month: date) -> Board:
    """Every agent employed in ``month``, ranked by score (equal scores share a rank; agents
    without a score come last, unranked)."""
    book = pay_book_for(month)
    cards = ranking(month_scorecards(month=month))
    rows = []
    rank = 0
    previous = None
    for position, card in enumerate(cards, start=1):
        if card.score is None:
            rows.append(ScoredMonth(card=card, book=book))
            continue
        if card.score != previous:
            rank, previous = position, card.score
        rows.append(ScoredMonth(card=card, book=book, rank=rank))
    return Board(month=month, until=scorecard_until(month), book=book, rows=rows)


SORT_KEYS = {
    "rank": lambda row: (row.rank is None, row.rank or 0, row.card.agent.name),
    "agent": lambda row: (row.card.agent.name, row.card.agent_id),
    "conversion": lambda row: _none_last(
        row.card.kpis.conversion_rate if row.card.kpis.records else None
    ),
    "sales": lambda row: _none_last(row.card.kpis.sales),
    "quality": lambda row: _none_last(row.card.quality_average),
    "days": lambda row: _none_last(row.card.days_worked),
}


def _none_last(value):
    return (value is None, -(value or 0))


def sort_board(rows: list[ScoredMonth], key: str) -> list[ScoredMonth]:
    """The board by ``key`` (``SORT_KEYS``; numbers highest first, unknown last)."""
    return sorted(rows, key=SORT_KEYS.get(key, SORT_KEYS["rank"]))
