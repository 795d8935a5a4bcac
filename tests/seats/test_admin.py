"""The admin pages of the seats app render, and roll-ups and acknowledged notes stay read-only."""

import pytest
from django.test import Client
from django.utils import timezone

from seats.models import AgentDailyLoad
from seats.services import agent_daily_load_rollup
from tests.factories import (
    ContractFactory,
    SeatAssignmentFactory,
    UserFactory,
    WorkloadFactory,
)
from tests.seats.factories import AgentDailyLoadFactory, HandoverNoteFactory, SubAccountFactory

MODELS = [
    "agent",
    "seat",
    "seatassignment",
    "workloadrecord",
    "agentdailyload",
    "handovernote",
    "subaccount",
]


@pytest.fixture
def admin_client_(db):
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_renders(admin_client_, model):
    SeatAssignmentFactory()
    WorkloadFactory()
    AgentDailyLoadFactory()
    HandoverNoteFactory()
    SubAccountFactory()
    assert admin_client_.get(f"/admin/seats/{model}/").status_code == 200


@pytest.mark.parametrize("model", ["agent", "seat", "seatassignment", "handovernote", "subaccount"])
def test_admin_add_form_renders(admin_client_, model):
    assert admin_client_.get(f"/admin/seats/{model}/add/").status_code == 200


def test_admin_shows_assignment_history(admin_client_):
    assignment = SeatAssignmentFactory()
    url = f"/admin/seats/seatassignment/{assignment.pk}/history/"
    assert admin_client_.get(url).status_code == 200


def test_admin_daily_loads_are_read_only(admin_client_):
    load = AgentDailyLoadFactory()
    assert admin_client_.get("/admin/seats/agentdailyload/add/").status_code == 403
    page = admin_client_.get(f"/admin/seats/agentdailyload/{load.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_admin_acknowledged_notes_are_read_only(admin_client_):
    note = HandoverNoteFactory(acknowledged_at=timezone.now())
    page = admin_client_.get(f"/admin/seats/handovernote/{note.pk}/change/")
    assert b'name="_save"' not in page.content


def test_deleting_workloads_in_the_admin_refreshes_a_rolled_up_day(admin_client_):
    kept, removed = WorkloadFactory(inquiries=30), WorkloadFactory(inquiries=40)
    kept.date = removed.date
    kept.save()
    agent_daily_load_rollup(day=removed.date)
    response = admin_client_.post(
        f"/admin/seats/workloadrecord/{removed.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert list(AgentDailyLoad.objects.values_list("agent", "inquiries")) == [(kept.agent_id, 30)]


def test_admin_sub_accounts_follow_the_services_rules_and_keep_history(admin_client_):
    from seats.models import SubAccount
    from tests.factories import AgentFactory, ShopFactory

    shop = ShopFactory(name="小鹿童装旗舰店")
    agent = AgentFactory()
    url = "/admin/seats/subaccount/add/"
    data = {"shop": shop.pk, "agent": agent.pk, "name": "小美", "granted_on": "2026-01-01"}
    assert admin_client_.post(url, data).status_code == 302
    account = SubAccount.objects.get()
    assert account.name == "小鹿童装旗舰店:小美"
    refused = admin_client_.post(url, data)
    assert refused.status_code == 200
    assert "name" in refused.context["adminform"].form.errors
    gone = AgentFactory(status="left")
    refused = admin_client_.post(url, {**data, "agent": gone.pk, "name": "小红"})
    assert "agent" in refused.context["adminform"].form.errors
    history = f"/admin/seats/subaccount/{account.pk}/history/"
    assert admin_client_.get(history).status_code == 200


def test_a_note_edited_in_the_admin_is_recorded_as_written_by_that_user(admin_client_):
    assignment = SeatAssignmentFactory(shift="day")
    contract = ContractFactory(seat=assignment.seat)
    note = HandoverNoteFactory(
        seat=assignment.seat, shop=contract.shop, from_agent=assignment.agent, open_cases="Before"
    )
    response = admin_client_.post(
        f"/admin/seats/handovernote/{note.pk}/change/",
        {
            "seat": note.seat_id,
            "shop": note.shop_id,
            "date": note.date.isoformat(),
            "from_agent": note.from_agent_id,
            "to_agent": note.to_agent_id or "",
            "open_cases": "After",
            "promises": "",
        },
    )
    note.refresh_from_db()
    assert response.status_code == 302, response.content[:2000]
    assert note.open_cases == "After"
    assert note.written_by.username == "root"
