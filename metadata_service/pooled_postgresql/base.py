"""PostgreSQL connections shared by the greenlets of a gevent worker (``DATABASE_POOL_SIZE``).

Under gevent each request runs in its own greenlet, and Django keeps one connection per greenlet:
a persistent connection (``CONN_MAX_AGE``) would die with its greenlet, so every request would pay
for a new PostgreSQL session. django-db-geventpool keeps a bounded pool per worker instead: a request
takes a connection at its first query and gives it back when it ends (Django's ``close()``); a request
that finds the pool empty waits for one. A pooled connection is checked as the plain backend checks
it (``metadata_service.postgresql``: the socket, no ``SELECT 1``) before it is handed out.
"""

from django_db_geventpool.backends.postgresql_psycopg2 import base as geventpool

from metadata_service.postgresql.base import DatabaseWrapper as CheckedDatabaseWrapper
from metadata_service.postgresql.base import idle_connection_stands


class CheckedConnectionPool(geventpool.PostgresConnectionPool):
    """The pool, its connections checked without a round trip before they are handed out."""

    def check_usable(self, connection):
        if not idle_connection_stands(connection):
            raise self.DBERROR("the pooled connection was closed")


class DatabaseWrapper(geventpool.DatabaseWrapper, CheckedDatabaseWrapper):
    """Django's PostgreSQL backend over the worker's pool."""

    pool_class = CheckedConnectionPool

    def init_connection_state(self):
        """Time zone and role as on a connection of its own (Django skips them when it sees a pool)."""
        super().init_connection_state()
        if self.connection is not None:
            self._configure_connection(self.connection)
