"""Quality reviews (质检) and appeals: the rules of ``payroll.services.reviews`` (DOMAIN.md, "Agent
pay": weighted items, fatal items, appeals within 3 days)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from agency.errors import NotPermitted, StateConflict
from payroll import selectors
from payroll.services import (
    qa_item_create,
    qa_item_update,
    qa_sheet_warning,
    review_appeal,
    review_decide,
)
from tests.factories import WorkloadFactory
from tests.payroll import review_world
from tests.payroll.review_world import CHAT_DATE, NOW, TODAY, full_marks, make_review, sheet

# The quality review crew, frozen on a working Monday (tests/payroll/review_world.py).
crew, frozen = review_world.crew, review_world.frozen

pytestmark = pytest.mark.django_db(transaction=False)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Scoring ------------------------------------------------------------------------------------


def test_a_review_scores_points_given_over_points_possible(
    crew, django_capture_on_commit_callbacks
):
    items = sheet()
    marks = full_marks() | {items["response"].pk: 10, items["selling"].pk: 5}
    with django_capture_on_commit_callbacks(execute=True):
        review = make_review(crew, marks=marks)
    assert review.score == Decimal("75.00")
    assert not review.fatal
    assert review.status == "scored"
    assert review.chat_reference == "https://qn.example/chat/123"  # trimmed
    assert review.reviewer == crew.manager
    stored = {mark.item.code: (mark.points, mark.breached) for mark in review.marks.all()}
    assert stored["response"] == (10, False)
    assert stored["abuse"] == (0, False)
    assert len(stored) == 8


def test_a_breached_fatal_item_zeroes_the_review(crew):
    review = make_review(crew, breached={sheet()["privacy"].pk})
    assert review.score == Decimal("0.00")
    assert review.fatal
    assert review.marks.get(item__code="privacy").breached


def test_every_active_weighted_item_needs_points_within_its_weight(crew):
    items = sheet()
    marks = full_marks()
    del marks[items["greeting"].pk]
    marks[items["accuracy"].pk] = 26
    with pytest.raises(ValidationError) as excinfo:
        make_review(crew, marks=marks)
    messages = _errors(excinfo)["marks"]
    assert any("Greeting and courtesy" in text for text in messages)
    assert any("0 to 25 points; 26 given" in text for text in messages)


def test_inactive_and_unknown_items_are_refused(crew):
    items = sheet()
    qa_item_update(item=items["selling"], data={"active": False}, actor=crew.manager)
    with pytest.raises(ValidationError) as excinfo:
        make_review(crew, marks=full_marks(), breached={items["greeting"].pk, 999_999})
    errors = _errors(excinfo)
    assert any(str(items["selling"].pk) in text for text in errors["marks"])
    assert len(errors["breached"]) == 2


def test_a_retired_item_is_not_asked_for(crew):
    items = sheet()
    qa_item_update(item=items["selling"], data={"active": False}, actor=crew.manager)
    marks = full_marks()
    del marks[items["selling"].pk]
    marks[items["greeting"].pk] = 0
    review = make_review(crew, marks=marks)
    assert review.score == Decimal("87.50")  # 70 of 80 points possible
    assert not review.marks.filter(item=items["selling"]).exists()


def test_the_reference_is_required(crew):
    with pytest.raises(ValidationError) as excinfo:
        make_review(crew, chat_reference="   ")
    assert "chat_reference" in _errors(excinfo)


def test_only_managers_review(crew):
    with pytest.raises(NotPermitted):
        make_review(crew, actor=crew.agent_user)


# --- Dates and shops ----------------------------------------------------------------------------


def test_a_conversation_dated_in_the_future_is_refused(crew):
    with pytest.raises(ValidationError) as excinfo:
        make_review(crew, chat_date=TODAY + dt.timedelta(days=1))
    assert "future" in _errors(excinfo)["chat_date"][0]


def test_a_conversation_before_the_hire_date_or_after_leaving_is_refused(crew):
    with pytest.raises(ValidationError) as excinfo:
        make_review(crew, chat_date=dt.date(2026, 2, 28))
    assert "hired on" in _errors(excinfo)["chat_date"][0]
    crew.agent.left_on = dt.date(2026, 11, 10)
    crew.agent.save(update_fields=["left_on"])
    with pytest.raises(ValidationError) as excinfo:
        make_review(crew, chat_date=CHAT_DATE)
    assert "left on" in _errors(excinfo)["chat_date"][0]


def test_the_agent_must_have_served_the_shop_that_date(crew):
    with pytest.raises(ValidationError) as excinfo:
        make_review(crew, shop=crew.shop_b)
    assert "did not serve Shop B" in _errors(excinfo)["shop"][0]


def test_a_workload_record_proves_the_agent_served_a_shop_off_the_roster(crew):
    WorkloadFactory(agent=crew.agent, shop=crew.shop_b, date=CHAT_DATE)
    review = make_review(crew, shop=crew.shop_b)
    assert review.shop == crew.shop_b


# --- Appeals ------------------------------------------------------------------------------------


def test_the_agent_appeals_once_within_three_days(crew):
    review = make_review(crew)
    assert review.appeal_until == NOW + dt.timedelta(days=3)
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        review = review_appeal(review=review, reason=" 买家先骂人的 ", actor=crew.agent_user)
    assert review.status == "appealed"
    assert review.appeal_reason == "买家先骂人的"
    with pytest.raises(StateConflict, match="once"):
        review_appeal(review=review, reason="again", actor=crew.agent_user)


def test_an_appeal_after_three_days_is_a_conflict_naming_the_deadline(crew):
    review = make_review(crew)
    late = NOW + dt.timedelta(days=3, seconds=1)
    with time_machine.travel(late, tick=False), pytest.raises(StateConflict) as excinfo:
        review_appeal(review=review, reason="Too late?", actor=crew.agent_user)
    assert "2026-11-19" in excinfo.value.message
    review.refresh_from_db()
    assert review.status == "scored"


def test_only_the_reviewed_agent_appeals(crew):
    review = make_review(crew)
    for actor in (crew.other_user, crew.manager):
        with pytest.raises(NotPermitted):
            review_appeal(review=review, reason="Not mine", actor=actor)


def test_an_appeal_needs_a_reason(crew):
    review = make_review(crew)
    with pytest.raises(ValidationError) as excinfo:
        review_appeal(review=review, reason="  ", actor=crew.agent_user)
    assert "reason" in _errors(excinfo)


# --- Decisions ----------------------------------------------------------------------------------


@pytest.fixture
def appealed(crew):
    review = make_review(crew, breached={sheet()["abuse"].pk})
    return review_appeal(review=review, reason="The buyer swore first.", actor=crew.agent_user)


def test_a_rescore_replaces_the_marks_and_the_score(crew, appealed):
    items = sheet()
    marks = full_marks() | {items["greeting"].pk: 0}
    review = review_decide(
        review=appealed, decision="rescored", note="Fair point.", marks=marks, actor=crew.manager
    )
    assert review.status == "rescored"
    assert review.score == Decimal("90.00")
    assert not review.fatal
    assert review.decided_by == crew.manager
    assert not review.marks.filter(breached=True).exists()
    assert review.marks.get(item=items["greeting"]).points == 0
    assert review.marks.count() == 8


def test_a_rescore_with_bad_marks_changes_nothing(crew, appealed):
    with pytest.raises(ValidationError):
        review_decide(review=appealed, decision="rescored", note="x", marks={}, actor=crew.manager)
    appealed.refresh_from_db()
    assert appealed.status == "appealed"
    assert appealed.score == 0
    assert appealed.marks.filter(breached=True).count() == 1


def test_upheld_keeps_and_withdrawn_drops_the_review_from_the_average(crew, appealed):
    other = make_review(crew)
    other = review_appeal(review=other, reason="Why?", actor=crew.agent_user)
    review_decide(review=appealed, decision="upheld", note="It stands.", actor=crew.manager)
    review_decide(review=other, decision="withdrawn", note="Wrong chat.", actor=crew.manager)
    averages = selectors.quality_averages(date_from=CHAT_DATE, date_to=CHAT_DATE)
    assert averages == {crew.agent.pk: (Decimal("0.00"), 1)}


def test_only_an_appealed_review_is_decided_and_only_by_a_manager(crew, appealed):
    with pytest.raises(NotPermitted):
        review_decide(review=appealed, decision="upheld", note="x", actor=crew.agent_user)
    review_decide(review=appealed, decision="upheld", note="It stands.", actor=crew.manager)
    with pytest.raises(StateConflict):
        review_decide(review=appealed, decision="withdrawn", note="x", actor=crew.manager)
    with pytest.raises(ValidationError):
        review_decide(review=make_review(crew), decision="maybe", note="x", actor=crew.manager)


def test_a_decision_needs_a_note(crew, appealed):
    with pytest.raises(ValidationError) as excinfo:
        review_decide(review=appealed, decision="upheld", note="", actor=crew.manager)
    assert "note" in _errors(excinfo)


# --- Emails -------------------------------------------------------------------------------------


def test_the_agent_is_emailed_in_their_language_when_reviewed_and_decided(
    crew, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = make_review(crew)
    [reviewed] = mail.outbox
    assert reviewed.to == ["xiaomei@example.com"]
    assert "质检" in reviewed.subject
    assert "2026-11-19" in reviewed.body  # the appeal deadline
    review_appeal(review=review, reason="Why?", actor=crew.agent_user)
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(review=review, decision="withdrawn", note="抽错了", actor=crew.manager)
    assert len(mail.outbox) == 2
    assert "抽错了" in mail.outbox[1].body


def test_nothing_is_emailed_when_the_review_is_refused(crew, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        make_review(crew, chat_reference="")
    assert mail.outbox == []


# --- The sheet ----------------------------------------------------------------------------------


def test_managers_add_items_and_a_sheet_off_100_is_a_warning(crew):
    item = qa_item_create(name="Uses the buyer's name", weight=5, actor=crew.manager)
    assert item.label == "Uses the buyer's name"
    assert "105 points" in qa_sheet_warning(selectors.qa_item_list())
    qa_item_update(item=item, data={"active": False}, actor=crew.manager)
    assert qa_sheet_warning(selectors.qa_item_list()) == ""


def test_built_in_items_keep_their_code_and_translated_name(crew):
    greeting = sheet()["greeting"]
    with pytest.raises(ValidationError) as excinfo:
        qa_item_update(item=greeting, data={"name": "Hi"}, actor=crew.manager)
    assert "name" in _errors(excinfo)
    qa_item_update(item=greeting, data={"weight": 15, "position": 9}, actor=crew.manager)
    greeting.refresh_from_db()
    assert (greeting.code, greeting.weight, greeting.position) == ("greeting", 15, 9)


def test_an_item_stays_weighted_or_fatal_as_created(crew):
    with pytest.raises(ValidationError):
        qa_item_update(item=sheet()["abuse"], data={"fatal": False}, actor=crew.manager)
    with pytest.raises(ValidationError):
        qa_item_update(item=sheet()["abuse"], data={"weight": 5}, actor=crew.manager)
    with pytest.raises(ValidationError):
        qa_item_create(name="Fatal with points", weight=5, fatal=True, actor=crew.manager)
    with pytest.raises(NotPermitted):
        qa_item_create(name="Mine", weight=5, actor=crew.agent_user)


def test_reviews_visible_to_a_user(crew):
    mine = make_review(crew)
    WorkloadFactory(agent=crew.other_agent, shop=crew.shop_a, date=CHAT_DATE)
    theirs = make_review(crew, agent=crew.other_agent)
    assert set(selectors.review_list(user=crew.manager)) == {mine, theirs}
    assert list(selectors.review_list(user=crew.agent_user)) == [mine]
    assert list(selectors.review_list(user=crew.shop_a.owner)) == []


def test_appeals_awaiting_decision_are_counted(crew, appealed):
    make_review(crew)
    assert selectors.appeals_awaiting_count() == 1


# --- Admin --------------------------------------------------------------------------------------


def test_the_admin_shows_reviews_read_only_and_edits_items_by_the_rules(crew, admin_client):
    review = make_review(crew)
    page = admin_client.get(f"/admin/payroll/qualityreview/{review.pk}/change/")
    assert page.status_code == 200
    assert b'name="score"' not in page.content  # read-only
    assert admin_client.get("/admin/payroll/qualityreview/add/").status_code == 403
    abuse = sheet()["abuse"]
    response = admin_client.post(
        f"/admin/payroll/qaitem/{abuse.pk}/change/",
        {"name": "", "weight": 5, "active": "on", "position": 5},
    )
    assert response.status_code == 200  # the form again, with the refusal
    abuse.refresh_from_db()
    assert abuse.weight == 0
    response = admin_client.post(
        "/admin/payroll/qaitem/add/",
        {"name": "Uses the buyer's name", "weight": 5, "active": "on", "position": 9},
    )
    assert response.status_code == 302
    assert selectors.qa_item_list().filter(name="Uses the buyer's name").exists()
