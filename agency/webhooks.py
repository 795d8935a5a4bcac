"""Webhooks: tell REST clients of events by POSTing signed JSON to the address they gave.

Any app publishes with ``publish(event, shop_id=, owner_id=, payload=)`` inside its transaction;
the deliveries are recorded at once and sent by Celery once the transaction commits (nothing is
sent when it rolls back). A manager's webhook hears every shop's events; an owner's only those of
their own shops. See docs/webhooks.md.
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import structlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from agency.access import is_manager
from agency.emails import email_send_later
from agency.models import User, Webhook, WebhookDelivery

logger = structlog.get_logger(__name__)

EVENTS = (
    "invoice.issued",
    "invoice.paid",
    "invoice.voided",
    "invoice.overdue",
    "credit_note.created",
    "payment.received",
    "billing_run.done",
    "turnover.confirmed",
)
"""What a webhook may subscribe to (docs/webhooks.md says when each is published)."""

PING = "ping"
SIGNATURE_HEADER = "X-Agency-Signature"
TIMESTAMP_HEADER = "X-Agency-Timestamp"
EVENT_HEADER = "X-Agency-Event"
DELIVERY_HEADER = "X-Agency-Delivery"
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600


# --- Addresses (SSRF) ---------------------------------------------------------------------------


def _refused_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def url_check(url: str) -> str:
    """``url`` if the agency may POST to it, else ``ValidationError`` on ``url``.

    http or https, a host, no user or password; every address the host resolves to must be
    public unless ``AGENCY_WEBHOOKS_ALLOW_PRIVATE`` (tests, a developer's machine).
    """
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": [gettext("Give an http or https address.")]})
    if parts.username is not None or parts.password is not None:
        raise ValidationError({"url": [gettext("The address may not hold a user or password.")]})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        resolved = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        raise ValidationError(
            {"url": [gettext("The host of this address cannot be found.")]}
        ) from None
    if settings.AGENCY_WEBHOOKS_ALLOW_PRIVATE:
        return url
    if not resolved or any(_refused_address(info[4][0]) for info in resolved):
        raise ValidationError(
            {
                "url": [
                    gettext(
                        "Webhooks go to public addresses only; this one is private, loopback, "
                        "link-local or reserved."
                    )
                ]
            }
        )
    return url


def events_clean(events: object) -> list[str]:
    """The list of event names, without repeats, or ``ValidationError`` on ``events``."""
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise ValidationError({"events": [gettext("Give a list of one or more event names.")]})
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise ValidationError(
            {
                "events": [
                    gettext("Unknown events: %(events)s. Choose from %(known)s.")
                    % {"events": ", ".join(unknown), "known": ", ".join(EVENTS)}
                ]
            }
        )
    return [event for event in EVENTS if event in events]


# --- Who sees which ------------------------------------------------------------------------------


def webhooks_for_user(user: User) -> QuerySet[Webhook]:
    """Managers see every webhook; anyone else their own."""
    if is_manager(user):
        return Webhook.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return Webhook.objects.none()
    return Webhook.objects.filter(owner=user)


# --- Writes --------------------------------------------------------------------------------------


@transaction.atomic
def webhook_create(*, owner: User, url: str, events: list[str], active: bool = True) -> Webhook:
    """A new webhook with a fresh secret (the caller shows it once)."""
    events = events_clean(events)
    url_check(url)
    return Webhook.objects.create(
        owner=owner,
        url=url,
        events=events,
        active=active,
        secret=secrets.token_hex(32),
    )


@transaction.atomic
def webhook_update(*, webhook: Webhook, data: dict[str, Any]) -> Webhook:
    """Change url, events or active; turning a disabled webhook on again clears its failures."""
    fields = []
    if "events" in data:
        webhook.events = events_clean(data["events"])
        fields.append("events")
    if "url" in data:
        webhook.url = url_check(data["url"])
        fields.append("url")
    if "active" in data and bool(data["active"]) != webhook.active:
        webhook.active = bool(data["active"])
        fields.append("active")
        if webhook.active:
            webhook.failure_count = 0
            webhook.disabled_at = None
            fields += ["failure_count", "disabled_at"]
    if fields:
        webhook.save(update_fields=[*fields, "updated_at"])
    return webhook


def _queue(delivery_ids: Iterable[int]) -> None:
    from celery.exceptions import Retry

    from agency.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        try:
            deliver_webhook.delay(delivery_id)
        except Retry:
            pass  # run in-process (no broker): the failed delivery stays pending, in the log
        except Exception:  # the event stands; a lost message leaves the delivery pending
            logger.exception("webhook_not_queued", delivery_id=delivery_id)


def _json(payload: dict) -> Any:
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def publish(
    event: str, *, shop_id: int | None, payload: dict, owner_id: int | None = None
) -> list[WebhookDelivery]:
    """Record a delivery of ``event`` for every active webhook subscribed to it and send them
    once the caller's transaction commits.

    Managers' webhooks get every event; an owner's webhook only events of a shop they own
    (``owner_id`` is the shop's owner; events of no shop reach managers only).
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    audience = Q(owner__is_staff=True, owner__is_active=True)
    if shop_id is not None and owner_id is not None:
        audience |= Q(owner_id=owner_id, owner__is_active=True)
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(audience, active=True).only("id", "events")
        if event in webhook.events
    ]
    if not webhooks:
        return []
    body = _json(payload)
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(webhook=webhook, event=event, payload=body) for webhook in webhooks]
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _queue(ids))
    return deliveries


@transaction.atomic
def webhook_ping(*, webhook: Webhook) -> WebhookDelivery:
    """Send a ``ping`` to one webhook (even one not subscribed to anything in particular)."""
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event=PING,
        payload={"webhook": webhook.pk, "sent_at": timezone.now().isoformat()},
    )
    delivery_id = delivery.pk
    transaction.on_commit(lambda: _queue([delivery_id]))
    return delivery


# --- Delivery ------------------------------------------------------------------------------------


def signature(secret: str, body: bytes) -> str:
    """The ``X-Agency-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_countdown(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt: 30 s, 60 s, 120 s, ... (6 h at
    most)."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead to an address the checks refused: it counts as a failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=settings.AGENCY_WEBHOOKS_TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _disable(webhook: Webhook) -> None:
    """Turn a webhook off after too many failures in a row and tell its owner (a queued email,
    retried while the mail server fails)."""
    now = timezone.now()
    changed = Webhook.objects.filter(pk=webhook.pk, active=True).update(
        active=False, disabled_at=now, updated_at=now
    )
    if not changed or not webhook.owner.email:
        return
    from django.utils import translation

    with translation.override(webhook.owner.email_language):
        subject = gettext("Webhook disabled")
        text = gettext(
            "Your webhook %(url)s failed %(count)d times in a row and was disabled. Fix the "
            "receiver, then turn the webhook on again."
        ) % {"url": webhook.url, "count": settings.AGENCY_WEBHOOKS_DISABLE_AFTER}
    email_send_later(subject=subject, message=text, recipients=[webhook.owner.email])


def deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt at a delivery and record it; ``None`` when there is nothing to send.

    The delivery is ``delivered`` on a 2xx answer; otherwise it stays ``pending`` while attempts
    remain (the task retries it) and ends ``failed``. Every failed attempt counts towards the
    webhook's failures in a row; ``AGENCY_WEBHOOKS_DISABLE_AFTER`` of them disable it.
    """
    delivery = (
        WebhookDelivery.objects.select_related("webhook__owner").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return None
    webhook = delivery.webhook
    now = timezone.now()
    if not webhook.active:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.error = "webhook disabled"
        delivery.save(update_fields=["status", "error"])
        return delivery
    body = json.dumps(
        {"id": delivery.pk, "event": delivery.event, "data": delivery.payload},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "agency-webhooks/1",
        SIGNATURE_HEADER: signature(webhook.secret, body),
        TIMESTAMP_HEADER: timestamp,
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
    }
    code, error = None, ""
    try:
        url_check(webhook.url)  # again: the host may resolve elsewhere by now
        code = _post(webhook.url, body, headers)
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    except (OSError, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"[:2000]
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = code
    delivery.error = error
    if not error:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        Webhook.objects.filter(pk=webhook.pk).update(failure_count=0)
    else:
        if delivery.attempts >= settings.AGENCY_WEBHOOKS_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        Webhook.objects.filter(pk=webhook.pk).update(failure_count=F("failure_count") + 1)
        webhook.refresh_from_db(fields=["failure_count"])
        if webhook.failure_count >= settings.AGENCY_WEBHOOKS_DISABLE_AFTER:
            _disable(webhook)
            delivery.status = WebhookDelivery.Status.FAILED
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "response_code",
            "error",
            "status",
            "delivered_at",
        ]
    )
    return delivery


def retry_after(delivery: WebhookDelivery | None) -> timedelta | None:
    """How long to wait before the next attempt, ``None`` when no attempt is due."""
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return None
    return timedelta(seconds=retry_countdown(delivery.attempts))
