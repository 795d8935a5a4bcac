"""Pay book (薪酬方案) and scorecards (绩效考核): the book in force with its versions and history,
the form that saves a version, the month's ranking board and an agent's scorecard with its
arithmetic."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from agency import clock
from agency.errors import ApplicationError
from agency.formatting import month_text
from agency.months import format_month, parse_month
from payroll.choices import Grade, Kpi
from payroll.scorecard_reads import (
    SORT_KEYS,
    agent_scorecard,
    pay_book_is_default,
    ranking_board,
    sort_board,
)
from payroll.selectors import pay_book_changes, pay_book_for, pay_book_list
from payroll.services.pay_book import PAY_BOOK_FIELDS, first_open_month, pay_book_save
from seats.selectors import agent_list
from web.forms import add_service_error
from web.pay_book_forms import PayBookForm, ScorecardMonthForm
from web.views.base import ManagerPage, paginate

HISTORY_ROWS = 30
MONTHS_BACK = 12


def _month_choices(current):
    months = [current]
    while len(months) < MONTHS_BACK:
        months.append(clock.previous_month(months[-1]))
    return months


def asked_month(request) -> tuple[object, ScorecardMonthForm]:
    """The month of ``?month=`` (default: the month in progress; a month not started or
    malformed falls back to it, with the form saying why)."""
    current = clock.current_month()
    if "month" not in request.GET:
        return current, ScorecardMonthForm(initial={"month": format_month(current)})
    form = ScorecardMonthForm(request.GET)
    if form.is_valid():
        month = form.cleaned_data["month"]
        if month <= current:
            return month, form
        form.add_error(
            "month",
            _("%(month)s has not started yet; there is nothing to score.")
            % {"month": format_month(month)},
        )
    return current, form


class PayBookView(ManagerPage):
    template_name = "manager/scorecards/pay_book.html"
    nav = "scorecards"

    def get_context_data(self, **kwargs):
        current = clock.current_month()
        book = pay_book_for(current)
        versions = paginate(self.request, pay_book_list())
        opens = first_open_month()
        return super().get_context_data(
            book=book,
            book_is_default=pay_book_is_default(book),
            month=current,
            versions=versions,
            page_obj=versions,
            first_open=opens,
            changes=pay_book_changes(limit=HISTORY_ROWS),
            kpis=Kpi.choices,
            **kwargs,
        )


class PayBookFormView(ManagerPage):
    """Save the version of a month (``?month=`` picks it): a new one starts from the book in
    force then."""

    template_name = "manager/scorecards/pay_book_form.html"
    nav = "scorecards"

    def _month(self):
        opens = first_open_month()
        default = max(clock.current_month(), opens) if opens else clock.current_month()
        try:
            return parse_month(self.request.GET.get("month", ""))
        except ValueError:
            return default

    def _initial(self, month) -> dict:
        book = pay_book_for(month)
        initial = {name: getattr(book, name) for name in PAY_BOOK_FIELDS}
        initial["effective_from"] = format_month(month)
        if book.pk is None or book.effective_from != month:
            initial["note"] = ""
        return initial

    def get(self, request, *args, **kwargs):
        form = PayBookForm(initial=self._initial(self._month()))
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = PayBookForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            month = data.pop("effective_from")
            try:
                book = pay_book_save(effective_from=month, data=data, actor=request.user)
            except (ValidationError, ApplicationError) as error:
                if isinstance(error, ApplicationError) and "effective_from" in error.extra:
                    form.add_error("effective_from", error.message)
                else:
                    add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Pay book saved: it applies from %(month)s on.")
                    % {"month": month_text(book.effective_from)},
                )
                return redirect("web:pay-book")
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(first_open=first_open_month(), **kwargs)


class ScorecardBoardView(ManagerPage):
    """The month's ranking board, sortable by ``?sort=``."""

    template_name = "manager/scorecards/board.html"
    nav = "scorecards"

    def get_context_data(self, **kwargs):
        month, form = asked_month(self.request)
        board = ranking_board(month=month)
        sort = self.request.GET.get("sort", "rank")
        if sort not in SORT_KEYS:
            sort = "rank"
        rows = sort_board(board.rows, sort)
        return super().get_context_data(
            form=form,
            month=month,
            board=board,
            rows=rows,
            sort=sort,
            months=_month_choices(clock.current_month()),
            book_is_default=pay_book_is_default(board.book),
            scored=sum(1 for row in rows if row.card.score is not None),
            **kwargs,
        )


class AgentScorecardView(ManagerPage):
    """One agent's month: each KPI's actual against its target, the score and the grade."""

    template_name = "manager/scorecards/scorecard.html"
    nav = "scorecards"

    def get_context_data(self, **kwargs):
        agent = get_object_or_404(agent_list(), pk=self.kwargs["pk"])
        month, form = asked_month(self.request)
        scored = agent_scorecard(agent_id=agent.pk, month=month)
        return super().get_context_data(
            agent=agent,
            form=form,
            month=month,
            scored=scored,
            book_is_default=scored is not None and pay_book_is_default(scored.book),
            grades=Grade,
            board_url=reverse("web:scorecard-board") + f"?month={format_month(month)}",
            **kwargs,
        )
