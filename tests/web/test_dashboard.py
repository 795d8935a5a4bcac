"""The dashboard: who covers what today, the alerts, the month's revenue, 30 days of inquiries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agency.choices import Plan
from seats.choices import LeaveStatus
from seats.models import CoverAssignment, HandoverNote, Leave
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatFactory,
    ShopFactory,
    WorkloadFactory,
)
from tests.seats.factories import HandoverNoteFactory
from tests.web.conftest import TODAY, count_queries, grow_agency
from web import selectors

DASHBOARD = "/"


@pytest.mark.django_db
def test_coverage_board_shows_each_shift_its_agent_shops_and_live_band(manager_client, agency):
    response = manager_client.get(DASHBOARD)
    html = response.content.decode()
    row = selectors.coverage_board(day=response.context["board"].today)[0]
    assert row.seat.code == "S001"
    assert row.day.agent.name == "Day Agent 1"
    # The one-shift night contract is served by the night agent only.
    assert [shop.name for shop in row.day.shops] == ["Full Shop 1"]
    assert [shop.name for shop in row.night.shops] == ["Full Shop 1", "Night Shop 1"]
    # Live band from today's workloads: 70 (normal) by day, 40 + 45 = 85 (busy) by night.
    assert (row.day.inquiries, row.day.band) == (70, "normal")
    assert (row.night.inquiries, row.night.band) == (85, "busy")
    # The dashboard counts the seat-shifts; the board itself is on the seats page.
    assert 'class="table coverage"' not in html and 'class="badge band-busy"' not in html
    board = manager_client.get(reverse("web:seat-board")).content.decode()
    assert "Day Agent 1" in board and "Night Agent 1" in board
    assert 'class="badge band-busy"' in board


@pytest.mark.django_db
def test_the_board_without_people_has_the_same_states_in_two_queries_fewer(
    agency, owner_a, settings
):
    grow_agency(agency, owner_a, seats=3)
    # Every state on the board: a cover, an agent on leave, shifts nobody works, over the peak.
    settings.AGENCY = {**settings.AGENCY, "SEAT_PEAK_INQUIRIES": 100}
    Leave.objects.create(
        agent=agency.agents[0], start_date=TODAY, end_date=TODAY, status=LeaveStatus.APPROVED
    )
    CoverAssignment.objects.create(
        seat=agency.seats[0], shift="night", agent=AgentFactory(), start_date=TODAY, end_date=TODAY
    )
    with CaptureQueriesContext(connection) as with_people:
        full = selectors.coverage_board(day=TODAY)
    with CaptureQueriesContext(connection) as without:
        lean = selectors.coverage_board(day=TODAY, people=False)
    # No names and no load of the day: the agents' and the workloads' reads are left out.
    assert len(without) == len(with_people) - 2
    assert selectors.coverage_summary(lean) == selectors.coverage_summary(full)
    for state in selectors.BOARD_STATES:
        in_state = [row.seat.pk for row in full if selectors.row_in_state(row, state)]
        assert [row.seat.pk for row in lean if selectors.row_in_state(row, state)] == in_state
        assert in_state, state
    for lean_row, row in zip(lean, full, strict=True):
        for lean_cell, cell in zip(lean_row.cells, row.cells, strict=True):
            assert lean_cell.agent_id == (cell.agent.pk if cell.agent else None)
            assert lean_cell.agent is None and lean_cell.regular is None
            assert [shop.pk for shop in lean_cell.shops] == [shop.pk for shop in cell.shops]


@pytest.mark.django_db
def test_coverage_today_counts_seat_shifts_by_state_and_links_to_the_board(manager_client, agency):
    response = manager_client.get(DASHBOARD)
    summary = response.context["board"].coverage
    # S001 worked by day and night; S900 has a shop and nobody (two uncovered shifts).
    assert (summary.seats, summary.shifts) == (2, 4)
    assert (summary.worked, summary.covered, summary.uncovered, summary.idle) == (2, 0, 2, 0)
    html = response.content.decode()
    assert "2 seats, 4 seat-shifts today." in html
    assert f'href="{reverse("web:seat-board")}?state=uncovered"' in html
    assert "Open the coverage board" in html


@pytest.mark.django_db
def test_alerts_list_each_kind_of_trouble(manager_client, agency):
    busy = agency.agents[-1]  # overloaded yesterday (150); twice more in the last 14 days:
    for days_before, inquiries in ((4, 130), (9, 125)):
        WorkloadFactory(
            agent=busy,
            shop=agency.shops[-1],
            date=TODAY - dt.timedelta(days=days_before),
            inquiries=inquiries,
            conversions=0,
        )
    board = manager_client.get(DASHBOARD).context["board"]
    assert [(entry.agent_name, entry.days, entry.window_days) for entry in board.overloaded] == [
        ("Busy Bee", 3, 14)
    ]
    assert [(row.seat.code, cell.shift) for row, cell in board.uncovered] == [
        ("S900", "day"),
        ("S900", "night"),
    ]
    assert board.handover_count == 1
    assert board.awaiting_count == 1
    html = manager_client.get(DASHBOARD).content.decode()
    assert "Busy Bee</a>: overloaded 3 of the last 14 days" in html
    assert "Uncovered shifts today" in html
    assert "1 handover note not acknowledged" in html
    assert "1 draft invoice awaiting turnover" in html


@pytest.mark.django_db
def test_a_seat_over_its_peak_is_an_alert(manager_client, agency, settings):
    settings.AGENCY = {**settings.AGENCY, "SEAT_PEAK_INQUIRIES": 100}
    board = manager_client.get(DASHBOARD).context["board"]
    assert "S001" in [row.seat.code for row in board.seats_over_peak]
    assert "Seats over the 100 peak" in manager_client.get(DASHBOARD).content.decode()


@pytest.mark.django_db
def test_month_to_date_revenue_adds_the_months_invoices_that_are_not_void(manager_client, agency):
    response = manager_client.get(DASHBOARD)
    # Two October drafts of 1,000.10; the void October invoice of 500.00 is left out.
    assert response.context["board"].revenue_month_to_date == Decimal("2000.20")
    assert "¥ 2,000.20" in response.content.decode()


@pytest.mark.django_db
def test_inquiries_chart_covers_30_days_as_accessible_svg(manager_client, agency):
    response = manager_client.get(DASHBOARD)
    days = response.context["board"].inquiries_30_days
    assert len(days) == 30
    assert days[-1][1] == 70 + 40 + 45
    assert days[-2][1] == 70 + 40 + 45 + 150
    html = response.content.decode()
    assert '<svg class="chart"' in html and 'role="img"' in html
    assert '<title id="inquiries-30-title">Inquiries over the last 30 days</title>' in html


@pytest.mark.django_db
def test_an_empty_agency_has_a_calm_dashboard(manager_client):
    response = manager_client.get(DASHBOARD)
    assert response.status_code == 200
    assert "Nothing needs attention." in response.content.decode()


@pytest.mark.django_db
def test_dashboard_costs_the_same_queries_for_a_small_and_a_large_agency(
    manager_client, agency, owner_a, django_assert_max_num_queries
):
    small = count_queries(manager_client, DASHBOARD)
    grow_agency(agency, owner_a, seats=12)
    large = count_queries(manager_client, DASHBOARD)
    assert small == large
    # 24: the roster (three reads for today's board; two to find the seats that may lack a
    # worker in the next 14 days and three for their roster), the count of quality review
    # appeals awaiting a decision, and the overdue invoices. Today's board reads no agent's
    # name or load: the page shows none (``coverage_board(people=False)``).
    with django_assert_max_num_queries(24):
        manager_client.get(DASHBOARD)


@pytest.mark.django_db
def test_uncovered_shift_links_to_the_assignment_form(manager_client, agency):
    html = manager_client.get(DASHBOARD).content.decode()
    seat = agency.seats[1]
    assert f"{reverse('web:assignment-create')}?seat={seat.pk}&amp;shift=day" in html


@pytest.mark.django_db
def test_a_handover_note_is_read_and_acknowledged_from_the_dashboard(manager_client, agency):
    note = HandoverNote.objects.get()
    note.open_cases = "Buyer 张三 waits for a refund"
    note.promises = "Ship the replacement tomorrow"
    note.save()
    html = manager_client.get(DASHBOARD).content.decode()
    assert "Buyer 张三 waits for a refund" in html
    assert "Ship the replacement tomorrow" in html
    url = reverse("web:handover-acknowledge", args=[note.pk])
    assert f'action="{url}"' in html

    response = manager_client.post(url, follow=True)

    assert response.redirect_chain == [("/#alerts", 302)]
    note.refresh_from_db()
    assert note.acknowledged_at is not None
    page = response.content.decode()
    # Recorded as the manager who pressed the button, never as the night agent.
    assert "acknowledged by manager." in page
    assert note.acknowledged_by.username == "manager"
    assert "handover note not acknowledged" not in page

    again = manager_client.post(url, follow=True)
    assert "The note was already acknowledged at" in again.content.decode()


@pytest.mark.django_db
def test_a_note_on_a_seat_without_a_night_agent_says_so(manager_client, agency):
    day_agent = HandoverNote.objects.get().from_agent
    note = HandoverNoteFactory(
        seat=SeatFactory(code="S777"),
        shop=agency.shops[0],
        date=TODAY,
        from_agent=day_agent,
        to_agent=None,
    )

    response = manager_client.post(reverse("web:handover-acknowledge", args=[note.pk]), follow=True)

    assert "Seat S777 has no night agent on" in response.content.decode()
    note.refresh_from_db()
    assert note.acknowledged_at is None


@pytest.mark.django_db
def test_acknowledging_an_unknown_note_is_a_404(manager_client):
    assert manager_client.post(reverse("web:handover-acknowledge", args=[999])).status_code == 404


@pytest.mark.django_db
def test_alert_lists_show_ten_and_link_to_the_rest(manager_client, agency, owner_a):
    """A large agency's alerts stay a page: ten of a kind, how many more, and where they are."""
    for number in range(6):  # 6 more seats with a shop and nobody: 14 uncovered shifts in all
        seat = SeatFactory(code=f"S95{number}")
        ContractFactory(
            shop=ShopFactory(owner=owner_a, name=f"Lonely {number}"),
            seat=seat,
            plan=Plan.FULL_DAY,
            start_date=dt.date(2026, 1, 1),
        )
    response = manager_client.get(DASHBOARD)
    board = response.context["board"]
    html = response.content.decode()
    assert len(board.uncovered) == 14
    assert html.count("Assign an agent") == 10
    assert "and 4 more" in html
    assert (
        f'href="{reverse("web:seat-board")}?state=uncovered">All of them on the seats board' in html
    )
