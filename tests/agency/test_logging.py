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


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"REMOTE_ADDR": "10.0.0.2"},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.7"},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.168.1.4"},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_REAL_IP": "198.51.100.3"},
        {"REMOTE_ADDR": "10.0.0.2", "x-forwarded-for": "198.51.100.8", "HTTP_HOST": "a"},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_FORWARDED": 'for="[2001:db8::1]:4711"'},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not an address"},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": ["a", "list"]},
    ],
)
def test_the_logged_client_address_is_django_ipwares_each_time(headers, settings):
    """The request log's ``ip`` is what django-ipware reads from the headers, kept per set of
    headers (and not kept when an ``IPWARE_*`` setting is given)."""
    from django.test import RequestFactory
    from ipware import get_client_ip

    from agency.request_log import logged_ip

    request = RequestFactory().get("/")
    request.META = {key: value for key, value in request.META.items() if key != "REMOTE_ADDR"}
    request.META.update(headers)
    expected = get_client_ip(request)[0]
    assert logged_ip(request) == expected and logged_ip(request) == expected
    settings.IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    assert logged_ip(request) == get_client_ip(request)[0]


@pytest.mark.django_db
def test_the_request_log_names_the_client_address(json_log_lines):
    Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9").get("/healthz")
    Client(REMOTE_ADDR="10.0.0.3").get("/healthz")
    lines = [line for line in json_log_lines() if line["event"].startswith("request_")]
    assert [line["ip"] for line in lines] == ["203.0.113.9"] * 2 + ["10.0.0.3"] * 2
