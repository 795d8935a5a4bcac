"""Agents and seats over the API: fields, money strings, today's coverage, roles."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.choices import Shift
from seats.services import agent_update, seat_update
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
    WorkloadFactory,
)

D = dt.date


# --- Agents ---------------------------------------------------------------------------------------


def test_create_agent_answers_201_with_salary_as_a_money_string(manager_api):
    response = manager_api.post(
        "/api/v1/agents/",
        {
            "name": "Zhang Wei",
            "employee_no": "E100",
            "hired_on": "2026-03-01",
            "base_salary": "1800",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Zhang Wei",
        "employee_no": "E100",
        "hired_on": "2026-03-01",
        "status": "active",
        "base_salary": "1800.00",
        "commission_rate": None,
        "left_on": None,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("base_salary", "-1.00"), ("base_salary", "12.345"), ("hired_on", "03/01/2026")],
)
def test_create_agent_refuses_bad_values_with_400_naming_the_field(manager_api, field, value):
    data = {"name": "Zhang Wei", "employee_no": "E100", "hired_on": "2026-03-01"}
    data["base_salary"] = "1500.00"
    data[field] = value
    response = manager_api.post("/api/v1/agents/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_employee_numbers_are_unique(manager_api):
    AgentFactory(employee_no="E100")
    response = manager_api.post(
        "/api/v1/agents/",
        {"name": "X", "employee_no": "E100", "hired_on": "2026-03-01", "base_salary": "1.00"},
        format="json",
    )
    assert response.status_code == 400
    assert "employee_no" in response.json()


def test_patch_agent_changes_salary_and_status_and_keeps_history(manager_api):
    agent = AgentFactory(base_salary="1500.00")
    response = manager_api.patch(
        f"/api/v1/agents/{agent.pk}/",
        {"base_salary": "1650.50", "status": "on_leave"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["base_salary"] == "1650.50"
    assert response.json()["status"] == "on_leave"
    agent.refresh_from_db()
    assert agent.history.count() == 2  # salary in force at any date stays answerable


def test_agent_list_filters_by_status(manager_api):
    AgentFactory(status="left")
    active = AgentFactory()
    response = manager_api.get("/api/v1/agents/?status=active")
    assert [row["id"] for row in response.json()["results"]] == [active.pk]


# --- Seats ----------------------------------------------------------------------------------------


def test_create_seat_defaults_overhead_from_settings(manager_api, settings):
    settings.AGENCY = {**settings.AGENCY, "SEAT_OVERHEAD": Decimal("950")}
    response = manager_api.post("/api/v1/seats/", {"code": "S900"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["overhead"] == "950.00"
    assert (body["day_agent"], body["night_agent"], body["shops"]) == (None, None, [])


def test_seat_codes_are_unique(manager_api, seat):
    response = manager_api.post("/api/v1/seats/", {"code": seat.code}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()


def test_seat_shows_who_covers_each_shift_today_and_its_current_shops(
    manager_api, today, seat, day_agent, night_agent, shop_a, shop_b
):
    SeatAssignmentFactory(
        seat=seat,
        agent=AgentFactory(),
        shift="day",
        start_date=D(2026, 1, 1),
        end_date=D(2026, 10, 14),
    )
    SeatAssignmentFactory(seat=seat, agent=day_agent, shift="day", start_date=D(2026, 10, 15))
    SeatAssignmentFactory(seat=seat, agent=night_agent, shift="night", start_date=D(2026, 11, 1))
    ContractFactory(shop=shop_a, seat=seat, start_date=D(2026, 10, 1))
    ContractFactory(shop=shop_b, seat=seat, start_date=D(2026, 9, 1), end_date=D(2026, 10, 14))
    body = manager_api.get(f"/api/v1/seats/{seat.pk}/").json()
    assert body["day_agent"] == day_agent.pk
    assert body["night_agent"] is None  # starts next month: uncovered today
    assert body["shops"] == [shop_a.pk]  # shop B's contract ended yesterday


def test_seat_utilisation_is_its_shops_daily_inquiries_against_the_600_peak(
    manager_api, today, contract_a, shop_a
):
    WorkloadFactory(shop=shop_a, date=D(2026, 10, 14), inquiries=150, conversions=0)
    WorkloadFactory(shop=shop_a, date=D(2026, 10, 14), inquiries=150, conversions=0, shift="night")
    body = manager_api.get(f"/api/v1/seats/{contract_a.seat_id}/").json()
    assert body["projected_load"] == 300
    assert body["utilisation"] == "0.5000"


def test_patch_seat(manager_api, seat):
    response = manager_api.patch(
        f"/api/v1/seats/{seat.pk}/", {"name": "Seat one", "overhead": "700.00"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["overhead"]) == ("Seat one", "700.00")


# --- Roles ----------------------------------------------------------------------------------------

MANAGER_ONLY = [
    ("get", "/api/v1/agents/"),
    ("post", "/api/v1/agents/"),
    ("get", "/api/v1/agents/{agent}/"),
    ("patch", "/api/v1/agents/{agent}/"),
    ("get", "/api/v1/agents/{agent}/load/?date_from=2026-10-01&date_to=2026-10-02"),
    ("get", "/api/v1/seats/"),
    ("post", "/api/v1/seats/"),
    ("get", "/api/v1/seats/{seat}/"),
    ("patch", "/api/v1/seats/{seat}/"),
    ("get", "/api/v1/seats/capacity/?inquiries=10"),
    ("get", "/api/v1/seat-assignments/"),
    ("post", "/api/v1/seat-assignments/"),
    ("get", "/api/v1/seat-assignments/{assignment}/"),
    ("patch", "/api/v1/seat-assignments/{assignment}/"),
    ("delete", "/api/v1/seat-assignments/{assignment}/"),
    ("get", "/api/v1/quote/?daily_inquiries=100&coverage=full"),
    ("post", "/api/v1/workloads/bulk/"),
]


@pytest.fixture
def ids(db):
    assignment = SeatAssignmentFactory()
    return {"agent": assignment.agent_id, "seat": assignment.seat_id, "assignment": assignment.pk}


@pytest.mark.parametrize(("method", "url"), MANAGER_ONLY)
def test_manager_only_resources_answer_401_to_anonymous(api, ids, method, url):
    response = getattr(api, method)(url.format(**ids), {}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "url"), MANAGER_ONLY)
def test_manager_only_resources_answer_403_to_shop_owners(owner_a_api, ids, method, url):
    response = getattr(owner_a_api, method)(url.format(**ids), {}, format="json")
    assert response.status_code == 403


def test_owners_get_403_even_for_ids_that_do_not_exist(owner_a_api, db):
    assert owner_a_api.get("/api/v1/agents/999999/").status_code == 403
    assert owner_a_api.get("/api/v1/seats/999999/").status_code == 403


def test_managers_get_404_for_missing_ids(manager_api):
    assert manager_api.get("/api/v1/agents/999999/").status_code == 404
    assert manager_api.get("/api/v1/seats/999999/").status_code == 404


# --- Query counts ---------------------------------------------------------------------------------


def _queries(client, url: str) -> tuple[int, int]:
    """(queries run, rows counted) for one GET of a list."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


def _staff(n: int) -> None:
    for _ in range(n):
        seat = SeatFactory()
        shop = ShopFactory()
        SeatAssignmentFactory(seat=seat, shift=Shift.DAY)
        SeatAssignmentFactory(seat=seat, shift=Shift.NIGHT)
        ContractFactory(shop=shop, seat=seat)
        WorkloadFactory(shop=shop, date=D(2026, 10, 14))


@pytest.mark.parametrize("url", ["/api/v1/agents/", "/api/v1/seats/", "/api/v1/seat-assignments/"])
def test_lists_cost_the_same_queries_for_5_and_50_rows(manager_api, today, url):
    _staff(5)
    queries_5, rows_5 = _queries(manager_api, url)
    _staff(45)
    queries_50, rows_50 = _queries(manager_api, url)
    assert rows_50 >= 50 > rows_5
    assert queries_50 == queries_5


def test_seat_list_costs_a_handful_of_queries(manager_api, today, django_assert_max_num_queries):
    _staff(20)
    with django_assert_max_num_queries(5):  # count, seats, assignments, shops, history
        manager_api.get("/api/v1/seats/")


def test_agent_update_refuses_an_unknown_field_by_name(db):
    with pytest.raises(ValidationError) as error:
        agent_update(agent=AgentFactory(), data={"seat": 1, "name": "New"})
    assert list(error.value.message_dict) == ["seat"]


def test_seat_update_refuses_an_unknown_field_by_name(db):
    with pytest.raises(ValidationError) as error:
        seat_update(seat=SeatFactory(), data={"agent": 1, "code": "S-9"})
    assert list(error.value.message_dict) == ["agent"]


@pytest.mark.django_db
def test_only_managers_write_agents_seats_and_assignments_in_the_services(owner_a):
    """The seats services refuse a user who is not a manager, whatever interface calls them."""
    import datetime as dt
    from decimal import Decimal

    from agency.errors import NotPermitted
    from seats import services
    from tests.factories import AgentFactory, SeatAssignmentFactory, SeatFactory

    agent, seat = AgentFactory(), SeatFactory()
    assignment = SeatAssignmentFactory(agent=agent, seat=seat)
    refusals = [
        lambda: services.agent_create(
            name="A",
            employee_no="X1",
            hired_on=dt.date(2026, 1, 1),
            base_salary=Decimal("1500"),
            actor=owner_a,
        ),
        lambda: services.agent_update(agent=agent, data={"name": "B"}, actor=owner_a),
        lambda: services.seat_create(code="S77", actor=owner_a),
        lambda: services.seat_update(seat=seat, data={"name": "B"}, actor=owner_a),
        lambda: services.assignment_create(
            seat=SeatFactory(),
            agent=AgentFactory(),
            shift="day",
            start_date=dt.date(2026, 1, 1),
            actor=owner_a,
        ),
        lambda: services.assignment_update(
            assignment=assignment, data={"end_date": dt.date(2026, 2, 1)}, actor=owner_a
        ),
        lambda: services.assignment_delete(assignment=assignment, actor=owner_a),
    ]
    for refused in refusals:
        with pytest.raises(NotPermitted):
            refused()
    agent.refresh_from_db()
    assert agent.name != "B" and seat.assignments.filter(pk=assignment.pk).exists()
