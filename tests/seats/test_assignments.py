"""Seat assignments: one agent per seat-shift, one seat-shift per agent, inclusive ranges."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from agency.choices import Shift
from seats.admin import SeatAssignmentForm
from seats.models import SeatAssignment
from seats.services import assignment_create, assignment_update
from tests.factories import AgentFactory, SeatAssignmentFactory, SeatFactory

URL = "/api/v1/seat-assignments/"
D = dt.date


def post(client, **data):
    return client.post(URL, data, format="json")


@pytest.fixture
def wang(db):
    return AgentFactory(name="Wang Fang")


@pytest.fixture
def li(db):
    return AgentFactory(name="Li Na")


def test_create_assignment_answers_201_with_the_object(manager_api, seat, wang):
    response = post(manager_api, seat=seat.pk, agent=wang.pk, shift="day", start_date="2026-10-01")
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "seat": seat.pk,
        "agent": wang.pk,
        "shift": "day",
        "start_date": "2026-10-01",
        "end_date": None,
    }


def test_seat_has_at_most_one_agent_per_shift_at_any_date(manager_api, seat, wang, li):
    SeatAssignmentFactory(seat=seat, agent=wang, shift="day", start_date=D(2026, 10, 1))
    response = post(manager_api, seat=seat.pk, agent=li.pk, shift="day", start_date="2026-12-01")
    assert response.status_code == 400
    assert "at most one agent per shift" in response.json()["seat"][0]
    assert SeatAssignment.objects.count() == 1


def test_seat_takes_a_second_agent_on_the_other_shift(manager_api, seat, wang, li):
    SeatAssignmentFactory(seat=seat, agent=wang, shift="day", start_date=D(2026, 10, 1))
    response = post(manager_api, seat=seat.pk, agent=li.pk, shift="night", start_date="2026-10-01")
    assert response.status_code == 201


def test_agent_holds_at_most_one_seat_shift_at_any_date(manager_api, seat, wang):
    other = SeatFactory()
    SeatAssignmentFactory(
        seat=seat, agent=wang, shift="day", start_date=D(2026, 10, 1), end_date=D(2026, 10, 31)
    )
    response = post(
        manager_api, seat=other.pk, agent=wang.pk, shift="night", start_date="2026-10-31"
    )
    assert response.status_code == 400
    assert "at most one seat-shift" in response.json()["agent"][0]


def test_ranges_are_inclusive_so_the_next_day_is_free(manager_api, seat, wang, li):
    SeatAssignmentFactory(
        seat=seat, agent=wang, shift="day", start_date=D(2026, 10, 1), end_date=D(2026, 10, 31)
    )
    response = post(manager_api, seat=seat.pk, agent=li.pk, shift="day", start_date="2026-11-01")
    assert response.status_code == 201


def test_an_open_ended_assignment_overlaps_every_later_date(manager_api, seat, wang, li):
    SeatAssignmentFactory(seat=seat, agent=wang, shift="day", start_date=D(2026, 10, 1))
    response = post(
        manager_api,
        seat=seat.pk,
        agent=li.pk,
        shift="day",
        start_date="2020-01-01",
        end_date="2026-10-01",
    )
    assert response.status_code == 400
    assert "seat" in response.json()


def test_an_open_ended_new_assignment_overlaps_a_later_one(manager_api, seat, wang, li):
    SeatAssignmentFactory(
        seat=seat, agent=wang, shift="day", start_date=D(2027, 1, 1), end_date=D(2027, 1, 31)
    )
    response = post(manager_api, seat=seat.pk, agent=li.pk, shift="day", start_date="2026-10-01")
    assert response.status_code == 400


def test_assignment_end_before_start_is_refused(manager_api, seat, wang):
    response = post(
        manager_api,
        seat=seat.pk,
        agent=wang.pk,
        shift="day",
        start_date="2026-10-02",
        end_date="2026-10-01",
    )
    assert response.status_code == 400
    assert "end >= start" in response.json()["end_date"][0]


def test_assignment_shift_must_be_day_or_night(manager_api, seat, wang):
    response = post(manager_api, seat=seat.pk, agent=wang.pk, shift="full", start_date="2026-10-01")
    assert response.status_code == 400
    assert "shift" in response.json()


def test_unknown_seat_or_agent_is_a_400(manager_api, seat):
    response = post(manager_api, seat=seat.pk, agent=999999, shift="day", start_date="2026-10-01")
    assert response.status_code == 400
    assert "agent" in response.json()


def test_patch_closes_an_assignment_and_frees_the_shift(manager_api, seat, wang, li):
    first = SeatAssignmentFactory(seat=seat, agent=wang, shift="day", start_date=D(2026, 10, 1))
    response = manager_api.patch(f"{URL}{first.pk}/", {"end_date": "2026-10-31"}, format="json")
    assert response.status_code == 200
    assert response.json()["end_date"] == "2026-10-31"
    second = post(manager_api, seat=seat.pk, agent=li.pk, shift="day", start_date="2026-11-01")
    assert second.status_code == 201


def test_patch_is_checked_against_the_other_assignments_not_itself(manager_api, seat, wang, li):
    SeatAssignmentFactory(seat=seat, agent=li, shift="day", start_date=D(2026, 11, 1))
    mine = SeatAssignmentFactory(
        seat=seat, agent=wang, shift="day", start_date=D(2026, 10, 1), end_date=D(2026, 10, 31)
    )
    ok = manager_api.patch(f"{URL}{mine.pk}/", {"start_date": "2026-10-05"}, format="json")
    assert ok.status_code == 200
    clash = manager_api.patch(f"{URL}{mine.pk}/", {"end_date": None}, format="json")
    assert clash.status_code == 400
    mine.refresh_from_db()
    assert mine.end_date == D(2026, 10, 31)


def test_delete_removes_an_assignment(manager_api, seat, wang):
    assignment = SeatAssignmentFactory(seat=seat, agent=wang)
    assert manager_api.delete(f"{URL}{assignment.pk}/").status_code == 204
    assert not SeatAssignment.objects.exists()


def test_put_is_not_offered(manager_api, seat, wang):
    assignment = SeatAssignmentFactory(seat=seat, agent=wang)
    response = manager_api.put(f"{URL}{assignment.pk}/", {}, format="json")
    assert response.status_code == 405


def test_a_race_past_the_service_check_answers_409_not_500(manager_api, seat, wang, li):
    """Two requests both pass the check; the database refuses the second (409)."""
    SeatAssignmentFactory(seat=seat, agent=wang, shift="day", start_date=D(2026, 10, 1))
    with mock.patch("seats.services.assignments.assignment_validate"):
        response = post(
            manager_api, seat=seat.pk, agent=li.pk, shift="day", start_date="2026-10-01"
        )
    assert response.status_code == 409
    assert SeatAssignment.objects.count() == 1


@pytest.mark.django_db
def test_postgresql_exclusion_constraint_refuses_overlaps_the_service_did_not_see(seat, wang, li):
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("exclusion constraints exist on PostgreSQL only")
    SeatAssignmentFactory(seat=seat, agent=wang, shift="day", start_date=D(2026, 10, 1))
    with transaction.atomic(), pytest.raises(IntegrityError):
        SeatAssignment.objects.create(seat=seat, agent=li, shift="day", start_date=D(2026, 12, 1))


def test_filters_seat_agent_shift_and_active_on(manager_api, seat, wang, li):
    other = SeatFactory()
    a = SeatAssignmentFactory(
        seat=seat, agent=wang, shift="day", start_date=D(2026, 1, 1), end_date=D(2026, 9, 30)
    )
    b = SeatAssignmentFactory(seat=seat, agent=li, shift="night", start_date=D(2026, 1, 1))
    c = SeatAssignmentFactory(seat=other, agent=wang, shift="day", start_date=D(2026, 10, 1))

    def ids(query):
        response = manager_api.get(URL + query)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"?seat={seat.pk}") == {a.pk, b.pk}
    assert ids(f"?agent={wang.pk}") == {a.pk, c.pk}
    assert ids("?shift=night") == {b.pk}
    assert ids("?active_on=2026-10-01") == {b.pk, c.pk}
    assert ids("?active_on=2026-09-30") == {a.pk, b.pk}
    assert manager_api.get(URL + "?active_on=yesterday").status_code == 400


def test_service_checks_the_rules_on_every_database(seat, wang, li):
    assignment_create(seat=seat, agent=wang, shift=Shift.DAY, start_date=D(2026, 10, 1))
    with pytest.raises(ValidationError) as error:
        assignment_create(seat=seat, agent=li, shift=Shift.DAY, start_date=D(2026, 10, 2))
    assert "seat" in error.value.message_dict


def test_service_update_of_nothing_writes_nothing(seat, wang):
    assignment = assignment_create(
        seat=seat, agent=wang, shift=Shift.DAY, start_date=D(2026, 10, 1)
    )
    assert assignment_update(assignment=assignment, data={}).history.count() == 1


def test_service_update_refuses_an_unknown_field_by_name(seat, wang):
    assignment = assignment_create(
        seat=seat, agent=wang, shift=Shift.DAY, start_date=D(2026, 10, 1)
    )
    with pytest.raises(ValidationError) as error:
        assignment_update(assignment=assignment, data={"shop": 1})
    assert list(error.value.message_dict) == ["shop"]


def test_admin_form_uses_the_same_overlap_rule(seat, wang, li):
    SeatAssignmentFactory(seat=seat, agent=wang, shift="day", start_date=D(2026, 10, 1))
    form = SeatAssignmentForm(
        data={"seat": seat.pk, "agent": li.pk, "shift": "day", "start_date": "2026-11-01"}
    )
    assert not form.is_valid()
    assert "at most one agent per shift" in form.errors["seat"][0]
    fine = SeatAssignmentForm(
        data={"seat": seat.pk, "agent": li.pk, "shift": "night", "start_date": "2026-11-01"}
    )
    assert fine.is_valid(), fine.errors


def test_admin_form_editing_an_assignment_does_not_clash_with_itself(seat, wang):
    assignment = SeatAssignmentFactory(seat=seat, agent=wang, start_date=D(2026, 10, 1))
    form = SeatAssignmentForm(
        instance=assignment,
        data={
            "seat": seat.pk,
            "agent": wang.pk,
            "shift": "day",
            "start_date": "2026-10-01",
            "end_date": "2026-10-31",
        },
    )
    assert form.is_valid(), form.errors
