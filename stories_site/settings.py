"""Settings for Stories.

One module for every environment: embedded defaults (SQLite, local media, a filesystem Celery
broker) so `make run` works on a bare machine, and environment variables that switch the same
code to production services (PostgreSQL, Redis, S3). See README.md for the variables.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import csp.constants as _csp
from django.core.exceptions import ImproperlyConfigured

from stories_site import page_policies as _page_policies
from stories_site.env import database_from_env, env_bool, env_int, env_list, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent


# STORIES_ENV_FILE names another file; set it empty to read none (the test suite does).
_env_file = os.environ.get("STORIES_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    load_env_file(Path(_env_file))

VAR_DIR = Path(os.environ.get("STORIES_VAR_DIR", BASE_DIR / "var"))


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",  # only to adopt tokens made before accounts.ApiToken
    "axes",  # failed log-in lockout (accounts/lockout.py)
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files
    "accounts",
    "stories",
    "feed",
    "stickers",
    "moderation",
    "analytics",
    "privacy",  # leaving and your data: account deletion, data export (above every other app)
]
# Development tools (stories_site/dev: `manage.py seed_demo` and the media it generates): with
# DEBUG, as under `make run`, or STORIES_DEV_TOOLS=1 (a bench seeding a production-like site).
# Never in production, which then never imports them (tests/platform/test_dev_tools.py).
if env_bool("STORIES_DEV_TOOLS", DEBUG):
    INSTALLED_APPS.append("stories_site.dev")

MIDDLEWARE = [
    # A request id for every request and its log lines (echoed in X-Request-ID, carried into the
    # tasks it queues), then request metrics, which also answer /metrics (stories_site/
    # request_log.py, observability.py; docs/operations.md, "Metrics and logs").
    "stories_site.request_log.RequestIdMiddleware",
    "stories_site.observability.MetricsMiddleware",
    # Then: /healthz and /readyz answer before the host check and the HTTPS redirect, so a load
    # balancer probing an instance by its address over plain HTTP gets an answer.
    "stories_site.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Page policies: Content-Security-Policy (django-csp) and Permissions-Policy on every page.
    "csp.middleware.CSPMiddleware",
    "stories_site.page_policies.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.authentication.SuspendedSessionMiddleware",
    # The "auth" rate at the log-in, sign-up and password pages; then axes turns a refused
    # log-in into its 429 with Retry-After (accounts/throttling.py, accounts/lockout.py).
    "accounts.throttling.AuthPageThrottleMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The database or Redis down: a 503 with Retry-After, not a 500 (views; failures inside the
    # middleware above reach handler500, which answers the same: stories_site/urls.py).
    "stories_site.health.OutageMiddleware",
]

ROOT_URLCONF = "stories_site.urls"
WSGI_APPLICATION = "stories_site.wsgi.application"
ASGI_APPLICATION = "stories_site.asgi.application"

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
                "feed.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": database_from_env(var_dir=VAR_DIR)}  # DATABASE_URL, or SQLite in VAR_DIR
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttling, counters) ------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Redis unreachable fails in a second, not never (throttles then let requests
            # through, the rest answers 503: stories_site/health.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# axes first: it refuses every attempt on a locked account or address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# How many proxies in front of the site append to X-Forwarded-For (0: none, the header is
# ignored and REMOTE_ADDR is the client). accounts/clients.py; docs/security.md.
STORIES_TRUSTED_PROXIES = env_int("STORIES_TRUSTED_PROXIES", 0)
# Failed log-ins (any door) before a lockout, per account and per client address, and how long
# the lockout lasts after the last counted failure (accounts/lockout.py).
STORIES_LOGIN_FAILURE_LIMIT = env_int("STORIES_LOGIN_FAILURE_LIMIT", 5)
STORIES_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("STORIES_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
STORIES_LOGIN_COOLOFF_MINUTES = float(os.environ.get("STORIES_LOGIN_COOLOFF_MINUTES") or 15)
# API tokens end this many hours after they are made (unset or 0: when revoked, or when the
# password changes).
STORIES_TOKEN_TTL_HOURS = float(os.environ.get("STORIES_TOKEN_TTL_HOURS") or 0) or None
# A person's (or, signed out, an address's) impressions of one item count once in this time.
STORIES_VIEW_REPEAT_SECONDS = env_int("STORIES_VIEW_REPEAT_SECONDS", 60)
# Signed-in views are written behind through Redis when there is one (feed/view_buffer.py):
# the player's report costs one Redis round trip, and beat counts the buffer into PostgreSQL
# every STORIES_VIEW_FLUSH_SECONDS (sooner for a viewer who reads their feed, or an author
# their analytics). Without Redis (`make run`'s defaults) every view is counted as it comes.
STORIES_VIEW_BUFFER = env_bool("STORIES_VIEW_BUFFER", bool(REDIS_URL))
STORIES_VIEW_FLUSH_SECONDS = max(1, env_int("STORIES_VIEW_FLUSH_SECONDS", 5))
# How often an open page asks for the header's unread counts (feed/badge_api.py; a hidden tab
# ten times less often).
STORIES_BADGE_POLL_SECONDS = max(1, env_int("STORIES_BADGE_POLL_SECONDS", 30))
AXES_ENABLED = env_bool("STORIES_LOGIN_LOCKOUT", True)
AXES_HANDLER = "accounts.lockout.LoginLockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.lockout.account_key"
AXES_CLIENT_IP_CALLABLE = "accounts.clients.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_FAILURE_LIMIT = STORIES_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=STORIES_LOGIN_COOLOFF_MINUTES)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False  # the counts live in the cache: axes' database tables stay empty
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "feed:home"
LOGOUT_REDIRECT_URL = "feed:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "stories_site.staticfiles.AppDirectoriesFinder",  # the apps' files, less what is never served
]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = VAR_DIR / "media"
# Media is never served straight from MEDIA_ROOT: every request goes through a view that checks
# the viewer's right to see it (see stories/private_media.py), so there is deliberately no MEDIA_URL route.
MEDIA_URL = "/media-private/"

AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "signature_version": "s3v4",
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 300),
            "file_overwrite": False,
            "location": os.environ.get("AWS_LOCATION", ""),
        },
    }
else:
    default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("STORIES_TESTING")
            else "stories_site.staticfiles.ModuleStaticFilesStorage"  # hashed names in JS imports too
        )
    },
}

# Uploads larger than this stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

# --- Stories rules --------------------------------------------------------------------------
STORIES_MAX_UPLOAD_BYTES = env_int("STORIES_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
STORIES_MAX_AVATAR_BYTES = env_int("STORIES_MAX_AVATAR_BYTES", 10 * 1024 * 1024)
STORIES_LIFETIME_HOURS = env_int("STORIES_LIFETIME_HOURS", 24)
STORIES_MAX_CLIP_SECONDS = 15.0
STORIES_PHOTO_SECONDS = float(os.environ.get("STORIES_PHOTO_SECONDS", "5"))
STORIES_FFMPEG_TIMEOUT = env_int("STORIES_FFMPEG_TIMEOUT", 300)
STORIES_FFMPEG_THREADS = env_int("STORIES_FFMPEG_THREADS", 2)
STORIES_MAX_PIXELS = env_int("STORIES_MAX_PIXELS", 50_000_000)
STORIES_MEDIA_URL_TTL = env_int("STORIES_MEDIA_URL_TTL", 300)
# A processing attempt's lease, the heartbeat that renews it, how often beat sweeps for lapsed
# leases and unsent uploads, and when an unclaimed message is taken for lost (docs/operations.md).
STORIES_LEASE_SECONDS = env_int("STORIES_LEASE_SECONDS", 30)
STORIES_HEARTBEAT_SECONDS = env_int("STORIES_HEARTBEAT_SECONDS", 10)
STORIES_SWEEP_SECONDS = env_int("STORIES_SWEEP_SECONDS", 20)
STORIES_REDISPATCH_SECONDS = env_int("STORIES_REDISPATCH_SECONDS", 3600)
FFMPEG_BINARY = os.environ.get("FFMPEG_BINARY", "")
FFPROBE_BINARY = os.environ.get("FFPROBE_BINARY", "")
# "auto" uses ffprobe when there is one and PyAV otherwise; "pyav" forces PyAV.
STORIES_PROBE_BACKEND = os.environ.get("STORIES_PROBE_BACKEND", "auto")

# --- Email (accounts/mail.py; README, "Email") ------------------------------------------------
# EMAIL_URL (smtp://user:pass@host:587?tls=1, or smtps://... for TLS from the first byte), or the
# usual EMAIL_HOST / EMAIL_PORT / EMAIL_HOST_USER / EMAIL_HOST_PASSWORD / EMAIL_USE_TLS. With
# neither (and always with DEBUG unless one is set), emails are printed on the console of the
# process that sends them: under `make run`, the Celery worker's.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Stories <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
_email_url = urlsplit(os.environ.get("EMAIL_URL", ""))
if _email_url.scheme in ("smtp", "smtps"):
    _email_query = parse_qs(_email_url.query)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email_url.hostname or "localhost"
    EMAIL_PORT = _email_url.port or (465 if _email_url.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_email_url.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email_url.password or "")
    EMAIL_USE_SSL = _email_url.scheme == "smtps"
    _tls = _email_query.get("tls", ["0"])[0].lower()
    EMAIL_USE_TLS = not EMAIL_USE_SSL and _tls in ("1", "true", "yes", "on")
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Password-reset requests per client address and, separately, per email address (DRF rate).
STORIES_PASSWORD_RESET_RATE = os.environ.get("STORIES_PASSWORD_RESET_RATE", "5/hour")
# A reset link (and an email-change link) works for this long, and once.
PASSWORD_RESET_TIMEOUT = env_int("STORIES_RESET_LINK_SECONDS", 60 * 60 * 3)
# A data export at most this large (media bytes) is built while the API call waits; larger ones
# are built by a worker (privacy/export.py).
STORIES_EXPORT_SYNC_BYTES = env_int("STORIES_EXPORT_SYNC_BYTES", 25 * 1024 * 1024)

# --- Celery ---------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # Longer than the longest processing attempt and the longest retry countdown
    # (docs/operations.md, "Processing leases"); a short connect timeout so an upload whose
    # message cannot be sent is answered at once (the sweeper sends it later).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
else:
    # An embedded broker that needs no server: kombu's filesystem transport in VAR_DIR.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery-results'}"
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"stories.tasks.process_story": {"queue": "media"}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_EXPIRES = 3600
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ActiveTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "stories_site.api.CursorPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "300/minute"),
        "user": os.environ.get("THROTTLE_USER", "1200/minute"),
        "auth": os.environ.get("THROTTLE_AUTH", "20/minute"),
        "upload": os.environ.get("THROTTLE_UPLOAD", "60/hour"),
    },
    # Client addresses for every throttle: X-Forwarded-For only through trusted proxies.
    "NUM_PROXIES": STORIES_TRUSTED_PROXIES,
    "EXCEPTION_HANDLER": "stories_site.api.exception_handler",
    # Bounded JSON (depth and size), the same reader as the JSON fields inside multipart forms.
    "DEFAULT_PARSER_CLASSES": [
        "stories_site.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # drf-spectacular's, plus the error answers every operation can give (stories_site/schema.py).
    "DEFAULT_SCHEMA_CLASS": "stories_site.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Stories API",
    "DESCRIPTION": (
        "The REST API of Stories: 24-hour clips and photos with stickers, feeds and analytics. "
        "Authenticate with `Authorization: Token <token>` from `POST /api/v1/auth/token/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page works offline and loads nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- Security (production) ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# --- Page policies (docs/security.md, "Page policies") --------------------------------------
# Scripts and styles only from our own files (no inline code, no style attributes); media and
# posters from this site, from blob: (the create page's previews and camera) and, with S3, from
# the bucket that presigned media URLs redirect to. The media views set their own stricter CSP.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_MEDIA_ORIGINS = _page_policies.storage_origins(
    bucket=AWS_STORAGE_BUCKET_NAME,
    endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL", ""),
    region=os.environ.get("AWS_S3_REGION_NAME", ""),
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", _csp.NONCE],  # the nonce only where a page asks for one: API docs
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_MEDIA_ORIGINS],
        "media-src": ["'self'", "blob:", *_MEDIA_ORIGINS],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Metrics and logs (stories_site/observability.py, request_log.py) ----------------------
# /metrics answers only with `Authorization: Bearer <this>`; unset: 404. A Celery worker serves
# its host's metrics on STORIES_WORKER_METRICS_ADDRESS ("host:port"; unset: not at all).
STORIES_METRICS_TOKEN = os.environ.get("STORIES_METRICS_TOKEN", "")
STORIES_WORKER_METRICS_ADDRESS = os.environ.get("STORIES_WORKER_METRICS_ADDRESS", "")
# "json": one JSON object a line, with the request id; anything else: readable lines.
STORIES_LOG_FORMAT = os.environ.get("STORIES_LOG_FORMAT", "plain").strip().lower()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "stories_site.request_log.JsonFormatter"},
    },
    "filters": {"request_id": {"()": "stories_site.request_log.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if STORIES_LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
