"""The roster pages: week and month grids, leave, covers from an uncovered cell."""

import datetime as dt

import pytest
from django.urls import reverse

from seats.choices import LeaveStatus
from seats.models import CoverAssignment, Leave
from tests.factories import AgentFactory
from tests.web.conftest import TODAY, count_queries, grow_agency
from web.views.roster import neighbours, period_of

pytestmark = pytest.mark.django_db
GAP = TODAY + dt.timedelta(days=14)  # two weeks ahead: 2026-10-29, a Thursday


def test_periods_are_monday_weeks_and_calendar_months():
    assert period_of(dt.date(2026, 10, 15), "week") == (
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 18),
    )
    assert period_of(dt.date(2026, 2, 10), "month") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert neighbours(dt.date(2026, 12, 1), "month") == (dt.date(2026, 11, 1), dt.date(2027, 1, 1))
    assert neighbours(dt.date(2026, 10, 12), "week") == (
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 19),
    )


def test_the_week_shows_who_works_and_uncovered_cells_link_to_a_cover(manager_client, agency):
    body = manager_client.get(reverse("web:roster")).content.decode()
    assert "Day Agent 1" in body and "Night Agent 1" in body
    # S900 has a shop and no agents: both shifts are uncovered every day of the week.
    assert body.count('class="roster-cell uncovered"') == 14
    assert f"{reverse('web:cover-create')}?seat={agency.seats[1].pk}&amp;shift=day" in body


def test_leave_shows_on_the_roster_and_a_cover_fills_the_gap(manager_client, agency):
    day_agent, spare = agency.agents[0], AgentFactory(name="Floater Fu")
    Leave.objects.create(agent=day_agent, start_date=GAP, end_date=GAP, status=LeaveStatus.APPROVED)
    week = reverse("web:roster") + f"?start={GAP.isoformat()}"
    body = manager_client.get(week).content.decode()
    assert "Day Agent 1 on leave" in body
    form = manager_client.get(
        reverse("web:cover-create") + f"?seat={agency.seats[0].pk}&shift=day&date={GAP}"
    ).content.decode()
    assert "Floater Fu" in form and "Night Agent 1" not in form  # only free agents are offered
    response = manager_client.post(
        reverse("web:cover-create"),
        {
            "seat": agency.seats[0].pk,
            "shift": "day",
            "start_date": GAP.isoformat(),
            "end_date": GAP.isoformat(),
            "agent": spare.pk,
        },
    )
    assert response.status_code == 302
    cover = CoverAssignment.objects.get()
    assert (cover.agent, cover.start_date) == (spare, GAP)
    body = manager_client.get(week).content.decode()
    assert "Floater Fu" in body and "badge-info" in body


def test_a_busy_agent_is_refused_on_the_form(manager_client, agency):
    response = manager_client.post(
        reverse("web:cover-create"),
        {
            "seat": agency.seats[1].pk,
            "shift": "day",
            "start_date": GAP.isoformat(),
            "end_date": GAP.isoformat(),
            "agent": agency.agents[1].pk,
        },
    )
    assert response.status_code == 200
    assert not CoverAssignment.objects.exists()


def test_deleting_a_cover(manager_client, agency):
    cover = CoverAssignment.objects.create(
        seat=agency.seats[1], shift="day", agent=AgentFactory(), start_date=GAP, end_date=GAP
    )
    response = manager_client.post(reverse("web:cover-delete", args=[cover.pk]))
    assert response.status_code == 302
    assert not CoverAssignment.objects.exists()


def test_agent_rows_mark_work_covers_and_leave(manager_client, agency):
    spare = AgentFactory(name="Floater Fu")
    CoverAssignment.objects.create(
        seat=agency.seats[1], shift="night", agent=spare, start_date=TODAY, end_date=TODAY
    )
    Leave.objects.create(
        agent=agency.agents[0], start_date=TODAY, end_date=TODAY, status=LeaveStatus.APPROVED
    )
    body = manager_client.get(reverse("web:roster") + "?by=agent&period=month").content.decode()
    assert "Floater Fu" in body and "S900" in body
    assert "roster-cell roster-leave" in body


def test_a_manager_records_and_approves_leave_and_hears_of_the_gaps(manager_client, agency):
    day_agent = agency.agents[0]
    response = manager_client.post(
        reverse("web:leave-list"),
        {
            "agent": day_agent.pk,
            "start_date": GAP.isoformat(),
            "end_date": GAP.isoformat(),
            "reason": "Sick",
        },
        follow=True,
    )
    leave = Leave.objects.get()
    assert leave.status == LeaveStatus.REQUESTED  # the box was not ticked
    response = manager_client.post(reverse("web:leave-approve", args=[leave.pk]), follow=True)
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    assert "Give them a cover on the roster" in response.content.decode()
    assert response.request["QUERY_STRING"] == f"period=week&start={GAP.isoformat()}"


def test_reject_and_cancel_from_the_leave_page(manager_client, agency):
    first = Leave.objects.create(agent=agency.agents[0], start_date=GAP, end_date=GAP)
    second = Leave.objects.create(agent=agency.agents[1], start_date=GAP, end_date=GAP)
    manager_client.post(reverse("web:leave-reject", args=[first.pk]))
    manager_client.post(reverse("web:leave-cancel", args=[second.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (LeaveStatus.REJECTED, LeaveStatus.CANCELLED)
    # A refused action is a message, not an error page.
    response = manager_client.post(reverse("web:leave-approve", args=[first.pk]), follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["?period=week", "?period=month&by=agent", "leave"])
def test_roster_pages_cost_the_same_for_a_small_and_a_large_agency(
    manager_client, agency, owner_a, url
):
    target = reverse("web:leave-list") if url == "leave" else reverse("web:roster") + url
    Leave.objects.create(agent=agency.agents[0], start_date=TODAY, end_date=TODAY)
    small = count_queries(manager_client, target)
    grow_agency(agency, owner_a, seats=4)
    for agent in agency.agents:
        Leave.objects.create(agent=agent, start_date=GAP, end_date=GAP)
    assert count_queries(manager_client, target) == small


def test_agent_pages_list_covers_and_leave(manager_client, agency):
    spare = AgentFactory(name="Floater Fu")
    CoverAssignment.objects.create(
        seat=agency.seats[1], shift="night", agent=spare, start_date=TODAY, end_date=TODAY
    )
    Leave.objects.create(
        agent=agency.agents[0], start_date=TODAY, end_date=TODAY, status=LeaveStatus.APPROVED
    )
    listing = manager_client.get(reverse("web:agent-list")).content.decode()
    assert 'S900 · Night (17:00-24:00) <span class="badge badge-info">' in listing
    assert 'badge-muted">Leave' in listing
    detail = manager_client.get(reverse("web:agent-detail", args=[spare.pk])).content.decode()
    assert "S900" in detail and "Covers and leave" in detail


def test_the_coverage_board_gives_the_shift_to_the_cover_and_marks_leave(manager_client, agency):
    spare = AgentFactory(name="Floater Fu")
    Leave.objects.create(
        agent=agency.agents[0], start_date=TODAY, end_date=TODAY, status=LeaveStatus.APPROVED
    )
    body = manager_client.get(reverse("web:seat-board")).content.decode()
    assert "Day Agent 1 on leave" in body
    CoverAssignment.objects.create(
        seat=agency.seats[0], shift="day", agent=spare, start_date=TODAY, end_date=TODAY
    )
    body = manager_client.get(reverse("web:seat-board")).content.decode()
    assert "Floater Fu" in body and "Day Agent 1 on leave" in body


def test_the_dashboard_warns_of_gaps_in_the_next_14_days(manager_client, agency):
    orphan = agency.contracts[-1]  # S900 has nobody at all: take its shop away
    type(orphan).objects.filter(pk=orphan.pk).update(end_date=TODAY)
    Leave.objects.create(
        agent=agency.agents[0], start_date=GAP, end_date=GAP, status=LeaveStatus.APPROVED
    )
    body = manager_client.get(reverse("web:dashboard")).content.decode()
    assert 'id="upcoming-uncovered"' in body
    assert f"{reverse('web:roster')}?start={GAP.isoformat()}" in body
    assert "Day Agent 1 on leave" in body
    after = TODAY + dt.timedelta(days=15)  # past the next 14 days
    Leave.objects.filter(agent=agency.agents[0]).update(start_date=after, end_date=after)
    body = manager_client.get(reverse("web:dashboard")).content.decode()
    assert "Day Agent 1 on leave" not in body


def test_leave_recorded_as_unpaid_is_listed_and_the_manager_settles_it_when_approving(
    manager_client, agency
):
    day_agent = agency.agents[0]
    manager_client.post(
        reverse("web:leave-list"),
        {
            "agent": day_agent.pk,
            "start_date": GAP.isoformat(),
            "end_date": GAP.isoformat(),
            "unpaid": "on",
        },
    )
    leave = Leave.objects.get()
    assert (leave.status, leave.unpaid) == (LeaveStatus.REQUESTED, True)
    page = manager_client.get(reverse("web:leave-list")).content.decode()
    assert "Unpaid leave (deducted from base pay)" in page
    assert 'name="unpaid" value="1" checked' in page

    # The box unticked on the approve button: approved as paid leave.
    manager_client.post(reverse("web:leave-approve", args=[leave.pk]), {"unpaid_set": "1"})
    leave.refresh_from_db()
    assert (leave.status, leave.unpaid) == (LeaveStatus.APPROVED, False)
