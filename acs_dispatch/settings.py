"""ACS Dispatch settings: one file, every value from an environment variable.

Unset variables give the embedded default a fresh checkout runs on: SQLite, the in-memory
channel layer and eager Celery. Set DATABASE_URL for PostgreSQL and REDIS_URL for
channels-redis plus a Redis Celery broker.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    # Only the two spellings below: "0", "no" or "off" silently meaning True in DEBUG is how
    # a debug page with tracebacks ends up on a dispatch floor.
    if value == "True":
        return True
    if value == "False":
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, default: str) -> str:
    """Read NAME, or the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


# --- Core
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789"
SECRET_KEY = env_secret("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", True)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    # Fail closed: a production deploy that forgot its key must not start with a public one.
    raise ImproperlyConfigured("DEBUG is off but SECRET_KEY is the development key: set SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = os.environ.get("SITE_NAME", "ACS Dispatch")
CITY = os.environ.get("CITY", "albuquerque")  # albuquerque | san-diego: default geography
CITY_TIME_ZONE = os.environ.get("CITY_TIME_ZONE", "America/Denver")  # display and rule time windows only

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our static files: no CDN
    "channels",
    "axes",
    "acs_dispatch",
    "calls",
    "triage",
    "responders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's session middleware plus the idle clock the screens read (GET /session).
    "acs_dispatch.middleware.SlidingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it must see the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "acs_dispatch.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "acs_dispatch.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "acs_dispatch.context_processors.site",
                "acs_dispatch.page_config.page_config_context",
            ],
        },
    },
]

# --- Database
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Several writers (daphne, the in-process sweep) share the file: wait rather than fail.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
# Browser tests run the live server in a spawned process; a fixed test database name lets
# that process find the database the test runner created. The name is fixed once per test run
# and passed on through the environment (a spawned child inherits it), so two test runs on one
# machine never share, and corrupt, one database.
if not os.environ.get("TEST_DB_NAME"):
    os.environ["TEST_DB_NAME"] = f"test_acs_dispatch_{os.getpid()}"
DATABASES["default"].setdefault("TEST", {})
DATABASES["default"]["TEST"]["NAME"] = (
    os.environ["TEST_DB_NAME"] if DATABASE_URL else str(BASE_DIR / f"{os.environ['TEST_DB_NAME']}.sqlite3")
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and Celery
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # socket_timeout None: with redis-py 8 a blocking read on a quiet group times out after
                # 5 s and kills the consumer of that socket; a quiet night on the floor is normal.
                # max_connections: redis-py's async pool stops at 100 by default, and every socket's
                # group_add borrows one; a busy floor plus its wall screens passes that.
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 4096}],
                # channels-redis queues every socket of one daphne process in one Redis list, and the
                # capacity bounds that list: it must hold sockets x burst, or pushes are dropped.
                "capacity": env_int("CHANNEL_CAPACITY", 20000),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-sweep leaves the task for another worker
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Longer than any task runs; shorter means a slow sweep is delivered twice (harmless, the sweep
# is idempotent, but wasteful). The sweep runs in well under a second.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300)}  # seconds
CELERY_TIMEZONE = "UTC"
DEADLINE_SWEEP_INTERVAL = env_int("DEADLINE_SWEEP_INTERVAL", 5)  # seconds
# In the embedded default there is no beat: run the sweep on a loop inside the web process.
INPROCESS_SWEEP = env_bool("INPROCESS_SWEEP", False)

# --- Auth, sessions and lockout (FBI CJIS Security Policy 5.5.3 / 5.5.5)
AUTH_USER_MODEL = "acs_dispatch.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)  # seconds of inactivity
SESSION_SAVE_EVERY_REQUEST = True  # sliding expiry: the 30 minutes count from the last request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 10) / 60  # hours, as axes expects
# CJIS locks the account, not the address: a dispatch floor shares one NAT address, and locking
# it after five typos by anyone would lock out the whole floor. Hence axes.W006 is silenced.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header turns an anonymous request into a 401, not a 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "acs_dispatch.schema.AutoSchema",
    "EXCEPTION_HANDLER": "acs_dispatch.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ACS Dispatch API",
    "DESCRIPTION": "Calls, triage, units and assignments of the ACS Dispatch CAD.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs pages load Swagger UI and ReDoc from drf-spectacular-sidecar's static files: a
    # dispatch center's network may not reach a CDN, and its pages must not depend on one.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set that several serializers share (else: AgencyCa9Enum, StatusD23Enum).
    "ENUM_NAME_OVERRIDES": {
        "AgencyEnum": ["POLICE", "FIRE_EMS", "ACS"],
        "BackupAgencyEnum": ["POLICE", "FIRE_EMS"],
        "CallStatusEnum": "calls.models.Call.Status",
        "UnitStatusEnum": "responders.models.Unit.Status",
        "RuleSetStatusEnum": "triage.models.RuleSet.Status",
    },
}

# --- Internationalisation and time: store UTC, show the city's local time
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# --- Static files: served by WhiteNoise so daphne alone runs the app (no CDN, no nginx needed)
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Production hardening, on when DEBUG is off (manage.py check --deploy passes)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
