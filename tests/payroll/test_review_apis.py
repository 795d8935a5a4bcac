"""The quality review API: /api/v1/quality-reviews/ and /api/v1/qa-items/ (docs/quality.md)."""

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from agency.access import is_agent
from tests.factories import WorkloadFactory
from tests.payroll import review_world
from tests.payroll.review_world import CHAT_DATE, NOW, full_marks, make_review, sheet

# The quality review crew, frozen on a working Monday (tests/payroll/review_world.py).
crew, frozen = review_world.crew, review_world.frozen

URL = "/api/v1/quality-reviews/"


def _client(user) -> APIClient:
    client = APIClient()
    is_agent(user)
    client.force_authenticate(user)
    return client


def _body(crew, **changes) -> dict:
    items = sheet()
    body = {
        "agent": crew.agent.pk,
        "shop": crew.shop_a.pk,
        "chat_date": CHAT_DATE.isoformat(),
        "chat_reference": "qn://chat/9",
        "comment": "Slow first reply",
        "marks": [{"item": pk, "points": points} for pk, points in full_marks().items()],
        "breached": [items["promise"].pk],
    }
    return body | changes


def test_a_manager_creates_a_review_and_reads_it_with_labels_in_the_requests_language(crew):
    client = _client(crew.manager)
    response = client.post(URL, _body(crew), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["score"] == "0.00"
    assert body["fatal"] is True
    assert body["status"] == "scored"
    assert body["reviewer"] == "manager"
    assert body["appeal_until"].startswith("2026-11-19T10:00:00")
    assert body["can_appeal"] is False  # a manager never appeals
    detail = client.get(f"{URL}{body['id']}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    labels = {mark["label"] for mark in detail["marks"]}
    assert "问候与礼貌" in labels or len(labels) == 8


def test_bad_input_is_400_with_the_field(crew):
    client = _client(crew.manager)
    items = sheet()
    cases = [
        (_body(crew, chat_date="2026-11-17"), "chat_date"),
        (_body(crew, shop=crew.shop_b.pk), "shop"),
        (_body(crew, chat_reference=" "), "chat_reference"),
        (_body(crew, marks=[{"item": items["greeting"].pk, "points": 10}]), "marks"),
        (
            _body(crew, marks=[{"item": items["greeting"].pk, "points": 1}] * 2),
            "marks",
        ),
        (_body(crew, breached=[items["greeting"].pk]), "breached"),
        (_body(crew, agent=999_999), "agent"),
        (_body(crew, marks=[{"item": 2**70, "points": 1}]), "marks"),
    ]
    for body, field in cases:
        response = client.post(URL, body, format="json")
        assert response.status_code == 400, (field, response.content)
        assert field in response.json(), (field, response.json())


def test_the_list_filters_by_agent_shop_month_and_status(crew, django_assert_max_num_queries):
    make_review(crew)
    WorkloadFactory(agent=crew.other_agent, shop=crew.shop_b, date=CHAT_DATE)
    make_review(crew, agent=crew.other_agent, shop=crew.shop_b)
    client = _client(crew.manager)
    with django_assert_max_num_queries(6):
        body = client.get(URL).json()
    assert body["count"] == 2
    assert client.get(URL, {"agent": crew.agent.pk}).json()["count"] == 1
    assert client.get(URL, {"shop": crew.shop_b.pk}).json()["count"] == 1
    assert client.get(URL, {"month": "2026-11"}).json()["count"] == 2
    assert client.get(URL, {"month": "2026-10"}).json()["count"] == 0
    assert client.get(URL, {"status": "appealed"}).json()["count"] == 0
    assert client.get(URL, {"month": "nope"}).status_code == 400


def test_an_agent_sees_their_own_reviews_and_appeals_once(crew):
    mine = make_review(crew)
    WorkloadFactory(agent=crew.other_agent, shop=crew.shop_a, date=CHAT_DATE)
    theirs = make_review(crew, agent=crew.other_agent)
    client = _client(crew.agent_user)
    body = client.get(URL).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["results"][0]["can_appeal"] is True
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.post(f"{URL}{theirs.pk}/appeal/", {"reason": "x"}).status_code == 404
    assert client.post(f"{URL}{mine.pk}/appeal/", {"reason": ""}).status_code == 400
    response = client.post(f"{URL}{mine.pk}/appeal/", {"reason": "Buyer lied"})
    assert response.status_code == 200
    assert response.json()["status"] == "appealed"
    assert response.json()["can_appeal"] is False
    again = client.post(f"{URL}{mine.pk}/appeal/", {"reason": "Again"})
    assert again.status_code == 409


def test_an_appeal_after_the_window_is_409_with_the_deadline(crew):
    review = make_review(crew)
    with time_machine.travel(NOW + dt.timedelta(days=3, minutes=1), tick=False):
        response = _client(crew.agent_user).post(
            f"{URL}{review.pk}/appeal/", {"reason": "Late"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 409
    assert "2026-11-19" in response.json()["detail"]


def test_agents_and_owners_cannot_create_or_decide(crew):
    review = make_review(crew)
    agent = _client(crew.agent_user)
    assert agent.post(URL, _body(crew), format="json").status_code == 403
    assert agent.post(f"{URL}{review.pk}/decide/", {"decision": "upheld"}).status_code == 403
    owner = _client(crew.shop_a.owner)
    assert owner.get(URL).status_code == 403
    assert owner.get("/api/v1/qa-items/").status_code == 403


def test_a_manager_decides_an_appeal_and_a_rescore_recomputes(crew):
    review = make_review(crew)
    manager = _client(crew.manager)
    decide = f"{URL}{review.pk}/decide/"
    assert manager.post(decide, {"decision": "upheld", "note": "x"}).status_code == 409
    _client(crew.agent_user).post(f"{URL}{review.pk}/appeal/", {"reason": "Why"})
    assert manager.post(decide, {"decision": "maybe", "note": "x"}).status_code == 400
    assert manager.post(decide, {"decision": "rescored", "note": "x"}).status_code == 400
    items = sheet()
    marks = full_marks() | {items["accuracy"].pk: 20}
    response = manager.post(
        decide,
        {
            "decision": "rescored",
            "note": "Half right",
            "marks": [{"item": pk, "points": points} for pk, points in marks.items()],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["score"], body["decided_by"]) == ("rescored", "95.00", "manager")
    assert {m["item"]: m["points"] for m in body["marks"]}[items["accuracy"].pk] == 20


def test_the_sheet_is_read_by_the_crew_and_edited_by_managers(crew):
    agent = _client(crew.agent_user)
    body = agent.get("/api/v1/qa-items/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["count"] == 8
    assert body["results"][0]["label"] == "Greeting and courtesy"
    assert agent.post("/api/v1/qa-items/", {"name": "x", "weight": 5}).status_code == 403
    manager = _client(crew.manager)
    created = manager.post("/api/v1/qa-items/", {"name": "Uses the buyer's name", "weight": 5})
    assert created.status_code == 201
    assert "105" in created.json()["sheet_warning"]
    greeting = sheet()["greeting"]
    patched = manager.patch(f"/api/v1/qa-items/{greeting.pk}/", {"weight": 5}, format="json")
    assert patched.status_code == 200
    assert patched.json()["sheet_warning"] == ""
    refused = manager.patch(f"/api/v1/qa-items/{greeting.pk}/", {"name": "Hi"}, format="json")
    assert refused.status_code == 400
    assert "name" in refused.json()
    assert manager.put(f"/api/v1/qa-items/{greeting.pk}/", {}).status_code == 405


def test_review_routes_answer_in_the_requests_language(crew):
    review = make_review(crew)
    response = _client(crew.manager).post(
        f"{URL}{review.pk}/appeal/", {"reason": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 403
    assert response.json()["detail"] != "Only the reviewed agent can appeal a quality review."


@pytest.mark.parametrize("path", [URL, "/api/v1/qa-items/"])
def test_anonymous_callers_get_401(crew, path):
    assert APIClient().get(path).status_code == 401
