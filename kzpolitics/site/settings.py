"""Settings, read from the environment with an embedded default.

- ``DATABASE_URL``: PostgreSQL in production and CI (``postgres://user@host:5432/name``);
  unset, an SQLite file in the project folder, so ``make run`` works on a fresh machine.
- ``DATABASE_REPLICA_URLS``: PostgreSQL read replicas (streaming standbys), comma separated;
  public reads go to them (kzpolitics.site.replicas). ``REPLICA_WAIT_SECONDS`` bounds how long
  a public save waits for them to replay it (5 by default).
- ``SECRET_KEY``: required unless ``DEBUG`` is on (then a fixed development key is used).
- ``DEBUG``: ``1``/``true`` to turn on; off by default.
- ``ALLOWED_HOSTS``: comma-separated host names.
- ``HTTPS``: ``1`` in production behind a TLS-terminating proxy that sets
  ``X-Forwarded-Proto``: redirects to HTTPS, HSTS, secure cookies. With ``DEBUG`` off and a
  real ``SECRET_KEY`` it passes ``manage.py check --deploy`` with no warning.
- ``PROXY_COUNT``: how many trusted proxies (load balancer, CDN) append to ``X-Forwarded-For``
  in front of the site; 0 (the default) ignores the header. The API's throttling and the
  admin's sign-in lock-outs both count the client this way (kzpolitics.site.proxies).
- ``IMPORT_MAX_UPLOAD_BYTES`` / ``IMPORT_MAX_UNPACKED_BYTES``: the largest spreadsheet the
  admin imports, and what an XLSX may unpack to (2 MB and 20 MB by default).
"""

import datetime
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from kzpolitics.site.env import env_bool, env_int, env_list, env_seconds, env_str
from kzpolitics.site.replicas import replica_databases, with_session_options

BASE_DIR = Path(__file__).resolve().parents[2]

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (or set DEBUG=1 for local development, which uses a development key)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

# -- Security headers: every response. HTTPS-only settings when the site is served over TLS. --
HTTPS = env_bool("HTTPS", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's probe speaks plain HTTP
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Content Security Policy (django-csp): everything from the site itself, no inline script.
# The API docs use drf-spectacular's split Swagger view (its set-up script is a file).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): the site uses no device feature.
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

INSTALLED_APPS = [
    "kzpolitics.apps.KZAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "csp",
    "axes",
    "corsheaders",
    "kzpolitics",
    "parties",
    "elections",
    "legislation",
]

MIDDLEWARE = [
    # First: its headers go on every answer under /api/v1/, a cached one or a 304 too, and
    # it answers browsers' preflight requests itself (CORS_* below).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's ConditionalGetMiddleware, for HEAD too (the same ETag as the GET's).
    "kzpolitics.site.caching.ConditionalReadMiddleware",
    # Public GETs from the cache, until what they show changes (a hit skips all that follows;
    # ConditionalGetMiddleware above still answers 304 to a client that has it already).
    "kzpolitics.site.caching.ResponseCacheMiddleware",
    # A public read's queries go to a read replica, when there is one (after the cache: a hit
    # asks no database).
    "kzpolitics.site.replicas.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A NUL in a query string is a 400 naming the parameter (PostgreSQL refuses NUL: a 500).
    # After the middleware that set the security headers, so that its 400 carries them too.
    "kzpolitics.site.middleware.NullCharacterMiddleware",
    # Last, as django-axes asks: locks an account out after repeated failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one user name from one address lock that pair out for an hour; a
# superuser unlocks it in the admin (Axes › Access attempts) or with `manage.py axes_reset`.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# How many trusted proxies the site runs behind, each appending to X-Forwarded-For; the client
# is the entry the outermost one appended; with 0 the header is ignored (kzpolitics.site.proxies).
# django-axes and the API's throttling (NUM_PROXIES, below) both read the address this way.
PROXY_COUNT = env_int("PROXY_COUNT", default=0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"PROXY_COUNT={PROXY_COUNT} must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "kzpolitics.site.proxies.client_ip"

ROOT_URLCONF = "kzpolitics.site.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "kzpolitics.site.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
# Read replicas (kzpolitics.site.replicas): PostgreSQL standbys, comma separated URLs, become
# "replica1", "replica2", ...; public reads go to them, writes and editors' reads stay on
# "default". A public save waits (at most REPLICA_WAIT_SECONDS) for them to replay it before
# its cached pages are purged; one that does not answer rests REPLICA_RETRY_SECONDS.
DATABASES.update(replica_databases(env_list("DATABASE_REPLICA_URLS", default=[])))
DATABASE_ROUTERS = ["kzpolitics.site.replicas.ReplicaRouter"]
# No parallel plans, no JIT, and prepared statements (kzpolitics.site.replicas).
with_session_options(DATABASES, prepared=env_bool("DATABASE_PREPARED_STATEMENTS", default=True))
REPLICA_WAIT_SECONDS = env_seconds("REPLICA_WAIT_SECONDS", default=5)
REPLICA_RETRY_SECONDS = 10

# The response cache (kzpolitics.site.caching): each response purged when what it shows changes.
# The server processes must share it (REDIS_URL, e.g. redis://127.0.0.1:6379/0), or a purge made
# by one would not reach the others: without Redis, responses are cached in memory only where one
# process serves (DEBUG: runserver, the tests), and not at all otherwise (gunicorn's workers).
# Redis keeps the purge marks with no expiry: use a maxmemory-policy of volatile-lru (or none),
# so that it evicts cached responses (which expire) and never a mark. A hit reads the marks of
# every key its response carries: hiredis (redis-py's C parser) reads them. The backend is
# django-redis's: it keeps one Redis client per process, where Django's own makes one for every
# call (and checks each of a hit's hundreds of keys for memcached): half the time a call, so a
# page's four calls when it is made cost 1.2 ms rather than 1.8, and a hit 0.6 ms rather than
# 0.8 to 1.2 (in one process, at a hundred times the article's data).
REDIS_URL = env_str("REDIS_URL")
PAGE_CACHE_TIMEOUT = 60 * 60 * 24  # also the s-maxage the caches in front are given
# A Redis that does not answer within this many seconds is down: pages are answered afresh
# (kzpolitics.site.caching) rather than waiting on it.
CACHE_SOCKET_TIMEOUT = env_seconds("CACHE_SOCKET_TIMEOUT", default=2)
# A purge Redis missed (it could not be reached) is tried again this often, until Redis takes
# it or until every response it should have purged has expired (kzpolitics.site.surrogates).
CACHE_REPLAY_SECONDS = 5
REDIS_OPTIONS = {
    "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
    "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
}
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", default=bool(REDIS_URL) or DEBUG)
SURROGATE_KEYS_MAX = 400  # past it, a kind's key stands for its records' (8 KB headers)
# The default cache holds the API's throttling counts: shared too, with a Redis.
CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_OPTIONS,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "pages": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kzpolitics",
            "TIMEOUT": PAGE_CACHE_TIMEOUT,
            "OPTIONS": REDIS_OPTIONS,
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kzpolitics-pages",
            "TIMEOUT": PAGE_CACHE_TIMEOUT,
            "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_ENTRIES", default=2000)},
        }
    ),
    "page-keys": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kzpolitics-keys",
            "TIMEOUT": None,
            "OPTIONS": REDIS_OPTIONS,
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kzpolitics-page-keys",
            "TIMEOUT": None,
            # One mark per record ever purged: culling one would make a stale page look fresh.
            "OPTIONS": {"MAX_ENTRIES": 10_000_000},
        }
    ),
}

# HTTP caches in front of the site (Varnish with xkey, a CDN): after a public change each gets a
# PURGE naming the changed records' keys (kzpolitics.site.cdn). Comma separated, e.g.
# http://127.0.0.1:6081/; unset, none is told. A cache that does not answer within
# CACHE_PURGE_TIMEOUT seconds is logged and skipped.
CACHE_PURGE_URLS = env_list("CACHE_PURGE_URLS", default=[])
CACHE_REPURGE_SECONDS = 2  # the purge is sent again this much later (0: once only)
CACHE_PURGE_TIMEOUT = env_seconds("CACHE_PURGE_TIMEOUT", default=2)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer (a loader, a second server process) instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30

# Errors go to the server's log (gunicorn's stderr) with their traceback; a 503 while the
# database is away is one line each, not thousands of tracebacks (kzpolitics.site.health).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_outage": {"()": "kzpolitics.site.health.QuietOutageFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["quiet_outage"],
        }
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Editors write an edit summary with every change; it is kept with the record's history.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# whitenoise serves the static files under gunicorn. The site has a handful, so it finds them in
# the apps at start-up as well as in STATIC_ROOT: a fresh checkout serves its stylesheet with no
# collectstatic step.
WHITENOISE_USE_FINDERS = True
# In production (`make serve`): collected files with content-hashed names, compressed, cached
# for a year by browsers (whitenoise sets the headers), after `manage.py collectstatic`.
if env_bool("STATIC_HASHED", default=False):
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    WHITENOISE_USE_FINDERS = False
# ...so a missing STATIC_ROOT (no collectstatic run) is expected, not worth a warning.
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The full download (/api/v1/export/) of each data version, kept once built (site.export).
EXPORT_CACHE_DIR = Path(env_str("EXPORT_CACHE_DIR") or BASE_DIR / "var" / "export")
# Every data version's export stays at its own address; N > 0 keeps only the newest N.
EXPORT_KEEP_VERSIONS = env_int("EXPORT_KEEP_VERSIONS", default=0)

# The founding article's text, against which the fixtures' quotes are checked when it is given.
# The site needs none: the fixtures are the data (a clone of the repository has no article).
ARTICLE_PATH = Path(env_str("ARTICLE_PATH")) if env_str("ARTICLE_PATH") else None
FIXTURES_DIR = BASE_DIR / "fixtures"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # django-rest-knox's tokens (kzpolitics.site.api_tokens): "Authorization: Token <key>".
        # First, as DRF takes the first class's WWW-Authenticate: a wrong, expired or revoked
        # token is a 401 that names the scheme; a write with no credentials is still a 403.
        "kzpolitics.site.api_tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "kzpolitics.core.csv_format.CSVRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "kzpolitics.core.rest.StrictContentNegotiation",
    # Every error in one shape, RFC 9457 problem details (kzpolitics.core.problems).
    "EXCEPTION_HANDLER": "kzpolitics.core.problems.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "kzpolitics.core.rest.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "kzpolitics.core.rest.NameSearchFilter",
        "kzpolitics.core.rest.StrictOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "kzpolitics.site.throttles.AnonThrottle",
        "kzpolitics.site.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE") or "120/minute",
        "user": env_str("API_USER_RATE") or "600/minute",
    },
    # Never None: DRF would then count the whole X-Forwarded-For, which a client writes.
    "NUM_PROXIES": PROXY_COUNT,
}

# Editors' API tokens (django-rest-knox): the database keeps a SHA-512 digest of each, not the
# key. A token lasts 90 days from when it is made (a script's work, not a standing credential),
# without renewal on use; the "API token" page in the admin says so.
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=90),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}

# CORS (django-cors-headers): a page on any site (a notebook on Observable, a web reconciler)
# may read the API's public answers. Never with credentials, so a browser sends no session
# cookie and reads no answer given to one; no Authorization header and no write method in a
# preflight, so no other site's page writes with an editor's token. POST is for the
# reconciliation endpoint's batches (/api/v1/reconcile/), which read only.
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS", "POST")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "content-type", "if-none-match",
                      "if-modified-since")  # fmt: skip
# What a script may read of an answer besides the basic headers: paging and export links,
# validators for conditional requests, the export's file name, throttling's wait, a CSV's
# row count.
CORS_EXPOSE_HEADERS = ("Link", "ETag", "Last-Modified", "Content-Disposition", "Retry-After",
                       "X-Total-Count", "X-Cache")  # fmt: skip
CORS_PREFLIGHT_MAX_AGE = 86400

# Spreadsheet imports in the admin (kzpolitics.core.uploads): the file, and what an XLSX unpacks to.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", default=2 * 1024 * 1024)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", default=20 * 1024 * 1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "kzpolitics research API",
    "DESCRIPTION": (
        "A citation-backed record of how Kazakhstan's multiparty system came into being "
        "(1986-2005). Read-only for everyone; writes for signed-in editors. Every list takes "
        "?search=, ?ordering=, ?page=, ?page_size= and ?format=json|csv."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kzpolitics.site.schema.document_api",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SourceKindEnum": "kzpolitics.core.models.Source.Kind",
        "PersonNameKindEnum": "kzpolitics.core.models.PersonName.Kind",
        "PlaceKindEnum": "kzpolitics.core.models.Place.Kind",
        "PlaceNameKindEnum": "kzpolitics.core.models.PlaceName.Kind",
        "EventKindEnum": "kzpolitics.core.models.Event.Kind",
        "OrganizationKindEnum": "parties.models.Organization.Kind",
        "OrganizationNameKindEnum": "parties.models.OrganizationName.Kind",
        "StanceEnum": "parties.models.Stance.Kind",
        "RoleKindEnum": "parties.models.Role.Kind",
        "RelationKindEnum": "parties.models.Relation.Kind",
        "ElectionKindEnum": "elections.models.Election.Kind",
        "TierEnum": "elections.models.Result.Tier",
        "JurisdictionEnum": "legislation.models.LegalAct.Jurisdiction",
        "LegalActKindEnum": "legislation.models.LegalAct.Kind",
        "RequirementKindEnum": "legislation.models.Provision.Requirement",
        "DecisionEnum": "legislation.models.RegistrationDecision.Decision",
    },
}
