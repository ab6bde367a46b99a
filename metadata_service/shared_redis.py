"""The process's one Redis client (``REDIS_URL``), for state every worker must share.

Two things live there: tenants' enabled states with the channel their changes are announced on
(``tenants.registry``, ``tenants.local_states``) and the rate-limit counters (``tenants.throttling``,
``tenants.counter_leases``). Without ``REDIS_URL`` there is no client and each caller falls back to
what it can do alone (ask the database; count in local memory).
"""

import hashlib
import os
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
    """A Lua script run by EVALSHA on a connection kept for scripts, one command and one answer.

    A request's round trip (when its worker's copies do not answer, ``tenants.registry``) skips redis-py's
    command layers (retry policy, observability hooks, argument checks) and its pool's checkout, which
    polls the socket for stray data before every command: together about a fifth of a cached item read's
    CPU. Script connections are this process's own (a forked worker starts with none) and each call reads
    its whole answer, so none is handed on with data waiting. A failure is the caller's to handle as with
    any command (``ERRORS``); the connection is then closed, so the next call connects again. If Redis lost
    the script (a restart, SCRIPT FLUSH) it is sent whole once (EVAL).
    """

    def __init__(self, source):
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()
        self._idle = {}  # per client's pool, connections not in use: as many as calls ran at once here
        self._pid = os.getpid()

    def __call__(self, client, *, keys, args):
        connection = self._connection(client)
        try:
            return self.run_on(connection, [len(keys), *keys, *args])
        except ERRORS:
            connection.disconnect()
            raise
        finally:
            self._idle_of(client.connection_pool).append(connection)

    def _connection(self, client):
        pool = client.connection_pool
        idle = self._idle_of(pool)
        return idle.pop() if idle else pool.connection_class(**pool.connection_kwargs)

    def _idle_of(self, pool):
        if self._pid != os.getpid():  # a fork: the parent's sockets are not this process's to use
            self._idle, self._pid = {}, os.getpid()
        return self._idle.setdefault(pool, [])

    def run_on(self, connection, arguments):
        try:
            connection.send_command("EVALSHA", self.sha, *arguments)
            return connection.read_response()
        except NoScriptError:
            connection.send_command("EVAL", self.source, *arguments)
            return connection.read_response()
