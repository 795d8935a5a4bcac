"""The request log: django-structlog's two lines per request (``request_started``,
``request_finished``) with the request id, the user and the client's address as django-ipware
reads it, as ever; that address is worked out once per distinct set of the headers it reads,
and the user is not looked up where it is known to be anonymous.

django-ipware folds and checks every header of every request (some 50 us, a few % of a small
API page) to find the same answer for the same headers. Its answer depends on nothing else
while no ``IPWARE_*`` setting is given (none is), so it is kept by those headers' values.
"""

import structlog
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.functional import LazyObject, empty
from django_structlog.app_settings import app_settings
from django_structlog.middlewares.request import RequestMiddleware as StructlogRequestMiddleware
from ipware import get_client_ip
from python_ipware.modern.defaults import DEFAULT_PRECEDENCE

from agency.middleware import has_session_cookie

IPWARE_SETTINGS = (
    "IPWARE_ALGORITHM",
    "IPWARE_META_PRECEDENCE_ORDER",
    "IPWARE_META_PROXY_COUNT",
    "IPWARE_STRICT",
)


def _fold(key: str) -> str:
    """How django-ipware compares header names: case and dashes aside."""
    return key.upper().replace("-", "_")


_READ = frozenset(_fold(key) for key in DEFAULT_PRECEDENCE)
_folded: dict[str, str] = {}
_addresses: dict[tuple, str | None] = {}
KEPT = 4096  # distinct header sets; all forgotten past that


def logged_ip(request: HttpRequest) -> str | None:
    """``ipware.get_client_ip(request)[0]``, looked up once per set of the headers it reads."""
    if any(getattr(settings, name, None) is not None for name in IPWARE_SETTINGS):
        return get_client_ip(request)[0]
    read = []
    for key, value in request.META.items():
        if type(key) is str:
            folded = _folded.get(key)
            if folded is None:
                folded = _fold(key)
                if len(_folded) < KEPT:
                    _folded[key] = folded
            if folded in _READ:
                read.append((key, value))
    try:
        return _addresses[tuple(read)]
    except KeyError:
        pass
    except TypeError:  # a value that cannot be a key: asked every time
        return get_client_ip(request)[0]
    if len(_addresses) >= KEPT:
        _addresses.clear()
    address = _addresses[tuple(read)] = get_client_ip(request)[0]
    return address


class RequestMiddleware(StructlogRequestMiddleware):
    """django-structlog's request log, the client's address kept per set of headers and the user
    not looked up where it is anonymous."""

    @classmethod
    def bind_ip(cls, request: HttpRequest) -> None:
        structlog.contextvars.bind_contextvars(ip=logged_ip(request))

    @staticmethod
    def bind_user_id(request: HttpRequest) -> None:
        """django-structlog's ``user_id``, without looking up the session's user when the request
        has no session cookie: that user is anonymous (``user_id`` null). django-structlog looks
        it up, then wraps it in one more lazy object to keep the session unaccessed, for every
        request a token authenticates (some 0.3 ms of a small API page). A user set since
        (DRF sets the token's) is read as django-structlog reads it."""
        field = app_settings.USER_ID_FIELD
        user = request.__dict__.get("user")
        if (
            field
            and isinstance(user, LazyObject)
            and user._wrapped is empty
            and not has_session_cookie(request)
        ):
            if hasattr(AnonymousUser, field):
                structlog.contextvars.bind_contextvars(user_id=getattr(AnonymousUser, field))
            return
        StructlogRequestMiddleware.bind_user_id(request)
