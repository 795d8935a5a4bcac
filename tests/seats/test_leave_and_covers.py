"""Leave (seats/services/leave.py) and cover assignments (seats/services/covers.py): each rule."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from agency.choices import Shift
from agency.errors import NotPermitted, StateConflict
from seats import services
from seats.choices import LeaveStatus
from seats.models import CoverAssignment, Leave, UncoveredShiftsDigest
from seats.services.uncovered import uncovered_shifts_warn
from tests.factories import AgentFactory, SeatAssignmentFactory, SeatFactory, UserFactory

D = dt.date(2026, 10, 20)  # five days after the frozen today (2026-10-15)


@pytest.fixture
def agent_user(day_agent):
    user = UserFactory(username="wangfang")
    day_agent.user = user
    day_agent.save()
    return user


@pytest.fixture
def floater(db):
    return AgentFactory(name="Zhao Lei", employee_no="E-FLOAT")


def _request(agent, start=D, end=D, actor=None, approve=False):
    return services.leave_request(
        agent=agent, start_date=start, end_date=end, approve=approve, actor=actor
    ).leave


# --- Leave --------------------------------------------------------------------------------------


def test_leave_requester_check_agents_ask_for_themselves_only(
    today, agent_user, day_agent, night_agent, owner_a
):
    leave = _request(day_agent, actor=agent_user)
    assert (leave.status, leave.requested_by) == (LeaveStatus.REQUESTED, agent_user)
    with pytest.raises(NotPermitted):
        _request(night_agent, actor=agent_user)
    with pytest.raises(NotPermitted):
        _request(night_agent, actor=owner_a)


def test_leave_dates_check_end_after_start_and_agents_not_in_the_past(
    today, agent_user, day_agent, manager
):
    with pytest.raises(ValidationError) as error:
        _request(day_agent, start=D, end=D - dt.timedelta(days=1), actor=manager)
    assert "end_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _request(day_agent, start=today - dt.timedelta(days=1), actor=agent_user)
    assert "start_date" in error.value.message_dict
    # A manager records a sick day already taken.
    assert _request(day_agent, start=today - dt.timedelta(days=1), actor=manager).pk


def test_leave_overlap_check_live_requests_never_share_a_date(today, day_agent, manager):
    first = _request(day_agent, start=D, end=D + dt.timedelta(days=2), actor=manager)
    with pytest.raises(ValidationError) as error:
        _request(day_agent, start=D + dt.timedelta(days=2), end=D + dt.timedelta(days=4))
    assert "start_date" in error.value.message_dict
    services.leave_reject(leave=first, actor=manager)
    assert _request(day_agent, start=D + dt.timedelta(days=2), end=D + dt.timedelta(days=4)).pk


def test_a_manager_may_approve_at_once_and_learns_the_uncovered_dates(
    today, contract_a, day_agent, manager
):
    decision = services.leave_request(
        agent=day_agent,
        start_date=D,
        end_date=D + dt.timedelta(days=1),
        approve=True,
        actor=manager,
    )
    assert decision.leave.status == LeaveStatus.APPROVED
    assert decision.leave.decided_by == manager
    assert decision.uncovered_dates == [D, D + dt.timedelta(days=1)]
    assert {slot.shift for slot in decision.uncovered} == {Shift.DAY}


def test_only_managers_approve_or_reject_and_only_requested_leave(
    today, agent_user, day_agent, manager
):
    leave = _request(day_agent, actor=agent_user)
    with pytest.raises(NotPermitted):
        services.leave_approve(leave=leave, actor=agent_user)
    with pytest.raises(NotPermitted):
        services.leave_request(
            agent=day_agent, start_date=D, end_date=D, approve=True, actor=agent_user
        )
    services.leave_approve(leave=leave, actor=manager)
    with pytest.raises(StateConflict):
        services.leave_approve(leave=leave, actor=manager)
    with pytest.raises(StateConflict):
        services.leave_reject(leave=leave, actor=manager)


def test_leave_cover_clash_check_an_agent_on_leave_covers_nothing(
    today, staffed_seat, floater, manager
):
    other = SeatFactory(code="S002")
    services.cover_create(
        seat=other, shift=Shift.DAY, agent=floater, start_date=D, end_date=D, actor=manager
    )
    leave = _request(floater, start=D - dt.timedelta(days=1), end=D, actor=manager)
    with pytest.raises(ValidationError) as error:
        services.leave_approve(leave=leave, actor=manager)
    assert "S002" in error.value.messages[0] and "2026-10-20" in error.value.messages[0]


def test_leave_cancel_check_who_and_when(today, agent_user, day_agent, night_agent, manager):
    own = _request(day_agent, actor=agent_user)
    others = _request(night_agent, start=D, end=D, actor=manager)
    with pytest.raises(NotPermitted):
        services.leave_cancel(leave=others, actor=agent_user)
    assert services.leave_cancel(leave=own, actor=agent_user).status == LeaveStatus.CANCELLED
    with pytest.raises(StateConflict):
        services.leave_cancel(leave=own, actor=manager)
    # Approved and not begun: cancellable; begun: a record of days off that stays.
    services.leave_approve(leave=others, actor=manager)
    assert services.leave_cancel(leave=others, actor=manager).status == LeaveStatus.CANCELLED
    begun = _request(night_agent, start=today, end=D, actor=manager, approve=True)
    with pytest.raises(StateConflict):
        services.leave_cancel(leave=begun, actor=manager)


# --- Covers -------------------------------------------------------------------------------------


def _cover(seat, agent, start=D, end=D, shift=Shift.DAY, actor=None):
    return services.cover_create(
        seat=seat, shift=shift, agent=agent, start_date=start, end_date=end, actor=actor
    )


def test_a_cover_fills_the_gap_leave_left(
    today, contract_a, staffed_seat, day_agent, floater, manager
):
    _request(day_agent, actor=manager, approve=True)
    cover = _cover(staffed_seat, floater, actor=manager)
    assert cover.created_by == manager
    decision_gaps = services.leave_request(
        agent=day_agent,
        start_date=D + dt.timedelta(days=1),
        end_date=D + dt.timedelta(days=1),
        approve=True,
        actor=manager,
    ).uncovered_dates
    assert decision_gaps == [D + dt.timedelta(days=1)]


def test_only_managers_create_or_delete_covers(today, staffed_seat, floater, owner_a, manager):
    with pytest.raises(NotPermitted):
        _cover(staffed_seat, floater, actor=owner_a)
    cover = _cover(staffed_seat, floater, actor=manager)
    with pytest.raises(NotPermitted):
        services.cover_delete(cover=cover, actor=owner_a)
    services.cover_delete(cover=cover, actor=manager)
    assert not CoverAssignment.objects.exists()


def test_cover_dates_check_end_after_start_and_bounded(today, staffed_seat, floater):
    with pytest.raises(ValidationError) as error:
        _cover(staffed_seat, floater, start=D, end=D - dt.timedelta(days=1))
    assert "end_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _cover(staffed_seat, floater, start=D, end=D + dt.timedelta(days=services.MAX_COVER_DAYS))
    assert "end_date" in error.value.message_dict


@pytest.mark.parametrize("clash", ["own_seat_shift", "approved_leave", "other_cover", "left"])
def test_cover_agent_free_check_names_the_first_clash_date(today, staffed_seat, floater, clash):
    clash_day = D + dt.timedelta(days=2)
    if clash == "own_seat_shift":
        SeatAssignmentFactory(seat=SeatFactory(), agent=floater, start_date=clash_day)
    elif clash == "approved_leave":
        Leave.objects.create(
            agent=floater, start_date=clash_day, end_date=clash_day, status=LeaveStatus.APPROVED
        )
    elif clash == "other_cover":
        _cover(SeatFactory(), floater, start=clash_day, end=clash_day + dt.timedelta(days=9))
    else:
        floater.status = "left"
        floater.save()
    with pytest.raises(ValidationError) as error:
        _cover(staffed_seat, floater, start=D, end=D + dt.timedelta(days=5))
    message = error.value.message_dict["agent"][0]
    if clash != "left":
        assert "2026-10-22" in message


def test_requested_leave_does_not_stop_a_cover(today, staffed_seat, floater):
    Leave.objects.create(agent=floater, start_date=D, end_date=D, status=LeaveStatus.REQUESTED)
    assert _cover(staffed_seat, floater).pk


def test_cover_seat_shift_free_check_one_cover_per_seat_shift_and_date(
    today, staffed_seat, floater
):
    _cover(staffed_seat, floater, start=D, end=D + dt.timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        _cover(staffed_seat, AgentFactory(), start=D + dt.timedelta(days=2), end=D.replace(day=25))
    assert "2026-10-22" in error.value.message_dict["start_date"][0]
    # The other shift of the same seat is another seat-shift.
    assert _cover(staffed_seat, AgentFactory(), shift=Shift.NIGHT).pk


# --- The daily warning --------------------------------------------------------------------------


def test_uncovered_shifts_warning_is_sent_once_per_day_after_commit(
    today, contract_a, day_agent, manager, django_capture_on_commit_callbacks
):
    manager.email = "boss@example.com"
    manager.language = "zh-hans"
    manager.save()
    Leave.objects.create(agent=day_agent, start_date=D, end_date=D, status=LeaveStatus.APPROVED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert uncovered_shifts_warn(day=today) == 1
        assert mail.outbox == []
    assert callbacks  # the email is queued once the digest row is committed
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert uncovered_shifts_warn(day=today) == 0
    assert len(mail.outbox) == 1
    assert "2026-10-20" in mail.outbox[0].body
    assert "未排班" in mail.outbox[0].subject or "班次" in mail.outbox[0].subject
    assert UncoveredShiftsDigest.objects.get().uncovered == 1


def test_nothing_uncovered_sends_nothing(
    today, contract_a, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert uncovered_shifts_warn(day=today) == 0
    assert mail.outbox == []


def test_beat_schedules_the_uncovered_warning_by_its_registered_name(settings):
    import seats.tasks  # noqa: F401 - registers the task, as the worker's autodiscovery does
    from agency.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["daily-uncovered-seat-shifts"]
    assert entry["task"] in app.tasks
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {30})


def test_the_task_warns_for_today_once(today, contract_a, day_agent, manager):
    from seats import tasks

    manager.email = "boss@example.com"
    manager.save()
    Leave.objects.create(agent=day_agent, start_date=D, end_date=D, status=LeaveStatus.APPROVED)
    assert tasks.warn_uncovered_shifts.apply().get() == 1
    assert tasks.warn_uncovered_shifts.apply().get() == 0
    assert UncoveredShiftsDigest.objects.get().day == today


@pytest.mark.django_db(transaction=False)
def test_postgresql_refuses_overlapping_covers_and_live_leave_itself(staffed_seat, floater):
    """The database's last word when two requests race past the services' checks."""
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("exclusion constraints exist on PostgreSQL only")
    CoverAssignment.objects.create(
        seat=staffed_seat, shift=Shift.DAY, agent=floater, start_date=D, end_date=D
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CoverAssignment.objects.create(  # the same seat-shift that date
            seat=staffed_seat, shift=Shift.DAY, agent=AgentFactory(), start_date=D, end_date=D
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CoverAssignment.objects.create(  # the same agent that date
            seat=SeatFactory(), shift=Shift.NIGHT, agent=floater, start_date=D, end_date=D
        )
    Leave.objects.create(agent=floater, start_date=D, end_date=D)
    with pytest.raises(IntegrityError), transaction.atomic():
        Leave.objects.create(agent=floater, start_date=D, end_date=D)
    # Rejected or cancelled leave does not count.
    Leave.objects.create(agent=floater, start_date=D, end_date=D, status=LeaveStatus.REJECTED)


def test_an_agent_covering_a_date_gets_no_seat_shift_of_their_own_then(
    today, staffed_seat, floater, manager
):
    _cover(staffed_seat, floater, start=D, end=D + dt.timedelta(days=2), actor=manager)
    with pytest.raises(ValidationError) as error:
        services.assignment_create(
            seat=SeatFactory(), agent=floater, shift=Shift.NIGHT, start_date=today, actor=manager
        )
    assert "2026-10-20" in error.value.message_dict["agent"][0]
    # After the cover ends the agent may take a seat-shift.
    assert services.assignment_create(
        seat=SeatFactory(),
        agent=floater,
        shift=Shift.NIGHT,
        start_date=D + dt.timedelta(days=3),
        actor=manager,
    ).pk
