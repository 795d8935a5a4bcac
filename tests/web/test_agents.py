"""Agents: list with today's seat and load; detail with an 8-week heatmap and KPIs; forms."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from agency.choices import Shift
from seats.models import Agent
from tests.factories import AgentFactory, WorkloadFactory
from tests.web.conftest import TODAY, count_queries, grow_agency

LIST = "/agents/"


@pytest.mark.django_db
def test_list_shows_who_holds_which_seat_and_todays_band(manager_client, agency):
    response = manager_client.get(LIST)
    html = response.content.decode()
    night = agency.agents[1]
    assert response.context["holdings"][night.pk].seat.code == "S001"
    rows = {agent.name: day for agent, day in response.context["rows"]}
    assert (rows["Night Agent 1"].inquiries, rows["Night Agent 1"].band) == (85, "busy")
    assert (rows["Busy Bee"].inquiries, rows["Busy Bee"].band) == (0, "idle")
    assert "S001 · Night (17:00-24:00)" in html


@pytest.mark.django_db
def test_list_filters_by_status(manager_client, agency):
    AgentFactory(name="Gone Away", status="left")
    names = [agent.name for agent, _ in manager_client.get(f"{LIST}?status=left").context["rows"]]
    assert names == ["Gone Away"]


@pytest.mark.django_db
def test_list_costs_the_same_queries_for_few_and_many_agents(manager_client, agency, owner_a):
    small = count_queries(manager_client, LIST)
    grow_agency(agency, owner_a, seats=14)
    # 8: today's covers and approved leave sit next to each agent's own seat-shift.
    assert count_queries(manager_client, LIST) == small <= 8


@pytest.mark.django_db
def test_heatmap_covers_8_weeks_by_weekday_coloured_by_band(manager_client):
    agent = AgentFactory()
    WorkloadFactory(agent=agent, date=TODAY, inquiries=130)
    WorkloadFactory(agent=agent, date=TODAY - dt.timedelta(days=1), inquiries=65)
    response = manager_client.get(reverse("web:agent-detail", args=[agent.pk]))
    weeks, rows = response.context["weeks"], response.context["heatmap_rows"]
    assert len(weeks) == 8 and len(rows) == 7
    assert weeks[-1] == TODAY - dt.timedelta(days=TODAY.weekday())  # this week's Monday
    # 2026-10-15 is a Thursday: the last column has Monday..Thursday, then days to come.
    thursday = rows[3][1][-1]
    assert (thursday.date, thursday.inquiries, thursday.band) == (TODAY, 130, "overloaded")
    assert rows[2][1][-1].band == "normal"
    assert rows[4][1][-1] is None
    html = response.content.decode()
    assert 'class="band-overloaded"' in html and 'class="band-normal"' in html
    assert "&gt; 120" in html  # the legend says where each band starts


@pytest.mark.django_db
def test_kpis_over_the_last_30_days(manager_client):
    agent = AgentFactory()
    common = {"agent": agent, "buyer_messages": 100, "agent_messages": 150}
    WorkloadFactory(**common, date=TODAY, inquiries=60, conversions=30, first_response_seconds=30)
    WorkloadFactory(
        **common,
        date=TODAY,
        shift=Shift.NIGHT,
        inquiries=40,
        conversions=10,
        first_response_seconds=121,
    )
    # Older than 30 days: left out.
    WorkloadFactory(**common, date=TODAY - dt.timedelta(days=30), inquiries=500, conversions=0)
    response = manager_client.get(reverse("web:agent-detail", args=[agent.pk]))
    kpis = response.context["kpis"]
    assert (kpis.inquiries, kpis.conversions) == (100, 40)
    assert str(kpis.conversion_rate) == "0.4000"
    assert str(kpis.answer_ratio) == "1.5000"
    assert kpis.first_response_misses == 1
    html = response.content.decode()
    assert "40.0%" in html and "1.50" in html


@pytest.mark.django_db
def test_detail_costs_the_same_queries_with_little_or_much_work(manager_client, agency):
    agent = agency.agents[0]
    url = reverse("web:agent-detail", args=[agent.pk])
    small = count_queries(manager_client, url)
    for offset in range(3, 50):
        WorkloadFactory(agent=agent, date=TODAY - dt.timedelta(days=offset))
    assert count_queries(manager_client, url) == small


def agent_data(**changes) -> dict[str, str]:
    data = {
        "name": "Li Na",
        "employee_no": "E-2026-01",
        "hired_on": "2026-10-01",
        "status": "active",
        "base_salary": "4500.00",
        "email": "",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_create_an_agent(manager_client):
    response = manager_client.post(reverse("web:agent-create"), agent_data())
    agent = Agent.objects.get(employee_no="E-2026-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:agent-detail", args=[agent.pk])
    assert (agent.name, agent.hired_on, agent.base_salary) == (
        "Li Na",
        dt.date(2026, 10, 1),
        Decimal("4500.00"),
    )
    detail = manager_client.get(response["Location"]).content.decode()
    assert "Agent “Li Na” saved." in detail


@pytest.mark.django_db
def test_edit_an_agent_changes_only_what_changed(manager_client):
    agent = AgentFactory(name="Wang Fang", base_salary=Decimal("1500.00"))
    url = reverse("web:agent-edit", args=[agent.pk])
    form = manager_client.get(url).context["form"]
    assert form.initial["employee_no"] == agent.employee_no
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["hired_on"] = agent.hired_on.isoformat()
    data["status"] = "on_leave"
    response = manager_client.post(url, data, follow=True)
    assert response.redirect_chain == [(reverse("web:agent-detail", args=[agent.pk]), 302)]
    assert "Agent “Wang Fang” saved." in response.content.decode()
    agent.refresh_from_db()
    assert agent.status == "on_leave"
    latest, previous = agent.history.order_by("-history_id")[:2]
    assert latest.diff_against(previous).changed_fields == ["status"]


@pytest.mark.django_db
def test_a_taken_employee_number_is_refused_on_its_field(manager_client):
    AgentFactory(employee_no="E-2026-01")
    response = manager_client.post(reverse("web:agent-create"), agent_data(name="Copy Cat"))
    assert response.status_code == 200
    assert response.context["form"].errors["employee_no"] == [
        "Agent with this Employee number already exists."
    ]
    assert not Agent.objects.filter(name="Copy Cat").exists()


@pytest.mark.django_db
def test_a_negative_salary_is_refused(manager_client):
    response = manager_client.post(reverse("web:agent-create"), agent_data(base_salary="-1"))
    assert response.status_code == 200
    assert response.context["form"].errors["base_salary"]
    assert not Agent.objects.exists()


@pytest.mark.django_db
def test_the_agent_pages_link_to_the_forms(manager_client):
    agent = AgentFactory()
    assert reverse("web:agent-create") in manager_client.get(LIST).content.decode()
    detail = manager_client.get(reverse("web:agent-detail", args=[agent.pk]))
    assert reverse("web:agent-edit", args=[agent.pk]) in detail.content.decode()


@pytest.mark.django_db
def test_editing_an_unknown_agent_answers_404(manager_client):
    assert manager_client.get(reverse("web:agent-edit", args=[999_999])).status_code == 404


@pytest.mark.django_db
def test_a_refused_edit_keeps_the_stored_name_in_the_title(manager_client):
    AgentFactory(employee_no="E-TAKEN")
    agent = AgentFactory(name="Zhao Min", employee_no="E-2026-02")
    url = reverse("web:agent-edit", args=[agent.pk])

    response = manager_client.post(
        url,
        agent_data(name="Renamed", employee_no="E-TAKEN", hired_on=agent.hired_on.isoformat()),
    )

    assert response.context["form"].errors["employee_no"]
    assert response.context["title"] == "Edit Zhao Min"
    agent.refresh_from_db()
    assert (agent.name, agent.employee_no) == ("Zhao Min", "E-2026-02")


@pytest.mark.django_db
def test_the_agent_form_sets_an_own_commission_rate_and_empty_means_the_pay_book(manager_client):
    response = manager_client.post(
        reverse("web:agent-create"), agent_data(commission_rate="0.0030")
    )
    agent = Agent.objects.get(employee_no="E-2026-01")
    assert agent.commission_rate == Decimal("0.0030")
    detail = manager_client.get(response["Location"]).content.decode()
    assert "0.3% (own rate)" in detail

    url = reverse("web:agent-edit", args=[agent.pk])
    form = manager_client.get(url)
    assert "empty: pay book default 0.2%" in form.content.decode()
    manager_client.post(url, agent_data(commission_rate="", hired_on=agent.hired_on.isoformat()))
    agent.refresh_from_db()
    assert agent.commission_rate is None
    assert (
        "0.2% (pay book default)"
        in manager_client.get(reverse("web:agent-detail", args=[agent.pk])).content.decode()
    )


@pytest.mark.django_db
def test_a_commission_rate_above_0_2_is_refused_on_its_field(manager_client):
    response = manager_client.post(reverse("web:agent-create"), agent_data(commission_rate="0.3"))
    assert response.status_code == 200
    assert response.context["form"].errors["commission_rate"]
    assert not Agent.objects.exists()


@pytest.mark.django_db
def test_the_agent_page_shows_the_last_working_day(manager_client):
    agent = AgentFactory(status="left", left_on=dt.date(2026, 9, 30))
    page = manager_client.get(reverse("web:agent-detail", args=[agent.pk])).content.decode()
    assert "last working day" in page
