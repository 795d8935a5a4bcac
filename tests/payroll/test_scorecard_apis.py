"""The pay book and scorecard API: who may call what, shapes, field errors, query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from payroll.models import PayrollMonth
from tests.conftest import _client_for
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.usefixtures("november")

BOOK = "/api/v1/pay-book/"
BOARD = "/api/v1/scorecards/"


def scorecard_url(agent) -> str:
    return f"/api/v1/agents/{agent.pk}/scorecard/"


@pytest.fixture
def manager_api(manager):
    return _client_for(manager)


@pytest.fixture
def wang_api(floor):
    user = UserFactory(username="wang")
    floor["wang"].user = user
    floor["wang"].save(update_fields=["user"])
    return _client_for(user)


def test_a_manager_saves_a_version_and_gets_it_back_with_decimals_as_strings(manager_api):
    response = manager_api.post(
        BOOK,
        {
            "effective_from": "2026-12",
            "weight_sales": 20,
            "weight_quality": 20,
            "gold_bonus": "650",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["effective_from"] == "2026-12"
    assert body["is_default"] is False
    assert body["gold_bonus"] == "650.00"
    assert body["target_conversion"] == "0.5500"
    assert body["changed_by"] == "manager"
    listed = manager_api.get(BOOK).json()
    assert [row["effective_from"] for row in listed["results"]] == ["2026-12"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"effective_from": "2026-12", "weight_sales": 30}, "weights"),
        ({"effective_from": "2026-13"}, "effective_from"),
        ({}, "effective_from"),
        ({"effective_from": "2026-12", "gold_from": "85"}, "gold_from"),
        ({"effective_from": "2026-12", "commission_rate": "0.5"}, "commission_rate"),
        ({"effective_from": "2026-12", "target_sales": "-1"}, "target_sales"),
        ({"effective_from": "2026-12", "weight_sales": "many"}, "weight_sales"),
    ],
)
def test_bad_versions_answer_400_naming_the_field(manager_api, body, field):
    response = manager_api.post(BOOK, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_the_weights_error_names_the_total(manager_api):
    response = manager_api.post(BOOK, {"effective_from": "2026-12", "weight_sales": 30})
    assert response.json() == {"weights": ["The weights add up to 105; they must total 100."]}


def test_a_version_in_an_approved_month_is_409(manager_api):
    PayrollMonth.objects.create(month=dt.date(2026, 10, 1), approved_at=timezone.now())
    response = manager_api.post(BOOK, {"effective_from": "2026-09"}, format="json")
    assert response.status_code == 409
    assert response.json()["effective_from"] == [
        "2026-10 is approved; changes apply from 2026-11 on."
    ]


def test_the_book_in_force_is_the_defaults_until_a_version_applies(manager_api):
    body = manager_api.get(BOOK + "current/?month=2026-10").json()
    assert body["is_default"] is True and body["effective_from"] is None
    assert body["weight_sales"] == 25
    manager_api.post(BOOK, {"effective_from": "2026-10", "weight_sales": 20, "weight_quality": 20})
    assert manager_api.get(BOOK + "current/?month=2027-01").json()["effective_from"] == "2026-10"
    assert manager_api.get(BOOK + "current/?month=2026-09").json()["is_default"] is True
    assert manager_api.get(BOOK + "current/?month=bad").status_code == 400


def test_the_scorecard_shows_figures_lines_score_grade_and_bonus(manager_api, floor):
    response = manager_api.get(scorecard_url(floor["wang"]) + "?month=2026-10")
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2026-10" and body["until"] == "2026-10-31"
    assert body["inquiries"] == 3080 and body["conversions"] == 1848
    assert body["conversion_rate"] == "0.6000"
    assert body["fast_response_share"] == "0.8571"
    assert body["sales"] == "280000.00"
    assert body["load_band"] == "strained"
    assert (body["days_worked"], body["days_scheduled"], body["covers"]) == (28, 29, 0)
    assert body["quality_average"] == "85.50" and body["quality_reviews"] == 2
    assert body["score"] == "97.04" and body["grade"] == "gold" and body["bonus"] == "500.00"
    assert body["pay_book"] is None
    assert body["lines"][1] == {
        "kpi": "conversion",
        "label": "Conversion rate",
        "actual": "0.6000",
        "target": "0.5500",
        "weight": 20,
        "score": "100.00",
        "points": "20.00",
    }


def test_the_scorecard_defaults_to_the_month_in_progress(manager_api, floor):
    body = manager_api.get(scorecard_url(floor["wang"])).json()
    assert body["month"] == "2026-11" and body["until"] == "2026-11-10"
    assert body["score"] is None and body["grade"] == ""


@pytest.mark.parametrize(
    "query", ["?month=2026-12", "?month=2027-01", "?month=October", "?month=2026-00"]
)
def test_a_month_not_started_or_malformed_is_400(manager_api, floor, query):
    response = manager_api.get(scorecard_url(floor["wang"]) + query)
    assert response.status_code == 400
    assert "month" in response.json()


def test_an_agent_reads_only_their_own_scorecard(wang_api, floor):
    assert wang_api.get(scorecard_url(floor["wang"]) + "?month=2026-10").status_code == 200
    assert wang_api.get(scorecard_url(floor["zhao"]) + "?month=2026-10").status_code == 404
    assert wang_api.get(BOARD + "?month=2026-10").status_code == 403
    assert wang_api.get(BOOK).status_code == 403


def test_owners_get_403_everywhere(owner_a, floor):
    owner = _client_for(owner_a)
    for url in (scorecard_url(floor["wang"]), BOARD, BOOK, BOOK + "current/"):
        assert owner.get(url).status_code == 403, url


def test_an_agent_not_employed_in_the_month_has_no_scorecard(manager_api, floor):
    late = AgentFactory(hired_on=dt.date(2026, 11, 2))
    assert manager_api.get(scorecard_url(late) + "?month=2026-10").status_code == 404
    assert manager_api.get(scorecard_url(late)).status_code == 200


def test_the_board_ranks_every_agent_of_the_month(manager_api, floor):
    body = manager_api.get(BOARD + "?month=2026-10").json()
    assert body["count"] == 4
    assert [(row["rank"], row["agent_name"]) for row in body["results"][:2]] == [
        (1, "Wang"),
        (2, "Zhao"),
    ]
    assert body["results"][0]["bonus"] == "500.00"


def test_the_board_costs_the_same_queries_for_4_agents_and_for_24(
    manager_api, floor, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.payroll.test_scorecards import _grow

    with CaptureQueriesContext(connection) as small:
        manager_api.get(BOARD + "?month=2026-10")
    with CaptureQueriesContext(connection) as one:
        manager_api.get(scorecard_url(floor["wang"]) + "?month=2026-10")
    _grow(20, 100)
    with django_assert_max_num_queries(len(small)):
        body = manager_api.get(BOARD + "?month=2026-10&page_size=100").json()
    assert body["count"] == 24
    with django_assert_max_num_queries(len(one)):
        manager_api.get(scorecard_url(floor["wang"]) + "?month=2026-10")
