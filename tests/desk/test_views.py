"""The agent's desk: who may open it, what it shows, the handover from the desk, the KPIs."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seats.models import CoverAssignment, HandoverNote, Leave
from tests.desk.conftest import TODAY, at, signed_in
from tests.factories import (
    AgentFactory,
    ContractFactory,
    SeatFactory,
    ShopFactory,
    UserFactory,
    WorkloadFactory,
)
from tests.seats.factories import HandoverNoteFactory

DESK = "/desk/"


# --- Who may open it -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(DESK)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)


def test_a_shop_owner_gets_403_at_the_desk(owner_a):
    assert signed_in(owner_a).get(DESK).status_code == 403


def test_a_manager_is_sent_to_the_dashboard(manager):
    response = signed_in(manager).get(DESK)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_agent_who_never_chose_a_language_reads_the_desk_in_chinese(day_client):
    with at(10):
        response = day_client.get(DESK, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "简报" in page or "店铺须知" in page


def test_the_language_switch_still_works_at_the_desk(day_client):
    day_client.post("/i18n/setlang/", {"language": "en", "next": DESK})
    with at(10):
        page = day_client.get(DESK).content.decode()
    assert '<html lang="en">' in page
    assert "Briefing" in page


# --- What it shows -------------------------------------------------------------------------------


def test_the_desk_shows_each_shop_served_now_with_its_briefing_and_quick_replies(day_client, floor):
    day_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with at(10):
        page = day_client.get(DESK).content.decode()
    assert "Shop A" in page and "Shop C" in page
    assert "sizes run small" in page
    assert "满300减30" in page
    assert 'data-copy="亲，在的～"' in page
    assert 'data-copy="亲，已为您备注优先发货"' in page


def test_another_seats_shop_is_not_on_the_desk(day_client, owner_b):
    other = ShopFactory(owner=owner_b, name="Other seat's shop")
    ContractFactory(shop=other, seat=SeatFactory(code="S009"))
    with at(10):
        page = day_client.get(DESK).content.decode()
    assert "Other seat's shop" not in page


def test_the_desk_shows_todays_and_the_next_shifts_with_cover_and_leave(
    day_client, day_agent, floor
):
    other_seat = ContractFactory(
        shop=ShopFactory(name="Shop D"), seat=SeatFactory(code="S002")
    ).seat
    CoverAssignment.objects.create(
        seat=other_seat, shift="night", agent=day_agent, start_date=TODAY, end_date=TODAY
    )
    Leave.objects.create(
        agent=day_agent,
        start_date=TODAY + dt.timedelta(days=2),
        end_date=TODAY + dt.timedelta(days=2),
        status="approved",
    )
    day_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with at(10):
        response = day_client.get(DESK)
    desk = response.context["desk"]
    assert [(s.seat_code, s.shift, s.kind) for s in desk.today_shifts] == [
        ("S001", "day", "regular"),
        (other_seat.code, "night", "cover"),
    ]
    on_leave = [s for s in desk.next_shifts if s.on_leave]
    assert [s.date for s in on_leave] == [TODAY + dt.timedelta(days=2)]
    assert len(desk.next_shifts) == 7
    page = response.content.decode()
    assert "Cover" in page and "On leave" in page
    assert "Shop D" in page  # served tonight through the cover


def test_open_promises_are_those_of_the_last_7_days_notes(day_client, floor, day_agent):
    shop_a = floor["shops"][0]
    for days_ago, text in [(1, "Refund by Friday"), (7, "Call back Monday"), (8, "Too old")]:
        HandoverNoteFactory(
            seat=floor["seat"],
            shop=shop_a,
            from_agent=day_agent,
            date=TODAY - dt.timedelta(days=days_ago),
            promises=text,
        )
    with at(10):
        page = day_client.get(DESK).content.decode()
    assert "Refund by Friday" in page
    assert "Call back Monday" in page
    assert "Too old" not in page


def test_the_desk_costs_the_same_queries_for_one_shop_or_three(day_client, floor, day_agent):
    def queries() -> int:
        with at(16, 30), CaptureQueriesContext(connection) as captured:
            assert day_client.get(DESK).status_code == 200
        return len(captured)

    before = queries()
    shop_e = ShopFactory(name="Shop E", briefing="Returns: 15 days.")
    ContractFactory(shop=shop_e, seat=floor["seat"])
    for shop in [*floor["shops"], shop_e]:
        HandoverNoteFactory(seat=floor["seat"], shop=shop, from_agent=day_agent, date=TODAY)
        HandoverNoteFactory(
            seat=floor["seat"],
            shop=shop,
            from_agent=day_agent,
            date=TODAY - dt.timedelta(days=1),
            promises="Ship it",
        )
    assert queries() == before


# --- The handover from the desk ------------------------------------------------------------------


def _write_url(floor, shop):
    return f"/desk/handover/{floor['seat'].pk}/{shop.pk}/"


def test_before_16_00_the_form_is_not_offered_and_a_post_is_refused(day_client, floor):
    shop_a = floor["shops"][0]
    day_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with at(15, 30):
        page = day_client.get(DESK).content.decode()
        response = day_client.post(
            _write_url(floor, shop_a), {f"shop{shop_a.pk}-promises": "x"}, follow=True
        )
    assert "You can write the handover note from 16:00." in page
    assert _write_url(floor, shop_a) not in page
    assert "from 16:00" in response.content.decode()
    assert not HandoverNote.objects.exists()


def test_the_day_agent_writes_the_handover_from_16_00(day_client, floor, day_user):
    shop_a = floor["shops"][0]
    with at(16, 0):
        page = day_client.get(DESK).content.decode()
        response = day_client.post(
            _write_url(floor, shop_a),
            {
                f"shop{shop_a.pk}-open_cases": "订单881退款中",
                f"shop{shop_a.pk}-promises": "明天补发",
            },
        )
    assert f'action="{_write_url(floor, shop_a)}"' in page
    assert response.status_code == 302
    note = HandoverNote.objects.get()
    assert (note.shop, note.open_cases, note.promises) == (shop_a, "订单881退款中", "明天补发")
    assert note.written_by == day_user


def test_the_night_agent_is_not_offered_the_form_and_cannot_post_it(night_client, floor):
    shop_a = floor["shops"][0]
    with at(16, 30):
        page = night_client.get(DESK).content.decode()
        night_client.post(_write_url(floor, shop_a), {f"shop{shop_a.pk}-promises": "x"})
    assert _write_url(floor, shop_a) not in page
    assert not HandoverNote.objects.exists()


def test_a_shop_the_agent_does_not_serve_answers_404(day_client, owner_b):
    other = ContractFactory(shop=ShopFactory(owner=owner_b), seat=SeatFactory(code="S009"))
    with at(16, 30):
        response = day_client.post(f"/desk/handover/{other.seat_id}/{other.shop_id}/", {})
    assert response.status_code == 404


def test_the_night_agent_acknowledges_from_the_desk(night_client, floor, day_agent, night_user):
    note = HandoverNoteFactory(
        seat=floor["seat"], shop=floor["shops"][0], from_agent=day_agent, date=TODAY
    )
    url = f"/desk/handover/{note.pk}/acknowledge/"
    with at(17, 3):
        page = night_client.get(DESK).content.decode()
        night_client.post(url)
    assert f'action="{url}"' in page
    note.refresh_from_db()
    assert note.acknowledged_by == night_user


def test_the_day_agent_cannot_acknowledge_from_the_desk(day_client, floor, day_agent):
    note = HandoverNoteFactory(
        seat=floor["seat"], shop=floor["shops"][0], from_agent=day_agent, date=TODAY
    )
    with at(17, 3):
        response = day_client.post(f"/desk/handover/{note.pk}/acknowledge/", follow=True)
    note.refresh_from_db()
    assert note.acknowledged_at is None
    assert "night agent" in response.content.decode() or "晚班" in response.content.decode()


def test_an_agent_cannot_acknowledge_another_seats_note(night_client, owner_b):
    other = ContractFactory(shop=ShopFactory(owner=owner_b), seat=SeatFactory(code="S009"))
    note = HandoverNoteFactory(
        seat=other.seat, shop=other.shop, from_agent=AgentFactory(), date=TODAY
    )
    with at(17, 3):
        assert night_client.post(f"/desk/handover/{note.pk}/acknowledge/").status_code == 404


# --- KPIs ----------------------------------------------------------------------------------------


def test_the_agent_sees_their_own_months_kpis_and_past_months(day_client, day_agent, floor):
    shop_a = floor["shops"][0]
    WorkloadFactory(
        agent=day_agent,
        shop=shop_a,
        date=dt.date(2026, 10, 2),
        shift="day",
        inquiries=80,
        conversions=40,
        sales_amount=Decimal("1234.50"),
    )
    WorkloadFactory(
        agent=day_agent,
        shop=shop_a,
        date=dt.date(2026, 9, 30),
        shift="day",
        inquiries=50,
        conversions=10,
    )
    WorkloadFactory(agent=AgentFactory(), shop=shop_a, date=dt.date(2026, 10, 2), inquiries=999)
    with at(10):
        october = day_client.get("/desk/kpis/").context["kpis"]
        september = day_client.get("/desk/kpis/?month=2026-09").context["kpis"]
        future = day_client.get("/desk/kpis/?month=2027-01").context["kpis"]
        junk = day_client.get("/desk/kpis/?month=junk")
    assert (october.totals.inquiries, october.days_worked) == (80, 1)
    assert october.totals.conversion_rate == Decimal("0.5")
    assert october.totals.sales == Decimal("1234.50")
    assert (september.totals.inquiries, september.month) == (50, dt.date(2026, 9, 1))
    assert future.month == dt.date(2026, 10, 1)
    assert junk.status_code == 200


def test_the_kpi_page_shows_nothing_about_the_shops_money(day_client, floor):
    day_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with at(10):
        page = day_client.get("/desk/kpis/").content.decode()
    for word in ("Invoice", "Turnover", "Price", "Revenue"):
        assert word not in page


def test_a_user_not_linked_to_an_agent_gets_403_on_every_desk_page(db):
    user = UserFactory(username="nobody")
    client = signed_in(user)
    assert client.get("/desk/kpis/").status_code == 403
    assert client.post("/desk/handover/1/acknowledge/").status_code == 403
