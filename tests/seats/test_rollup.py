"""Nightly roll-up of agent load, the overload alert to managers, and its Celery tasks."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError

from seats import tasks
from seats.models import AgentDailyLoad, LoadAlert, ShopDailyLoad, WorkloadRecord
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
    """Wang answers 130 inquiries over two shops (overloaded), Li 70 (normal); Wang was also
    overloaded 3 and 7 days before, so 3 of the last 14 days: worth an alert."""
    wang = AgentFactory(name="Wang Fang", employee_no="E001")
    li = AgentFactory(name="Li Na", employee_no="E002")
    WorkloadFactory(agent=wang, shop=shop_a, date=DAY, inquiries=80, conversions=0)
    WorkloadFactory(agent=wang, shop=shop_b, date=DAY, inquiries=50, conversions=0)
    for days_before, inquiries in ((3, 125), (7, 140)):
        WorkloadFactory(
            agent=wang,
            shop=shop_a,
            date=DAY - dt.timedelta(days=days_before),
            inquiries=inquiries,
            conversions=0,
        )
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
    assert message.subject == "Agents overloaded often, to 2026-10-14: 1"
    assert (
        "- Wang Fang: overloaded 3 of the last 14 days (busiest day: 140 inquiries)" in message.body
    )
    assert "more than 120 inquiries" in message.body
    assert "Li Na" not in message.body
    alert = LoadAlert.objects.get()
    assert (alert.overloaded_days, alert.announced_days, alert.closed_on) == (3, 3, None)


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
    assert english.subject == "Agents overloaded often, to 2026-10-14: 1"
    assert chinese.to == ["zhang@agency.example"]
    assert chinese.subject == "截至 2026-10-14 经常超负荷的客服：1 名"
    assert "- Wang Fang：近 14 天中 3 天超负荷（最忙一天咨询 140 人）" in chinese.body
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
    for days_before in (1, 2):
        WorkloadFactory(
            agent=li, shop=shop_b, date=DAY - dt.timedelta(days=days_before), inquiries=121
        )
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
    WorkloadFactory(agent=li, shop=shop_b, date=DAY, inquiries=60, conversions=0)
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
    assert len(mail.outbox) == 2
    assert "- Li Na: overloaded 3 of the last 14 days" in mail.outbox[1].body
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
    assert LoadAlert.objects.get().announced_days == 0
    ManagerFactory(username="boss", email="boss@agency.example")
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
    assert len(mail.outbox) == 1


def test_rollup_of_a_day_without_workloads_does_nothing(managers):
    result = agent_daily_load_rollup(day=D(2020, 1, 1))
    assert (result.agents, result.alerted) == (0, 0)
    assert not AgentDailyLoad.objects.exists()


def test_rollup_is_set_based(workloads, managers, django_assert_max_num_queries):
    # aggregate, existing rows, upsert; the shops' aggregate, stale rows away, upsert; the
    # window: its sums, the old one away, create, older windows away; 14 days' loads, open
    # alerts, create; managers; alerts to mark, mark them, mark the days; + savepoints
    with django_assert_max_num_queries(21):
        agent_daily_load_rollup(day=DAY)


def overloaded_on(agent, shop, day, inquiries=130):
    WorkloadFactory(agent=agent, shop=shop, date=day, inquiries=inquiries, conversions=0)


def test_one_alert_per_agent_and_period_not_per_day(
    workloads, managers, shop_a, django_capture_on_commit_callbacks
):
    """Overloaded every day: an email when the alert opens (3 of 14) and when it has grown by
    3 more days (6 of 14), not one a day."""
    wang, _ = workloads
    sent = []
    for offset in range(0, 5):
        day = DAY + dt.timedelta(days=offset)
        if offset:
            overloaded_on(wang, shop_a, day)
        with django_capture_on_commit_callbacks(execute=True):
            sent.append(agent_daily_load_rollup(day=day).alerted)
    # 3, 4, 5, 6, 7 overloaded days: announced at 3 and 6.
    assert sent == [1, 0, 0, 1, 0]
    assert len(mail.outbox) == 2
    assert "overloaded 6 of the last 14 days" in mail.outbox[1].body
    alert = LoadAlert.objects.get()
    assert (alert.overloaded_days, alert.announced_days, alert.opened_on) == (7, 6, DAY)


def test_an_alert_closes_after_a_quiet_period_and_a_new_overload_opens_another(
    workloads, managers, shop_a, django_capture_on_commit_callbacks
):
    wang, _ = workloads
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
    # Fourteen days on, every overloaded day has left the window: a quiet period.
    quiet = DAY + dt.timedelta(days=14)
    WorkloadFactory(agent=wang, shop=shop_a, date=quiet, inquiries=70, conversions=0)
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=quiet)
    assert LoadAlert.objects.get().closed_on == quiet
    assert len(mail.outbox) == 1
    later = [quiet + dt.timedelta(days=n) for n in (1, 2, 3)]
    for day in later:
        overloaded_on(wang, shop_a, day)
        with django_capture_on_commit_callbacks(execute=True):
            agent_daily_load_rollup(day=day)
    assert LoadAlert.objects.count() == 2
    assert LoadAlert.objects.filter(closed_on__isnull=True).get().opened_on == later[-1]
    assert len(mail.outbox) == 2


def test_a_backfill_of_an_older_day_leaves_a_later_alert_alone(
    workloads, managers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agent_daily_load_rollup(day=DAY)
        agent_daily_load_rollup(day=DAY - dt.timedelta(days=3))
    alert = LoadAlert.objects.get()
    assert (alert.last_day, alert.closed_on, alert.overloaded_days) == (DAY, None, 3)
    assert len(mail.outbox) == 1


def test_one_overloaded_day_alone_is_no_alert(shop_a, managers, django_capture_on_commit_callbacks):
    overloaded_on(AgentFactory(), shop_a, DAY)
    with django_capture_on_commit_callbacks(execute=True):
        result = agent_daily_load_rollup(day=DAY)
    assert (result.overloaded, result.alerted) == (1, 0)
    assert mail.outbox == [] and not LoadAlert.objects.exists()


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
    # The shops' roll-up follows: shop_b's only workload (Wang's) is gone, shop_a keeps Li's.
    assert list(
        ShopDailyLoad.objects.filter(date=DAY).values_list("inquiries", "day_inquiries")
    ) == [(200, 0)]


def test_rollup_sums_each_shops_inquiries_over_agents_with_its_day_shift(workloads, shop_a, shop_b):
    agent_daily_load_rollup(day=DAY)
    assert sorted(
        ShopDailyLoad.objects.filter(date=DAY).values_list("shop", "inquiries", "day_inquiries")
    ) == sorted([(shop_a.pk, 150, 80), (shop_b.pk, 50, 50)])
    assert not ShopDailyLoad.objects.exclude(date=DAY).exists()

    agent_daily_load_rollup(day=DAY)  # again: the same rows, none added
    assert ShopDailyLoad.objects.count() == 2
