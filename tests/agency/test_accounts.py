"""Accounts: the rules of ``agency.accounts`` and of the agent link in ``seats.services``, and the
invitation email (both languages, a link that sets the password)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from agency.accounts import (
    account_role,
    email_validate_unused,
    language_clean,
    password_validate,
    user_create,
    user_invite,
    user_update,
)
from agency.errors import NotPermitted, StateConflict
from agency.models import User
from seats.models import Agent, CoverAssignment, SeatAssignment
from seats.services import (
    account_agent_validate,
    account_create,
    account_update,
    agent_deactivate,
    departure_date_validate,
)
from shops.selectors import possible_owners
from tests.factories import AgentFactory, SeatAssignmentFactory, SeatFactory, UserFactory
from tests.seats.factories import SubAccountFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 10, 15)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def _field_errors(error: ValidationError) -> dict:
    return error.value.message_dict


def _link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", body).group(1)


# --- user_create ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_user_create_without_password_invites_in_the_new_account_language(manager, settings):
    settings.NEW_ACCOUNT_LANGUAGE = "zh-hans"
    user = user_create(username="li", email="li@example.com", role="owner", actor=manager)
    assert not user.has_usable_password()
    assert user.language == "zh-hans" and not user.is_staff
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["li@example.com"]
    assert message.subject.startswith("【")
    assert "设置" in message.subject
    assert "/accounts/reset/" in message.body


@pytest.mark.django_db(transaction=True)
def test_invitation_in_english_sets_the_password_through_the_link(manager):
    user_create(username="ann", email="ann@example.com", role="owner", language="en", actor=manager)
    message = mail.outbox[0]
    assert message.subject.startswith("[") and "choose a password" in message.subject
    assert "ann" in message.body and "3 days" in message.body
    client = Client()
    form = client.get(_link(message.body), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Harbour-lamp-2026", "new_password2": "Harbour-lamp-2026"},
    )
    assert done.status_code == 302
    assert User.objects.get(username="ann").check_password("Harbour-lamp-2026")


@pytest.mark.django_db(transaction=True)
def test_user_create_with_a_password_sends_no_invitation(manager):
    user = user_create(
        username="boss2", role="manager", password="Harbour-lamp-2026", actor=manager
    )
    assert user.is_staff and user.check_password("Harbour-lamp-2026")
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_no_invitation_leaves_when_the_transaction_rolls_back(manager):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        user_create(username="ghost", email="ghost@example.com", actor=manager)
        raise RuntimeError
    assert mail.outbox == []
    assert not User.objects.filter(username="ghost").exists()


@pytest.mark.django_db
def test_user_create_needs_an_email_when_it_invites(manager):
    with pytest.raises(ValidationError) as error:
        user_create(username="noemail", role="owner", actor=manager)
    assert "email" in _field_errors(error)


@pytest.mark.django_db
def test_user_create_refuses_a_taken_username_and_a_bad_role(manager):
    with pytest.raises(ValidationError) as error:
        user_create(username="manager", email="x@example.com", role="boss", actor=manager)
    assert "role" in _field_errors(error)
    with pytest.raises(ValidationError) as error:
        user_create(username="manager", email="x@example.com", actor=manager)
    assert "username" in _field_errors(error)


@pytest.mark.django_db
def test_email_validate_unused_is_case_insensitive(manager):
    UserFactory(username="zhang", email="Zhang@Example.com")
    with pytest.raises(ValidationError) as error:
        email_validate_unused("zhang@example.com")
    assert "email" in _field_errors(error)
    email_validate_unused("zhang@example.com", exclude_id=User.objects.get(username="zhang").pk)


@pytest.mark.django_db
def test_password_validate_reports_the_validators_on_password(manager):
    with pytest.raises(ValidationError) as error:
        password_validate("123", User(username="x"))
    assert "password" in _field_errors(error)


def test_language_clean_defaults_to_the_new_account_language(settings):
    settings.NEW_ACCOUNT_LANGUAGE = "en"
    assert language_clean("") == "en"
    assert language_clean("zh-hans") == "zh-hans"
    with pytest.raises(ValidationError):
        language_clean("fr")


@pytest.mark.django_db
def test_only_managers_create_accounts(owner_a):
    with pytest.raises(NotPermitted):
        user_create(username="x", email="x@example.com", actor=owner_a)


# --- user_update, user_invite -------------------------------------------------------------------


@pytest.mark.django_db
def test_user_update_changes_email_language_and_activity(manager, owner_a):
    user_update(
        user=owner_a,
        data={"email": "new@example.com", "language": "en", "is_active": False},
        actor=manager,
    )
    owner_a.refresh_from_db()
    assert (owner_a.email, owner_a.language, owner_a.is_active) == (
        "new@example.com",
        "en",
        False,
    )


@pytest.mark.django_db
def test_user_update_refuses_other_fields_and_self_deactivation(manager, owner_a):
    with pytest.raises(ValidationError) as error:
        user_update(user=owner_a, data={"username": "x", "is_staff": True}, actor=manager)
    assert set(_field_errors(error)) == {"username", "is_staff"}
    with pytest.raises(ValidationError) as error:
        user_update(user=manager, data={"is_active": False}, actor=manager)
    assert "is_active" in _field_errors(error)


@pytest.mark.django_db
def test_a_deactivated_account_is_signed_out(manager, owner_a):
    client = Client()
    client.force_login(owner_a)
    assert client.get("/portal/").status_code == 200
    user_update(user=owner_a, data={"is_active": False}, actor=manager)
    assert client.get("/portal/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_user_invite_resends_and_refuses_inactive_accounts(manager, owner_a):
    user_invite(user=owner_a, actor=manager)
    assert len(mail.outbox) == 1
    owner_a.is_active = False
    owner_a.save()
    with pytest.raises(StateConflict):
        user_invite(user=owner_a, actor=manager)


# --- agents' accounts ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_account_agent_validate_one_account_per_agent_and_only_for_agents(manager):
    agent = AgentFactory()
    with pytest.raises(ValidationError) as error:
        account_agent_validate(role="agent", agent=None)
    assert "agent" in _field_errors(error)
    with pytest.raises(ValidationError):
        account_agent_validate(role="owner", agent=agent)
    account_create(role="agent", username="a1", email="a1@example.com", agent=agent, actor=manager)
    agent.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        account_agent_validate(role="agent", agent=agent)
    assert "already has an account" in str(error.value)
    left = AgentFactory(status=Agent.Status.LEFT)
    with pytest.raises(ValidationError):
        account_agent_validate(role="agent", agent=left)


@pytest.mark.django_db
def test_account_create_links_the_agent_and_the_role_follows(manager):
    agent = AgentFactory()
    user = account_create(
        role="agent", username="xiaomei", email="xm@example.com", agent=agent, actor=manager
    )
    agent.refresh_from_db()
    assert agent.user == user
    assert account_role(User.objects.select_related("agent_profile").get(pk=user.pk)) == "agent"
    assert user not in possible_owners()


@pytest.mark.django_db
def test_account_update_moves_an_agent_account_to_another_agent(manager):
    first, second = AgentFactory(), AgentFactory()
    user = account_create(
        role="agent", username="xiaomei", email="xm@example.com", agent=first, actor=manager
    )
    account_update(user=user, data={"agent": second}, actor=manager)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.user is None and second.user == user
    owner = UserFactory()
    with pytest.raises(ValidationError):
        account_update(user=owner, data={"agent": first}, actor=manager)


# --- an agent leaves ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_agent_deactivate_ends_seat_shifts_on_the_last_day(manager):
    agent = AgentFactory()
    account_create(
        role="agent", username="leaver", password="Harbour-lamp-2026", agent=agent, actor=manager
    )
    seat = SeatFactory()
    running = SeatAssignmentFactory(
        seat=seat, agent=agent, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 10, 19)
    )
    later_seat = SeatFactory()
    later = SeatAssignmentFactory(
        seat=later_seat, agent=agent, start_date=dt.date(2026, 10, 20), end_date=None
    )
    cover = CoverAssignment.objects.create(
        seat=later_seat,
        shift="night",
        agent=agent,
        start_date=TODAY,
        end_date=dt.date(2026, 10, 30),
    )
    sub_account = SubAccountFactory(agent=agent)

    departure = agent_deactivate(agent=agent, last_day=TODAY, actor=manager)

    running.refresh_from_db()
    cover.refresh_from_db()
    agent.refresh_from_db()
    assert running.end_date == TODAY
    assert not SeatAssignment.objects.filter(pk=later.pk).exists()
    assert cover.end_date == TODAY
    assert agent.status == Agent.Status.LEFT
    assert not User.objects.get(username="leaver").is_active
    assert (departure.assignments_ended, departure.assignments_removed) == (1, 1)
    assert departure.account_deactivated
    assert departure.sub_accounts_to_revoke == [sub_account]


@pytest.mark.django_db
def test_departure_date_validate_refuses_future_days_and_days_before_hire(manager):
    agent = AgentFactory(hired_on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError) as error:
        departure_date_validate(agent=agent, last_day=TODAY + dt.timedelta(days=1))
    assert "last_day" in _field_errors(error)
    with pytest.raises(ValidationError):
        departure_date_validate(agent=agent, last_day=dt.date(2026, 2, 28))
    departure_date_validate(agent=agent, last_day=TODAY)


@pytest.mark.django_db
def test_agent_deactivate_twice_is_a_conflict(manager):
    agent = AgentFactory()
    agent_deactivate(agent=agent, last_day=TODAY, actor=manager)
    with pytest.raises(StateConflict):
        agent_deactivate(agent=agent, last_day=TODAY, actor=manager)
