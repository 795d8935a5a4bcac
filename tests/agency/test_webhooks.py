"""Webhooks: signed deliveries to a real HTTP receiver, after commit only, retried with backoff,
disabled after failures in a row, owners told only of their own shops, private targets refused."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from agency import webhooks
from agency.models import Webhook, WebhookDelivery
from agency.tasks import deliver_webhook
from billing.models import Invoice
from billing.services import bill_month, invoice_issue
from tests.billing.factories import OCTOBER, confirmed_turnover, monthly_contract
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
ISSUE_DAY = dt.datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)


class Receiver:
    """An HTTP server on 127.0.0.1 (ephemeral port) that records what it is sent."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.AGENCY_WEBHOOKS_ALLOW_PRIVATE = True
    server = Receiver()
    yield server
    server.close()


def _draft(shop) -> Invoice:
    monthly_contract(shop)
    confirmed_turnover(shop, "100000.00")
    bill_month(month=OCTOBER)
    return Invoice.objects.get(shop=shop, month=OCTOBER, status="draft")


# --- Delivery ------------------------------------------------------------------------------------


@time_machine.travel(ISSUE_DAY, tick=False)
def test_a_receiver_on_loopback_gets_a_signed_invoice_issued(
    receiver, shop_a, owner_a, manager, django_capture_on_commit_callbacks
):
    webhook = webhooks.webhook_create(owner=owner_a, url=receiver.url, events=["invoice.issued"])
    draft = _draft(shop_a)
    with django_capture_on_commit_callbacks(execute=True):
        issued = invoice_issue(invoice_id=draft.pk, actor=manager)

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    expected = "sha256=" + hmac.new(webhook.secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Agency-Signature"], expected)
    assert headers["X-Agency-Event"] == "invoice.issued"
    assert int(headers["X-Agency-Timestamp"]) == int(ISSUE_DAY.timestamp())
    sent = json.loads(body)
    assert sent["event"] == "invoice.issued"
    assert sent["data"]["id"] == issued.pk
    assert sent["data"]["number"] == issued.number
    assert sent["data"]["status"] == "issued"
    assert sent["data"]["lines"][0]["description"]  # the API's lines, in English
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)


def test_nothing_is_sent_when_the_transaction_rolls_back(
    receiver, shop_a, owner_a, django_capture_on_commit_callbacks
):
    webhooks.webhook_create(owner=owner_a, url=receiver.url, events=["invoice.paid"])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        webhooks.publish("invoice.paid", shop_id=shop_a.pk, owner_id=owner_a.pk, payload={})
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


class Again(Exception):
    def __init__(self, countdown):
        self.countdown = countdown


def _attempt(delivery_id: int) -> int | None:
    """Run the task once; the countdown of the retry it asks for, None when it asks for none."""
    with mock.patch.object(
        deliver_webhook, "retry", side_effect=lambda countdown: Again(countdown)
    ):
        try:
            deliver_webhook(delivery_id)
        except Again as again:
            return again.countdown
    return None


def test_a_failing_receiver_is_tried_again_with_backoff_until_the_attempts_run_out(
    receiver, settings, owner_a, shop_a
):
    settings.AGENCY_WEBHOOKS_MAX_ATTEMPTS = 3
    receiver.status = 500
    webhooks.webhook_create(owner=owner_a, url=receiver.url, events=["invoice.paid"])
    [delivery] = webhooks.publish(
        "invoice.paid", shop_id=shop_a.pk, owner_id=owner_a.pk, payload={"a": 1}
    )
    assert [_attempt(delivery.pk) for _ in range(4)] == [30, 60, None, None]
    assert len(receiver.requests) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 3, 500)
    assert delivery.error == "HTTP 500"


def test_retries_wait_longer_each_time():
    assert [webhooks.retry_countdown(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhooks.retry_countdown(30) == webhooks.BACKOFF_MAX_SECONDS


def test_a_webhook_failing_too_often_in_a_row_is_disabled_and_its_owner_told(
    receiver, settings, shop_a, owner_a, django_capture_on_commit_callbacks
):
    settings.AGENCY_WEBHOOKS_DISABLE_AFTER = 2
    receiver.status = 503
    webhook = webhooks.webhook_create(owner=owner_a, url=receiver.url, events=["invoice.paid"])
    [delivery] = webhooks.publish(
        "invoice.paid", shop_id=shop_a.pk, owner_id=owner_a.pk, payload={}
    )
    assert _attempt(delivery.pk) == 30
    with django_capture_on_commit_callbacks(execute=True):  # the email leaves on commit
        assert _attempt(delivery.pk) is None
    webhook.refresh_from_db()
    assert not webhook.active and webhook.disabled_at is not None
    assert len(receiver.requests) == 2
    assert WebhookDelivery.objects.get().status == "failed"
    [email] = mail.outbox
    assert email.to == [owner_a.email] and receiver.url in email.body
    # Disabled: later events do not reach it; turning it on again clears the failures.
    assert (
        webhooks.publish("invoice.paid", shop_id=shop_a.pk, owner_id=owner_a.pk, payload={}) == []
    )
    webhooks.webhook_update(webhook=webhook, data={"active": True})
    webhook.refresh_from_db()
    assert webhook.active and webhook.failure_count == 0 and webhook.disabled_at is None


def test_a_success_sets_the_failures_in_a_row_back_to_zero(
    receiver, owner_a, shop_a, django_capture_on_commit_callbacks
):
    webhook = webhooks.webhook_create(owner=owner_a, url=receiver.url, events=["invoice.paid"])
    Webhook.objects.filter(pk=webhook.pk).update(failure_count=4)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.publish("invoice.paid", shop_id=shop_a.pk, owner_id=owner_a.pk, payload={})
    webhook.refresh_from_db()
    assert webhook.failure_count == 0


def test_a_private_target_is_refused_again_at_delivery(
    receiver, settings, owner_a, shop_a, django_capture_on_commit_callbacks
):
    webhooks.webhook_create(owner=owner_a, url=receiver.url, events=["invoice.paid"])
    settings.AGENCY_WEBHOOKS_ALLOW_PRIVATE = False
    settings.AGENCY_WEBHOOKS_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.publish("invoice.paid", shop_id=shop_a.pk, owner_id=owner_a.pk, payload={})
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and "public addresses only" in delivery.error


# --- Who hears what ------------------------------------------------------------------------------


def _hook(owner, events=("invoice.paid", "billing_run.done")) -> Webhook:
    return Webhook.objects.create(
        owner=owner, url="https://hooks.example.com/", events=list(events), secret="x"
    )


def test_an_owner_hears_only_their_own_shops_and_managers_hear_all(shop_a, owner_a, manager):
    owner_b = UserFactory()
    ShopFactory(owner=owner_b)
    mine, theirs, agency = _hook(owner_a), _hook(owner_b), _hook(manager)
    _hook(owner_a, events=["invoice.voided"])  # not subscribed
    deliveries = webhooks.publish(
        "invoice.paid", shop_id=shop_a.pk, owner_id=owner_a.pk, payload={}
    )
    assert {d.webhook_id for d in deliveries} == {mine.pk, agency.pk}
    assert theirs.pk not in {d.webhook_id for d in deliveries}
    # An event of no shop (a billing run) reaches managers only.
    deliveries = webhooks.publish("billing_run.done", shop_id=None, payload={})
    assert {d.webhook_id for d in deliveries} == {agency.pk}


def test_an_inactive_webhook_hears_nothing(shop_a, owner_a):
    hook = _hook(owner_a)
    hook.active = False
    hook.save()
    assert (
        webhooks.publish("invoice.paid", shop_id=shop_a.pk, owner_id=owner_a.pk, payload={}) == []
    )


# --- API -----------------------------------------------------------------------------------------

PUBLIC_URL = "https://93.184.216.34/hook"


def test_the_secret_is_shown_once_in_the_create_answer(owner_a_api):
    created = owner_a_api.post(
        "/api/v1/webhooks/",
        {"url": PUBLIC_URL, "events": ["invoice.issued", "payment.received"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert len(body["secret"]) == 64
    assert Webhook.objects.get().secret == body["secret"]
    shown = owner_a_api.get(f"/api/v1/webhooks/{body['id']}/").json()
    assert "secret" not in shown and shown["events"] == ["invoice.issued", "payment.received"]
    assert "secret" not in owner_a_api.get("/api/v1/webhooks/").json()["results"][0]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/",
        "http://10.1.2.3/",
        "http://172.16.0.9/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "ftp://93.184.216.34/",
        "https://user:pw@93.184.216.34/",
        "not a url",
    ],
)
def test_private_loopback_and_odd_targets_are_refused_on_url(owner_a_api, url):
    response = owner_a_api.post(
        "/api/v1/webhooks/", {"url": url, "events": ["invoice.issued"]}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "url" in response.json()
    assert not Webhook.objects.exists()


def test_a_private_target_is_refused_when_changed_too(owner_a, owner_a_api):
    hook = _hook(owner_a)
    response = owner_a_api.patch(
        f"/api/v1/webhooks/{hook.pk}/", {"url": "http://10.0.0.1/"}, format="json"
    )
    assert response.status_code == 400 and "url" in response.json()
    hook.refresh_from_db()
    assert hook.url == "https://hooks.example.com/"


@pytest.mark.parametrize("events", [[], ["invoice.exploded"], "invoice.issued", [1]])
def test_unknown_events_are_refused(owner_a_api, events):
    response = owner_a_api.post(
        "/api/v1/webhooks/", {"url": PUBLIC_URL, "events": events}, format="json"
    )
    assert response.status_code == 400 and "events" in response.json()


def test_the_delivery_log_lists_a_webhooks_deliveries_in_bounded_queries(
    owner_a, shop_a, owner_a_api, owner_b_api, django_assert_max_num_queries
):
    hook = _hook(owner_a)
    for _ in range(3):
        webhooks.publish("invoice.paid", shop_id=shop_a.pk, owner_id=owner_a.pk, payload={"x": 1})
    with django_assert_max_num_queries(6):
        body = owner_a_api.get(f"/api/v1/webhooks/{hook.pk}/deliveries/").json()
    assert body["count"] == 3
    assert {row["status"] for row in body["results"]} == {"pending"}
    assert owner_b_api.get(f"/api/v1/webhooks/{hook.pk}/deliveries/").status_code == 404


def test_a_ping_goes_to_the_webhook_after_commit(
    receiver, owner_a, owner_a_api, django_capture_on_commit_callbacks
):
    hook = webhooks.webhook_create(owner=owner_a, url=receiver.url, events=["invoice.issued"])
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a_api.post(f"/api/v1/webhooks/{hook.pk}/test/")
    assert response.status_code == 202
    [request] = receiver.requests
    assert request["headers"]["X-Agency-Event"] == "ping"


def test_refusals_are_translated(owner_a_api):
    response = owner_a_api.post(
        "/api/v1/webhooks/",
        {"url": "http://127.0.0.1/", "events": ["invoice.issued"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "公网" in response.json()["url"][0]


# --- What the apps publish -----------------------------------------------------------------------


@time_machine.travel(ISSUE_DAY, tick=False)
def test_paying_and_voiding_publish_the_invoice_as_the_api_shows_it(shop_a, owner_a, manager):
    from billing.services import invoice_pay, invoice_void

    _hook(owner_a, events=["invoice.paid", "invoice.voided"])
    paid = invoice_pay(
        invoice_id=invoice_issue(invoice_id=_draft(shop_a).pk, actor=manager).pk, actor=manager
    )
    [delivery] = WebhookDelivery.objects.filter(event="invoice.paid")
    assert delivery.payload["id"] == paid.pk and delivery.payload["status"] == "paid"
    shop_b = ShopFactory(owner=owner_a)
    voided = invoice_void(invoice_id=_draft(shop_b).pk, actor=manager, reason="Billed twice")
    [delivery] = WebhookDelivery.objects.filter(event="invoice.voided")
    assert delivery.payload["id"] == voided.pk
    assert delivery.payload["void_reason"] == "Billed twice"


@time_machine.travel(ISSUE_DAY, tick=False)
def test_confirming_turnover_and_finishing_a_run_publish_their_events(shop_a, owner_a, manager):
    from billing.services import billing_run_create, billing_run_execute, turnover_confirm
    from tests.factories import TurnoverReportFactory

    _hook(owner_a, events=["turnover.confirmed", "billing_run.done"])
    agency_hook = _hook(manager, events=["billing_run.done"])
    report = TurnoverReportFactory(shop=shop_a, month=OCTOBER)
    turnover_confirm(report_id=report.pk, actor=manager)
    [delivery] = WebhookDelivery.objects.filter(event="turnover.confirmed")
    assert delivery.payload["id"] == report.pk and delivery.payload["status"] == "confirmed"
    run = billing_run_create(month=OCTOBER, requested_by=manager, enqueue=False)
    billing_run_execute(run_id=run.pk)
    [delivery] = WebhookDelivery.objects.filter(event="billing_run.done")
    assert delivery.webhook_id == agency_hook.pk  # a run bills every shop: managers only
    assert delivery.payload["status"] == "done"
