"""The service's own settings, read as ``service_settings.NAME``: one namespaced object with defaults.

Django's ``settings.METADATA_SERVICE`` (built from the environment in ``metadata_service/settings.py``)
overrides ``DEFAULTS``; a name that is not a setting is an ``AttributeError``, not a silent ``None``.
Every read looks at ``settings.METADATA_SERVICE`` again, so ``override_settings`` and pytest's
``settings`` fixture take effect at once.
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "PAGE_SIZE_DEFAULT": 10,
    "PAGE_SIZE_MAX": 100,
    "REQUEST_BODY_MAX_BYTES": 1024 * 1024,
    "JSON_MAX_DEPTH": 32,
    "FILTER_VALUES_MAX": 100,  # per filter; also the most data.<path> values of one request
    "DATA_FILTER_PATHS_MAX": 10,  # data.<path> filters in one request
    "TITLE_DEFAULT_LOCALE": "en",
    # ?locale= / Accept-Language: tried after the caller's locales, before the title's first (locales.py).
    "TITLE_FALLBACK_LOCALES": ["en"],
    # Lists count exactly up to this many rows; beyond, the total is PostgreSQL's estimate (and says so).
    "COUNT_EXACT_MAX": 1000,
    # Redis shared by every worker (metadata_service.shared_redis): tenants' enabled states and the
    # rate-limit counters. Without REDIS_URL: tenants are read from the database, counters kept per process.
    "REDIS_URL": None,
    "REDIS_KEY_PREFIX": "metadata-service",
    "TENANT_CACHE_SECONDS": 300,
    # Each worker keeps the tenant states it read (forgotten when a change is published, tenants.local_states)
    # and raises busy rate counters ahead (tenants.counter_leases): most requests then need no Redis round trip.
    "WORKER_LOCAL_STATE": True,
    # Verified JWTs kept per worker (tenants.tokens.VerifiedTokenCache), never past their exp; 0: verify every time.
    "TOKEN_CACHE_SIZE": 1024,
    # GraphQL (/v1/graphql/): GraphiQL for browsers (on in development), and limits checked before a query runs.
    "GRAPHIQL": False,
    "GRAPHQL_QUERY_MAX_CHARS": 10_000,
    "GRAPHQL_QUERY_MAX_TOKENS": 1_000,
    "GRAPHQL_QUERY_MAX_DEPTH": 20,
    "LINKED_METADATA_VALUE_MAX_BYTES": 64 * 1024,
    # History (contract history.md): the newest revisions kept per resource or linked key (older ones are
    # pruned as new ones are written), and how long a deleted resource stays before `purge_deleted` removes
    # it (0: forever).
    "REVISIONS_KEEP": 100,
    "DELETED_RETENTION_DAYS": 30,
    # The change feed (contract changes.md): hours an event is kept (`prune_changes` removes older ones), the
    # seconds between SSE heartbeat comments, and the JetStream publisher's server and stream (no NATS_URL:
    # `publish_changes` refuses to start; the API never needs NATS).
    "CHANGES_RETENTION_HOURS": 168,
    "CHANGES_HEARTBEAT_SECONDS": 15,
    "NATS_URL": None,
    "NATS_STREAM": "METADATA_CHANGES",
    # Read replicas (metadata_service.db_routers, replicas): seconds a client that wrote keeps reading from
    # the primary (a cookie, longer than replication lag), and seconds a failed replica is left alone.
    "DATABASE_REPLICA_PIN_SECONDS": 5,
    "DATABASE_REPLICA_RETRY_SECONDS": 5,
    # Proxies in front of the service that append to X-Forwarded-For; 0: the socket's address is the client's.
    # The sign-in limits count per client address (tenants.throttling.client_address).
    "TRUSTED_PROXY_COUNT": 0,
    # Automation (contract automation.md): how long an Idempotency-Key's response is kept (the
    # prune_idempotency_keys command forgets older ones), and the most operations of one batch.
    "IDEMPOTENCY_KEY_HOURS": 24,
    "BATCH_MAX_OPERATIONS": 100,
    # Quotas of every tenant; a tenant's own values (admin: Tenant) override them.
    "QUOTA_MAX_RESOURCES": 100_000,
    "QUOTA_MAX_RESOURCE_BYTES": 256 * 1024,
    "QUOTA_MAX_LINKED_KEYS_PER_OBJECT": 100,
    "QUOTA_MAX_METADATA_TYPES": 1_000,
}


class ServiceSettings:
    """``settings.METADATA_SERVICE`` over ``DEFAULTS``, by attribute (``service_settings.PAGE_SIZE_MAX``) or key."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"METADATA_SERVICE has no setting {name!r}")
        return getattr(settings, "METADATA_SERVICE", {}).get(name, DEFAULTS[name])

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


service_settings = ServiceSettings()
