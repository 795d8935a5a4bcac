"""``Idempotency-Key`` on the money-changing POSTs: a client that is not sure its request arrived
(a timeout, a dropped connection) sends it again with the same key and gets the first answer back
instead of a second payment, run or credit note.

The rules (docs/security.md, docs/architecture.md):

* Without the header a request behaves exactly as it always did.
* The key is 1-255 printable ASCII characters; anything else is 400 naming the header.
* Keys belong to the user who sent them: another user's identical key is another key.
* The first request with a key reserves it in the same transaction as its action, so the key and
  the action are committed together or not at all.
* Only a successful answer (2xx) is kept. A refused request (400, 404, 409...) changed nothing:
  its key stays free, and sending it again is judged afresh. (Stripe also keeps 4xx answers; here
  every refusal is raised before anything is written, so keeping it would only hide a state that
  has since changed, e.g. a turnover confirmed since the refused issue.)
* The same key and the same request (method, path and body, compared canonically) within
  ``KEY_LIFETIME`` answers the kept status and body with ``Idempotent-Replayed: true`` and does
  nothing else. The same key with another body or path is 422.
* The same key while its first request is still running is 409: on PostgreSQL an advisory lock
  on (user, key) tells at once, without waiting for the first to finish.
* Keys older than ``KEY_LIFETIME`` are ignored (a new request with them acts again) and pruned
  by beat (``agency.tasks.prune_idempotency_keys``).

Apply ``@idempotent`` to the ``post`` method of a DRF view; the schema (``agency.schema``)
documents the header and its answers on every operation so marked.
"""

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from agency.errors import ApplicationError, StateConflict
from agency.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LIFETIME = dt.timedelta(hours=24)
KEY_MAX_LENGTH = 255
_KEY_PATTERN = re.compile(r"[\x20-\x7e]+")


class IdempotencyKeyReused(ApplicationError):
    """The key was used for another request (other body or path): 422."""

    status_code = 422


class IdempotencyKeyInFlight(StateConflict):
    """The key's first request has not finished yet: 409, try again in a moment."""


def key_check(key: str) -> str:
    """The key as sent, or a 400 naming the header."""
    if not key.strip() or len(key) > KEY_MAX_LENGTH or not _KEY_PATTERN.fullmatch(key):
        raise serializers.ValidationError(
            {
                HEADER: [
                    gettext(
                        "Give 1 to %(max)d printable ASCII characters (letters, digits, "
                        "punctuation), e.g. a UUID."
                    )
                    % {"max": KEY_MAX_LENGTH}
                ]
            }
        )
    return key


def _file_digest(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        value.seek(0)
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    return str(value)


def request_fingerprint(request: Request) -> str:
    """sha256 of the method, the path and the body in a canonical form: the same JSON with its
    keys in another order or other spacing is the same request."""
    data = request.data
    if isinstance(data, QueryDict):
        data = {name: data.getlist(name) for name in data}
    body = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_file_digest
    )
    text = "\n".join([request.method, request.path, body])
    return hashlib.sha256(text.encode()).hexdigest()


def _lock_in_flight(user_id: int, key: str) -> None:
    """On PostgreSQL, hold a transaction-scoped advisory lock on (user, key), or answer 409 when
    another request holds it. Elsewhere (SQLite, one writer at a time) the unique constraint is
    the guard."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"idempotency:{user_id}:{key}".encode()).digest()
    lock_id = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_id])
        (locked,) = cursor.fetchone()
    if not locked:
        raise _in_flight()


def _in_flight() -> IdempotencyKeyInFlight:
    return IdempotencyKeyInFlight(
        gettext(
            "A request with this Idempotency-Key is still being processed; try again in a moment."
        )
    )


def _replay(row: IdempotencyKey) -> Response:
    return Response(
        row.response_body, status=row.response_status, headers={REPLAYED_HEADER: "true"}
    )


def _stored_body(response: Response) -> Any:
    # Exactly what the client was sent: DRF's encoder, then plain JSON.
    return json.loads(json.dumps(response.data, cls=JSONEncoder))


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Honour ``Idempotency-Key`` on a DRF view's ``post``. Runs after authentication and
    permissions (DRF's ``initial``), so a key is only ever looked up for its own user."""

    @functools.wraps(handler)
    def post(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        key_check(key)
        fingerprint = request_fingerprint(request)
        with transaction.atomic():
            _lock_in_flight(request.user.pk, key)
            row = IdempotencyKey.objects.filter(user=request.user, key=key).first()
            if row is not None:
                if row.created_at > timezone.now() - KEY_LIFETIME:
                    if row.fingerprint != fingerprint:
                        raise IdempotencyKeyReused(
                            gettext(
                                "This Idempotency-Key was used for another request; use a new "
                                "key for a new request."
                            )
                        )
                    return _replay(row)
                row.delete()  # past its lifetime: the key is free again
            try:
                with transaction.atomic():
                    row = IdempotencyKey.objects.create(
                        user=request.user,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        fingerprint=fingerprint,
                    )
            except IntegrityError:
                # Another request with this key committed between our read and our write.
                raise _in_flight() from None
            # An error raised here rolls back the reservation with the action.
            response = handler(view, request, *args, **kwargs)
            if isinstance(response, Response) and 200 <= response.status_code < 300:
                row.response_status = response.status_code
                row.response_body = _stored_body(response)
                row.save(update_fields=["response_status", "response_body"])
            else:
                row.delete()
        return response

    post.idempotent = True  # read by agency.schema to document the header
    return post


def idempotency_keys_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the keys past their lifetime; the number deleted. Safe to run at any time, twice."""
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    deleted, _ = IdempotencyKey.objects.filter(created_at__lte=cutoff).delete()
    return deleted
