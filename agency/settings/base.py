"""Settings for every environment, read from the process environment (12-factor).

The defaults give a working single-process set-up: SQLite, no broker (Celery tasks run in-process).
Production sets ``DJANGO_SECRET_KEY``, ``DATABASE_URL``, ``CELERY_BROKER_URL`` and
``DJANGO_ALLOWED_HOSTS``; see ``.env.example``.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
import structlog
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from agency.settings.logging import configure_structlog

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_INSECURE_KEY = "django-insecure-local-only-key-never-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=_INSECURE_KEY if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for local use).")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_structlog",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "agency",
    "seats",
    "shops",
    "payroll",
    "billing",
    "web",
    "portal",
    "desk",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is known: its 413 is translated.
    "agency.middleware.ApiBodyLimitMiddleware",
    "agency.middleware.ApiEmptyQueryValueMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed two-step verification.
    "django_otp.middleware.OTPMiddleware",
    "agency.middleware.TwoFactorRequiredMiddleware",
    "agency.middleware.SessionIdleTimeoutMiddleware",
    "agency.middleware.AccountLanguageMiddleware",
    # Django's, its message store made only when a message is added or read.
    "agency.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "agency.middleware.PermissionsPolicyMiddleware",
    # django-csp's policy headers (built once where no view changes them).
    "agency.middleware.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-structlog's request log (its client address kept per set of headers).
    "agency.request_log.RequestMiddleware",
    # Last, as django-axes requires: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

# The largest body an API request may send: files (multipart) up to API_UPLOAD_MAX_BYTES, anything
# else up to Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB). Larger ones are a 413 in JSON.
API_UPLOAD_MAX_BYTES = env.int("DJANGO_API_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)

# History is an audit trail: no "Revert" button anywhere in the admin. The setting only hides the
# button; agency.admin.HistoryReadOnlyMixin is what refuses a revert posted anyway.
SIMPLE_HISTORY_REVERT_DISABLED = True

ROOT_URLCONF = "agency.urls"
WSGI_APPLICATION = "agency.wsgi.application"
ASGI_APPLICATION = "agency.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: a persistent connection per worker thread. Opening a PostgreSQL connection per request
# costs several times the throughput; health checks drop connections the server has closed.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The SQL every API request runs (the token look-up, the lean lists' counts and pages; see
# agency.db) is prepared on PostgreSQL once a connection has run it this many times; Django's
# other queries never are. Empty turns it off, for a pooler that cannot keep prepared
# statements (PgBouncer before 1.21 in transaction mode). docs/operations.md.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, its health check asking the socket before it asks the server (agency.postgresql).
    DATABASES["default"]["ENGINE"] = "agency.postgresql"
    _prepare_after = env.str("DATABASE_PREPARE_THRESHOLD", default="5").strip()
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        int(_prepare_after) if _prepare_after else None
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (``Index(include=...)``) are PostgreSQL's, where the app runs; SQLite, for
# local runs, builds the same index without its extra columns, which is all W040 says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "agency.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out username + IP before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "agency.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# Reverse proxies in front of the app whose X-Forwarded-For is trusted (agency.clientip): 0
# unless deployed behind one (docker-compose: 1). Throttles and lockouts count per client address.
TRUSTED_PROXIES = env.int("DJANGO_TRUSTED_PROXIES", default=0)

# Throttle counters live in the cache: Redis when DJANGO_CACHE_URL names it (every worker then
# counts together), else this process's memory (one process: development, tests).
_CACHE_URL = env("DJANGO_CACHE_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Login throttling (django-axes): 5 failures for one username from one client address lock that
# pair for 15 minutes (its default lockout is permanent); a successful login clears the count.
# The address is the real client's (agency.clientip), so one attacker cannot lock a user out
# for everyone behind the proxy. Counted in Redis when it is configured, else in the database.
AXES_CLIENT_IP_CALLABLE = "agency.clientip.client_ip"
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if _CACHE_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Two-step verification for managers (agency.two_factor, docs/security.md): optional, unless this
# is on; then every manager signs in with an authenticator app code and cannot turn it off.
AGENCY_REQUIRE_2FA = env.bool("AGENCY_REQUIRE_2FA", default=False)
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = env("AGENCY_NAME", default="Customer Service Agency")

# Business dates are local dates in Shanghai (UTC+8, no DST).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One rule per language for dates and numbers (agency/formats/__init__.py).
FORMAT_MODULE_PATH = ["agency.formats"]
# The language of an account that has not chosen one (User.language empty): its emails are
# written in it, and the API answers in it when a request names no language. Most owners and
# staff are Chinese, hence Simplified Chinese; pages follow the browser until a choice is made.
NEW_ACCOUNT_LANGUAGE = env("DJANGO_NEW_ACCOUNT_LANGUAGE", default="zh-hans")
# The address people reach the site at: links in emails sent outside a request (the invitation
# to choose a password) start with it.
SITE_URL = env("DJANGO_SITE_URL", default="http://localhost:8000")
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security: secure by default outside DEBUG, so `check --deploy` is silent in production.
# Behind a TLS-terminating proxy, it must send X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes speak plain HTTP inside the network
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=60 * 60 * 12)
# Signed out after this many seconds without a request (agency.middleware), within the cap above.
SESSION_IDLE_TIMEOUT = env.int("DJANGO_SESSION_IDLE_TIMEOUT", default=60 * 60 * 2)
# Browser features no page may use (agency.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp 4): everything from this origin, no inline scripts or
# styles. htmx is configured by its <meta name="htmx-config"> tag (allowEval false, no injected
# indicator styles); charts are inline SVG drawn on the server. The API docs page adds what
# Swagger UI needs on that view only (agency/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="billing@agency.example")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)

# REST framework
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header turns "no credentials" into 401, not 403.
        "agency.authentication.TokenAuthentication",
        "agency.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "agency.api.Pagination",
    "PAGE_SIZE": 50,
    # JSON bodies only (415 otherwise); the two file uploads (workload files, bank statements)
    # name their own parsers.
    "DEFAULT_PARSER_CLASSES": ["agency.parsers.JSONParser"],
    # DRF's JSON, byte for byte, written by orjson (agency.renderers); the browsable API as ever.
    "DEFAULT_RENDERER_CLASSES": [
        "agency.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # django-filter, refusing ids that are not whole numbers and booleans that are not
    # true/false (agency.api.FilterBackend); empty values are refused by the middleware.
    "DEFAULT_FILTER_BACKENDS": ["agency.api.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "agency.schema.AutoSchema",
    "EXCEPTION_HANDLER": "agency.api.exception_handler",
    # The client of a throttled request, by the trusted-proxy rule of agency.clientip.
    "NUM_PROXIES": TRUSTED_PROXIES,
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Live API tokens per account: signing in once more ends the oldest (agency.tokens).
API_TOKEN_LIMIT_PER_USER = env.int("API_TOKEN_LIMIT_PER_USER", default=10)
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    # A week; renewed with POST /api/v1/auth/token/refresh/ (agency.tokens, docs/accounts.md).
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24 * 7)),
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Agency API",
    "DESCRIPTION": "Seats, workloads, turnover, DSR and billing of the customer-service agency.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every error status each operation can answer, in one body shape (agency.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "agency.schema.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PayslipStatusEnum": "payroll.choices.PayslipStatus",
        # Billing runs and payroll runs share their statuses (queued, running, done, failed).
        "RunStatusEnum": "payroll.choices.PayrollRunStatus",
        # A payment's method (``credit`` included) and the methods a manager records money with.
        "PaymentMethodEnum": "billing.choices.PaymentMethod",
        "ReceivedPaymentMethodEnum": "billing.choices.RECEIVED_PAYMENT_METHODS",
    },
}

# Celery: without a broker every task runs in-process, so the local set-up needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 25
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task that is acknowledged late comes back when a worker dies; Redis redelivers it after the
# visibility timeout, which must be longer than the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Proves end to end that beat, the broker and a worker all work; /healthz shows its age.
    "worker-heartbeat": {
        "task": "agency.tasks.heartbeat",
        "schedule": 60.0,
    },
    # Yesterday's workloads are complete after midnight: roll them up per agent and warn managers
    # about overloaded agents before the morning shift.
    "daily-workload-rollup": {
        "task": "seats.tasks.rollup_yesterday",
        "schedule": crontab(hour=1, minute=0),
    },
    # PostgreSQL: the workload table's month partitions are created months ahead (a row of a
    # month without one lands in the default partition and is moved into its month here).
    "daily-workload-partitions": {
        "task": "seats.tasks.ensure_workload_partitions",
        "schedule": crontab(hour=0, minute=20),
    },
    # A handover note unread by the night agent at 18:00 alerts managers (once per note); runs
    # until the night shift ends so that notes written late are caught as well.
    "handover-overdue-alert": {
        "task": "seats.tasks.handover_overdue_alert",
        "schedule": crontab(hour="18-23", minute="0,30"),
    },
    # Before the day shift: needed seat-shifts of the next 14 days that nobody works (leave with
    # no cover, an agent missing), so managers can arrange covers before the day comes.
    "daily-uncovered-seat-shifts": {
        "task": "seats.tasks.warn_uncovered_shifts",
        "schedule": crontab(hour=7, minute=30),
    },
    # The month before is closed on the 1st: bill it (drafts wait for confirmed turnover).
    "monthly-billing-run": {
        "task": "billing.tasks.bill_previous_month",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # Payroll drafts of the month just closed, after billing; a manager approves them.
    "monthly-payroll-run": {
        "task": "payroll.tasks.pay_previous_month",
        "schedule": crontab(day_of_month=1, hour=3, minute=0),
    },
    # Idempotency-Keys are honoured for 24 hours (agency.idempotency); older ones only take room.
    "prune-idempotency-keys": {
        "task": "agency.tasks.prune_idempotency_keys",
        "schedule": crontab(minute=40),
    },
    # Expired API tokens refuse to sign in but stay in their table until deleted; requests never
    # clean them up (one query per token check), this job does (agency.tokens).
    "prune-expired-tokens": {
        "task": "agency.tasks.prune_expired_tokens",
        "schedule": crontab(minute=50),
    },
    # Payment reminders (催款) before and after due dates, in office hours: owners read them at
    # their desks, and an invoice that has just become overdue is published (invoice.overdue).
    "daily-payment-reminders": {
        "task": "billing.tasks.send_payment_reminders",
        "schedule": crontab(hour=9, minute=30),
    },
}

# Business thresholds (DOMAIN.md). Each can be overridden from the environment.
AGENCY = {
    # The brand in the header of every page, on the PDF and in email subjects, per language
    # (``agency.branding.agency_name``); the Chinese name falls back to the English one.
    "NAME": env("AGENCY_NAME", default="Customer Service Agency"),
    "NAME_ZH": env("AGENCY_NAME_ZH", default="客服外包公司"),
    "MAX_SHOPS_PER_SEAT": env.int("AGENCY_MAX_SHOPS_PER_SEAT", default=3),
    "SEAT_PEAK_INQUIRIES": env.int("AGENCY_SEAT_PEAK_INQUIRIES", default=600),
    "FIRST_RESPONSE_MISS_SECONDS": env.int("AGENCY_FIRST_RESPONSE_MISS_SECONDS", default=120),
    # Lower bounds of the load bands, in daily inquiries per agent.
    "LOAD_NORMAL_FROM": env.int("AGENCY_LOAD_NORMAL_FROM", default=60),
    "LOAD_BUSY_FROM": env.int("AGENCY_LOAD_BUSY_FROM", default=80),
    "LOAD_STRAINED_FROM": env.int("AGENCY_LOAD_STRAINED_FROM", default=100),
    "LOAD_OVERLOADED_ABOVE": env.int("AGENCY_LOAD_OVERLOADED_ABOVE", default=120),
    "SEAT_OVERHEAD": Decimal(env("AGENCY_SEAT_OVERHEAD", default="800.00")),
    "CAPACITY_HISTORY_DAYS": 28,
    # Load alerts are per agent and period: an agent overloaded on at least OVERLOAD_ALERT_DAYS
    # of the last OVERLOAD_ALERT_WINDOW_DAYS (seats.services.rollup, docs/seats.md).
    "OVERLOAD_ALERT_WINDOW_DAYS": env.int("AGENCY_OVERLOAD_ALERT_WINDOW_DAYS", default=14),
    "OVERLOAD_ALERT_DAYS": env.int("AGENCY_OVERLOAD_ALERT_DAYS", default=3),
    "WORKLOAD_BULK_MAX_ROWS": 10_000,
}

# Webhooks (agency.webhooks, docs/webhooks.md). Targets on private, loopback, link-local or
# reserved addresses are refused unless this is true: never in production (SSRF).
AGENCY_WEBHOOKS_ALLOW_PRIVATE = env.bool("AGENCY_WEBHOOKS_ALLOW_PRIVATE", default=False)
# Attempts per delivery (with exponential backoff) and failed attempts in a row that disable a
# webhook.
AGENCY_WEBHOOKS_MAX_ATTEMPTS = env.int("AGENCY_WEBHOOKS_MAX_ATTEMPTS", default=8)
AGENCY_WEBHOOKS_DISABLE_AFTER = env.int("AGENCY_WEBHOOKS_DISABLE_AFTER", default=10)
AGENCY_WEBHOOKS_TIMEOUT_SECONDS = 5

# The agency as its invoices name it (the seller, 销售方): legal name in Chinese and English,
# address, tax id (纳税人识别号) and the bank account payments go to. Empty values are left off.
AGENCY_LEGAL = {
    "NAME_ZH": env("AGENCY_LEGAL_NAME_ZH", default=""),
    "NAME_EN": env("AGENCY_LEGAL_NAME_EN", default=""),
    "ADDRESS": env("AGENCY_LEGAL_ADDRESS", default=""),
    "TAX_ID": env("AGENCY_TAX_ID", default=""),
    "BANK_NAME": env("AGENCY_BANK_NAME", default=""),
    "BANK_ACCOUNT": env("AGENCY_BANK_ACCOUNT", default=""),
}

# Getting paid (docs/payments.md): the payment terms of a shop that has none of its own, the
# days before and after the due date when owners are reminded, and where owners pay besides the
# bank account of AGENCY_LEGAL (Alipay / WeChat Pay collection accounts, shown on invoices).
AGENCY_PAYMENTS = {
    "TERMS_DAYS": env.int("AGENCY_PAYMENT_TERMS_DAYS", default=15),
    "REMINDER_DAYS_BEFORE": [
        int(days) for days in env.list("AGENCY_REMINDER_DAYS_BEFORE", default=["3"])
    ],
    "REMINDER_DAYS_AFTER": [
        int(days) for days in env.list("AGENCY_REMINDER_DAYS_AFTER", default=["1", "7", "15", "30"])
    ],
    "ALIPAY_ACCOUNT": env("AGENCY_ALIPAY_ACCOUNT", default=""),
    "WECHAT_PAY_ACCOUNT": env("AGENCY_WECHAT_PAY_ACCOUNT", default=""),
}

# Lines from plain `logging` users (Django, Celery) get the same fields, the request id included.
FOREIGN_PRE_CHAIN = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.TimeStamper(fmt="iso"),
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.processors.JSONRenderer(ensure_ascii=False),
            "foreign_pre_chain": FOREIGN_PRE_CHAIN,
        },
        "console": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.dev.ConsoleRenderer(colors=False),
            "foreign_pre_chain": FOREIGN_PRE_CHAIN,
        },
    },
    "filters": {
        "drop_response_status_lines": {"()": "agency.settings.logging.DropResponseStatusLines"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "console" if DEBUG else "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["drop_response_status_lines"]},
    },
}
configure_structlog()
