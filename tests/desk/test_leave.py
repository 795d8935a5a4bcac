"""The agent's leave on the desk: their own requests, asking for leave (the service's refusals as
form errors), cancelling with a confirmation step, and who may open it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seats.choices import LeaveStatus
from seats.models import Leave
from tests.desk.conftest import TODAY, at, signed_in
from tests.factories import UserFactory

LEAVE = "/desk/leave/"


def ask(client, start: dt.date, end: dt.date, reason: str = ""):
    return client.post(
        LEAVE, {"start_date": start.isoformat(), "end_date": end.isoformat(), "reason": reason}
    )


def leave_of(agent, start, end, status=LeaveStatus.REQUESTED, **extra) -> Leave:
    return Leave.objects.create(agent=agent, start_date=start, end_date=end, status=status, **extra)


# --- Who may open it -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page_from_leave(client, db):
    response = client.get(LEAVE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_non_agents_are_refused_the_leave_page(owner_a, manager, db):
    assert signed_in(owner_a).get(LEAVE).status_code == 403
    assert signed_in(UserFactory(username="nobody")).get(LEAVE).status_code == 403
    assert signed_in(owner_a).post(LEAVE, {}).status_code == 403
    response = signed_in(manager).get(LEAVE)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_desk_links_to_the_leave_page(day_client):
    with at(10):
        page = day_client.get("/desk/").content.decode()
    assert 'href="/desk/leave/"' in page


# --- The list ------------------------------------------------------------------------------------


def test_an_agent_without_leave_sees_the_empty_state(day_client):
    with at(10):
        response = day_client.get(LEAVE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "你还没有申请过请假。" in response.content.decode()


def test_the_agent_sees_only_their_own_leave_with_its_status(day_client, day_agent, night_agent):
    leave_of(day_agent, TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=4), reason="婚假")
    leave_of(
        day_agent,
        TODAY + dt.timedelta(days=20),
        TODAY + dt.timedelta(days=20),
        status=LeaveStatus.APPROVED,
    )
    leave_of(
        day_agent,
        TODAY + dt.timedelta(days=30),
        TODAY + dt.timedelta(days=30),
        status=LeaveStatus.REJECTED,
    )
    leave_of(
        night_agent,
        TODAY + dt.timedelta(days=5),
        TODAY + dt.timedelta(days=5),
        reason="night agent's own",
    )
    with at(10):
        page = day_client.get(LEAVE).content.decode()
    assert "婚假" in page
    for word in ("待审批", "已批准", "已驳回"):
        assert word in page
    assert "night agent&#x27;s own" not in page


def test_the_leave_page_costs_the_same_queries_for_one_leave_or_five(day_client, day_agent):
    leave_of(day_agent, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=1))
    with at(10), CaptureQueriesContext(connection) as one:
        assert day_client.get(LEAVE).status_code == 200
    for offset in range(2, 6):
        leave_of(
            day_agent,
            TODAY + dt.timedelta(days=offset * 10),
            TODAY + dt.timedelta(days=offset * 10),
            status=LeaveStatus.APPROVED if offset % 2 else LeaveStatus.REQUESTED,
        )
    with at(10), CaptureQueriesContext(connection) as five:
        assert day_client.get(LEAVE).status_code == 200
    assert len(five) == len(one)


# --- Asking for leave ----------------------------------------------------------------------------


def test_the_agent_requests_leave_for_themselves(day_client, day_agent, day_user):
    start = TODAY + dt.timedelta(days=2)
    with at(10):
        response = ask(day_client, start, start + dt.timedelta(days=1), reason="家里有事")
    assert response.status_code == 302
    assert response["Location"] == LEAVE
    leave = Leave.objects.get()
    assert (leave.agent, leave.start_date, leave.end_date) == (
        day_agent,
        start,
        start + dt.timedelta(days=1),
    )
    assert leave.status == LeaveStatus.REQUESTED
    assert leave.requested_by == day_user
    assert leave.reason == "家里有事"
    with at(10):
        page = day_client.get(LEAVE).content.decode()
    assert "等待主管审批" in page
    assert "待审批" in page


def test_an_overlapping_request_shows_the_services_error_on_the_form(day_client, day_agent):
    leave_of(day_agent, TODAY + dt.timedelta(days=2), TODAY + dt.timedelta(days=4))
    with at(10):
        response = ask(day_client, TODAY + dt.timedelta(days=4), TODAY + dt.timedelta(days=6))
    assert response.status_code == 400
    form = response.context["form"]
    assert "同一客服的请假不能重叠" in " ".join(form.errors["start_date"])
    assert "同一客服的请假不能重叠" in response.content.decode()
    assert Leave.objects.count() == 1


def test_a_past_start_or_an_end_before_the_start_is_refused_on_the_form(day_client):
    with at(10):
        past = ask(day_client, TODAY - dt.timedelta(days=1), TODAY)
        backwards = ask(day_client, TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=2))
        empty = day_client.post(LEAVE, {"start_date": "", "end_date": "nonsense"})
    assert past.status_code == backwards.status_code == empty.status_code == 400
    assert "start_date" in past.context["form"].errors
    assert "end_date" in backwards.context["form"].errors
    assert set(empty.context["form"].errors) == {"start_date", "end_date"}
    assert not Leave.objects.exists()


# --- Cancelling ----------------------------------------------------------------------------------


def test_the_agent_cancels_requested_leave_after_confirming(day_client, day_agent):
    leave = leave_of(day_agent, TODAY + dt.timedelta(days=2), TODAY + dt.timedelta(days=3))
    url = f"/desk/leave/{leave.pk}/cancel/"
    with at(10):
        page = day_client.get(LEAVE).content.decode()
        assert f'href="{url}"' in page
        confirm = day_client.get(url)
        assert confirm.status_code == 200
        assert "确定撤销请假" in confirm.content.decode()
        leave.refresh_from_db()
        assert leave.status == LeaveStatus.REQUESTED  # asking does not cancel
        response = day_client.post(url)
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.CANCELLED


@pytest.mark.parametrize(
    ("status", "offset"),
    [
        (LeaveStatus.APPROVED, 0),  # approved and begun: a record of days off
        (LeaveStatus.REJECTED, 3),
        (LeaveStatus.CANCELLED, 3),
    ],
)
def test_leave_cancellable_offers_no_cancel_where_the_rules_refuse_it(
    day_client, day_agent, status, offset
):
    start = TODAY + dt.timedelta(days=offset)
    leave = leave_of(day_agent, start, start + dt.timedelta(days=1), status=status)
    url = f"/desk/leave/{leave.pk}/cancel/"
    with at(10):
        assert f'href="{url}"' not in day_client.get(LEAVE).content.decode()
        assert day_client.get(url)["Location"] == LEAVE
        day_client.post(url)
    leave.refresh_from_db()
    assert leave.status == status


def test_approved_leave_not_begun_can_be_cancelled(day_client, day_agent):
    leave = leave_of(
        day_agent,
        TODAY + dt.timedelta(days=1),
        TODAY + dt.timedelta(days=1),
        status=LeaveStatus.APPROVED,
    )
    with at(10):
        assert f"/desk/leave/{leave.pk}/cancel/" in day_client.get(LEAVE).content.decode()
        day_client.post(f"/desk/leave/{leave.pk}/cancel/")
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.CANCELLED


def test_another_agents_leave_answers_404(day_client, night_agent):
    leave = leave_of(night_agent, TODAY + dt.timedelta(days=2), TODAY + dt.timedelta(days=2))
    url = f"/desk/leave/{leave.pk}/cancel/"
    with at(10):
        assert day_client.get(url).status_code == 404
        assert day_client.post(url).status_code == 404
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.REQUESTED


def test_the_agent_asks_for_unpaid_leave_and_sees_it_marked(day_client):
    start = TODAY + dt.timedelta(days=2)
    with at(10):
        form = day_client.get(LEAVE).content.decode()
        day_client.post(
            LEAVE,
            {"start_date": start.isoformat(), "end_date": start.isoformat(), "unpaid": "on"},
        )
        page = day_client.get(LEAVE).content.decode()
    assert "事假（无薪，从底薪扣除）" in form
    assert Leave.objects.get().unpaid is True
    assert 'badge-warn">无薪</span>' in page
