"""The real infrastructure: a celery worker process on the broker, writing to the database."""

import pytest

from agency.celery import app
from agency.models import Heartbeat
from tests.support.worker import celery_worker, require_real_infrastructure, unique_queue, wait_for

pytestmark = pytest.mark.infra


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_sent_through_the_broker():
    require_real_infrastructure()
    queue = unique_queue()
    with celery_worker(queue) as worker:
        # send_task always goes through the broker, whatever the eager setting of this process.
        app.send_task("agency.tasks.heartbeat", kwargs={"name": queue}, queue=queue)
        seen = wait_for(lambda: Heartbeat.objects.filter(name=queue).exists(), timeout=90)
        assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
    assert seen, "the worker did not record the heartbeat within 90 s"
