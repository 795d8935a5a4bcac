"""/api/v1/roster/, /api/v1/leave/ and /api/v1/cover-assignments/ (API.md "Roster, leave and
cover")."""

import datetime as dt

import pytest

from agency.choices import Shift
from seats.choices import LeaveStatus
from seats.models import CoverAssignment, Leave
from tests.conftest import _client_for
from tests.factories import AgentFactory, SeatAssignmentFactory, SeatFactory, UserFactory

D = dt.date(2026, 10, 20)


@pytest.fixture
def agent_user(day_agent):
    user = UserFactory(username="wangfang")
    day_agent.user = user
    day_agent.save()
    return user


@pytest.fixture
def agent_api(agent_user):
    return _client_for(agent_user)


@pytest.fixture
def floater(db):
    return AgentFactory(name="Zhao Lei", employee_no="E-FLOAT")


ROSTER = "/api/v1/roster/?date_from=2026-10-20&date_to=2026-10-21"


def test_roster_lists_every_date_seat_and_shift(
    today, manager_api, contract_a, staffed_seat, day_agent, night_agent
):
    Leave.objects.create(agent=day_agent, start_date=D, end_date=D, status=LeaveStatus.APPROVED)
    response = manager_api.get(ROSTER)
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 4
    assert rows[0] == {
        "date": "2026-10-20",
        "seat": staffed_seat.pk,
        "shift": "day",
        "agent": None,
        "kind": None,
        "regular_agent": day_agent.pk,
        "on_leave": True,
        "needed": True,
        "covered": False,
    }
    assert rows[1]["agent"] == night_agent.pk and rows[1]["kind"] == "regular"


def test_roster_filters_by_seat_and_agent(today, manager_api, staffed_seat, night_agent):
    SeatFactory(code="S002")
    assert len(manager_api.get(ROSTER + f"&seat={staffed_seat.pk}").json()) == 4
    rows = manager_api.get(ROSTER + f"&agent={night_agent.pk}").json()
    assert {row["shift"] for row in rows} == {"night"}


@pytest.mark.parametrize(
    "query, field",
    [
        ("date_from=2026-10-20", "date_to"),
        ("date_from=2026-10-20&date_to=2026-10-19", "date_to"),
        ("date_from=2026-10-01&date_to=2026-12-02", "date_to"),
        ("date_from=nope&date_to=2026-10-19", "date_from"),
        ("date_from=2026-10-20&date_to=2026-10-21&seat=99999999999999999999", "seat"),
    ],
)
def test_roster_refuses_bad_ranges_with_400(manager_api, query, field):
    response = manager_api.get(f"/api/v1/roster/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_agents_get_their_own_roster_rows_owners_403(
    today, agent_api, owner_a_api, staffed_seat, day_agent, night_agent
):
    rows = agent_api.get(ROSTER).json()
    assert {row["regular_agent"] for row in rows} == {day_agent.pk}
    assert agent_api.get(ROSTER + f"&agent={night_agent.pk}").json() == []
    assert owner_a_api.get(ROSTER).status_code == 403


def test_roster_query_count_is_constant(
    today, manager_api, contract_a, staffed_seat, django_assert_num_queries
):
    for _ in range(4):
        SeatAssignmentFactory(seat=SeatFactory(), agent=AgentFactory())
    # Session-less client: four roster reads, nothing per row.
    with django_assert_num_queries(4):
        response = manager_api.get("/api/v1/roster/?date_from=2026-10-01&date_to=2026-11-30")
    assert len(response.json()) == 61 * 5 * 2


# --- Leave --------------------------------------------------------------------------------------


def test_an_agent_requests_leave_for_themselves_by_default(today, agent_api, day_agent):
    response = agent_api.post(
        "/api/v1/leave/",
        {"start_date": "2026-10-20", "end_date": "2026-10-21", "reason": "家里有事"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["agent"], body["status"], body["uncovered"]) == (day_agent.pk, "requested", [])


def test_an_agent_cannot_request_leave_for_someone_else(today, agent_api, night_agent):
    response = agent_api.post(
        "/api/v1/leave/",
        {"agent": night_agent.pk, "start_date": "2026-10-20", "end_date": "2026-10-20"},
        format="json",
    )
    assert response.status_code == 403


def test_a_manager_needs_to_name_the_agent(today, manager_api):
    response = manager_api.post(
        "/api/v1/leave/", {"start_date": "2026-10-20", "end_date": "2026-10-20"}, format="json"
    )
    assert response.status_code == 400 and "agent" in response.json()


def test_overlapping_leave_is_400_naming_the_field(today, manager_api, day_agent):
    body = {"agent": day_agent.pk, "start_date": "2026-10-20", "end_date": "2026-10-22"}
    assert manager_api.post("/api/v1/leave/", body, format="json").status_code == 201
    response = manager_api.post("/api/v1/leave/", body, format="json")
    assert response.status_code == 400 and "start_date" in response.json()


def test_approve_answers_the_uncovered_seat_shifts(today, manager_api, contract_a, day_agent):
    leave = Leave.objects.create(agent=day_agent, start_date=D, end_date=D)
    response = manager_api.post(f"/api/v1/leave/{leave.pk}/approve/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["uncovered"] == [{"date": "2026-10-20", "seat": contract_a.seat_id, "shift": "day"}]
    assert manager_api.post(f"/api/v1/leave/{leave.pk}/approve/").status_code == 409


def test_reject_and_cancel(today, manager_api, agent_api, day_agent):
    first = Leave.objects.create(agent=day_agent, start_date=D, end_date=D)
    second = Leave.objects.create(
        agent=day_agent, start_date=D.replace(day=25), end_date=D.replace(day=25)
    )
    assert agent_api.post(f"/api/v1/leave/{first.pk}/reject/").status_code == 403
    assert manager_api.post(f"/api/v1/leave/{first.pk}/reject/").json()["status"] == "rejected"
    assert agent_api.post(f"/api/v1/leave/{second.pk}/cancel/").json()["status"] == "cancelled"
    assert agent_api.post(f"/api/v1/leave/{second.pk}/cancel/").status_code == 409


def test_agents_see_only_their_own_leave_owners_403(
    today, agent_api, owner_a_api, manager_api, day_agent, night_agent
):
    own = Leave.objects.create(agent=day_agent, start_date=D, end_date=D)
    other = Leave.objects.create(agent=night_agent, start_date=D, end_date=D)
    assert [row["id"] for row in agent_api.get("/api/v1/leave/").json()["results"]] == [own.pk]
    assert agent_api.get(f"/api/v1/leave/{other.pk}/").status_code == 404
    assert agent_api.post(f"/api/v1/leave/{other.pk}/cancel/").status_code == 404
    assert owner_a_api.get("/api/v1/leave/").status_code == 403
    assert len(manager_api.get("/api/v1/leave/").json()["results"]) == 2
    filtered = manager_api.get(f"/api/v1/leave/?agent={night_agent.pk}&status=requested")
    assert [row["id"] for row in filtered.json()["results"]] == [other.pk]


def test_leave_list_query_count_is_constant(today, manager_api, django_assert_max_num_queries):
    for _ in range(5):
        agent = AgentFactory()
        Leave.objects.create(agent=agent, start_date=D, end_date=D)
    with django_assert_max_num_queries(2):
        response = manager_api.get("/api/v1/leave/")
    assert response.json()["count"] == 5


# --- Covers -------------------------------------------------------------------------------------


def test_a_manager_fills_a_gap_with_a_cover(
    today, manager_api, contract_a, staffed_seat, day_agent, floater
):
    Leave.objects.create(agent=day_agent, start_date=D, end_date=D, status=LeaveStatus.APPROVED)
    response = manager_api.post(
        "/api/v1/cover-assignments/",
        {
            "seat": staffed_seat.pk,
            "shift": "day",
            "agent": floater.pk,
            "start_date": "2026-10-20",
            "end_date": "2026-10-20",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    rows = manager_api.get(ROSTER).json()
    assert (rows[0]["agent"], rows[0]["kind"], rows[0]["covered"]) == (floater.pk, "cover", True)
    cover_id = response.json()["id"]
    assert manager_api.get(f"/api/v1/cover-assignments/{cover_id}/").status_code == 200
    assert manager_api.delete(f"/api/v1/cover-assignments/{cover_id}/").status_code == 204
    assert not CoverAssignment.objects.exists()


def test_a_busy_agent_cannot_cover_400_naming_the_date(
    today, manager_api, staffed_seat, night_agent
):
    response = manager_api.post(
        "/api/v1/cover-assignments/",
        {
            "seat": staffed_seat.pk,
            "shift": "day",
            "agent": night_agent.pk,
            "start_date": "2026-10-20",
            "end_date": "2026-10-21",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "2026-10-20" in response.json()["agent"][0]


def test_covers_are_for_managers_only(today, agent_api, owner_a_api, staffed_seat, floater):
    CoverAssignment.objects.create(
        seat=staffed_seat, shift=Shift.NIGHT, agent=floater, start_date=D, end_date=D
    )
    assert agent_api.get("/api/v1/cover-assignments/").status_code == 403
    assert owner_a_api.get("/api/v1/cover-assignments/").status_code == 403


def test_cover_list_query_count_is_constant(today, manager_api, django_assert_max_num_queries):
    for _ in range(5):
        CoverAssignment.objects.create(
            seat=SeatFactory(), shift=Shift.DAY, agent=AgentFactory(), start_date=D, end_date=D
        )
    with django_assert_max_num_queries(2):
        response = manager_api.get("/api/v1/cover-assignments/?date_from=2026-10-20")
    assert response.json()["count"] == 5
