"""The manager's quality review pages: list, new review, detail with the decision, the sheet."""

import pytest
from django.test import Client
from django.urls import reverse

from payroll.services import review_appeal
from tests.payroll import review_world
from tests.payroll.review_world import CHAT_DATE, full_marks, make_review, sheet

# The quality review crew, frozen on a working Monday (tests/payroll/review_world.py).
crew, frozen = review_world.crew, review_world.frozen


@pytest.fixture
def manager_client(crew) -> Client:
    client = Client()
    client.force_login(crew.manager)
    return client


def _sheet_post(marks: dict[int, int], breached=()) -> dict:
    data = {f"item_{pk}": points for pk, points in marks.items()}
    data.update({f"breach_{pk}": "on" for pk in breached})
    return data


def test_the_list_shows_appeals_awaiting_decision_first(
    crew, manager_client, django_assert_max_num_queries
):
    older = make_review(crew, chat_date=CHAT_DATE.replace(day=2))
    newer = make_review(crew)
    review_appeal(review=older, reason="Wrong chat", actor=crew.agent_user)
    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("web:quality-list"))
    assert response.status_code == 200
    reviews = list(response.context["reviews"])
    assert reviews == [older, newer]
    assert b"1 appeal awaiting decision" in response.content
    by_score = manager_client.get(reverse("web:quality-list"), {"sort": "score"})
    assert list(by_score.context["reviews"])[0].score <= list(by_score.context["reviews"])[1].score


def test_the_list_filters_and_says_when_nothing_matches(crew, manager_client):
    make_review(crew)
    response = manager_client.get(reverse("web:quality-list"), {"month": "2026-10"})
    assert list(response.context["reviews"]) == []
    assert b"No reviews match." in response.content
    response = manager_client.get(
        reverse("web:quality-list"), {"month": "2026-11", "agent": crew.agent.pk}
    )
    assert len(response.context["reviews"]) == 1


def test_an_empty_list_says_how_to_start(crew, manager_client):
    response = manager_client.get(reverse("web:quality-list"))
    assert "New review" in response.content.decode()
    assert b"No quality reviews yet" in response.content


def test_a_new_review_is_scored_from_the_sheet(crew, manager_client, mailoutbox):
    items = sheet()
    marks = full_marks() | {items["selling"].pk: 10}
    data = {
        "agent": crew.agent.pk,
        "chat_date": CHAT_DATE.isoformat(),
        "shop": crew.shop_a.pk,
        "chat_reference": "tb-chat-42",
        "comment": "Good",
        **_sheet_post(marks),
    }
    response = manager_client.post(reverse("web:quality-create"), data)
    assert response.status_code == 302
    detail = manager_client.get(response["Location"])
    assert detail.context["review"].score == 90
    assert b"tb-chat-42" in detail.content


def test_the_new_review_page_lists_the_agents_shops_of_the_date(crew, manager_client):
    response = manager_client.get(
        reverse("web:quality-create"),
        {"agent": crew.agent.pk, "chat_date": CHAT_DATE.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["served"][1] == [(crew.shop_a.pk, "Shop A")]


def test_a_refused_review_shows_why_on_the_form(crew, manager_client):
    data = {
        "agent": crew.agent.pk,
        "chat_date": CHAT_DATE.isoformat(),
        "shop": crew.shop_b.pk,
        "chat_reference": "x",
        **_sheet_post(full_marks()),
    }
    response = manager_client.post(reverse("web:quality-create"), data)
    assert response.status_code == 400
    assert "did not serve Shop B" in response.content.decode()


def test_a_manager_decides_an_appeal_on_the_detail_page(crew, manager_client):
    review = make_review(crew)
    url = reverse("web:quality-detail", args=[review.pk])
    assert b"data-confirm" not in manager_client.get(url).content
    review_appeal(review=review, reason="The buyer lied", actor=crew.agent_user)
    page = manager_client.get(url)
    assert b"The buyer lied" in page.content
    assert b"data-confirm" in page.content
    items = sheet()
    marks = full_marks() | {items["greeting"].pk: 5}
    response = manager_client.post(
        url, {"decision": "rescored", "note": "Partly right", **_sheet_post(marks)}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.score) == ("rescored", 95)


def test_an_upheld_appeal_needs_no_points(crew, manager_client):
    review = make_review(crew)
    review_appeal(review=review, reason="No", actor=crew.agent_user)
    url = reverse("web:quality-detail", args=[review.pk])
    response = manager_client.post(url, {"decision": "upheld", "note": "Stands"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "upheld"


def test_the_sheet_editor_changes_points_and_warns_off_100(crew, manager_client):
    greeting = sheet()["greeting"]
    url = reverse("web:quality-item-update", args=[greeting.pk])
    prefix = f"item{greeting.pk}"
    response = manager_client.post(
        url,
        {
            f"{prefix}-name": "",
            f"{prefix}-weight": 20,
            f"{prefix}-position": 0,
            f"{prefix}-active": "on",
        },
    )
    assert response.status_code == 302
    greeting.refresh_from_db()
    assert greeting.weight == 20
    page = manager_client.get(reverse("web:quality-items"))
    assert "110" in page.context["warning"]
    response = manager_client.post(
        reverse("web:quality-items"),
        {"name": "Uses emoji well", "weight": 5, "position": 3, "active": "on"},
    )
    assert response.status_code == 302


def test_the_dashboard_counts_appeals_awaiting_decision(crew, manager_client):
    review = make_review(crew)
    review_appeal(review=review, reason="No", actor=crew.agent_user)
    response = manager_client.get(reverse("web:dashboard"))
    assert b"1 appeal awaiting decision" in response.content
    assert b'href="/quality/?status=appealed"' in response.content


def test_quality_pages_are_for_managers(crew):
    review = make_review(crew)
    agent = Client()
    agent.force_login(crew.agent_user)
    for url in (
        reverse("web:quality-list"),
        reverse("web:quality-create"),
        reverse("web:quality-detail", args=[review.pk]),
        reverse("web:quality-items"),
    ):
        assert agent.get(url).status_code == 302


def test_a_review_that_does_not_exist_answers_404(crew, manager_client):
    assert manager_client.get(reverse("web:quality-detail", args=[999_999])).status_code == 404
