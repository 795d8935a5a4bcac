"""DSR (店铺动态评分): which ratings count, the 180-day window, rounding and the trend."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shops.models import DsrRating
from shops.selectors import shop_dsr, shop_dsr_trend
from tests.factories import DsrRatingFactory
from tests.shops.factories import SHANGHAI, shanghai, utc

pytestmark = pytest.mark.django_db

D = dt.date


def rate(shop, when, *, buyer="buyer", alipay=True, scores=(5, 5, 5)) -> DsrRating:
    description, service, logistics = scores
    return DsrRatingFactory(
        shop=shop,
        buyer=buyer,
        rated_at=when,
        paid_with_alipay=alipay,
        description=description,
        service=service,
        logistics=logistics,
    )


# --- Which ratings count ------------------------------------------------------------------------


def test_only_trades_paid_through_alipay_count(shop_a):
    rate(shop_a, shanghai(2026, 10, 1), buyer="a", scores=(5, 4, 3))
    rate(shop_a, shanghai(2026, 10, 2), buyer="b", alipay=False, scores=(1, 1, 1))
    figures = shop_dsr(shop=shop_a, as_of=D(2026, 10, 31))
    assert figures.counted_ratings == 1
    assert (figures.description, figures.service, figures.logistics) == (
        Decimal("5.00"),
        Decimal("4.00"),
        Decimal("3.00"),
    )
    assert (figures.excluded_not_alipay, figures.excluded_over_three) == (1, 0)


def test_only_a_buyers_first_three_ratings_in_a_month_count(shop_a):
    for day in (1, 2, 3):
        rate(shop_a, shanghai(2026, 10, day), scores=(5, 5, 5))
    rate(shop_a, shanghai(2026, 10, 4), scores=(1, 1, 1))  # the 4th: left out
    rate(shop_a, shanghai(2026, 10, 4), buyer="other", scores=(2, 2, 2))
    figures = shop_dsr(shop=shop_a, as_of=D(2026, 10, 31))
    assert figures.counted_ratings == 4
    assert figures.service == Decimal("4.25")  # (5 + 5 + 5 + 2) / 4
    assert figures.excluded_over_three == 1


def test_the_limit_of_three_is_per_shop(shop_a, shop_b):
    for day in (1, 2, 3):
        rate(shop_a, shanghai(2026, 10, day))
        rate(shop_b, shanghai(2026, 10, day))
    assert shop_dsr(shop=shop_a, as_of=D(2026, 10, 31)).counted_ratings == 3


def test_a_buyers_three_start_again_every_month(shop_a):
    for month in (9, 10):
        for day in (1, 2, 3, 4):
            rate(shop_a, shanghai(2026, month, day))
    figures = shop_dsr(shop=shop_a, as_of=D(2026, 10, 31))
    assert (figures.counted_ratings, figures.excluded_over_three) == (6, 2)


def test_ratings_not_paid_with_alipay_do_not_use_up_a_buyers_three(shop_a):
    rate(shop_a, shanghai(2026, 10, 1), alipay=False)
    for day in (2, 3, 4):
        rate(shop_a, shanghai(2026, 10, day))
    figures = shop_dsr(shop=shop_a, as_of=D(2026, 10, 31))
    assert (figures.counted_ratings, figures.excluded_not_alipay) == (3, 1)


def test_first_three_follow_rating_time_then_recording_order(shop_a):
    same_moment = shanghai(2026, 10, 5, 9, 30)
    rate(shop_a, shanghai(2026, 10, 20), scores=(1, 1, 1))  # recorded first, rated last
    for _ in range(3):
        rate(shop_a, same_moment, scores=(5, 5, 5))
    figures = shop_dsr(shop=shop_a, as_of=D(2026, 10, 31))
    assert (figures.counted_ratings, figures.description) == (3, Decimal("5.00"))

    tied = shanghai(2026, 11, 5, 9, 30)
    first, second, third, fourth = (rate(shop_a, tied, scores=(s, s, s)) for s in (1, 2, 3, 4))
    figures = shop_dsr(shop=shop_a, as_of=D(2026, 11, 30))
    # October's 3 (5 stars) and November's first 3 by id (1, 2, 3 stars); the 4th is left out.
    assert figures.counted_ratings == 6
    assert figures.description == Decimal("3.50")  # (15 + 6) / 6


def test_a_buyers_first_three_count_from_the_start_of_the_month_not_of_the_window(shop_a):
    # as_of 2026-10-15: the window starts 2026-04-19, in the middle of April.
    for day in (1, 2, 3):
        rate(shop_a, shanghai(2026, 4, day), scores=(1, 1, 1))  # before the window
    rate(shop_a, shanghai(2026, 4, 20), scores=(5, 5, 5))  # in the window, but the 4th of April
    figures = shop_dsr(shop=shop_a, as_of=D(2026, 10, 15))
    assert figures.window_start == D(2026, 4, 19)
    assert (figures.counted_ratings, figures.excluded_over_three) == (0, 1)
    assert figures.service is None


def test_calendar_months_are_shanghai_months(shop_a):
    for day in (1, 2, 3):
        rate(shop_a, shanghai(2026, 10, day), scores=(5, 5, 5))
    # 2026-10-31 16:30 UTC is 2026-11-01 00:30 in Shanghai: the buyer's first of November.
    rate(shop_a, utc(2026, 10, 31, 16, 30), scores=(1, 1, 1))
    # 2026-10-31 15:30 UTC is 23:30 on October 31st in Shanghai: the 4th of October.
    rate(shop_a, utc(2026, 10, 31, 15, 30), scores=(2, 2, 2))
    figures = shop_dsr(shop=shop_a, as_of=D(2026, 11, 30))
    assert (figures.counted_ratings, figures.excluded_over_three) == (4, 1)
    assert figures.description == Decimal("4.00")  # (5 + 5 + 5 + 1) / 4


def test_the_window_is_the_180_days_ending_on_the_date(shop_a):
    as_of = D(2026, 10, 31)
    first_day = as_of - dt.timedelta(days=179)
    rate(shop_a, shanghai(2026, 5, 4, 23, 59), buyer="too-early", scores=(1, 1, 1))
    rate(shop_a, shanghai(first_day.year, first_day.month, first_day.day, 0, 0), buyer="first")
    rate(shop_a, shanghai(2026, 10, 31, 23, 59), buyer="last")
    rate(shop_a, shanghai(2026, 11, 1, 0, 0), buyer="too-late", scores=(1, 1, 1))
    figures = shop_dsr(shop=shop_a, as_of=as_of)
    assert first_day == D(2026, 5, 5)
    assert figures.window_start == first_day
    assert (figures.counted_ratings, figures.service) == (2, Decimal("5.00"))


def test_scores_are_rounded_half_up_to_two_places(shop_a):
    # 37 stars over 8 ratings = 4.625: half-up gives 4.63 (half-even would give 4.62).
    for number, score in enumerate([5, 5, 5, 5, 5, 4, 4, 4]):
        rate(shop_a, shanghai(2026, 10, 1), buyer=f"b{number}", scores=(score, 5, 1))
    rate(shop_a, shanghai(2026, 10, 2), buyer="b0", scores=(4, 5, 1))  # 37 + 4 = 41 / 9
    figures = shop_dsr(shop=shop_a, as_of=D(2026, 10, 1))
    assert figures.description == Decimal("4.63")
    assert shop_dsr(shop=shop_a, as_of=D(2026, 10, 2)).description == Decimal("4.56")


def test_figures_are_null_when_nothing_counts(shop_a):
    rate(shop_a, shanghai(2026, 10, 1), alipay=False)
    figures = shop_dsr(shop=shop_a, as_of=D(2026, 10, 31))
    assert figures.counted_ratings == 0
    assert (figures.description, figures.service, figures.logistics) == (None, None, None)


def test_dsr_costs_one_query_however_many_ratings(shop_a):
    for day in range(1, 29):
        rate(shop_a, shanghai(2026, 10, day), buyer=f"b{day % 5}")
    with CaptureQueriesContext(connection) as captured:
        shop_dsr(shop=shop_a, as_of=D(2026, 10, 31))
    assert len(captured) == 1
    assert "ROW_NUMBER" in captured[0]["sql"].upper()


# --- Against a plain reading of the rules -------------------------------------------------------


def reference_dsr(ratings: list[DsrRating], as_of: dt.date) -> tuple:
    """The DSR rules read literally, one rating at a time."""
    months = defaultdict(list)
    for rating in ratings:
        if rating.paid_with_alipay:
            local = rating.rated_at.astimezone(SHANGHAI)
            months[(rating.buyer, local.year, local.month)].append(rating)
    counted_ids = set()
    for group in months.values():
        group.sort(key=lambda r: (r.rated_at, r.pk))
        counted_ids.update(r.pk for r in group[:3])
    start = as_of - dt.timedelta(days=179)
    window = [r for r in ratings if start <= r.rated_at.astimezone(SHANGHAI).date() <= as_of]
    counted = [r for r in window if r.pk in counted_ids]

    def average(field: str):
        if not counted:
            return None
        total = Decimal(sum(getattr(r, field) for r in counted)) / len(counted)
        return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    return (
        len(counted),
        average("description"),
        average("service"),
        average("logistics"),
        sum(1 for r in window if not r.paid_with_alipay),
        sum(1 for r in window if r.paid_with_alipay and r.pk not in counted_ids),
    )


RATINGS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.integers(min_value=0, max_value=24 * 260),  # hours after the first moment
        st.booleans(),
        st.integers(1, 5),
        st.integers(1, 5),
        st.integers(1, 5),
    ),
    max_size=30,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ratings=RATINGS, as_of_offset=st.integers(min_value=0, max_value=270))
def test_dsr_matches_a_literal_reading_of_the_rules(shop_a, ratings, as_of_offset):
    DsrRating.objects.all().delete()
    start = utc(2026, 3, 31, 15, 0)  # 23:00 in Shanghai, an hour before April
    for number, (buyer, hours, alipay, d, s, lg) in enumerate(ratings):
        DsrRating.objects.create(
            shop=shop_a,
            buyer=buyer,
            order_id=f"O{number}",
            rated_at=start + dt.timedelta(hours=hours),
            paid_with_alipay=alipay,
            description=d,
            service=s,
            logistics=lg,
        )
    as_of = D(2026, 4, 1) + dt.timedelta(days=as_of_offset)
    figures = shop_dsr(shop=shop_a, as_of=as_of)
    expected = reference_dsr(list(DsrRating.objects.all()), as_of)
    assert (
        figures.counted_ratings,
        figures.description,
        figures.service,
        figures.logistics,
        figures.excluded_not_alipay,
        figures.excluded_over_three,
    ) == expected


# --- Trend --------------------------------------------------------------------------------------


def test_trend_has_a_point_every_seven_days_each_equal_to_that_dates_dsr(shop_a):
    for month in range(3, 11):
        for day in (1, 9, 17, 25):
            rate(
                shop_a,
                shanghai(2026, month, day),
                buyer=f"b{day % 2}",
                alipay=day != 17,
                scores=(month % 5 + 1, day % 5 + 1, 4),
            )
    points = shop_dsr_trend(shop=shop_a, as_of=D(2026, 10, 31), weeks=26)
    assert len(points) == 26
    assert points[-1].as_of == D(2026, 10, 31)
    assert points[0].as_of == D(2026, 10, 31) - dt.timedelta(days=7 * 25)
    assert all(b.as_of - a.as_of == dt.timedelta(days=7) for a, b in pairwise(points))
    for point in points:
        assert point == shop_dsr(shop=shop_a, as_of=point.as_of)


def test_trend_costs_one_query_whatever_its_length(shop_a):
    rate(shop_a, shanghai(2026, 10, 1))
    for weeks in (1, 52):
        with CaptureQueriesContext(connection) as captured:
            shop_dsr_trend(shop=shop_a, as_of=D(2026, 10, 31), weeks=weeks)
        assert len(captured) == 1


# --- API ----------------------------------------------------------------------------------------


def dsr_url(shop, query: str = "") -> str:
    return f"/api/v1/shops/{shop.pk}/dsr/{query}"


def test_dsr_api_shows_strings_with_two_places(owner_a_api, shop_a):
    rate(shop_a, shanghai(2026, 10, 1), buyer="a", scores=(5, 4, 4))
    rate(shop_a, shanghai(2026, 10, 2), buyer="b", scores=(4, 5, 4))
    rate(shop_a, shanghai(2026, 10, 3), buyer="c", scores=(4, 4, 4), alipay=False)
    response = owner_a_api.get(dsr_url(shop_a, "?as_of=2026-10-31"))
    assert response.status_code == 200
    assert response.json() == {
        "shop": shop_a.pk,
        "as_of": "2026-10-31",
        "window_start": "2026-05-05",
        "counted_ratings": 2,
        "description": "4.50",
        "service": "4.50",
        "logistics": "4.00",
        "excluded_not_alipay": 1,
        "excluded_over_three": 0,
    }


def test_dsr_api_shows_null_when_nothing_counts(owner_a_api, shop_a):
    body = owner_a_api.get(dsr_url(shop_a, "?as_of=2026-10-31")).json()
    assert (body["counted_ratings"], body["service"]) == (0, None)


def test_dsr_defaults_to_today_in_shanghai(owner_a_api, shop_a):
    # 17:30 UTC on October 15th is already October 16th in Shanghai.
    with time_machine.travel(dt.datetime(2026, 10, 15, 17, 30, tzinfo=dt.UTC), tick=False):
        body = owner_a_api.get(dsr_url(shop_a)).json()
    assert body["as_of"] == "2026-10-16"


@pytest.mark.parametrize("query", ["?as_of=2026-02-30", "?as_of=yesterday", "?as_of=0001-01-01"])
def test_bad_as_of_is_400(owner_a_api, shop_a, query):
    response = owner_a_api.get(dsr_url(shop_a, query))
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_dsr_of_another_owners_shop_is_404(owner_b_api, manager_api, shop_a):
    assert owner_b_api.get(dsr_url(shop_a)).status_code == 404
    assert owner_b_api.get(f"/api/v1/shops/{shop_a.pk}/dsr/trend/").status_code == 404
    assert manager_api.get(dsr_url(shop_a)).status_code == 200


def test_trend_api_returns_weekly_points(owner_a_api, shop_a):
    rate(shop_a, shanghai(2026, 10, 1), scores=(3, 4, 5))
    response = owner_a_api.get(f"/api/v1/shops/{shop_a.pk}/dsr/trend/?as_of=2026-10-31&weeks=3")
    assert response.status_code == 200
    body = response.json()
    assert (body["shop"], body["weeks"]) == (shop_a.pk, 3)
    assert [p["as_of"] for p in body["points"]] == ["2026-10-17", "2026-10-24", "2026-10-31"]
    assert body["points"][-1]["service"] == "4.00"
    assert set(body["points"][0]) >= {
        "as_of",
        "counted_ratings",
        "description",
        "service",
        "logistics",
    }


def test_trend_defaults_to_26_weeks(owner_a_api, shop_a):
    body = owner_a_api.get(f"/api/v1/shops/{shop_a.pk}/dsr/trend/").json()
    assert len(body["points"]) == 26


@pytest.mark.parametrize("weeks", ["0", "105", "many"])
def test_trend_weeks_out_of_range_is_400(owner_a_api, shop_a, weeks):
    response = owner_a_api.get(f"/api/v1/shops/{shop_a.pk}/dsr/trend/?weeks={weeks}")
    assert response.status_code == 400
    assert "weeks" in response.json()
