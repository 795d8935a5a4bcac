"""The roster (排班表), leave and covers: the manager's pages.

The grid reads ``seats.roster`` (who works each seat-shift each date, leave and covers included);
every write goes through ``seats.services`` (``leave_request`` / ``leave_approve`` /
``leave_reject`` / ``leave_cancel``, ``cover_create`` / ``cover_delete``), whose refusals show on
the form or as a message.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency import clock
from agency.choices import Shift
from agency.errors import ApplicationError
from agency.formatting import date_text
from seats import roster
from seats import services as seat_services
from seats.choices import LeaveStatus
from seats.selectors import agent_names, agents_assignable, seats_by_code
from web.forms import DateInput, add_service_error
from web.mixins import ManagerRequiredMixin
from web.views.base import ManagerPage, paginate, redirect_back

WEEK, MONTH = "week", "month"
BY_SEAT, BY_AGENT = "seat", "agent"


def period_of(start: date, period: str) -> tuple[date, date]:
    """The week (Monday to Sunday) or the calendar month that holds ``start``."""
    if period == MONTH:
        first = start.replace(day=1)
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    monday = start - timedelta(days=start.weekday())
    return monday, monday + timedelta(days=6)


def neighbours(first: date, period: str) -> tuple[date, date]:
    """The first dates of the period before and the period after."""
    if period == MONTH:
        previous = (first - timedelta(days=1)).replace(day=1)
        following = (first + timedelta(days=31)).replace(day=1)
        return previous, following
    return first - timedelta(days=7), first + timedelta(days=7)


class RosterForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=[(WEEK, gettext_lazy("Week")), (MONTH, gettext_lazy("Month"))],
        required=False,
    )
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    by = forms.ChoiceField(
        label=gettext_lazy("Rows"),
        choices=[(BY_SEAT, gettext_lazy("Per seat")), (BY_AGENT, gettext_lazy("Per agent"))],
        required=False,
    )
    seat = forms.TypedChoiceField(
        label=gettext_lazy("Seat"), coerce=int, required=False, empty_value=None
    )
    agent = forms.TypedChoiceField(
        label=gettext_lazy("Agent"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, seats, agents, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["seat"].choices = everything + [(seat.pk, seat.code) for seat in seats]
        self.fields["agent"].choices = everything + [(agent.pk, agent.name) for agent in agents]


@dataclass
class Cell:
    """One date of one row: a seat-shift's slot (per seat) or an agent's work (per agent)."""

    day: date
    slot: roster.RosterSlot | None = None
    agent_name: str = ""
    regular_name: str = ""
    work: list[tuple[str, str, bool]] = field(default_factory=list)  # (seat, shift, cover?)
    on_leave: bool = False

    @property
    def uncovered(self) -> bool:
        return self.slot is not None and self.slot.uncovered


@dataclass
class Row:
    label: str
    shift: str = ""
    seat_id: int | None = None
    agent_id: int | None = None
    cells: list[Cell] = field(default_factory=list)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def seat_rows(slots: list[roster.RosterSlot], seats, names: dict[int, str]) -> list[Row]:
    """One row per seat-shift, one cell per date."""
    rows: dict[tuple[int, str], Row] = {}
    for seat in seats:
        for shift in Shift.values:
            rows[(seat.pk, shift)] = Row(label=seat.code, shift=shift, seat_id=seat.pk)
    for slot in slots:
        row = rows.get((slot.seat_id, slot.shift))
        if row is not None:
            row.cells.append(
                Cell(
                    day=slot.date,
                    slot=slot,
                    agent_name=names.get(slot.agent_id, ""),
                    regular_name=names.get(slot.regular_agent_id, ""),
                    on_leave=slot.on_leave,
                )
            )
    return list(rows.values())


def agent_rows(
    slots: list[roster.RosterSlot],
    days: list[date],
    agents,
    seat_codes: dict[int, str],
    leave_days: set[tuple[int, date]],
) -> list[Row]:
    """One row per agent, one cell per date: the seat-shifts they work, or their leave."""
    rows = {
        agent.pk: Row(label=agent.name, agent_id=agent.pk, cells=[Cell(day=day) for day in days])
        for agent in agents
    }
    index = {day: n for n, day in enumerate(days)}
    for slot in slots:
        if slot.agent_id in rows:
            cell = rows[slot.agent_id].cells[index[slot.date]]
            cell.work.append((seat_codes[slot.seat_id], slot.shift, slot.kind == "cover"))
    for agent_id, day in leave_days:
        if agent_id in rows and day in index:
            rows[agent_id].cells[index[day]].on_leave = True
    return list(rows.values())


class RosterView(ManagerPage):
    """Week or month, per seat or per agent; uncovered needed seat-shifts in red, each with a link
    to give it a cover. Printable: the print stylesheet drops the controls."""

    template_name = "manager/roster/roster.html"
    nav = "roster"

    def get_context_data(self, **kwargs):
        seats = list(seats_by_code())
        agents = list(agents_assignable())
        form = RosterForm(self.request.GET or None, seats=seats, agents=agents)
        values = form.cleaned_data if form.is_valid() else {}
        today = clock.today()
        period = values.get("period") or WEEK
        by = values.get("by") or BY_SEAT
        first, last = period_of(values.get("start") or today, period)
        days = _days(first, last)
        seat_id, agent_id = values.get("seat"), values.get("agent")
        shown_seats = [seat for seat in seats if seat_id in (None, seat.pk)]
        slots = roster.roster_slots(
            date_from=first,
            date_to=last,
            seat_ids=[seat.pk for seat in shown_seats],
            agent_id=agent_id,
        )
        if by == BY_AGENT:
            shown_agents = [agent for agent in agents if agent_id in (None, agent.pk)]
            rows = agent_rows(
                slots,
                days,
                shown_agents,
                {seat.pk: seat.code for seat in seats},
                roster.approved_leave_days(date_from=first, date_to=last),
            )
        else:
            names = agent_names(
                ids={s.agent_id for s in slots} | {s.regular_agent_id for s in slots} - {None}
            )
            rows = seat_rows(slots, shown_seats, names)
            if agent_id is not None:
                rows = [row for row in rows if row.cells]
        previous, following = neighbours(first, period)
        base = {"period": period, "by": by}
        if seat_id:
            base["seat"] = seat_id
        if agent_id:
            base["agent"] = agent_id

        def link(start: date) -> str:
            return "?" + urlencode({**base, "start": start.isoformat()})

        covers = roster.cover_list().filter(start_date__lte=last, end_date__gte=first)
        if seat_id:
            covers = covers.filter(seat_id=seat_id)
        return super().get_context_data(
            form=form,
            period=period,
            by=by,
            first=first,
            last=last,
            days=days,
            columns=[(day, WEEKDAYS_ABBR[day.weekday()]) for day in days],
            today=today,
            rows=rows,
            uncovered=sum(1 for slot in slots if slot.uncovered),
            previous_url=link(previous),
            next_url=link(following),
            today_url=link(today),
            week_url="?" + urlencode({**base, "period": WEEK, "start": first.isoformat()}),
            month_url="?" + urlencode({**base, "period": MONTH, "start": first.isoformat()}),
            covers=list(covers),
            **kwargs,
        )


def roster_url(day: date, period: str = WEEK) -> str:
    return reverse("web:roster") + "?" + urlencode({"period": period, "start": day.isoformat()})


# --- Covers -------------------------------------------------------------------------------------


class CoverForm(forms.Form):
    seat = forms.TypedChoiceField(label=gettext_lazy("Seat"), coerce=int)
    shift = forms.ChoiceField(label=gettext_lazy("Shift"), choices=Shift.choices)
    start_date = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("To (inclusive)"), widget=DateInput())
    agent = forms.TypedChoiceField(
        label=gettext_lazy("Agent"),
        coerce=int,
        help_text=gettext_lazy("Only agents free on every date are listed."),
    )

    def __init__(self, *args, seats, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = {seat.pk: seat for seat in seats}
        self.agents = {agent.pk: agent for agent in agents}
        self.fields["seat"].choices = [(seat.pk, seat.code) for seat in seats]
        self.fields["agent"].choices = [("", "—")] + [(a.pk, a.name) for a in agents]


class CoverCreateView(ManagerPage):
    """Give a seat-shift to a free agent for some dates, usually from an uncovered roster cell.

    The agent list holds only the agents free on every date of the range shown (``free_agents``);
    changing the dates and pressing "Find free agents" reloads it. The service checks again.
    """

    template_name = "manager/roster/cover_form.html"
    nav = "roster"

    def _range(self, data) -> tuple[date, date]:
        today = clock.today()
        field = forms.DateField(required=False)
        try:
            start = field.clean(data.get("start_date") or data.get("date")) or today
            end = field.clean(data.get("end_date")) or start
        except ValidationError:
            return today, today
        return start, max(start, end)

    def _form(self, data, *, bound: bool):
        start, end = self._range(data)
        free = roster.free_agents(date_from=start, date_to=end)
        initial = {
            "seat": data.get("seat"),
            "shift": data.get("shift") or Shift.DAY,
            "start_date": start,
            "end_date": end,
        }
        seats = list(seats_by_code())
        if bound:
            return CoverForm(data, seats=seats, agents=free), free
        return CoverForm(initial=initial, seats=seats, agents=free), free

    def get(self, request, *args, **kwargs):
        form, free = self._form(request.GET, bound=False)
        return self.render_to_response(self.get_context_data(form=form, free=free))

    def post(self, request, *args, **kwargs):
        form, free = self._form(request.POST, bound=True)
        if "find" not in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                cover = seat_services.cover_create(
                    seat=form.seats[data["seat"]],
                    shift=data["shift"],
                    agent=form.agents[data["agent"]],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    actor=request.user,
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(agent)s covers seat %(seat)s (%(shift)s) from %(start)s to %(end)s.")
                    % {
                        "agent": cover.agent.name,
                        "seat": cover.seat.code,
                        "shift": Shift(cover.shift).label,
                        "start": date_text(cover.start_date),
                        "end": date_text(cover.end_date),
                    },
                )
                return redirect(roster_url(cover.start_date))
        elif "find" in request.POST:
            form, free = self._form(request.POST, bound=False)
        return self.render_to_response(self.get_context_data(form=form, free=free))


class CoverDeleteView(ManagerRequiredMixin, View):
    """Remove a cover (asked to confirm on the page); its dates go back to the regular agent."""

    def post(self, request, pk: int):
        cover = get_object_or_404(roster.cover_list(), pk=pk)
        seat_services.cover_delete(cover=cover, actor=request.user)
        messages.success(
            request,
            _("The cover of seat %(seat)s (%(shift)s) by %(agent)s was removed.")
            % {
                "seat": cover.seat.code,
                "shift": Shift(cover.shift).label,
                "agent": cover.agent.name,
            },
        )
        return redirect_back(request, roster_url(cover.start_date))


# --- Leave --------------------------------------------------------------------------------------


class LeaveForm(forms.Form):
    agent = forms.TypedChoiceField(label=gettext_lazy("Agent"), coerce=int)
    start_date = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("To (inclusive)"), widget=DateInput())
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)
    unpaid = forms.BooleanField(
        label=gettext_lazy("Unpaid leave (deducted from base pay)"), required=False
    )
    approve = forms.BooleanField(
        label=gettext_lazy("Approve at once"), required=False, initial=True
    )

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.agents = {agent.pk: agent for agent in agents}
        self.fields["agent"].choices = [("", "—")] + [(a.pk, a.name) for a in agents]


class LeaveStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All"))] + list(LeaveStatus.choices),
        required=False,
    )


def _uncovered_message(request, decision: seat_services.LeaveDecision) -> None:
    dates = decision.uncovered_dates
    if not dates:
        return
    messages.warning(
        request,
        _(
            "%(count)s needed seat-shifts of %(agent)s have nobody during this leave (first: "
            "%(first)s). Give them a cover on the roster."
        )
        % {
            "count": len(decision.uncovered),
            "agent": decision.leave.agent.name,
            "first": date_text(dates[0]),
        },
    )


class LeaveView(ManagerPage):
    """Leave requests (newest first), approve or reject them, and record leave for an agent."""

    template_name = "manager/roster/leave.html"
    nav = "roster"

    def _page(self, form: LeaveForm, **kwargs):
        status_form = LeaveStatusForm(self.request.GET or None)
        leave = roster.leave_list(user=self.request.user)
        if status_form.is_valid() and status_form.cleaned_data["status"]:
            leave = leave.filter(status=status_form.cleaned_data["status"])
        return self.render_to_response(
            self.get_context_data(
                form=form,
                status_form=status_form,
                page=paginate(self.request, leave),
                today=clock.today(),
                **kwargs,
            )
        )

    def get(self, request, *args, **kwargs):
        today = clock.today()
        form = LeaveForm(
            initial={"start_date": today, "end_date": today, "agent": request.GET.get("agent")},
            agents=list(agents_assignable()),
        )
        return self._page(form)

    def post(self, request, *args, **kwargs):
        form = LeaveForm(request.POST, agents=list(agents_assignable()))
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = seat_services.leave_request(
                    agent=form.agents[data["agent"]],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    reason=data["reason"],
                    unpaid=data["unpaid"],
                    approve=data["approve"],
                    actor=request.user,
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("Leave of %(agent)s saved.") % {"agent": decision.leave.agent.name}
                )
                _uncovered_message(request, decision)
                return redirect("web:leave-list")
        return self._page(form)


LEAVE_ACTIONS = ("approve", "reject", "cancel")


class LeaveActionView(ManagerRequiredMixin, View):
    """Approve, reject or cancel one leave request (the page asks to confirm first)."""

    action = ""

    def post(self, request, pk: int):
        leave = get_object_or_404(roster.leave_list(user=request.user), pk=pk)
        try:
            if self.action == "approve":
                # The approve button carries the unpaid box, pre-set as requested: the manager
                # settles it when approving.
                unpaid = request.POST.get("unpaid") == "1" if "unpaid_set" in request.POST else None
                decision = seat_services.leave_approve(
                    leave=leave, unpaid=unpaid, actor=request.user
                )
                messages.success(
                    request, _("Leave of %(agent)s approved.") % {"agent": leave.agent.name}
                )
                _uncovered_message(request, decision)
                if decision.uncovered:
                    return redirect(roster_url(decision.uncovered_dates[0]))
            elif self.action == "reject":
                seat_services.leave_reject(leave=leave, actor=request.user)
                messages.success(
                    request, _("Leave of %(agent)s rejected.") % {"agent": leave.agent.name}
                )
            else:
                seat_services.leave_cancel(leave=leave, actor=request.user)
                messages.success(
                    request, _("Leave of %(agent)s cancelled.") % {"agent": leave.agent.name}
                )
        except (ValidationError, ApplicationError) as error:
            text = (
                error.message if isinstance(error, ApplicationError) else " ".join(error.messages)
            )
            messages.error(request, text)
        return redirect_back(request, reverse("web:leave-list"))
