"""Nightly roll-up of agent load, the overload alert to managers, and its Celery tasks."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError

from seats import tasks
from seats.models import AgentDailyLoad, WorkloadRecord
from seats.services import agent_daily_load_refresh, agent_daily_load_rollup
from tests.factories import AgentFactory, ManagerFactory, UserFactory, WorkloadFactory

D = dt.date
DAY = D(2026, 10, 14)


@pytest.fixture
def managers(db):
    return [
        ManagerFactory(username="boss", email="boss@agency.example", language="en"),
        ManagerFactory(username="deputy", email="deputy@agency.example", language="en"),
        ManagerFactory(username="noemail", email=""),
        ManagerFactory(username="gone", email="gone@agency.example", is_active=False),
    ]


@pytest.fixture
def workloads(shop_a, shop_b):
    """Wang answers 130 inquiries over two shops (overloaded), Li 70 (normal)."""
    wang = AgentFactory(name="Wang Fang", employee_no="E001")
    li = AgentFactory(name="Li Na", employee_no="E002")
    WorkloadFactory(agent=wang, shop=shop_a, date=DAY, inquiries=80, conversions=0)
    WorkloadFactory(agent=wang, shop=shop_b, date=DAY, inquiries=50, conversions=0)
    WorkloadFactory(agent=li, shop=shop_a, date=DAY, shift="night", inquiries=70, conversions=0)
    WorkloadFactory(agent=li, shop=shop_a, date=DAY + dt.timedelta(days=1), inquiries=500)
    return wang, li


def loads():
    return sorted(
        AgentDailyLoad.objects.values_list("agent__name", "date", "inquiries", "band", flat=False)
    )


def test_rollup_sums_each_agents_inquiries_over_shops_and_bands_them(
    workloads, managers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = agent_daily_load_rollup(day=DAY)
    assert loads() == [("Li Na", DAY, 70, "normal"), ("Wang Fang", DAY, 130, "overloaded")]
    assert (result.agents, result.created, result.updated, result.overloaded) == (2, 2, 0, 1)


def test_overload_alert_goes_once_to_active_managers_with_emails(
    workloads, managers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["boss@agency.example", "deputy@agency.example"]
    assert message.subject == "Overloaded agents on 2026-10-14: 1"
    assert "Wang Fang (E001): 130 inquiries" in message.body
    assert "more than 120 inquiries" in message.body
    assert "Li Na" not in message.body


def test_each_manager_reads_the_alert_in_their_language_chinese_unless_chosen(
    workloads, managers, django_capture_on_commit_callbacks
):
    ManagerFactory(username="zhang", email="zhang@agency.example")  # never chose a language
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
    english, chinese = sorted(
        mail.outbox, key=lambda message: message.to[0] != "boss@agency.example"
    )
    assert sorted(english.to) == ["boss@agency.example", "deputy@agency.example"]
    assert english.subject == "Overloaded agents on 2026-10-14: 1"
    assert chinese.to == ["zhang@agency.example"]
    assert chinese.subject == "2026-10-14 超负荷的客服：1 名"
    assert "- Wang Fang（E001）：咨询 130 人" in chinese.body
    assert "超过 120 人" in chinese.body


def test_rollup_twice_sends_no_second_email_and_leaves_the_same_rows(
    workloads, managers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
    first = loads()
    with django_capture_on_commit_callbacks(execute=True):
        result = agent_daily_load_rollup(day=DAY)
    assert loads() == first
    assert (result.created, result.updated, result.alerted) == (0, 2, 0)
    assert len(mail.outbox) == 1


def test_rerun_after_corrections_alerts_only_about_newly_overloaded_agents(
    workloads, managers, shop_b, django_capture_on_commit_callbacks
):
    wang, li = workloads
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
    WorkloadFactory(agent=li, shop=shop_b, date=DAY, inquiries=60, conversions=0)
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
    assert len(mail.outbox) == 2
    assert "Li Na (E002): 130 inquiries" in mail.outbox[1].body
    assert "Wang Fang" not in mail.outbox[1].body


def test_alert_is_sent_only_after_the_transaction_commits(
    workloads, managers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        agent_daily_load_rollup(day=DAY)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_without_manager_emails_the_alert_waits_for_a_later_run(
    workloads, django_capture_on_commit_callbacks
):
    UserFactory(username="owner", email="owner@example.com")  # owners get no alerts
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
    assert mail.outbox == []
    assert AgentDailyLoad.objects.get(band="overloaded").alerted_at is None
    ManagerFactory(username="boss", email="boss@agency.example")
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
    assert len(mail.outbox) == 1


def test_rollup_of_a_day_without_workloads_does_nothing(managers):
    result = agent_daily_load_rollup(day=D(2020, 1, 1))
    assert (result.agents, result.alerted) == (0, 0)
    assert not AgentDailyLoad.objects.exists()


def test_rollup_is_set_based(workloads, managers, django_assert_max_num_queries):
    # aggregate, existing rows, upsert, overloaded to alert, managers, mark alerted, count, +tx
    with django_assert_max_num_queries(10):
        agent_daily_load_rollup(day=DAY)


# --- Tasks (eager in tests) -----------------------------------------------------------------------


def test_rollup_yesterday_task_rolls_up_the_shanghai_yesterday(
    workloads, managers, django_capture_on_commit_callbacks
):
    # 01:00 on the 15th in Shanghai is 17:00 on the 14th in UTC: yesterday is the 14th here.
    moment = dt.datetime(2026, 10, 15, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        result = tasks.rollup_yesterday.delay().get()
    assert result["day"] == "2026-10-14"
    assert result["overloaded"] == 1
    assert len(mail.outbox) == 1


def test_rollup_day_task_is_idempotent(workloads, managers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.rollup_day.delay("2026-10-14").get()
        second = tasks.rollup_day.delay("2026-10-14").get()
    assert second == {
        "day": "2026-10-14",
        "agents": 2,
        "created": 0,
        "updated": 2,
        "overloaded": 1,
        "alerted": 0,
    }
    assert AgentDailyLoad.objects.count() == 2
    assert len(mail.outbox) == 1


def test_rollup_tasks_are_acked_late_time_limited_and_retry_transient_errors():
    for task in (tasks.rollup_day, tasks.rollup_yesterday):
        assert task.acks_late is True
        assert OperationalError in task.autoretry_for
        assert task.retry_backoff
        assert task.time_limit and task.soft_time_limit
    assert tasks.rollup_yesterday.name == "seats.tasks.rollup_yesterday"


def test_rollup_task_retries_after_a_lost_database_connection(workloads, managers):
    real = tasks.agent_daily_load_rollup
    calls = []

    def flaky(*, day):
        calls.append(day)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(day=day)

    with mock.patch.object(tasks, "agent_daily_load_rollup", flaky):
        result = tasks.rollup_day.apply(args=["2026-10-14"], throw=False).get()
    assert len(calls) == 2
    assert result["agents"] == 2


def test_beat_schedules_the_rollup_task_by_its_registered_name(settings):
    from agency.celery import app

    scheduled = settings.CELERY_BEAT_SCHEDULE["daily-workload-rollup"]["task"]
    assert scheduled in app.tasks


def test_refresh_brings_a_rolled_up_day_in_line_with_its_workloads_without_alerting(
    workloads, managers
):
    wang, li = workloads
    agent_daily_load_rollup(day=DAY)
    mail.outbox.clear()
    WorkloadRecord.objects.filter(agent=li, date=DAY).update(inquiries=200)
    WorkloadRecord.objects.filter(agent=wang, date=DAY).delete()

    assert agent_daily_load_refresh(days=[DAY, DAY + dt.timedelta(days=1)]) == [DAY]
    assert list(AgentDailyLoad.objects.filter(date=DAY).values_list("agent", "inquiries")) == [
        (li.pk, 200)
    ]
    assert AgentDailyLoad.objects.get(date=DAY).alerted_at is None
    assert not AgentDailyLoad.objects.filter(date=DAY + dt.timedelta(days=1)).exists()
    assert mail.outbox == []
