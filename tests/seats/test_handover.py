"""Handover notes (交接): from the day agent to the night agent, one per seat, shop and date."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seats.admin import HandoverNoteForm
from seats.models import HandoverNote
from tests.factories import AgentFactory, ContractFactory, SeatAssignmentFactory
from tests.seats.factories import HandoverNoteFactory

URL = "/api/v1/handover-notes/"
D = dt.date


@pytest.fixture
def note_data(contract_a, day_agent):
    return {
        "seat": contract_a.seat_id,
        "shop": contract_a.shop_id,
        "date": "2026-10-15",
        "from_agent": day_agent.pk,
        "open_cases": "Order 881: refund pending.",
        "promises": "Buyer gets a call back by 20:00.",
    }


@pytest.fixture
def note(contract_a, day_agent, night_agent):
    return HandoverNoteFactory(
        seat=contract_a.seat, shop=contract_a.shop, from_agent=day_agent, to_agent=night_agent
    )


def test_note_goes_to_the_night_agent_of_that_date_by_default(manager_api, note_data, night_agent):
    response = manager_api.post(URL, note_data, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["to_agent"] == night_agent.pk
    assert body["acknowledged_at"] is None
    assert body["promises"] == "Buyer gets a call back by 20:00."


def test_note_must_come_from_the_day_agent_of_the_seat_that_date(
    manager_api, note_data, night_agent
):
    response = manager_api.post(URL, {**note_data, "from_agent": night_agent.pk}, format="json")
    assert response.status_code == 400
    assert "day agent" in response.json()["from_agent"][0]


def test_note_from_an_agent_whose_day_shift_has_ended_is_refused(
    manager_api, note_data, seat, day_agent
):
    assignment = day_agent.assignments.get()
    assignment.end_date = D(2026, 10, 14)
    assignment.save()
    response = manager_api.post(URL, note_data, format="json")
    assert response.status_code == 400
    assert "from_agent" in response.json()


def test_note_to_someone_other_than_the_night_agent_is_refused(manager_api, note_data):
    stranger = AgentFactory()
    response = manager_api.post(URL, {**note_data, "to_agent": stranger.pk}, format="json")
    assert response.status_code == 400
    assert "night agent" in response.json()["to_agent"][0]


def test_note_shop_must_have_a_contract_on_that_seat_active_that_date(
    manager_api, note_data, shop_b, staffed_seat
):
    ContractFactory(shop=shop_b, seat=staffed_seat, start_date=D(2026, 10, 16))
    response = manager_api.post(URL, {**note_data, "shop": shop_b.pk}, format="json")
    assert response.status_code == 400
    assert "no contract" in response.json()["shop"][0]


def test_one_note_per_seat_shop_and_date_is_a_400_before_the_database(manager_api, note_data):
    assert manager_api.post(URL, note_data, format="json").status_code == 201
    again = manager_api.post(URL, note_data, format="json")
    assert again.status_code == 400
    assert "already has a handover note" in again.json()["date"][0]
    assert HandoverNote.objects.count() == 1


def test_note_edit_changes_the_text(manager_api, note):
    response = manager_api.patch(f"{URL}{note.pk}/", {"open_cases": "None left."}, format="json")
    assert response.status_code == 200
    assert response.json()["open_cases"] == "None left."


def test_note_edit_cannot_move_the_note(manager_api, note):
    response = manager_api.patch(f"{URL}{note.pk}/", {"date": "2026-10-16"}, format="json")
    assert response.status_code == 400
    assert "date" in response.json()


def test_acknowledge_stamps_the_note_and_twice_is_a_409(manager_api, note):
    first = manager_api.post(f"{URL}{note.pk}/acknowledge/")
    assert first.status_code == 200
    assert first.json()["acknowledged_at"] is not None
    second = manager_api.post(f"{URL}{note.pk}/acknowledge/")
    assert second.status_code == 409


def test_an_acknowledged_note_cannot_be_edited(manager_api, note):
    manager_api.post(f"{URL}{note.pk}/acknowledge/")
    response = manager_api.patch(f"{URL}{note.pk}/", {"promises": "changed"}, format="json")
    assert response.status_code == 409
    note.refresh_from_db()
    assert note.promises != "changed"


def test_acknowledging_a_note_without_recipient_needs_a_night_agent(manager_api, contract_a):
    seat = contract_a.seat
    seat.assignments.filter(shift="night").delete()
    day_agent = seat.assignments.get().agent
    note = HandoverNoteFactory(seat=seat, shop=contract_a.shop, from_agent=day_agent)
    response = manager_api.post(f"{URL}{note.pk}/acknowledge/")
    assert response.status_code == 400
    assert "no night agent" in response.json()["detail"]
    night = AgentFactory()
    SeatAssignmentFactory(seat=seat, agent=night, shift="night", start_date=D(2026, 10, 1))
    response = manager_api.post(f"{URL}{note.pk}/acknowledge/")
    assert response.status_code == 200
    assert response.json()["to_agent"] == night.pk


# --- Who sees what ------------------------------------------------------------------------------


def test_owners_read_their_shops_notes_and_get_404_for_others(owner_a_api, owner_b_api, note):
    assert owner_a_api.get(URL).json()["count"] == 1
    assert owner_a_api.get(f"{URL}{note.pk}/").status_code == 200
    assert owner_b_api.get(URL).json()["count"] == 0
    assert owner_b_api.get(f"{URL}{note.pk}/").status_code == 404


def test_owners_cannot_write_notes(owner_a_api, note, note_data):
    assert owner_a_api.post(URL, note_data, format="json").status_code == 403
    assert (
        owner_a_api.patch(f"{URL}{note.pk}/", {"promises": "x"}, format="json").status_code == 403
    )
    assert owner_a_api.post(f"{URL}{note.pk}/acknowledge/").status_code == 403


def test_anonymous_gets_401_on_notes(api, note):
    assert api.get(URL).status_code == 401
    assert api.get(f"{URL}{note.pk}/").status_code == 401
    assert api.post(f"{URL}{note.pk}/acknowledge/").status_code == 401


def test_manager_reads_every_note(manager_api, note):
    HandoverNoteFactory()
    assert manager_api.get(URL).json()["count"] == 2


def test_notes_filter_by_seat_shop_date_and_acknowledged(manager_api, note):
    other = HandoverNoteFactory(date=D(2026, 10, 14))

    def ids(query):
        response = manager_api.get(URL + query)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"?seat={note.seat_id}") == {note.pk}
    assert ids(f"?shop={other.shop_id}") == {other.pk}
    assert ids("?date=2026-10-14") == {other.pk}
    assert ids("?acknowledged=false") == {note.pk, other.pk}
    manager_api.post(f"{URL}{note.pk}/acknowledge/")
    assert ids("?acknowledged=true") == {note.pk}


def test_note_list_costs_the_same_queries_for_5_and_50_notes(manager_api):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = manager_api.get(URL)
        return len(ctx.captured_queries), response.json()["count"]

    HandoverNoteFactory.create_batch(5)
    five = count()
    HandoverNoteFactory.create_batch(45)
    fifty = count()
    assert (five[1], fifty[1]) == (5, 50)
    assert five[0] == fifty[0]


# --- Admin ----------------------------------------------------------------------------------------


def test_admin_form_applies_the_handover_rules(note_data, night_agent):
    form = HandoverNoteForm(data={**note_data, "from_agent": night_agent.pk})
    assert not form.is_valid()
    assert "from_agent" in form.errors
    good = HandoverNoteForm(data=note_data)
    assert good.is_valid(), good.errors
    assert good.cleaned_data["to_agent"] == night_agent
