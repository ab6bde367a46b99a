"""Settings of the metadata service, read from the environment (12-factor).

Every knob an operator may turn is an environment variable listed in the README.
The service's own settings live in one namespaced dict, ``METADATA_SERVICE``, read through
``metadata_service.conf.service_settings`` (which holds their defaults).
"""

import os
import sys
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from django.core.exceptions import ImproperlyConfigured

from metadata_service.conf import DEFAULTS

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


def env_pem(name):
    """A PEM key; ``\\n`` escapes (a key kept on one line of an .env file) become newlines."""
    value = env_str(name)
    return value.replace("\\n", "\n").strip() + "\n" if value else None


def check_pem_key(name, pem, algorithm, *, private):
    """Fail at start, naming the setting, when a PEM key does not load or does not fit the algorithm."""
    try:
        key = load_pem_private_key(pem.encode(), password=None) if private else load_pem_public_key(pem.encode())
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name} is not a PEM {'private' if private else 'public'} key: {exc}") from None
    key_types = {
        "RS256": (rsa.RSAPublicKey, rsa.RSAPrivateKey),
        "ES256": (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey),
    }
    wrong_curve = algorithm == "ES256" and not isinstance(getattr(key, "curve", None), ec.SECP256R1)
    if not isinstance(key, key_types[algorithm]) or wrong_curve:
        raise ImproperlyConfigured(f"{name} is not a key for {algorithm} (RS256: RSA; ES256: EC P-256)")


def package_dir(name):
    """An installed package's directory, found without importing the package."""
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured(f"the package {name} is not installed (requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations)))


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
    "tenants.apps.MetadataAdminConfig",  # django.contrib.admin with the service's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "tenants",
    "metadatas",
    "metadata_types",
    "linked_metadata",
    "changes",
    "idempotency",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "metadata_service.request_log.RequestLogMiddleware",  # outermost: logs the status the client gets
    "metadata_service.metrics.PrometheusMiddleware",
    "metadata_service.middleware.CorsMiddleware",  # before anything that answers: preflights need no token
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files (admin, Swagger UI) under gunicorn
    "metadata_service.middleware.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "metadata_service.db_routers.ReplicaPinningMiddleware",
    "tenants.throttling.RateLimitHeadersMiddleware",  # the RateLimit headers of a token's request
    # Sessions, CSRF, the logged-in user and messages, for the browser pages only (the admin): token
    # requests of the API use none of them and skip them (metadata_service.middleware.BrowserMiddleware).
    "metadata_service.middleware.BrowserMiddleware",
]
BROWSER_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
BROWSER_PATH_PREFIXES = ("/admin/",)
# The chain of the hot read routes (metadata_service.short_routes): MIDDLEWARE without the layers that have
# nothing to do for the requests such a route is offered (no body, outside STATIC_URL and the browser pages).
SHORT_ROUTE_MIDDLEWARE = [
    path
    for path in MIDDLEWARE
    if path
    not in (
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "metadata_service.middleware.RequestBodyLimitMiddleware",
        "metadata_service.middleware.BrowserMiddleware",
    )
]
# The admin's checks and the CSRF deployment check look for these in MIDDLEWARE itself; they run, inside
# BrowserMiddleware, for the admin, the only pages a session cookie signs in to (the API takes tokens only).
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410", "security.W003"]

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

# The embedded default is the file scripts/serve uses, so manage.py commands see the same database.
DEFAULT_SQLITE_PATH = BASE_DIR / "var" / "db.sqlite3"
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}")
if DATABASE_URL == f"sqlite:///{DEFAULT_SQLITE_PATH}":
    DEFAULT_SQLITE_PATH.parent.mkdir(exist_ok=True)
# "transaction" when DATABASE_URL is a pgbouncer in transaction pooling mode: a server connection then
# serves many clients, one transaction at a time, so nothing may rely on session state (no server-side
# cursors, no session parameters at connect: set the statement timeout on the server, README "pgbouncer").
DATABASE_POOL_MODE = env_str("DATABASE_POOL_MODE", "session")
if DATABASE_POOL_MODE not in {"session", "transaction"}:
    raise ImproperlyConfigured("DATABASE_POOL_MODE must be session or transaction")
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000)


def database_settings(url, *, session_parameters=True, read_only=False):
    """One entry of DATABASES for a URL, with the connection options every alias shares."""
    database = dj_database_url.parse(
        url,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # Writers queue behind one another instead of failing with "database is locked",
        # so that the compare-and-swap holds on SQLite too.
        database["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # A file, not shared memory: threads in the concurrency tests need real locking.
        database["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}
    if database["ENGINE"] == "django.db.backends.postgresql":
        # One slow statement (or one stuck behind a lock) is cancelled server-side instead of holding a
        # worker until gunicorn kills it; the request answers 503. A down server fails fast at connect.
        # A replica's sessions are read-only, so no write can ever land there.
        parameters = [f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"] if session_parameters else []
        parameters += ["-c default_transaction_read_only=on"] if read_only else []
        options = {"connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5)}
        database.setdefault("OPTIONS", {}).update(options, **({"options": " ".join(parameters)} if parameters else {}))
    return database


DATABASES = {"default": database_settings(DATABASE_URL, session_parameters=DATABASE_POOL_MODE == "session")}
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOL_MODE == "transaction"

# A direct connection to the primary, never through a transaction pooler, for what needs a session of
# its own: LISTEN (the change feed), advisory locks. ``connections["direct"]``; the primary's URL unless set.
DATABASE_DIRECT_URL = env_str("DATABASE_DIRECT_URL", DATABASE_URL)
DATABASES["direct"] = {**database_settings(DATABASE_DIRECT_URL), "TEST": {"MIRROR": "default"}}
# A password apart from the URL (docker-compose passes it so), taken as it is: '@', '/' and ':' need no escaping.
# It is the primary's: for the default connection and for the direct one (the same server).
if env_str("DATABASE_PASSWORD") is not None:
    DATABASES["default"]["PASSWORD"] = DATABASES["direct"]["PASSWORD"] = env_str("DATABASE_PASSWORD")

# Under gevent (gunicorn.conf.py's worker class) a worker's greenlets share a pool of connections; in
# threads and sync workers each keeps its own persistent connection (CONN_MAX_AGE). Either way the health
# check before a request's first query asks the socket, not PostgreSQL (metadata_service/postgresql).
UNDER_GEVENT = "gevent.monkey" in sys.modules and sys.modules["gevent.monkey"].is_module_patched("socket")
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 4 if UNDER_GEVENT else 0)


def lean_postgresql(database):
    """The database settings on this project's PostgreSQL backend (the pooled one with a pool size)."""
    if database["ENGINE"] != "django.db.backends.postgresql":
        return database
    if not DATABASE_POOL_SIZE:
        return {**database, "ENGINE": "metadata_service.postgresql"}
    options = {**database.get("OPTIONS", {}), "MAX_CONNS": DATABASE_POOL_SIZE, "REUSE_CONNS": DATABASE_POOL_SIZE}
    return {**database, "ENGINE": "metadata_service.pooled_postgresql", "CONN_MAX_AGE": 0, "OPTIONS": options}


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (comma-separated URLs of streaming standbys): reads go there, writes and the reads of a
# request that writes go to "default" (metadata_service.db_routers). In tests each replica mirrors "default".
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    DATABASES[f"replica{_number}"] = {**database_settings(_url, read_only=True), "TEST": {"MIRROR": "default"}}
    DATABASE_REPLICAS.append(f"replica{_number}")
DATABASES = {alias: lean_postgresql(database) for alias, database in DATABASES.items()}
DATABASE_ROUTERS = ["metadata_service.db_routers.PrimaryReplicaRouter"]
# How long a writer reads from the primary, and a failed replica is left alone: METADATA_SERVICE below.

# --- Internationalisation and time ------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# GraphiQL's graphene_django/graphiql.js, found without importing graphene-django: as an installed app it
# would import the whole GraphQL stack into every worker at boot (about 10 MiB each, issue 12), while only
# /v1/graphql/ needs it (linked_metadata/urls.py loads it on the first GraphQL request).
STATICFILES_DIRS = [package_dir("graphene_django") / "static"]
# WhiteNoise serves what `collectstatic` gathered (scripts/serve, scripts/test and the Dockerfile run it),
# gzip-compressed; no manifest, so a page renders even where collectstatic has not run.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- REST framework ---------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tenants.authentication.TenantJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["tenants.permissions.IsTenantIdentity"],
    "DEFAULT_RENDERER_CLASSES": ["metadata_service.renderers.UTF8JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["metadata_service.parsers.StrictJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "metadata_service.negotiation.RememberingContentNegotiation",
    "EXCEPTION_HANDLER": "metadata_service.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Formats are chosen by Accept only: a `format` query parameter is as unknown (and ignored) as any other.
    "URL_FORMAT_OVERRIDE": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Counted in Redis (metadata_service.shared_redis), so a limit holds across workers and hosts.
    "DEFAULT_THROTTLE_CLASSES": ["tenants.throttling.TenantAndTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "tenant": env_str("THROTTLE_RATE_TENANT", "50000/min"),
        "token": env_str("THROTTLE_RATE_TOKEN", "20000/min"),
        "login": env_str("THROTTLE_RATE_LOGIN", "30/min"),
    },
}

# --- Redis and the local cache ----------------------------------------------------------

# The one Redis client is metadata_service.shared_redis (REDIS_URL, see METADATA_SERVICE below): tenants'
# enabled states and the rate-limit counters. Django's cache is only the per-process fallback for the
# counters when no REDIS_URL is set (limits then hold per worker).
REDIS_URL = env_str("REDIS_URL")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- JWT (verification with simplejwt; see contract auth.md) -----------------------------

JWT_ALGORITHM = env_str("JWT_ALGORITHM", "HS256")
if JWT_ALGORITHM not in {"HS256", "RS256", "ES256"}:
    raise ImproperlyConfigured("JWT_ALGORITHM must be one of HS256, RS256, ES256")
JWT_SECRET = env_str("JWT_SECRET", DEVELOPMENT_JWT_SECRET)
JWT_PUBLIC_KEY = env_pem("JWT_PUBLIC_KEY")
JWT_PRIVATE_KEY = env_pem("JWT_PRIVATE_KEY")
if JWT_ALGORITHM != "HS256" and not JWT_PUBLIC_KEY:
    raise ImproperlyConfigured(f"JWT_PUBLIC_KEY is required with JWT_ALGORITHM={JWT_ALGORITHM}")
if JWT_ALGORITHM != "HS256":
    check_pem_key("JWT_PUBLIC_KEY", JWT_PUBLIC_KEY, JWT_ALGORITHM, private=False)
    if JWT_PRIVATE_KEY:
        check_pem_key("JWT_PRIVATE_KEY", JWT_PRIVATE_KEY, JWT_ALGORITHM, private=True)

SIMPLE_JWT = {
    "ALGORITHM": JWT_ALGORITHM,
    "SIGNING_KEY": JWT_SECRET if JWT_ALGORITHM == "HS256" else (JWT_PRIVATE_KEY or ""),
    "VERIFYING_KEY": JWT_PUBLIC_KEY if JWT_ALGORITHM != "HS256" else None,
    "ISSUER": env_str("JWT_ISSUER"),
    "AUDIENCE": env_str("JWT_AUDIENCE"),
    "LEEWAY": timedelta(seconds=env_int("JWT_LEEWAY_SECONDS", 30)),
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env_int("JWT_ACCESS_TOKEN_TTL_SECONDS", 3600)),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env_int("JWT_REFRESH_TOKEN_TTL_SECONDS", 86400)),
    "AUTH_HEADER_TYPES": ("Bearer", "JWT"),
    "UPDATE_LAST_LOGIN": False,
}

# --- The service's own settings ---------------------------------------------------------

# Read through metadata_service.conf.service_settings, whose DEFAULTS say what each one is.
METADATA_SERVICE = {
    name: reader(name, DEFAULTS[name])
    for name, reader in {
        "PAGE_SIZE_DEFAULT": env_int,
        "PAGE_SIZE_MAX": env_int,
        "REQUEST_BODY_MAX_BYTES": env_int,
        "JSON_MAX_DEPTH": env_int,
        "FILTER_VALUES_MAX": env_int,
        "DATA_FILTER_PATHS_MAX": env_int,
        "TITLE_DEFAULT_LOCALE": env_str,
        "TITLE_FALLBACK_LOCALES": env_list,
        "COUNT_EXACT_MAX": env_int,
        "TENANT_CACHE_SECONDS": env_int,
        "TOKEN_CACHE_SIZE": env_int,
        "GRAPHQL_QUERY_MAX_CHARS": env_int,
        "GRAPHQL_QUERY_MAX_TOKENS": env_int,
        "GRAPHQL_QUERY_MAX_DEPTH": env_int,
        "LINKED_METADATA_VALUE_MAX_BYTES": env_int,
        "REVISIONS_KEEP": env_int,
        "DELETED_RETENTION_DAYS": env_int,
        "DATABASE_REPLICA_PIN_SECONDS": env_int,
        "DATABASE_REPLICA_RETRY_SECONDS": env_int,
        "TRUSTED_PROXY_COUNT": env_int,
        "CHANGES_RETENTION_HOURS": env_int,
        "CHANGES_HEARTBEAT_SECONDS": env_int,
        "NATS_URL": env_str,
        "NATS_STREAM": env_str,
        "IDEMPOTENCY_KEY_HOURS": env_int,
        "BATCH_MAX_OPERATIONS": env_int,
        "QUOTA_MAX_RESOURCES": env_int,
        "QUOTA_MAX_RESOURCE_BYTES": env_int,
        "QUOTA_MAX_LINKED_KEYS_PER_OBJECT": env_int,
        "QUOTA_MAX_METADATA_TYPES": env_int,
    }.items()
}
METADATA_SERVICE.update(
    {
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": env_str("CACHE_KEY_PREFIX", DEFAULTS["REDIS_KEY_PREFIX"]),
        "GRAPHIQL": env_bool("GRAPHIQL", APP_ENV == "development"),
        "WORKER_LOCAL_STATE": env_bool("WORKER_LOCAL_STATE", DEFAULTS["WORKER_LOCAL_STATE"]),
    }
)

if METADATA_SERVICE["REVISIONS_KEEP"] < 1:
    raise ImproperlyConfigured("REVISIONS_KEEP must be at least 1 (the newest revision of a resource is always kept)")
if METADATA_SERVICE["CHANGES_RETENTION_HOURS"] < 1:
    raise ImproperlyConfigured("CHANGES_RETENTION_HOURS must be at least 1")
if METADATA_SERVICE["CHANGES_HEARTBEAT_SECONDS"] < 1:
    raise ImproperlyConfigured("CHANGES_HEARTBEAT_SECONDS must be at least 1")
if METADATA_SERVICE["DELETED_RETENTION_DAYS"] < 0:
    raise ImproperlyConfigured("DELETED_RETENTION_DAYS must be 0 (keep forever) or a number of days")

GRAPHENE = {"SCHEMA": "linked_metadata.graphql_api.schema.schema"}

# --- CORS (django-cors-headers): browser clients on other origins ------------------------

# Exact origins (scheme://host[:port]) allowed to call the API from a browser; none by default.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/(?!admin/).*$"  # the admin is same-origin only
CORS_ALLOW_CREDENTIALS = False  # tokens travel in Authorization; no cookie is needed or sent
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-request-id",
)
CORS_EXPOSE_HEADERS = (
    "etag",
    "location",
    "link",
    "retry-after",
    "x-request-id",
    "x-total-count",
    "x-total-count-estimated",
    "ratelimit",
    "ratelimit-policy",
)
CORS_PREFLIGHT_MAX_AGE = env_int("CORS_PREFLIGHT_MAX_AGE", 3600)

# --- Security headers -------------------------------------------------------------------
# Always on: X-Content-Type-Options, Referrer-Policy, Cross-Origin-Opener-Policy, X-Frame-Options.
# Behind a TLS proxy, turn on HSTS, the redirect and secure cookies; the defaults keep local http working.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)  # sent on https requests only
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]  # probes and scrapers speak plain http inside the network
if env_str("SECURE_PROXY_SSL_HEADER"):  # the header the TLS proxy sets, e.g. X-Forwarded-Proto: https
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + env_str("SECURE_PROXY_SSL_HEADER").upper().replace("-", "_"), "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Logs: one line per request (metadata_service/request_log.py) --------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = env_str("LOG_FORMAT", "text").lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "metadata_service.log_format.JSONFormatter"},
        "text": {"()": "metadata_service.log_format.TextFormatter"},
    },
    # Every record made while a request is served carries its request id (metadata_service/log_context.py).
    "filters": {"request_id": {"()": "metadata_service.log_context.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # The request line already reports every 4xx; django.request keeps only 5xx with their tracebacks.
        "django.request": {"level": "ERROR"},
    },
}

# --- OpenAPI (drf-spectacular): /docs and /docs/openapi.json --------------------------------

SPECTACULAR_SETTINGS = {
    "TITLE": "Metadata service",
    "DESCRIPTION": (
        "Typed, titled JSON documents (metadata resources) of one tenant, read and written under optimistic "
        "locking. Every `/metadatas` route needs a JWT that names the tenant."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our own static files: the docs work offline
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True, "displayRequestDuration": True},
    "PREPROCESSING_HOOKS": ["metadata_service.openapi.canonical_paths"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "idempotency.openapi.document_idempotency_keys",  # before the hooks that add headers to every answer
        "metadata_service.openapi.complete_schema",
        "metadatas.openapi.describe_collections_and_links",
        "metadata_types.openapi.describe_type_collection",
        "metadata_service.openapi_shapes.shapes_for_generators",  # last: it reshapes what the others wrote
    ],
}

# --- Production guard -------------------------------------------------------------------

PLACEHOLDER_SECRET_PREFIX = "change-me"  # the values .env.example ships with
JWT_SECRET_MIN_BYTES = 32  # RFC 7518 3.2: an HS256 key at least as long as the hash


def is_default_secret(value, development_value):
    return value == development_value or value.startswith(PLACEHOLDER_SECRET_PREFIX)


if APP_ENV == "production":
    if is_default_secret(SECRET_KEY, DEVELOPMENT_SECRET_KEY):
        raise ImproperlyConfigured("APP_ENV=production needs a SECRET_KEY of its own")
    if JWT_ALGORITHM == "HS256" and is_default_secret(JWT_SECRET, DEVELOPMENT_JWT_SECRET):
        raise ImproperlyConfigured("APP_ENV=production needs a JWT_SECRET of its own")
    if JWT_ALGORITHM == "HS256" and len(JWT_SECRET.encode()) < JWT_SECRET_MIN_BYTES:
        raise ImproperlyConfigured(
            f"APP_ENV=production needs a JWT_SECRET of at least {JWT_SECRET_MIN_BYTES} bytes (HS256 keys shorter "
            "than the hash can be guessed offline from one token); e.g. python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'"
        )
