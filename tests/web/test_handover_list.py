"""Every handover note still waiting for acknowledgement: linked from the dashboard, paginated,
overdue notes (not acknowledged by 18:00 of their date) marked."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from seats.models import HandoverNote
from tests.seats.factories import HandoverNoteFactory
from tests.web.conftest import SHANGHAI, TODAY
from web.views.base import PAGE_SIZE

LIST = "/handover/"


@pytest.fixture
def many_notes(agency):
    """The agency's note of today plus 30 older ones, all unacknowledged."""
    note = HandoverNote.objects.get()
    for days_ago in range(1, 31):
        HandoverNoteFactory(
            seat=note.seat,
            shop=note.shop,
            from_agent=note.from_agent,
            to_agent=note.to_agent,
            date=TODAY - dt.timedelta(days=days_ago),
        )
    return 31


@pytest.mark.django_db
def test_the_dashboard_links_to_all_unacknowledged_notes_not_only_the_first_10(
    manager_client, many_notes
):
    board = manager_client.get("/").context["board"]
    assert board.handover_count == many_notes
    assert len(board.handover_notes) == 10
    html = manager_client.get("/").content.decode()
    assert f'href="{reverse("web:handover-list")}"' in html
    assert f"All {many_notes} notes to acknowledge" in html


@pytest.mark.django_db
def test_the_list_pages_through_every_unacknowledged_note(manager_client, many_notes):
    first = manager_client.get(LIST).context
    last = manager_client.get(LIST + "?page=2").context
    assert first["page_obj"].paginator.count == many_notes
    assert len(first["notes"]) == PAGE_SIZE
    assert len(last["notes"]) == many_notes - PAGE_SIZE
    seen = {note.pk for note in [*first["notes"], *last["notes"]]}
    assert seen == set(HandoverNote.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_notes_past_18_00_of_their_date_are_marked_overdue(manager_client, many_notes):
    notes = manager_client.get(LIST).context["notes"]
    assert [note.overdue for note in notes if note.date == TODAY] == [False]
    assert all(note.overdue for note in notes if note.date < TODAY)
    with time_machine.travel(dt.datetime(2026, 10, 15, 18, 0, tzinfo=SHANGHAI), tick=False):
        board = manager_client.get("/").context["board"]
        today_note = manager_client.get(LIST).context["notes"][0]
    assert today_note.date == TODAY and today_note.overdue
    assert board.handover_overdue == many_notes


@pytest.mark.django_db
def test_acknowledging_from_the_list_returns_to_the_list_and_records_the_manager(
    manager_client, manager, many_notes
):
    note = HandoverNote.objects.order_by("date").first()
    response = manager_client.post(
        reverse("web:handover-acknowledge", args=[note.pk]), {"next": LIST + "?page=2"}
    )
    assert response["Location"] == LIST + "?page=2"
    note.refresh_from_db()
    assert note.acknowledged_by == manager


@pytest.mark.django_db
def test_owners_are_sent_to_their_portal(owner_client):
    assert manager_response_location(owner_client) == "/portal/"


def manager_response_location(client) -> str:
    return client.get(LIST)["Location"]
