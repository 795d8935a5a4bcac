"""Agent pay terms (own commission rate, last working day) and unpaid leave: through the API,
the manager pages and the desk; agents never see pay terms."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from seats.choices import LeaveStatus
from seats.models import Agent, Leave
from seats.services import leave_request
from tests.factories import AgentFactory, UserFactory

AGENTS = "/api/v1/agents/"
LEAVE = "/api/v1/leave/"
TODAY = dt.datetime(2026, 10, 15, 10, tzinfo=dt.UTC)
LATER = dt.date(2026, 10, 20)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def agent():
    return AgentFactory(name="Wang Fang", base_salary=Decimal("1800.00"))


@pytest.fixture
def agent_api(agent):
    user = UserFactory(username="wangfang")
    agent.user = user
    agent.save(update_fields=["user"])
    client = APIClient()
    client.force_authenticate(user)
    return client


def agent_payload(**extra) -> dict:
    return {
        "name": "Li Na",
        "employee_no": "E-777",
        "hired_on": "2026-03-01",
        "base_salary": "1500.00",
        **extra,
    }


# --- The agent's own commission rate --------------------------------------------------------------


def test_a_manager_sets_an_agents_own_commission_rate_and_null_returns_to_the_pay_book(
    manager_api,
):
    created = manager_api.post(AGENTS, agent_payload(commission_rate="0.0030"), format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["commission_rate"], body["left_on"]) == ("0.0030", None)

    url = f"{AGENTS}{body['id']}/"
    assert (
        manager_api.patch(url, {"commission_rate": None}, format="json").json()["commission_rate"]
        is None
    )
    assert Agent.objects.get(pk=body["id"]).commission_rate is None
    assert manager_api.get(url).json()["commission_rate"] is None


def test_an_agent_created_without_a_rate_is_paid_at_the_pay_books(manager_api):
    body = manager_api.post(AGENTS, agent_payload(), format="json").json()
    assert body["commission_rate"] is None


@pytest.mark.parametrize("rate", ["0.2001", "-0.0010", "1", "0.25"])
def test_a_commission_rate_outside_0_to_0_2_is_a_400_naming_the_field(manager_api, rate):
    response = manager_api.post(
        AGENTS, agent_payload(commission_rate=rate), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "between 0 and 0.2" in response.json()["commission_rate"][0]
    assert not Agent.objects.filter(employee_no="E-777").exists()


def test_a_rate_with_too_many_places_or_not_a_number_is_a_400(manager_api, agent):
    for rate in ["0.00205", "abc"]:
        response = manager_api.patch(
            f"{AGENTS}{agent.pk}/", {"commission_rate": rate}, format="json"
        )
        assert response.status_code == 400
        assert "commission_rate" in response.json()


def test_the_last_working_day_is_read_only_in_the_api(manager_api, agent):
    agent.left_on = dt.date(2026, 10, 10)
    agent.status = Agent.Status.LEFT
    agent.save(update_fields=["left_on", "status"])

    response = manager_api.patch(f"{AGENTS}{agent.pk}/", {"left_on": "2026-12-31"}, format="json")

    assert response.status_code == 200
    assert response.json()["left_on"] == "2026-10-10"


def test_agents_never_see_pay_terms_their_own_or_others(agent_api, agent):
    other = AgentFactory(commission_rate=Decimal("0.0050"))
    assert agent_api.get(AGENTS).status_code == 403
    assert agent_api.get(f"{AGENTS}{other.pk}/").status_code == 403
    assert agent_api.get(f"{AGENTS}{agent.pk}/").status_code == 403
    me = agent_api.get("/api/v1/me/").json()
    assert not {"base_salary", "commission_rate"} & set(me)


def test_owners_cannot_set_a_commission_rate(owner_a_api, agent):
    response = owner_a_api.patch(f"{AGENTS}{agent.pk}/", {"commission_rate": "0.0100"})
    assert response.status_code == 403
    agent.refresh_from_db()
    assert agent.commission_rate is None


# --- Unpaid leave ---------------------------------------------------------------------------------


def test_an_agent_asks_for_unpaid_leave(agent_api, agent):
    response = agent_api.post(
        LEAVE, {"start_date": "2026-10-20", "end_date": "2026-10-21", "unpaid": True}
    )
    assert response.status_code == 201
    assert response.json()["unpaid"] is True
    assert Leave.objects.get().unpaid is True


def test_leave_is_paid_unless_said_otherwise(agent_api):
    response = agent_api.post(LEAVE, {"start_date": "2026-10-20", "end_date": "2026-10-20"})
    assert response.json()["unpaid"] is False


@pytest.mark.parametrize(
    ("requested", "body", "settled"),
    [
        (False, {"unpaid": True}, True),
        (True, {"unpaid": False}, False),
        (True, {}, True),
        (False, {"unpaid": None}, False),
    ],
)
def test_the_manager_settles_unpaid_when_approving(manager_api, agent, requested, body, settled):
    leave = leave_request(agent=agent, start_date=LATER, end_date=LATER, unpaid=requested).leave

    response = manager_api.post(f"{LEAVE}{leave.pk}/approve/", body, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["unpaid"]) == ("approved", settled)
    leave.refresh_from_db()
    assert (leave.status, leave.unpaid) == (LeaveStatus.APPROVED, settled)


def test_an_agent_cannot_approve_their_own_unpaid_leave_as_paid(agent_api, agent):
    leave = leave_request(agent=agent, start_date=LATER, end_date=LATER, unpaid=True).leave
    response = agent_api.post(f"{LEAVE}{leave.pk}/approve/", {"unpaid": False}, format="json")
    assert response.status_code == 403
    leave.refresh_from_db()
    assert (leave.status, leave.unpaid) == (LeaveStatus.REQUESTED, True)


def test_approving_with_a_non_boolean_unpaid_is_a_400(manager_api, agent):
    leave = leave_request(agent=agent, start_date=LATER, end_date=LATER).leave
    response = manager_api.post(f"{LEAVE}{leave.pk}/approve/", {"unpaid": "maybe"}, format="json")
    assert response.status_code == 400
    assert "unpaid" in response.json()
