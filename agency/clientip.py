"""Who is calling: the client's address as this deployment can trust it.

Behind ``settings.TRUSTED_PROXIES`` reverse proxies (``DJANGO_TRUSTED_PROXIES``: 0 by default, 1
in docker-compose, where the web container sits behind one), the client is the address the
outermost trusted proxy saw: the ``TRUSTED_PROXIES``-th entry of ``X-Forwarded-For`` counted
from the right. Anything further left was written by the client and proves nothing. With no
trusted proxy, ``X-Forwarded-For`` is ignored and the client is ``REMOTE_ADDR``.

API throttles (DRF's ``NUM_PROXIES``, the same rule) and django-axes' lockout
(``AXES_CLIENT_IP_CALLABLE``) both use it, so neither can be dodged by rotating a header nor
turned against every user behind the proxy.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]
