"""The process's one Redis client (``REDIS_URL``), for state every worker must share.

Two things live there: tenants' enabled states (``tenants.registry``) and the rate-limit counters
(``tenants.throttling``). Without ``REDIS_URL`` there is no client and each caller falls back to
what it can do alone (ask the database; count in local memory).
"""

import hashlib
from functools import lru_cache

import redis
from redis.exceptions import NoScriptError

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


class SharedScript:
    """A Lua script run by EVALSHA on a connection of the client's pool, one command and one answer.

    The per-request round trip skips redis-py's command layers (retry policy, observability hooks,
    argument checks: about a sixth of a cached item read's CPU, bench/profile-item.md). A failure is the
    caller's to handle as with any command (``ERRORS``); the connection is then closed, so the next request
    connects again. If Redis lost the script (a restart, SCRIPT FLUSH) it is sent whole once (EVAL).
    """

    def __init__(self, source):
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    def __call__(self, client, *, keys, args):
        pool = client.connection_pool
        connection = pool.get_connection()
        try:
            return self.run_on(connection, [len(keys), *keys, *args])
        except ERRORS:
            connection.disconnect()
            raise
        finally:
            pool.release(connection)

    def run_on(self, connection, arguments):
        try:
            connection.send_command("EVALSHA", self.sha, *arguments)
            return connection.read_response()
        except NoScriptError:
            connection.send_command("EVAL", self.source, *arguments)
            return connection.read_response()
