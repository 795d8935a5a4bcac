"""Handover truth: who wrote and who acknowledged a note, as themselves, and when agents may.

The seat S001 serves shop A; Wang Fang works its day shift and Li Na its night shift, both with
their own accounts. Time is frozen on 2026-10-15 (Shanghai) at the hour each test names.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from agency.access import is_agent
from agency.errors import ApplicationError, NotPermitted, StateConflict
from seats.models import CoverAssignment, HandoverNote, Leave
from seats.services import (
    handover_note_acknowledge,
    handover_note_create,
    handover_note_update,
    handover_overdue_alert,
    handover_writing_open_for_agents,
)
from seats.tasks import handover_overdue_alert as handover_overdue_alert_task
from tests.conftest import _client_for
from tests.factories import AgentFactory, ContractFactory, SeatFactory, UserFactory
from tests.seats.factories import HandoverNoteFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date(2026, 10, 15)
URL = "/api/v1/handover-notes/"


def at(hour: int, minute: int = 0, day: dt.date = D):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture
def day_user(day_agent):
    user = UserFactory(username="wangfang")
    day_agent.user = user
    day_agent.save()
    is_agent(user)
    return user


@pytest.fixture
def night_user(night_agent):
    user = UserFactory(username="lina")
    night_agent.user = user
    night_agent.save()
    is_agent(user)
    return user


def _write(user, contract, **extra):
    return handover_note_create(
        actor=user,
        seat=contract.seat,
        shop=contract.shop,
        date=D,
        open_cases="Order 881: refund pending.",
        promises="Call the buyer back by 20:00.",
        **extra,
    )


# --- The 16:00 rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, open_",
    [
        (dt.datetime(2026, 10, 15, 15, 59, tzinfo=SHANGHAI), False),
        (dt.datetime(2026, 10, 15, 16, 0, tzinfo=SHANGHAI), True),
        (dt.datetime(2026, 10, 15, 23, 59, tzinfo=SHANGHAI), True),
        (dt.datetime(2026, 10, 16, 0, 1, tzinfo=SHANGHAI), False),  # the next day
        # 08:00 UTC is 16:00 in Shanghai: the rule reads Shanghai time.
        (dt.datetime(2026, 10, 15, 8, 0, tzinfo=dt.UTC), True),
    ],
)
def test_handover_writing_opens_at_16_00_shanghai_on_the_notes_own_date(moment, open_):
    assert handover_writing_open_for_agents(day=D, now=moment) is open_


def test_the_day_agent_cannot_write_before_16_00(contract_a, day_user):
    with at(15, 59), pytest.raises(ApplicationError, match="from 16:00"):
        _write(day_user, contract_a)
    assert not HandoverNote.objects.exists()


def test_the_day_agent_writes_from_16_00_as_themselves(contract_a, day_user, day_agent):
    with at(16, 0):
        note = _write(day_user, contract_a)
    assert note.from_agent == day_agent
    assert note.written_by == day_user


def test_an_agent_writes_only_the_note_of_today(contract_a, day_user):
    with at(16, 30, day=dt.date(2026, 10, 16)), pytest.raises(ApplicationError, match="own day"):
        _write(day_user, contract_a)


def test_a_manager_may_write_before_16_00_and_is_recorded_as_the_manager(
    contract_a, manager, day_agent
):
    with at(11, 0):
        note = _write(manager, contract_a, from_agent=day_agent)
    assert note.written_by == manager
    assert note.from_agent == day_agent


# --- Who may write ------------------------------------------------------------------------------


def test_an_agent_cannot_write_as_someone_else(contract_a, day_user, night_agent):
    with at(16, 5), pytest.raises(NotPermitted):
        _write(day_user, contract_a, from_agent=night_agent)


def test_the_night_agent_cannot_write_the_day_agents_note(contract_a, night_user):
    with at(16, 5), pytest.raises(ValidationError) as error:
        _write(night_user, contract_a)
    assert "from_agent" in error.value.message_dict


def test_a_cover_writes_the_note_and_the_regular_agent_on_leave_does_not(
    contract_a, day_user, day_agent
):
    floater_user = UserFactory(username="floater")
    floater = AgentFactory(name="Zhao Lei", user=floater_user)
    is_agent(floater_user)
    Leave.objects.create(agent=day_agent, start_date=D, end_date=D, status="approved")
    CoverAssignment.objects.create(
        seat=contract_a.seat, shift="day", agent=floater, start_date=D, end_date=D
    )
    with at(16, 10):
        with pytest.raises(ValidationError):
            _write(day_user, contract_a)
        note = _write(floater_user, contract_a)
    assert note.from_agent == floater
    assert note.written_by == floater_user


def test_a_shop_owner_cannot_write_notes(contract_a, owner_a, day_agent):
    with at(16, 10), pytest.raises(NotPermitted):
        _write(owner_a, contract_a, from_agent=day_agent)


def test_the_day_agent_edits_the_note_until_it_is_acknowledged(contract_a, day_user, night_user):
    with at(16, 10):
        note = _write(day_user, contract_a)
        handover_note_update(note=note, actor=day_user, promises="Refund approved.")
    note.refresh_from_db()
    assert note.promises == "Refund approved."
    with at(17, 5):
        handover_note_acknowledge(note=note, actor=night_user)
        with pytest.raises(StateConflict):
            handover_note_update(note=note, actor=day_user, promises="Too late.")


def test_another_agent_cannot_edit_the_note(contract_a, day_user, night_user):
    with at(16, 10):
        note = _write(day_user, contract_a)
        with pytest.raises(NotPermitted):
            handover_note_update(note=note, actor=night_user, promises="Not mine.")


# --- Who may acknowledge ------------------------------------------------------------------------


def test_the_night_agent_acknowledges_as_themselves(contract_a, day_user, night_user):
    with at(16, 10):
        note = _write(day_user, contract_a)
    with at(17, 2):
        note = handover_note_acknowledge(note=note, actor=night_user)
    assert note.acknowledged_by == night_user
    assert note.acknowledged_at == dt.datetime(2026, 10, 15, 17, 2, tzinfo=SHANGHAI)


def test_the_day_agent_cannot_acknowledge_their_own_note(contract_a, day_user):
    with at(16, 10):
        note = _write(day_user, contract_a)
        with pytest.raises(NotPermitted):
            handover_note_acknowledge(note=note, actor=day_user)


def test_a_manager_acknowledging_is_recorded_as_the_manager(contract_a, day_user, manager):
    with at(16, 10):
        note = _write(day_user, contract_a)
    with at(13, 19, day=dt.date(2026, 10, 16)):
        note = handover_note_acknowledge(note=note, actor=manager)
    assert note.acknowledged_by == manager
    assert note.acknowledged_by != note.to_agent.user


# --- The API ------------------------------------------------------------------------------------


def test_an_agents_token_writes_for_its_seat_without_naming_seat_or_author(contract_a, day_user):
    with at(16, 20):
        response = _client_for(day_user).post(
            URL, {"shop": contract_a.shop_id, "promises": "Ship tomorrow."}, format="json"
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["written_by"] == "wangfang"
    assert body["date"] == "2026-10-15"
    assert body["seat"] == contract_a.seat_id
    assert body["acknowledged_by"] is None


def test_an_agents_token_naming_another_author_gets_403(contract_a, day_user, night_agent):
    with at(16, 20):
        response = _client_for(day_user).post(
            URL, {"shop": contract_a.shop_id, "from_agent": night_agent.pk}, format="json"
        )
    assert response.status_code == 403


def test_an_agents_token_before_16_00_gets_a_reason(contract_a, day_user):
    with at(15, 0):
        response = _client_for(day_user).post(URL, {"shop": contract_a.shop_id}, format="json")
    assert response.status_code == 400
    assert "16:00" in response.json()["detail"]


def test_an_agents_token_cannot_write_for_another_seats_shop(contract_a, day_user, shop_b):
    ContractFactory(shop=shop_b, seat=SeatFactory(code="S002"))
    with at(16, 20):
        response = _client_for(day_user).post(URL, {"shop": shop_b.pk}, format="json")
    assert response.status_code == 400
    assert "shop" in response.json()


def test_the_api_shows_who_acknowledged_and_when(contract_a, day_user, night_user, manager):
    with at(16, 20):
        note = _write(day_user, contract_a)
    with at(17, 1):
        refused = _client_for(day_user).post(f"{URL}{note.pk}/acknowledge/")
        response = _client_for(night_user).post(f"{URL}{note.pk}/acknowledge/")
    assert refused.status_code == 403
    assert response.status_code == 200
    body = response.json()
    assert body["acknowledged_by"] == "lina"
    assert body["written_by"] == "wangfang"
    assert body["acknowledged_at"].startswith("2026-10-15T17:01")


def test_a_managers_token_acknowledging_is_recorded_as_the_manager(
    manager_api, contract_a, day_agent
):
    note = HandoverNoteFactory(seat=contract_a.seat, shop=contract_a.shop, from_agent=day_agent)
    response = manager_api.post(f"{URL}{note.pk}/acknowledge/")
    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == "manager"


def test_an_owners_token_cannot_acknowledge(owner_a_api, contract_a, day_agent):
    note = HandoverNoteFactory(seat=contract_a.seat, shop=contract_a.shop, from_agent=day_agent)
    assert owner_a_api.post(f"{URL}{note.pk}/acknowledge/").status_code == 403


# --- The 18:00 alert ----------------------------------------------------------------------------


@pytest.fixture
def unread_note(contract_a, day_agent, manager):
    manager.email = "manager@example.com"
    manager.save()
    return HandoverNoteFactory(
        seat=contract_a.seat, shop=contract_a.shop, from_agent=day_agent, date=D
    )


def test_a_note_unread_before_18_00_is_no_alert_yet(unread_note):
    with at(17, 59):
        result = handover_overdue_alert()
    assert result.overdue == 0
    assert mail.outbox == []


def test_a_note_unread_at_18_00_alerts_managers_once(
    unread_note, django_capture_on_commit_callbacks
):
    with at(18, 0), django_capture_on_commit_callbacks(execute=True):
        first = handover_overdue_alert()
    with at(18, 30), django_capture_on_commit_callbacks(execute=True):
        second = handover_overdue_alert_task()
    assert (first.overdue, first.alerted) == (1, 1)
    assert second == {"overdue": 1, "alerted": 0}
    assert len(mail.outbox) == 1
    assert unread_note.shop.name in mail.outbox[0].body
    unread_note.refresh_from_db()
    assert unread_note.overdue_alerted_at is not None


def test_an_acknowledged_note_is_never_an_alert(unread_note, manager):
    handover_note_acknowledge(note=unread_note, actor=manager)
    with at(19, 0):
        assert handover_overdue_alert().overdue == 0
    assert mail.outbox == []
