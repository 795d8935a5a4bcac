"""Seats: the board, seat forms, assigning agents (refusals on the form), contracts onto seats."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from agency.choices import Plan, Shift
from seats.models import CoverAssignment, Seat, SeatAssignment
from shops.models import Contract
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatAssignmentFactory,
    SeatFactory,
    ShopFactory,
)
from tests.web.conftest import TODAY, count_queries, grow_agency

BOARD = "/seats/"
ASSIGN = "/seats/assign/"
CONTRACT = "/seats/contract/"


@pytest.mark.django_db
def test_board_shows_coverage_and_assignments_of_a_chosen_day(manager_client, agency):
    response = manager_client.get(BOARD)
    assert [row.seat.code for row in response.context["rows"]] == ["S001", "S900"]
    assert len(response.context["assignments"]) == 2
    earlier = manager_client.get(f"{BOARD}?day=2025-12-31")
    assert earlier.context["day"] == dt.date(2025, 12, 31)
    assert earlier.context["assignments"] == []


@pytest.mark.django_db
def test_board_costs_the_same_queries_for_few_and_many_seats(manager_client, agency, owner_a):
    small = count_queries(manager_client, BOARD)
    grow_agency(agency, owner_a, seats=10)
    # The roster says who works each seat-shift (covers and leave): three reads and the agents;
    # one more counts the seats for the pages.
    assert count_queries(manager_client, BOARD) == small <= 13


@pytest.mark.django_db
def test_board_shows_a_page_of_seats_in_the_same_queries_for_5_and_50_seats(
    manager_client, agency, owner_a
):
    grow_agency(agency, owner_a, seats=3)  # 5 seats
    few = count_queries(manager_client, BOARD)
    few_filtered = count_queries(manager_client, f"{BOARD}?state=uncovered")
    grow_agency(agency, owner_a, seats=45)  # 50 seats
    assert count_queries(manager_client, BOARD) == few
    assert count_queries(manager_client, f"{BOARD}?state=uncovered") == few_filtered
    response = manager_client.get(BOARD)
    rows = response.context["rows"]
    assert len(rows) == 20 and response.context["page_obj"].paginator.count == 50
    # The assignments listed are those of the page's seats.
    assert {a.seat_id for a in response.context["assignments"]} <= {r.seat.pk for r in rows}
    last = manager_client.get(f"{BOARD}?page=3")
    assert len(last.context["rows"]) == 10
    assert "Page 3 of 3" in last.content.decode()
    # Links are the detail pages of the rows' agents and shops.
    row = rows[0]
    html = response.content.decode()
    assert f'href="{reverse("web:agent-detail", args=[row.day.agent.pk])}"' in html
    assert f'href="{reverse("web:shop-detail", args=[row.day.shops[0].pk])}"' in html
    assert f'href="{reverse("web:seat-edit", args=[row.seat.pk])}"' in html


@pytest.mark.django_db
def test_board_filters_the_seats_by_state(manager_client, agency, owner_a):
    grow_agency(agency, owner_a, seats=3)
    response = manager_client.get(f"{BOARD}?state=uncovered")
    assert [row.seat.code for row in response.context["rows"]] == ["S900"]
    assert response.context["page_obj"].paginator.count == 1
    assert [r.seat.code for r in manager_client.get(f"{BOARD}?state=cover").context["rows"]] == []
    # An unknown state shows every seat.
    assert manager_client.get(f"{BOARD}?state=nonsense").context["page_obj"].paginator.count == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("en", "End the assignment of X &amp; &lt;Y&gt; to seat S990 (Night (17:00-24:00))"),
        ("zh-hans", "结束X &amp; &lt;Y&gt;在坐席 S990（晚班（17:00-24:00））的排班"),
    ],
)
def test_board_rows_escape_what_people_typed_in_either_language(
    manager_client, agency, language, question
):
    # The board's rows are written in Python (web/templatetags/board_rows.py), not by the
    # template language: they escape names as it would, and speak the manager's language.
    seat = SeatFactory(code="S990", name="Spare <b>seat</b>")
    odd = AgentFactory(name="X & <Y>")
    SeatAssignmentFactory(seat=seat, agent=odd, shift=Shift.NIGHT, start_date=TODAY)
    manager_client.cookies["django_language"] = language
    html = manager_client.get(BOARD).content.decode()
    assert "<Y>" not in html and "<b>seat" not in html
    assert "Spare &lt;b&gt;seat&lt;/b&gt;" in html
    assert '">X &amp; &lt;Y&gt;</a>' in html  # the board's cell and the assignment's row
    assert f'data-confirm="{question}' in html
    last_day = (
        "Last day of X &amp; &lt;Y&gt;" if language == "en" else "X &amp; &lt;Y&gt; 的最后一天"
    )
    assert last_day in html


@pytest.mark.django_db
def test_a_filtered_board_shows_its_seats_in_full(manager_client, agency, owner_a):
    # The states of every seat are found without the people; the page's seats show them.
    grow_agency(agency, owner_a, seats=3)
    spare = AgentFactory(name="Floater Fu")
    CoverAssignment.objects.create(
        seat=agency.seats[0], shift="day", agent=spare, start_date=TODAY, end_date=TODAY
    )
    response = manager_client.get(f"{BOARD}?state=cover")
    [row] = response.context["rows"]
    assert row.seat == agency.seats[0] and row.day.agent.name == "Floater Fu"
    assert row.day.regular.name == "Day Agent 1" and row.day.band is not None
    html = response.content.decode()
    assert "Floater Fu" in html and "covering for Day Agent 1" in html


@pytest.mark.django_db
def test_board_finds_seats_with_room_for_a_new_shop(manager_client, agency):
    SeatFactory(code="S950")
    response = manager_client.get(f"{BOARD}?inquiries=100")
    codes = [option.seat_code for option in response.context["capacity_options"]]
    assert "S950" in codes
    # S900's day agent already answers 150 a day (its shop's history): no room for anything.
    assert "S900" not in codes
    html = response.content.decode()
    assert "Day agent" in html and "Night agent" in html


@pytest.mark.django_db
def test_assign_an_agent_to_an_uncovered_shift(manager_client, agency):
    seat = agency.seats[1]
    agent = AgentFactory(name="New Hire")
    form = manager_client.get(f"{ASSIGN}?seat={seat.pk}&shift=night").context["form"]
    assert form.initial["seat"] == str(seat.pk) and form.initial["shift"] == "night"
    response = manager_client.post(
        ASSIGN,
        {"seat": seat.pk, "shift": "night", "agent": agent.pk, "start_date": "2026-10-15"},
        follow=True,
    )
    assert SeatAssignment.objects.filter(seat=seat, agent=agent, shift=Shift.NIGHT).exists()
    assert "New Hire now covers seat S900" in response.content.decode()


@pytest.mark.django_db
def test_a_taken_shift_and_a_busy_agent_are_refused_on_their_fields(manager_client, agency):
    seat = agency.seats[0]
    busy_agent = agency.agents[0]  # holds S001 day
    response = manager_client.post(
        ASSIGN,
        {"seat": seat.pk, "shift": "night", "agent": busy_agent.pk, "start_date": "2026-10-20"},
    )
    errors = response.context["form"].errors
    assert "a seat has at most one agent per shift" in errors["seat"][0]
    assert "an agent holds at most one seat-shift" in errors["agent"][0]
    assert SeatAssignment.objects.count() == 2


@pytest.mark.django_db
def test_an_end_before_the_start_is_refused(manager_client, agency):
    seat, agent = agency.seats[1], AgentFactory()
    response = manager_client.post(
        ASSIGN,
        {
            "seat": seat.pk,
            "shift": "day",
            "agent": agent.pk,
            "start_date": "2026-10-20",
            "end_date": "2026-10-19",
        },
    )
    assert "end date cannot be before" in response.context["form"].errors["end_date"][0]


@pytest.mark.django_db
def test_end_an_assignment(manager_client, agency):
    assignment = SeatAssignment.objects.get(agent=agency.agents[0])
    response = manager_client.post(
        reverse("web:assignment-end", args=[assignment.pk]),
        {"end_date": "2026-10-31", "next": BOARD},
    )
    assert response["Location"] == BOARD
    assignment.refresh_from_db()
    assert assignment.end_date == dt.date(2026, 10, 31)


@pytest.mark.django_db
def test_ending_before_the_start_shows_the_services_message(manager_client, agency):
    assignment = SeatAssignment.objects.get(agent=agency.agents[0])
    response = manager_client.post(
        reverse("web:assignment-end", args=[assignment.pk]), {"end_date": "2025-01-01"}, follow=True
    )
    assert "end date cannot be before the start date" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.end_date is None


@pytest.mark.django_db
def test_redirects_back_only_to_this_site(manager_client, agency):
    assignment = SeatAssignment.objects.get(agent=agency.agents[0])
    response = manager_client.post(
        reverse("web:assignment-end", args=[assignment.pk]),
        {"end_date": "2026-10-31", "next": "https://evil.example/"},
    )
    assert response["Location"] == BOARD


@pytest.mark.django_db
def test_capacity_is_shown_before_putting_a_contract_on_a_seat(manager_client, agency):
    shop = ShopFactory(daily_inquiries_estimate=100)
    contract = ContractFactory(shop=shop, start_date=dt.date(2026, 10, 1))
    seat = SeatFactory()
    ContractFactory(shop=ShopFactory(daily_inquiries_estimate=100), seat=seat)
    response = manager_client.get(f"{CONTRACT}?contract={contract.pk}&seat={seat.pk}")
    preview = response.context["preview"]
    assert preview.day == TODAY
    assert (preview.load.load, preview.shop_inquiries) == (100, 100)
    # Each shop split by hours: 53 + 53 by day, 47 + 47 at night; 14 left under 120.
    assert (preview.projected.day, preview.projected.night) == (106, 94)
    assert (preview.projected_load, preview.headroom, preview.fits) == (200, 14, True)
    html = response.content.decode()
    assert "The seat can take this shop." in html
    assert 'name="csrfmiddlewaretoken"' in html  # the save form is a POST
    assert Contract.objects.get(pk=contract.pk).seat is None  # checking saves nothing


@pytest.mark.django_db
def test_a_seat_without_room_says_so(manager_client, agency):
    shop = ShopFactory(daily_inquiries_estimate=500)
    contract = ContractFactory(shop=shop, start_date=dt.date(2026, 10, 1))
    response = manager_client.get(f"{CONTRACT}?contract={contract.pk}&seat={agency.seats[0].pk}")
    preview = response.context["preview"]
    assert (preview.projected_load, preview.fits, preview.shops_full) == (655, False, False)
    assert "would be planned above 120 inquiries a day" in response.content.decode()


@pytest.mark.django_db
def test_a_one_shift_contract_loads_only_its_shift(manager_client, agency):
    """A one-shift contract puts all of the shop's inquiries on its shift's agent."""
    shop = ShopFactory(daily_inquiries_estimate=110)
    contract = ContractFactory(
        shop=shop, plan=Plan.SHIFT, shift=Shift.NIGHT, start_date=dt.date(2026, 10, 1)
    )
    seat = SeatFactory()
    response = manager_client.get(f"{CONTRACT}?contract={contract.pk}&seat={seat.pk}")
    preview = response.context["preview"]
    assert (preview.projected.day, preview.projected.night, preview.fits) == (0, 110, True)


@pytest.mark.django_db
def test_put_a_contract_on_a_seat(manager_client, agency, manager):
    contract = ContractFactory(shop=ShopFactory(), start_date=dt.date(2026, 10, 1))
    seat = SeatFactory()
    response = manager_client.post(CONTRACT, {"contract": contract.pk, "seat": seat.pk})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.seat == seat
    assert contract.history.first().history_user == manager


@pytest.mark.django_db
def test_take_a_contract_off_its_seat(manager_client, agency):
    contract = agency.contracts[0]
    response = manager_client.post(CONTRACT, {"contract": contract.pk, "seat": ""})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.seat is None


@pytest.mark.django_db
def test_a_fourth_shop_is_refused_with_the_services_message(manager_client, agency):
    seat = agency.seats[0]
    ContractFactory(shop=ShopFactory(name="Third"), seat=seat, start_date=dt.date(2026, 1, 1))
    contract = ContractFactory(shop=ShopFactory(name="Fourth"), start_date=dt.date(2026, 10, 1))
    preview = manager_client.get(f"{CONTRACT}?contract={contract.pk}&seat={seat.pk}")
    assert preview.context["preview"].shops_full
    response = manager_client.post(CONTRACT, {"contract": contract.pk, "seat": seat.pk})
    assert response.status_code == 200
    assert "a seat serves at most 3 shops" in response.context["form"].errors["seat"][0]
    contract.refresh_from_db()
    assert contract.seat is None


@pytest.mark.django_db
def test_the_preview_asks_seat_takes_another_shop_over_the_contracts_dates_as_the_service(
    manager_client, agency
):
    # The seat serves 2 shops today and a third from next month: a 4th shop that starts now and
    # stays open is refused for next month, one that ends before it is taken.
    seat = agency.seats[0]
    ContractFactory(shop=ShopFactory(name="Later"), seat=seat, start_date=dt.date(2026, 11, 1))
    fourth = ShopFactory(name="Fourth", daily_inquiries_estimate=10)
    open_ended = ContractFactory(shop=fourth, start_date=dt.date(2026, 10, 1))
    preview = manager_client.get(f"{CONTRACT}?contract={open_ended.pk}&seat={seat.pk}")
    shown = preview.context["preview"]
    assert len(shown.load.shop_ids) == 2  # today
    assert (shown.fits, shown.shops_full) == (False, True)
    assert shown.busiest.date == dt.date(2026, 11, 1)
    assert "On 2026-11-01 the seat serves the most shops it may" in preview.content.decode()
    refused = manager_client.post(CONTRACT, {"contract": open_ended.pk, "seat": seat.pk})
    assert "on 2026-11-01" in refused.context["form"].errors["seat"][0]

    until_then = ContractFactory(
        shop=fourth, start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 10, 31)
    )
    preview = manager_client.get(f"{CONTRACT}?contract={until_then.pk}&seat={seat.pk}")
    assert (preview.context["preview"].fits, preview.context["preview"].shops_full) == (True, False)
    taken = manager_client.post(CONTRACT, {"contract": until_then.pk, "seat": seat.pk})
    assert taken.status_code == 302


@pytest.mark.django_db
def test_create_a_seat_with_the_default_overhead(manager_client, settings):
    settings.AGENCY = {**settings.AGENCY, "SEAT_OVERHEAD": Decimal("950.00")}
    form = manager_client.get(reverse("web:seat-create")).context["form"]
    assert "950.00" in form.fields["overhead"].help_text
    response = manager_client.post(
        reverse("web:seat-create"), {"code": "S200", "name": "Window", "overhead": ""}, follow=True
    )
    assert response.redirect_chain == [(BOARD, 302)]
    assert "Seat S200 saved." in response.content.decode()
    seat = Seat.objects.get(code="S200")
    assert (seat.name, seat.overhead) == ("Window", Decimal("950.00"))


@pytest.mark.django_db
def test_a_taken_seat_code_is_refused_on_its_field(manager_client, agency):
    response = manager_client.post(reverse("web:seat-create"), {"code": "S001", "name": "Twin"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Seat with this Code already exists."]
    assert not Seat.objects.filter(name="Twin").exists()


@pytest.mark.django_db
def test_edit_a_seat(manager_client, agency):
    seat = agency.seats[1]
    url = reverse("web:seat-edit", args=[seat.pk])
    assert url in manager_client.get(BOARD).content.decode()
    form = manager_client.get(url).context["form"]
    assert form.fields["overhead"].required
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["overhead"] = "1200.00"
    response = manager_client.post(url, data)
    assert response.status_code == 302 and response["Location"] == BOARD
    seat.refresh_from_db()
    assert (seat.code, seat.overhead) == ("S900", Decimal("1200.00"))
    latest, previous = seat.history.order_by("-history_id")[:2]
    assert latest.diff_against(previous).changed_fields == ["overhead"]


@pytest.mark.django_db
def test_editing_an_unknown_seat_answers_404(manager_client):
    assert manager_client.get(reverse("web:seat-edit", args=[999_999])).status_code == 404
