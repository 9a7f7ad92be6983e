"""ACS Dispatch settings: one file, every value from an environment variable.

Unset variables give the embedded default a fresh checkout runs on: SQLite, the in-memory
channel layer and eager Celery. Set DATABASE_URL for PostgreSQL and REDIS_URL for
channels-redis plus a Redis Celery broker.
"""

from __future__ import annotations

import os
from datetime import timedelta
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
# --- DEBUG: off unless asked for (issue 15). run.sh, the e2e server and the bench scripts set
# DEBUG=True; a pytest run (PYTEST_VERSION, set by pytest itself) defaults to it so that `pytest`
# works on a fresh checkout with the development key.
DEBUG = env_bool("DEBUG", "PYTEST_VERSION" in os.environ)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    # Never a public key with DEBUG off. Without SECRET_KEY, a checkout makes a random key once and
    # keeps it (git-ignored, owner-only), so `manage.py seed_demo` / `triage_preview` work on a fresh
    # clone; a deploy sets SECRET_KEY (docker-compose.yml requires it), shared by its processes.
    _key_file = Path(
        os.environ.get("SECRET_KEY_PATH", Path(__file__).resolve().parent.parent / ".secret_key")
    )
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
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
    "knox",  # API tokens: hashed, expiring, one per device (issue 15)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our static files: no CDN
    "channels",
    "axes",
    "acs_dispatch",
    "live",
    "calls",
    "triage",
    "responders",
    "exchange",  # EIDO (NENA-STA-021) export and import; depends on calls, nothing depends on it
]

MIDDLEWARE = [
    # --- Request id, then the probes (/healthz, /readyz, /metrics) before host checks and redirects
    "acs_dispatch.logs.RequestIdMiddleware",
    "acs_dispatch.middleware.ControlCharacterPathMiddleware",
    "acs_dispatch.probes.ProbeMiddleware",
    # ---
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (issue 15): no inline script
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's session middleware plus the idle clock the screens read (GET /session).
    "acs_dispatch.middleware.SlidingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified() after the second factor
    "acs_dispatch.mfa_middleware.MfaRequiredMiddleware",  # a session without it is ended
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

# The login throttles count in the cache: shared through Redis when there is one, so every daphne
# process sees the same count; per process otherwise (the embedded default runs one).
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

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
KPI_CACHE_INTERVAL = env_int("KPI_CACHE_INTERVAL", 900)  # seconds between builds of the KPI day cache
# Who runs the floor's timers (calls/timers.py): "celery" (beat + a worker, production),
# "inprocess" (a loop in each web process: the embedded default of ./run.sh, no broker) or "off".
# INPROCESS_SWEEP=True is the older spelling of TIMERS=inprocess.
TIMERS = os.environ.get("TIMERS", "inprocess" if env_bool("INPROCESS_SWEEP", False) else "celery")
if TIMERS not in ("celery", "inprocess", "off"):
    raise ImproperlyConfigured(f"TIMERS must be celery, inprocess or off, not {TIMERS!r}")

# Geocoding and AVL (issue 13)
GEOCODER_INDEX_TTL = env_int("GEOCODER_INDEX_TTL", 600)  # seconds: another process's import shows up by then
GEOCODE_AUTO_ACCEPT_SCORE = 0.75  # call_create places a call on its address text only above this score
AVL_PUSH_INTERVAL = env_int("AVL_PUSH_INTERVAL", 5)  # seconds: at most one "unit.moved" per unit per interval
AVL_STALE_SECONDS = env_int("AVL_STALE_SECONDS", 120)  # a reported position older than this is stale
AVL_MAX_FIX_AGE = env_int("AVL_MAX_FIX_AGE", 600)  # seconds: older fixes (a modem's backlog) are dropped
AVL_TRACK_RETENTION_HOURS = env_int("AVL_TRACK_RETENTION_HOURS", 72)  # hours of UnitPosition kept
# The living demo inside the web process (./run.sh demo mode): units drive, work, clear, go home.
DEMO_MOVE_UNITS = env_bool("DEMO_MOVE_UNITS", False)
DEMO_DISPATCH = env_bool("DEMO_DISPATCH", False)  # a demo dispatcher also assigns pending calls
DEMO_TIME_SCALE = float(os.environ.get("DEMO_TIME_SCALE", "10"))  # simulated seconds per wall second

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
# Lock the pair (username, address), never the username alone: five guesses from anywhere must not
# lock a dispatcher out of every console (a denial-of-service lever, issue 15), and a whole floor
# behind one NAT address is not locked out by one person's typos either. Guessing many usernames
# from one address is the throttles' job (REST_FRAMEWORK below and the login form's limit).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind a reverse proxy, the client address is the proxy's unless we read X-Forwarded-For: set
# TRUSTED_PROXY_COUNT to the number of proxies in front of daphne (the lockout and the throttles
# both use it).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "acs_dispatch.views.lockout_response"  # JSON error shape under /api/
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Multi-factor authentication (CJIS 5.6.2.2): TOTP (django-otp), with single-use recovery codes.
# Admins and ACS supervisors always need it; a center adds other roles with MFA_REQUIRED_ROLES
# (comma-separated role codes, e.g. "dispatcher,call_taker").
MFA_ALWAYS_REQUIRED_ROLES = ["admin", "acs_supervisor"]
MFA_REQUIRED_ROLES = sorted(set(env_list("MFA_REQUIRED_ROLES", [])) | set(MFA_ALWAYS_REQUIRED_ROLES))
MFA_ISSUER = os.environ.get("MFA_ISSUER", SITE_NAME)
MFA_PENDING_SECONDS = env_int("MFA_PENDING_SECONDS", 300)  # password accepted, code still to come
MFA_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = MFA_ISSUER
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- REST API
AUTH_THROTTLE_RATE = os.environ.get("AUTH_THROTTLE_RATE", "30/min")  # sign-in attempts per address
REST_FRAMEWORK = {
    # JSON depth and NUL refused before parsing (acs_dispatch/parsers.py); forms for the browsable docs.
    "DEFAULT_PARSER_CLASSES": [
        "acs_dispatch.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header turns an anonymous request into a 401, not a 403.
        # Knox tokens (hashed, expiring, idle-limited): REST_KNOX below and acs_dispatch.tokens.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "acs_dispatch.schema.AutoSchema",
    "EXCEPTION_HANDLER": "acs_dispatch.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # By client address (ScopedRateThrottle keys anonymous requests by address): the token endpoint,
    # with the login form's own limit in acs_dispatch.views, stops one address guessing across
    # many usernames, which the per-(username, address) lockout alone would not.
    "DEFAULT_THROTTLE_RATES": {"auth": AUTH_THROTTLE_RATE},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT or None,
}
# API tokens (django-rest-knox): only a SHA-512 digest is stored; each sign-in makes a new token
# (one per device), revoked by POST auth/logout, auth/logout-all, a password change, deactivation
# and a role change. A token dies after API_TOKEN_IDLE_SECONDS without use (the session idle rule,
# CJIS 5.5.5) and after API_TOKEN_MAX_HOURS whatever its use (one shift).
API_TOKEN_IDLE_SECONDS = env_int("API_TOKEN_IDLE_SECONDS", SESSION_COOKIE_AGE)
API_TOKEN_MAX_HOURS = env_int("API_TOKEN_MAX_HOURS", 10)
REST_KNOX = {
    "TOKEN_TTL": timedelta(seconds=API_TOKEN_IDLE_SECONDS),
    "AUTO_REFRESH": True,  # each use slides the idle expiry ...
    "AUTO_REFRESH_MAX_TTL": timedelta(hours=API_TOKEN_MAX_HOURS),  # ... never past the shift
    "MIN_REFRESH_INTERVAL": 60,  # seconds: at most one write a minute per token
    "AUTH_HEADER_PREFIX": "Token",  # DESIGN.md: `Authorization: Token ...`
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
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles from our own origin only, never inline
# (page data comes in json_script blocks, type="application/json", which are not run). The API
# docs pages widen style-src for Swagger UI and ReDoc (acs_dispatch.urls).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],  # same-origin fetch and ws/wss
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- EIDO exchange: how this center names itself in the EIDOs it sends (a domain name it owns)
EIDO_AGENCY_ID = os.environ.get("EIDO_AGENCY_ID", "acs-dispatch.example.org")

# --- Health, metrics and logs (acs_dispatch/health.py, metrics.py, metrics_views.py, logs.py)
# /metrics answers a request with `Authorization: Bearer <METRICS_TOKEN>` (when set) or from these
# networks; everything else gets 403.
METRICS_TOKEN = env_secret("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1/32", "::1/128"])
# json: one JSON object per line (production default); text: readable lines (DEBUG default).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING below, request ids included
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "acs_dispatch.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "acs_dispatch.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
