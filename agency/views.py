import structlog
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import check_for_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language
from kombu import Connection

from agency.middleware import is_api_request
from agency.models import Heartbeat, User

logger = structlog.get_logger(__name__)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the class name helps the operator
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _worker_last_seen(database: str) -> str | None:
    if database != "ok":
        return None
    beat = Heartbeat.objects.filter(name="worker").only("seen_at").first()
    return beat.seen_at.isoformat() if beat else None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers and docker-compose: 200 when the database and broker answer.

    The worker's last heartbeat is informative only: a quiet worker must not take the site down.
    """
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(value in ("ok", "in-process") for value in checks.values())
    if not healthy:
        logger.warning("healthz_failing", **checks)
    body = {
        "status": "ok" if healthy else "error",
        **checks,
        "worker_last_seen": _worker_last_seen(checks["database"]),
    }
    return JsonResponse(body, status=200 if healthy else 503)


def request_too_large(limit: int) -> JsonResponse:
    """413 for an API request whose body is over ``limit`` bytes."""
    return JsonResponse(
        {
            "detail": gettext("The request is too large: at most %(size)s.")
            % {"size": filesizeformat(limit)}
        },
        status=413,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None):
    """JSON for API clients, HTML otherwise. Django answers here for what it refuses before any
    view runs or while a view reads the body: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    (413), too many fields, a forbidden host."""
    if not is_api_request(request):
        from django.views.defaults import bad_request as html_bad_request

        return html_bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exception, TooManyFilesSent):
        return JsonResponse({"detail": gettext("Too many files in one request.")}, status=413)
    if isinstance(exception, TooManyFieldsSent):
        return JsonResponse({"detail": gettext("Too many fields in one request.")}, status=400)
    return JsonResponse({"detail": gettext("Bad request.")}, status=400)


def server_error(request: HttpRequest):
    """JSON for API clients, HTML otherwise; never the error's text (the logs have it)."""
    if is_api_request(request):
        return JsonResponse(
            {"detail": gettext("Something went wrong on our side; it has been logged.")},
            status=500,
        )
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)


def page_not_found(request: HttpRequest, exception: Exception | None = None):
    """JSON for API clients (a URL that matches no route, e.g. a non-numeric id), HTML otherwise."""
    if is_api_request(request):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    from django.views.defaults import page_not_found as html_page_not_found

    return html_page_not_found(request, exception)


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered for a signed-in user: their emails follow it."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    known = {language for language, _ in settings.LANGUAGES}
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and code in known
        and check_for_language(code)
        and request.user.language != code
    ):
        User.objects.filter(pk=request.user.pk).update(language=code)
    return response
