"""Agents: the list with who holds which seat today, an agent's load heatmap and KPIs, forms."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from agency import clock
from agency.access import is_manager
from agency.errors import ApplicationError
from agency.formatting import date_text
from payroll.selectors import pay_book_for
from seats import roster, services
from seats.calculations import first_response_miss_limit
from seats.selectors import (
    agent_assignments,
    agent_kpis,
    agent_list,
    agent_load,
    agent_loads_on,
    current_assignments,
    sub_accounts_of,
    sub_accounts_to_revoke,
)
from web import selectors
from web.forms import (
    AgentCreateForm,
    AgentDeactivateForm,
    AgentFilterForm,
    AgentForm,
    add_service_error,
)
from web.views.base import ManagerPage, ServiceFormPage, paginate, prefixed_errors
from web.views.sub_accounts import note_sub_accounts_to_revoke

HEATMAP_WEEKS = 8
KPI_DAYS = 30
AGENT_FORM_FIELDS = (
    "name",
    "employee_no",
    "hired_on",
    "status",
    "base_salary",
    "email",
    "commission_rate",
)


class AgentListView(ManagerPage):
    template_name = "manager/agents/list.html"
    nav = "agents"

    def get_context_data(self, **kwargs):
        form = AgentFilterForm(self.request.GET or None)
        agents = agent_list().order_by("name", "id")
        if form.is_valid() and form.cleaned_data["status"]:
            agents = agents.filter(status=form.cleaned_data["status"])
        page = paginate(self.request, agents)
        today = clock.today()
        ids = [agent.pk for agent in page.object_list]
        holdings = current_assignments(agent_ids=ids, day=today)
        covers = roster.covers_on(day=today, agent_ids=ids)
        away = {
            agent_id for agent_id, day in roster.approved_leave_days(date_from=today, date_to=today)
        }
        loads = agent_loads_on(day=today, agent_ids=ids)
        rows = [loads[agent.pk] for agent in page.object_list]
        return super().get_context_data(
            form=form,
            page_obj=page,
            rows=list(zip(page.object_list, rows, strict=True)),
            holdings=holdings,
            covers=covers,
            away=away,
            today=today,
            **kwargs,
        )


def heatmap(loads, first_monday, today):
    """Rows Monday..Sunday, a column per week; ``None`` for the days still to come."""
    by_date = {load.date: load for load in loads}
    weeks = [first_monday + timedelta(weeks=week) for week in range(HEATMAP_WEEKS)]
    rows = []
    for weekday in range(7):
        cells = []
        for monday in weeks:
            day = monday + timedelta(days=weekday)
            cells.append(by_date.get(day) if day <= today else None)
        rows.append((WEEKDAYS_ABBR[weekday], cells))
    return weeks, rows


class AgentDetailView(ManagerPage):
    template_name = "manager/agents/detail.html"
    nav = "agents"

    def get_context_data(self, **kwargs):
        agent = get_object_or_404(agent_list(), pk=self.kwargs["pk"])
        today = clock.today()
        first_monday = today - timedelta(days=today.weekday(), weeks=HEATMAP_WEEKS - 1)
        loads = agent_load(agent_id=agent.pk, date_from=first_monday, date_to=today)
        weeks, rows = heatmap(loads, first_monday, today)
        kpi_from = today - timedelta(days=KPI_DAYS - 1)
        total, by_shop = agent_kpis(agent_id=agent.pk, date_from=kpi_from, date_to=today)
        assignments = agent_assignments(agent=agent, limit=10)
        return super().get_context_data(
            agent=agent,
            today=today,
            weeks=weeks,
            heatmap_rows=rows,
            heatmap_from=first_monday,
            kpis=total,
            kpis_by_shop=by_shop,
            kpi_from=kpi_from,
            assignments=assignments,
            covers=roster.agent_covers(agent_id=agent.pk, limit=10),
            leave=list(roster.leave_list(user=self.request.user).filter(agent_id=agent.pk)[:10]),
            sub_accounts=list(sub_accounts_of(agent_id=agent.pk)),
            sub_accounts_due=set(
                sub_accounts_to_revoke(today=today, agent_ids=[agent.pk]).values_list(
                    "pk", flat=True
                )
            ),
            account=agent.user,
            default_rate=pay_book_for(today).commission_rate,
            miss_seconds=first_response_miss_limit(),
            legend=selectors.band_legend(),
            **kwargs,
        )


class AgentFormView(ServiceFormPage):
    """Create or edit an agent (``seats.services.agent_create`` / ``agent_update``)."""

    nav = "agents"
    fields = AGENT_FORM_FIELDS
    object_name = "agent"

    @property
    def form_class(self):
        return AgentCreateForm if self.object is None else AgentForm

    def load(self, pk: int):
        return get_object_or_404(agent_list(), pk=pk)

    def form_kwargs(self):
        # The rate an agent without their own is paid at: the pay book in force this month.
        return {"default_rate": pay_book_for(clock.today()).commission_rate}

    @transaction.atomic
    def create(self, data):
        """The agent, and their account when a username is given: both or neither; the
        invitation leaves once both are saved."""
        agent = services.agent_create(
            **{field: data[field] for field in AGENT_FORM_FIELDS}, actor=self.request.user
        )
        if data.get("account_username"):
            with prefixed_errors("account_", ("username", "email", "language")):
                services.account_create(
                    role="agent",
                    agent=agent,
                    username=data["account_username"],
                    email=data["account_email"] or agent.email,
                    language=data["account_language"],
                    actor=self.request.user,
                )
        return agent

    def update(self, changed):
        return services.agent_update(agent=self.object, data=changed, actor=self.request.user)

    def saved(self, obj) -> str:
        if self.object is None and self.request.POST.get("account_username"):
            return _(
                "Agent “%(name)s” saved; their account was opened and an invitation to choose a "
                "password sent."
            ) % {"name": obj.name}
        return _("Agent “%(name)s” saved.") % {"name": obj.name}

    def after_save(self, obj) -> None:
        # An agent who leaves must give back every shop's sub-account they hold.
        note_sub_accounts_to_revoke(self.request, agent_id=obj.pk)

    def done_url(self, obj) -> str:
        return reverse("web:agent-detail", args=[obj.pk])

    def texts(self) -> tuple[str, str]:
        if self.object is None:
            return _("New agent"), reverse("web:agent-list")
        return (
            _("Edit %(name)s") % {"name": self.object.name},
            reverse("web:agent-detail", args=[self.object.pk]),
        )


class AgentDeactivateView(ManagerPage):
    """An agent leaves (``seats.services.agent_deactivate``): a page that asks for the last
    working day and confirms; then the agent's page lists the sub-accounts still to revoke."""

    template_name = "manager/agents/deactivate.html"
    nav = "agents"

    def dispatch(self, request, *args, **kwargs):
        if is_manager(request.user):
            self.agent = get_object_or_404(agent_list().select_related("user"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        today = clock.today()
        return super().get_context_data(
            agent=self.agent,
            today=today,
            current=current_assignments(agent_ids=[self.agent.pk], day=today).get(self.agent.pk),
            sub_accounts_held=list(sub_accounts_of(agent_id=self.agent.pk).filter(revoked_on=None)),
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        form = AgentDeactivateForm(initial={"last_day": clock.today()})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = AgentDeactivateForm(request.POST)
        if form.is_valid():
            try:
                departure = services.agent_deactivate(
                    agent=self.agent, last_day=form.cleaned_data["last_day"], actor=request.user
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, departure_text(departure))
                if departure.account_deactivated:
                    messages.success(request, _("Their account is deactivated."))
                note_sub_accounts_to_revoke(request, agent_id=self.agent.pk)
                return redirect(
                    reverse("web:agent-detail", args=[self.agent.pk]) + "#sub-accounts-title"
                )
        return self.render_to_response(self.get_context_data(form=form), status=400)


def departure_text(departure) -> str:
    """What the manager is told once an agent has left."""
    return _(
        "%(name)s has left after %(day)s: %(ended)d seat-shift(s) end on that day, "
        "%(removed)d later one(s) removed."
    ) % {
        "name": departure.agent.name,
        "day": date_text(departure.last_day),
        "ended": departure.assignments_ended + departure.covers_ended,
        "removed": departure.assignments_removed + departure.covers_removed,
    }
