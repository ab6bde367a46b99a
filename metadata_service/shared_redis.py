"""The process's one Redis client (``REDIS_URL``), for state every worker must share.

Two things live there: tenants' enabled states (``tenants.registry``) and the rate-limit counters
(``tenants.throttling``). Without ``REDIS_URL`` there is no client and each caller falls back to
what it can do alone (ask the database; count in local memory).
"""

from functools import lru_cache

import redis

from metadata_service.conf import service_settings

ERRORS = (redis.RedisError, OSError)


def shared_redis():
    """The client for ``METADATA_SERVICE["REDIS_URL"]``, or None when none is configured."""
    url = service_settings.REDIS_URL
    return _client(url) if url else None


def shared_key(*parts):
    """A key under the service's prefix, so several installs can share one Redis."""
    return ":".join((service_settings.REDIS_KEY_PREFIX, *map(str, parts)))


@lru_cache(maxsize=4)
def _client(url):
    """One client and connection pool per process and URL (redis-py resets the pool after a fork)."""
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
