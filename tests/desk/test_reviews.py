"""The agent's own quality reviews at the desk, and appealing one while the window is open."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import WorkloadFactory
from tests.payroll import review_world
from tests.payroll.review_world import CHAT_DATE, NOW, make_review

# The quality review crew, frozen on a working Monday (tests/payroll/review_world.py).
crew, frozen = review_world.crew, review_world.frozen


@pytest.fixture
def agent_client(crew) -> Client:
    client = Client()
    client.force_login(crew.agent_user)
    return client


def test_the_agent_lists_only_their_own_reviews(crew, agent_client, django_assert_max_num_queries):
    mine = make_review(crew)
    WorkloadFactory(agent=crew.other_agent, shop=crew.shop_a, date=CHAT_DATE)
    make_review(crew, agent=crew.other_agent)
    with django_assert_max_num_queries(8):
        response = agent_client.get(reverse("desk:reviews"))
    assert response.status_code == 200
    assert list(response.context["reviews"]) == [mine]
    assert "申诉" in response.content.decode()  # the desk speaks Chinese by default


def test_an_empty_list_says_so(crew, agent_client):
    response = agent_client.get(reverse("desk:reviews"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["reviews"].__len__() == 0


def test_another_agents_review_answers_404(crew):
    WorkloadFactory(agent=crew.other_agent, shop=crew.shop_a, date=CHAT_DATE)
    theirs = make_review(crew, agent=crew.other_agent)
    client = Client()
    client.force_login(crew.agent_user)
    assert client.get(reverse("desk:review", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("desk:review", args=[theirs.pk]), {"reason": "x"}).status_code == 404


def test_the_agent_appeals_with_a_confirmation(crew, agent_client):
    review = make_review(crew)
    url = reverse("desk:review", args=[review.pk])
    page = agent_client.get(url)
    assert b"data-confirm" in page.content
    response = agent_client.post(url, {"reason": "买家先辱骂"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "appealed"
    page = agent_client.get(url)
    assert b"data-confirm" not in page.content
    assert "买家先辱骂" in page.content.decode()


def test_after_three_days_the_form_is_gone_and_a_late_post_is_refused(crew, agent_client):
    review = make_review(crew)
    url = reverse("desk:review", args=[review.pk])
    with time_machine.travel(NOW + dt.timedelta(days=3, minutes=1), tick=False):
        agent_client.force_login(crew.agent_user)  # sessions expire sooner than that
        page = agent_client.get(url)
        assert b"data-confirm" not in page.content
        response = agent_client.post(url, {"reason": "Late"})
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.status == "scored"


def test_an_appeal_without_a_reason_stays_on_the_form(crew, agent_client):
    review = make_review(crew)
    response = agent_client.post(reverse("desk:review", args=[review.pk]), {"reason": ""})
    assert response.status_code == 400


def test_managers_and_owners_do_not_use_the_desk_reviews(crew):
    manager = Client()
    manager.force_login(crew.manager)
    assert manager.get(reverse("desk:reviews")).status_code == 302
    owner = Client()
    owner.force_login(crew.shop_a.owner)
    assert owner.get(reverse("desk:reviews")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page_from_reviews(crew, client):
    review = make_review(crew)
    for url in (reverse("desk:reviews"), reverse("desk:review", args=[review.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
