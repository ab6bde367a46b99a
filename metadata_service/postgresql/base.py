"""Django's PostgreSQL backend with a health check that costs no round trip.

Django's ``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before the first query of every request that reuses a
persistent connection. Here an idle connection is checked by asking the kernel whether its socket has
anything to read: an idle connection has nothing to read unless the server closed it (a restart, a
proxy that dropped it: end of file) or sent its last words (``FATAL: terminating connection``). Either
way the connection is replaced before the request's first query, as with ``SELECT 1``. After an error
in the previous request the real ``SELECT 1`` is still sent (rare, and the exact answer matters there).
"""

import select

from django.db.backends.postgresql import base


def idle_connection_stands(connection):
    """True while a psycopg2 connection with no query in flight is open on both ends (no round trip)."""
    if connection.closed:
        return False
    try:
        readable, _, _ = select.select([connection], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


class DatabaseWrapper(base.DatabaseWrapper):
    """The PostgreSQL backend, its health check answered by the socket instead of by ``SELECT 1``."""

    def is_usable(self):
        if self.errors_occurred:
            return super().is_usable()
        return idle_connection_stands(self.connection)
