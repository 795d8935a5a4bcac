"""Agents: the list with who holds which seat today, an agent's load heatmap and KPIs, forms."""

from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from agency import clock
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
from web.forms import AgentFilterForm, AgentForm
from web.views.base import ManagerPage, ServiceFormPage, paginate
from web.views.sub_accounts import note_sub_accounts_to_revoke

HEATMAP_WEEKS = 8
KPI_DAYS = 30
AGENT_FORM_FIELDS = ("name", "employee_no", "hired_on", "status", "base_salary", "email")


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
            miss_seconds=first_response_miss_limit(),
            legend=selectors.band_legend(),
            **kwargs,
        )


class AgentFormView(ServiceFormPage):
    """Create or edit an agent (``seats.services.agent_create`` / ``agent_update``)."""

    nav = "agents"
    form_class = AgentForm
    fields = AGENT_FORM_FIELDS
    object_name = "agent"

    def load(self, pk: int):
        return get_object_or_404(agent_list(), pk=pk)

    def create(self, data):
        return services.agent_create(**data, actor=self.request.user)

    def update(self, changed):
        return services.agent_update(agent=self.object, data=changed, actor=self.request.user)

    def saved(self, obj) -> str:
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
