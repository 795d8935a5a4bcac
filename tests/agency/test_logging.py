import io
import json
import logging

import pytest
from django.conf import settings
from django.test import Client

from agency.settings.base import FOREIGN_PRE_CHAIN


@pytest.fixture
def json_log_lines():
    """Every log line of the project's JSON formatter, as emitted on stdout in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    formatter_config = settings.LOGGING["formatters"]["json"]
    handler.setFormatter(
        formatter_config["()"](
            processor=formatter_config["processor"], foreign_pre_chain=FOREIGN_PRE_CHAIN
        )
    )
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line]
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


@pytest.mark.django_db
def test_every_log_line_of_a_request_carries_its_request_id(json_log_lines, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # makes /healthz log a warning
    Client().get("/healthz")
    lines = json_log_lines()
    events = {line["event"] for line in lines}
    assert {"request_started", "healthz_failing", "request_finished"} <= events
    request_ids = {line.get("request_id") for line in lines}
    assert len(request_ids) == 1 and None not in request_ids, lines
