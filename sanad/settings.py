"""Django settings for Sanad.

Every value comes from the environment (see `.env.example`, which documents each
variable). The defaults are safe for the demo on one machine; production mode
(`SANAD_ENV=production`) refuses to start with settings that would expose the people
in the data.
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from `.env` without overriding the real environment."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _sep, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


_load_dotenv(Path(os.environ.get("SANAD_ENV_FILE", PROJECT_DIR / ".env")))


def env(name: str, default: str = "") -> str:
    """An empty variable counts as unset, so `.env.example` copied as is stays valid."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


SANAD_ENV = env("SANAD_ENV", "development")
if SANAD_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("SANAD_ENV must be development, production or test.")
PRODUCTION = SANAD_ENV == "production"
TESTING = SANAD_ENV == "test" or "pytest" in sys.modules

DEFAULT_SECRET_KEY = "sanad-demo-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("SANAD_SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("SANAD_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "SANAD_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver"
)
CSRF_TRUSTED_ORIGINS = env_list("SANAD_CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("SANAD_DEBUG is on; set SANAD_DEBUG=false")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append(
            "SANAD_SECRET_KEY is the demo key or shorter than 50 characters; set a long random one"
        )
    if not ALLOWED_HOSTS:
        problems.append("SANAD_ALLOWED_HOSTS is empty; list the host names the site is served on")
    if problems:
        raise ImproperlyConfigured(
            "Sanad refuses to start in production mode: " + "; ".join(problems) + "."
        )

VAR_DIR = Path(env("SANAD_VAR_DIR", "") or PROJECT_DIR / "var")
if not VAR_DIR.is_absolute():
    VAR_DIR = PROJECT_DIR / VAR_DIR
MEDIA_ROOT = Path(env("SANAD_MEDIA_ROOT", "") or VAR_DIR / "media")
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env("SANAD_STATIC_ROOT", "") or VAR_DIR / "static")
STATIC_URL = "/static/"
JOB_FILES_DIR = VAR_DIR / "jobs"
# Uploaded import files and their error reports (kept out of MEDIA_ROOT: they hold
# personal data and are served only through the scoped import pages).
SANAD_IMPORTS_DIR = Path(env("SANAD_IMPORTS_DIR", "") or VAR_DIR / "imports")
SANAD_IMPORT_MAX_MB = env_int("SANAD_IMPORT_MAX_MB", 1024)

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "sanad.core",
    "sanad.geo",
    "sanad.accounts",
    "sanad.programmes",
    "sanad.registry",
    "sanad.assistance",
    "sanad.dedup",
    "sanad.targeting",
    "sanad.stock",
    "sanad.distribution",
    "sanad.cash",
    "sanad.feedback",
    "sanad.camps",
    "sanad.shelter",
    "sanad.transport",
    "sanad.revitalization",
    "sanad.reporting",
    "sanad.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sanad.accounts.middleware.UserLanguageMiddleware",
    "sanad.core.middleware.RequestContextMiddleware",
    "sanad.core.middleware.ApplicationErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sanad.urls"
WSGI_APPLICATION = "sanad.wsgi.application"
ASGI_APPLICATION = "sanad.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sanad.web.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# SQLite in WAL mode is the embedded default; PostgreSQL through DATABASE_URL.
DEFAULT_SQLITE = VAR_DIR / "sanad.sqlite3"
if not env("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("SANAD_DB_CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env("SANAD_TEST_SQLITE", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches ---------------------------------------------------------------------
REDIS_URL = env("SANAD_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs (Django's Tasks API, django-tasks backport) ------------------
TASK_BACKEND = env("SANAD_TASK_BACKEND", "immediate" if TESTING else "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured("SANAD_TASK_BACKEND must be 'database' or 'immediate'.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASK_BACKEND], "QUEUES": ["default"]}}

# --- Authentication -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SANAD_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: the clock restarts at each request

# Lockout after repeated failures (django-axes): per user name and address.
AXES_FAILURE_LIMIT = env_int("SANAD_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SANAD_LOGIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = env_bool("SANAD_LOGIN_LOCKOUT", True)

EMAIL_BACKEND = env("SANAD_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("SANAD_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SANAD_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("SANAD_EMAIL_USER")
EMAIL_HOST_PASSWORD = env("SANAD_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("SANAD_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("SANAD_FROM_EMAIL", "Sanad <no-reply@sanad.local>")

# --- Languages ------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("ckb", _("Kurdish (Sorani)")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("SANAD_TIME_ZONE", "Asia/Baghdad")
USE_TZ = True
FORMAT_MODULE_PATH = ["sanad.formats"]
LANGUAGE_COOKIE_NAME = "sanad_language"

# --- Static files ---------------------------------------------------------------
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing

# --- API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sanad.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "sanad.core.drf.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sanad.core.drf.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("SANAD_API_RATE_ANON", "60/min"),
        "user": env("SANAD_API_RATE_USER", "1200/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sanad API",
    "DESCRIPTION": (
        "Operations platform for displacement responses. Authenticate with a personal API token "
        "(`Authorization: Token <key>`) or a browser session. Errors share one shape: "
        '`{"error": {"code": ..., "message": ..., "fields": {...}}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Choice sets whose field names (status, kind, category, language) other apps use too.
    "ENUM_NAME_OVERRIDES": {
        "FeedbackCaseStatusEnum": "sanad.feedback.models.Case.Status",
        "FeedbackCategoryEnum": "sanad.feedback.models.Category",
        "FeedbackCampaignStatusEnum": "sanad.feedback.models.Campaign.Status",
        "FeedbackSessionKindEnum": "sanad.feedback.models.CommunitySession.Kind",
        "FeedbackLanguageEnum": "sanad.feedback.models.Language",
        "CampsTicketCategoryEnum": "sanad.camps.models.Ticket.Category",
        "ShelterInspectionKindEnum": "sanad.shelter.models.Inspection.Kind",
        "ShelterWorkStatusEnum": "sanad.shelter.models.works.WorkStatus",
        "TransportVehicleKindEnum": "sanad.transport.models.VehicleKind",
        "TransportMovementKindEnum": "sanad.transport.models.MovementKind",
        "TransportMovementSourceEnum": "sanad.transport.models.MovementRequest.Source",
        "TransportMovementStatusEnum": "sanad.transport.models.MovementRequest.Status",
        "TransportConvoyStatusEnum": "sanad.transport.models.Convoy.Status",
        "TransportVehicleStatusEnum": "sanad.transport.models.Vehicle.Status",
        "TransportContractorStatusEnum": "sanad.transport.models.TransportContractor.Status",
        "TransportContractStatusEnum": "sanad.transport.models.TransportContract.Status",
        "RevitalizationProjectStatusEnum": "sanad.revitalization.models.InfrastructureProject.Status",
        "RevitalizationProjectKindEnum": "sanad.revitalization.models.ProjectKind",
    },
}

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SANAD_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SANAD_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SANAD_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = (
        ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SANAD_BEHIND_PROXY", False) else None
    )
    # Lockout must count the client's address, not the proxy's.
    AXES_IPWARE_PROXY_COUNT = 1 if env_bool("SANAD_BEHIND_PROXY", False) else None

SILENCED_SYSTEM_CHECKS: list[str] = []
if PRODUCTION and not env_bool("SANAD_HSTS_PRELOAD", False):
    SILENCED_SYSTEM_CHECKS.append("security.W021")  # preload is an opt-in commitment

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("SANAD_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Sanad's own settings.
SANAD_PAGE_SIZE = env_int("SANAD_PAGE_SIZE", 25)
# Targeting: lists over more households than this are built in the background; the
# PostgreSQL work_mem a build's transaction uses to rank in memory.
SANAD_TARGETING_INLINE_MAX = env_int("SANAD_TARGETING_INLINE_MAX", 50000)
SANAD_TARGETING_WORK_MEM = env("SANAD_TARGETING_WORK_MEM", "256MB")
# Cash: this many redemptions at one vendor within this many minutes raise a "burst"
# fraud signal for review.
SANAD_CASH_BURST_COUNT = env_int("SANAD_CASH_BURST_COUNT", 10)
SANAD_CASH_BURST_MINUTES = env_int("SANAD_CASH_BURST_MINUTES", 5)
# The site's address, for links in e-mails (routing of abuse reports, escalations).
SANAD_BASE_URL = env("SANAD_BASE_URL", "http://127.0.0.1:8000")
# Communication with communities: the channel messages go through when none is chosen
# (a channel code; by default the first active messaging channel); how long after a
# campaign message a reply counts as a reply to that campaign.
SANAD_FEEDBACK_DEFAULT_CHANNEL = env("SANAD_FEEDBACK_DEFAULT_CHANNEL", "")
SANAD_FEEDBACK_REPLY_WINDOW_HOURS = env_int("SANAD_FEEDBACK_REPLY_WINDOW_HOURS", 72)
# Lower apps (cash vouchers by SMS, distribution notices) message households through
# this service of the communication module, named here so they do not import it.
SANAD_HOUSEHOLD_MESSENGER = env(
    "SANAD_HOUSEHOLD_MESSENGER", "sanad.feedback.services.notify.households_notify"
)
# Periodic work of other modules that `sanad outbox` runs every 30 seconds besides its
# own (each idempotent): preventive maintenance tickets.
SANAD_PERIODIC_TASKS = env_list(
    "SANAD_PERIODIC_TASKS",
    "sanad.camps.services.schedules.schedules_raise_due,"
    "sanad.reporting.services.summary.summary_refresh_due,"
    "sanad.reporting.services.schedules.schedules_run_due",
)
# Reporting: the age groups of disaggregation ("0-5,6-17,18-59,60+": from 0, the last one
# open); counts from 1 to SANAD_REPORTING_MIN_CELL - 1 are suppressed in anything shared
# outside the mission (0 turns suppression off); the organisation named in the 3W/4W/5W
# (#org); how often the periodic task refreshes the summary of the ledger (seconds).
SANAD_REPORTING_AGE_GROUPS = env("SANAD_REPORTING_AGE_GROUPS", "0-5,6-17,18-59,60+")
SANAD_REPORTING_MIN_CELL = int(env("SANAD_REPORTING_MIN_CELL", "5"))
SANAD_REPORTING_ORGANISATION = env("SANAD_REPORTING_ORGANISATION", "IOM Iraq")
SANAD_REPORTING_REFRESH_SECONDS = int(env("SANAD_REPORTING_REFRESH_SECONDS", "300"))
# CCCM: where maintenance-ticket photos are kept (outside the public media: they are
# served only to who may see the ticket); the map's tile server (none by default: the
# site map shows the sites without one, field offices are often offline); the service
# that turns a closure plan's households into movement requests (the transportation
# module's; empty: not available).
SANAD_CAMPS_PHOTO_DIR = Path(env("SANAD_CAMPS_PHOTO_DIR", "") or VAR_DIR / "camps-photos")
SANAD_MAP_TILES_URL = env("SANAD_MAP_TILES_URL", "")
SANAD_MOVEMENT_REQUESTER = env(
    "SANAD_MOVEMENT_REQUESTER", "sanad.transport.services.closure.movement_requests_from_closure"
)
# Shelter: where assessment and inspection photos and handover signatures are kept (not
# public media); the covered living space per person below which a repaired house is
# flagged (Sphere and the Shelter Cluster Iraq: 3.5 m²); the days of defects liability
# after a handover for houses repaired directly or by the family.
SANAD_SHELTER_PHOTO_DIR = Path(env("SANAD_SHELTER_PHOTO_DIR", "") or VAR_DIR / "shelter-photos")
SANAD_SHELTER_MIN_M2_PER_PERSON = Decimal(env("SANAD_SHELTER_MIN_M2_PER_PERSON", "3.5"))
SANAD_SHELTER_DEFECTS_DAYS = int(env("SANAD_SHELTER_DEFECTS_DAYS", "180"))
# Transportation: what convoy planning does with a family larger than the largest
# vehicle ("refuse": the plan is refused and says which family; "own_vehicles": the
# family gets vehicles of its own, shared with nobody), the planner's time limit in
# seconds, and the luggage allowance assumed per person when none is recorded (m³).
SANAD_TRANSPORT_OVERSIZE_FAMILY = env("SANAD_TRANSPORT_OVERSIZE_FAMILY", "refuse")
SANAD_TRANSPORT_PLAN_SECONDS = float(env("SANAD_TRANSPORT_PLAN_SECONDS", "4"))
SANAD_TRANSPORT_LUGGAGE_PER_PERSON_M3 = Decimal(
    env("SANAD_TRANSPORT_LUGGAGE_PER_PERSON_M3", "0.10")
)
SANAD_DEMO_PASSWORD = env("SANAD_DEMO_PASSWORD", "Sanad-demo-2026")
