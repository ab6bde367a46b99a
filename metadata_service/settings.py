"""Settings of the metadata service, read from the environment (12-factor).

Every knob an operator may turn is an environment variable listed in the README.
The service's own settings live in one namespaced dict, ``METADATA_SERVICE``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=None):
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name, default):
    value = env_str(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name, default):
    value = env_str(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Mode and secrets -------------------------------------------------------------------

# "production" refuses the development defaults of the secrets below.
APP_ENV = env_str("APP_ENV", "development")
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"
DEVELOPMENT_JWT_SECRET = "development-only-jwt-secret-do-not-use-in-production"

SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# --- Applications -----------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "graphene_django",
    "tenants",
    "metadatas",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "metadata_service.middleware.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "metadata_service.db_routers.ReplicaPinningMiddleware",
]

ROOT_URLCONF = "metadata_service.urls"
WSGI_APPLICATION = "metadata_service.wsgi.application"
APPEND_SLASH = False  # the API routes accept both spellings themselves

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# --- Database ---------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue behind one another instead of failing with "database is locked",
    # so that the compare-and-swap holds on SQLite too.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not shared memory: threads in the concurrency tests need real locking.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (comma-separated URLs): reads go there, writes and the reads of a request that
# writes go to "default" (metadata_service.db_routers). In tests each replica mirrors "default".
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    _primary = DATABASES["default"]
    DATABASES[f"replica{_number}"] = {
        **dj_database_url.parse(
            _url, conn_max_age=_primary["CONN_MAX_AGE"], conn_health_checks=_primary["CONN_HEALTH_CHECKS"]
        ),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_REPLICAS.append(f"replica{_number}")
DATABASE_ROUTERS = ["metadata_service.db_routers.PrimaryReplicaRouter"]
# Seconds a client that wrote keeps reading from the primary (a cookie), covering replica lag.
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 5)

# --- Internationalisation and time ------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"

# --- REST framework ---------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tenants.authentication.TenantJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["tenants.permissions.IsTenantIdentity"],
    "DEFAULT_RENDERER_CLASSES": ["metadata_service.renderers.UTF8JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["metadata_service.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "metadata_service.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# --- JWT (verification with simplejwt; see contract auth.md) -----------------------------

JWT_ALGORITHM = env_str("JWT_ALGORITHM", "HS256")
if JWT_ALGORITHM not in {"HS256", "RS256", "ES256"}:
    raise ImproperlyConfigured("JWT_ALGORITHM must be one of HS256, RS256, ES256")
JWT_SECRET = env_str("JWT_SECRET", DEVELOPMENT_JWT_SECRET)
JWT_PUBLIC_KEY = env_str("JWT_PUBLIC_KEY")
JWT_PRIVATE_KEY = env_str("JWT_PRIVATE_KEY")
if JWT_ALGORITHM != "HS256" and not JWT_PUBLIC_KEY:
    raise ImproperlyConfigured(f"JWT_PUBLIC_KEY is required with JWT_ALGORITHM={JWT_ALGORITHM}")

SIMPLE_JWT = {
    "ALGORITHM": JWT_ALGORITHM,
    "SIGNING_KEY": JWT_SECRET if JWT_ALGORITHM == "HS256" else (JWT_PRIVATE_KEY or ""),
    "VERIFYING_KEY": JWT_PUBLIC_KEY if JWT_ALGORITHM != "HS256" else None,
    "ISSUER": env_str("JWT_ISSUER"),
    "AUDIENCE": env_str("JWT_AUDIENCE"),
    "LEEWAY": timedelta(seconds=env_int("JWT_LEEWAY_SECONDS", 30)),
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env_int("JWT_ACCESS_TOKEN_TTL_SECONDS", 3600)),
    "AUTH_HEADER_TYPES": ("Bearer", "JWT"),
    "UPDATE_LAST_LOGIN": False,
}

# --- The service's own settings ---------------------------------------------------------

METADATA_SERVICE = {
    "PAGE_SIZE_DEFAULT": env_int("PAGE_SIZE_DEFAULT", 10),
    "PAGE_SIZE_MAX": env_int("PAGE_SIZE_MAX", 100),
    "REQUEST_BODY_MAX_BYTES": env_int("REQUEST_BODY_MAX_BYTES", 1024 * 1024),
    "JSON_MAX_DEPTH": env_int("JSON_MAX_DEPTH", 32),
    "FILTER_VALUES_MAX": env_int("FILTER_VALUES_MAX", 100),
    "TITLE_DEFAULT_LOCALE": env_str("TITLE_DEFAULT_LOCALE", "en"),
    # Lists count exactly up to this many rows; beyond, the total is PostgreSQL's estimate (and says so).
    "COUNT_EXACT_MAX": env_int("COUNT_EXACT_MAX", 1000),
    # Tenants' enabled states, shared by every worker in Redis (tenants.registry); unset: no cache.
    "TENANT_CACHE_URL": env_str("CACHE_URL"),
    "TENANT_CACHE_PREFIX": env_str("CACHE_KEY_PREFIX", "metadata-service"),
    "TENANT_CACHE_SECONDS": env_int("TENANT_CACHE_SECONDS", 300),
    # GraphQL (/v1/graphql/): GraphiQL for browsers, and limits checked before a query runs.
    "GRAPHIQL": env_bool("GRAPHIQL", APP_ENV == "development"),
    "GRAPHQL_QUERY_MAX_CHARS": env_int("GRAPHQL_QUERY_MAX_CHARS", 10_000),
    "GRAPHQL_QUERY_MAX_TOKENS": env_int("GRAPHQL_QUERY_MAX_TOKENS", 1_000),
    "GRAPHQL_QUERY_MAX_DEPTH": env_int("GRAPHQL_QUERY_MAX_DEPTH", 20),
    "LINKED_METADATA_VALUE_MAX_BYTES": env_int("LINKED_METADATA_VALUE_MAX_BYTES", 64 * 1024),
}

GRAPHENE = {"SCHEMA": "metadatas.graphql_api.schema.schema"}

# --- Production guard -------------------------------------------------------------------

if APP_ENV == "production":
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured("APP_ENV=production needs a SECRET_KEY of its own")
    if JWT_ALGORITHM == "HS256" and JWT_SECRET == DEVELOPMENT_JWT_SECRET:
        raise ImproperlyConfigured("APP_ENV=production needs a JWT_SECRET of its own")
