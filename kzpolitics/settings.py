"""Settings, read from the environment with an embedded default.

- ``DATABASE_URL``: PostgreSQL in production and CI (``postgres://user@host:5432/name``);
  unset, an SQLite file in the project folder, so ``make run`` works on a fresh machine.
- ``SECRET_KEY``: required unless ``DEBUG`` is on (then a fixed development key is used).
- ``DEBUG``: ``1``/``true`` to turn on; off by default.
- ``ALLOWED_HOSTS``: comma-separated host names.
"""

import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

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

INSTALLED_APPS = [
    "kzpolitics.apps.KZAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "kzpolitics",
    "parties",
    "elections",
    "legislation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kzpolitics.visibility.PublicVisibilityMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kzpolitics.urls"

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

WSGI_APPLICATION = "kzpolitics.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer (a loader, a second server process) instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30

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
# ...so a missing STATIC_ROOT (no collectstatic run) is expected, not worth a warning.
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The founding article, against which fixture quotes are checked.
ARTICLE_PATH = Path(
    env_str("ARTICLE_PATH") or BASE_DIR.parent / "shared" / "seed" / "000_e4968529bea1b3c4.txt"
)
FIXTURES_DIR = BASE_DIR / "fixtures"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "kzpolitics.rest.CSVRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "kzpolitics.rest.StrictContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "kzpolitics.rest.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "kzpolitics.rest.NameSearchFilter",
        "kzpolitics.rest.StrictOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE") or "120/minute",
        "user": env_str("API_USER_RATE") or "600/minute",
    },
}

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
        "kzpolitics.schema.document_api",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SourceKindEnum": "kzpolitics.models.Source.Kind",
        "PersonNameKindEnum": "kzpolitics.models.PersonName.Kind",
        "PlaceKindEnum": "kzpolitics.models.Place.Kind",
        "PlaceNameKindEnum": "kzpolitics.models.PlaceName.Kind",
        "EventKindEnum": "kzpolitics.models.Event.Kind",
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
