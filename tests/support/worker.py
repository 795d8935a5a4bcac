"""Start real Celery worker processes against the test database and the real broker."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def require_real_infrastructure() -> None:
    """Skip unless a broker is configured and the database can be shared with another process."""
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("needs CELERY_BROKER_URL (a real Redis); .ci/run always sets it")
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a shared database: run with DATABASE_URL on PostgreSQL")


def database_url_for_workers() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def unique_queue() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def worker_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "agency.settings.base",
        "DJANGO_SECRET_KEY": "worker-test-" + "k" * 40,
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url_for_workers(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL or os.environ["CELERY_BROKER_URL"],
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


@contextmanager
def celery_worker(queue: str, *, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """A `celery worker` consuming only ``queue``; always stopped (SIGKILL at the latest)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "agency",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env or worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


def wait_for(condition, *, timeout: float = 60.0, interval: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False
