import contextlib
import datetime as dt
import io
import json
import logging

import pytest
from django.conf import settings
from django.test import Client

from agency.settings.base import FOREIGN_PRE_CHAIN


def _json_handler(stream: io.StringIO) -> logging.StreamHandler:
    """A handler writing to ``stream`` with the project's JSON formatter (``settings.LOGGING``)."""
    handler = logging.StreamHandler(stream)
    formatter_config = settings.LOGGING["formatters"]["json"]
    handler.setFormatter(
        formatter_config["()"](
            processor=formatter_config["processor"], foreign_pre_chain=FOREIGN_PRE_CHAIN
        )
    )
    return handler


@pytest.fixture
def json_log_lines():
    """Every log line of the project's JSON formatter, as emitted on stdout in production."""
    stream = io.StringIO()
    handler = _json_handler(stream)
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


@pytest.fixture
def only_the_json_handler():
    """The root logger as in production: one ``StreamHandler`` with the JSON formatter (and not
    pytest's own handlers, which it adds for each phase of a test)."""
    stream = io.StringIO()
    handler = _json_handler(stream)
    root = logging.getLogger()

    @contextlib.contextmanager
    def alone():
        saved = root.handlers[:], root.level
        root.handlers[:] = [handler]
        root.setLevel(logging.INFO)
        try:
            yield
        finally:
            root.handlers[:] = saved[0]
            root.setLevel(saved[1])

    return handler, stream, alone


def test_write_json_or_forward_writes_the_line_logging_would_write(only_the_json_handler):
    """structlog's events that reach only the JSON handler are written by
    ``agency.settings.logging.write_json_or_forward``, byte for byte the line the way through
    ``logging`` writes; with a filter on the handler they take that way again."""
    import structlog
    import time_machine

    from agency.settings.logging import _json_stream_handler

    handler, stream, alone = only_the_json_handler
    name = "django_structlog.middlewares.request"
    log = structlog.get_logger(name)
    filtered = []
    structlog.contextvars.bind_contextvars(request_id="r-1", user_id=None, ip="127.0.0.1")
    moment = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)
    try:
        with alone(), time_machine.travel(moment, tick=False):
            assert _json_stream_handler(logging.getLogger(name), logging.INFO) is handler
            for way in ("direct", "logging"):
                if way == "logging":
                    handler.addFilter(lambda record: filtered.append(record) or True)
                    assert _json_stream_handler(logging.getLogger(name), logging.INFO) is None
                log.info("request_finished", code=200, request="GET /api/v1/shops/?q=客服")
                log.debug("not at this level")
                log.warning("upstream_slow", seconds=1.5)
    finally:
        structlog.contextvars.clear_contextvars()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4 and len(filtered) == 2
    assert lines[:2] == lines[2:]
    assert json.loads(lines[0]) == {
        "code": 200,
        "request": "GET /api/v1/shops/?q=客服",
        "event": "request_finished",
        "request_id": "r-1",
        "user_id": None,
        "ip": "127.0.0.1",
        "timestamp": "2026-12-01T08:30:00Z",
        "logger": name,
        "level": "info",
    }


def test_a_second_handler_gets_structlog_events_through_logging(only_the_json_handler):
    import structlog

    handler, stream, alone = only_the_json_handler
    second = io.StringIO()
    with alone():
        logging.getLogger().addHandler(logging.StreamHandler(second))
        structlog.get_logger("agency.test").info("seen_twice", n=1)
    assert json.loads(stream.getvalue())["event"] == "seen_twice"
    assert "seen_twice" in second.getvalue()


@pytest.mark.django_db
def test_a_token_requests_log_names_its_user_once_known(json_log_lines, owner_a):
    """``agency.request_log.RequestMiddleware.bind_user_id``: a token request's session user is
    not looked up, and its lines read as django-structlog's: ``user_id`` null when it starts
    (no session), the token's user when it ends; a signed-in browser's in both."""
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(owner_a)[1]}")
    assert api.get("/api/v1/shops/").status_code == 200
    browser = Client()
    browser.force_login(owner_a)
    assert browser.get("/api/v1/shops/").status_code == 200
    lines = [line for line in json_log_lines() if line["event"].startswith("request_")]
    assert [(line["event"], line["user_id"]) for line in lines] == [
        ("request_started", None),
        ("request_finished", owner_a.pk),
        ("request_started", owner_a.pk),
        ("request_finished", owner_a.pk),
    ]
