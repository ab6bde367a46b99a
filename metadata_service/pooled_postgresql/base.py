"""PostgreSQL connections shared by the greenlets of a gevent worker (``DATABASE_POOL_SIZE``).

Under gevent each request runs in its own greenlet, and Django keeps one connection per greenlet:
a persistent connection (``CONN_MAX_AGE``) would die with its greenlet, so every request would pay
for a new PostgreSQL session. django-db-geventpool keeps a bounded pool per worker instead: a request
takes a connection at its first query and gives it back when it ends (Django's ``close()``); a request
that finds the pool empty waits for one. A pooled connection is checked as the plain backend checks
it (``metadata_service.postgresql``: the socket, no ``SELECT 1``) before it is handed out.

Django also builds a new ``DatabaseWrapper`` for every greenlet that touches the database: about a tenth
of a millisecond, a tenth of a request's CPU when clients close their connection after each request (a
new greenlet each). So a request's wrapper, once the request finished and gave its connection back, is
put on a shelf (``WrapperShelf``), and the next greenlet that needs one takes it instead of a new one.
"""

import _thread
from collections import deque

from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, connections
from django_db_geventpool.backends.postgresql_psycopg2 import base as geventpool
from gevent.event import AsyncResult

from metadata_service.postgresql.base import DatabaseWrapper as CheckedDatabaseWrapper
from metadata_service.postgresql.base import idle_connection_stands


class CheckedConnectionPool(geventpool.PostgresConnectionPool):
    """The pool, first come first served, its connections checked without a round trip before they are
    handed out.

    django-db-geventpool's own queue lets a request that has just arrived take a connection given back
    while others were already waiting for one (gevent wakes a waiter only on the hub's next turn), so a
    waiter could be passed over again and again: under wrk -c16 with 8 keep-alive clients per worker and
    4 connections, p99 was 8-15 × p50 (bench/RESULTS.md). Here a connection given back goes straight to
    the longest waiter, and a request that finds others waiting waits behind them.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._waiting: deque[AsyncResult] = deque()
        self._promised = 0  # waiters told to open a connection of their own, not yet open

    def get(self):
        if not self._waiting and (self.size < self.maxsize or self.pool.qsize()):
            return super().get()
        turn = AsyncResult()
        self._waiting.append(turn)
        try:
            connection = turn.get()
        except BaseException:  # a request stopped while waiting (its timeout): it leaves the line
            self._leave(turn)
            raise
        return self._usable_or_new(connection)

    def put(self, item):
        """To the longest waiter, or back into the pool."""
        if self._waiting:
            self._waiting.popleft().set(item)
        else:
            super().put(item)

    def close(self):
        """The idle connections closed (one in use was found closed): waiters get the right to open new ones."""
        super().close()
        for connection in [connection for connection in self._conns if connection.closed]:
            self._conns.discard(connection)
        self._let_waiters_open()

    def _let_waiters_open(self):
        """Tell waiters to open a connection of their own, as many as the pool has room for."""
        while self._waiting and self.size + self._promised < self.maxsize:
            self._promised += 1
            self._waiting.popleft().set(None)

    def _usable_or_new(self, connection):
        if connection is None:
            try:
                return self._opened()
            finally:
                self._promised -= 1
        try:
            self.check_usable(connection)
            return connection
        except self.DBERROR:
            self._conns.discard(connection)
            return self._opened()

    def _opened(self):
        connection = self.create_connection()
        self._conns.add(connection)
        return connection

    def _leave(self, turn):
        if turn in self._waiting:
            self._waiting.remove(turn)
        elif turn.ready() and turn.value is not None:  # handed a connection as it stopped: pass it on
            self.put(turn.value)
        elif turn.ready():  # told to open one as it stopped: the next waiter may
            self._promised -= 1
            self._let_waiters_open()

    def check_usable(self, connection):
        if not idle_connection_stands(connection):
            raise self.DBERROR("the pooled connection was closed")


class WrapperShelf:
    """Wrappers of finished requests, by alias, for the next greenlets (at most ``MOST`` each).

    A wrapper goes on the shelf only at the end of a request (``request_finished``, after Django's
    ``close_old_connections`` gave its connection back), only if nothing of the request is left in it (no
    connection, no transaction, no callbacks), and it leaves the greenlet's own ``connections`` first:
    that greenlet asks ``connections`` again for its next request, and so never shares one with another.
    """

    MOST = 64

    def __init__(self):
        self._shelved: dict[str, list] = {}

    def put(self, wrapper):
        shelved = self._shelved.setdefault(wrapper.alias, [])
        if len(shelved) < self.MOST:
            shelved.append(wrapper)

    def take(self, alias, settings_dict):
        """A shelved wrapper of ``alias`` with these settings, or None (settings change in tests)."""
        shelved = self._shelved.get(alias)
        while shelved:
            wrapper = shelved.pop()
            if wrapper.settings_dict is settings_dict:
                return wrapper
        return None


SHELF = WrapperShelf()


def shelve_finished_wrappers(**kwargs):
    """``request_finished``: this greenlet's pooled wrappers that hold nothing of the request, to the shelf."""
    for wrapper in connections.all(initialized_only=True):
        if isinstance(wrapper, DatabaseWrapper) and wrapper.holds_nothing():
            delattr(connections._connections, wrapper.alias)  # the greenlet's next request asks anew
            SHELF.put(wrapper)


class DatabaseWrapper(geventpool.DatabaseWrapper, CheckedDatabaseWrapper):
    """Django's PostgreSQL backend over the worker's pool; a new greenlet takes a shelved wrapper if any."""

    pool_class = CheckedConnectionPool

    def __new__(cls, settings_dict, *args, **kwargs):
        alias = args[0] if args else kwargs.get("alias", DEFAULT_DB_ALIAS)
        shelved = SHELF.take(alias, settings_dict)
        if shelved is None:
            return super().__new__(cls)
        shelved._taken_from_shelf = True
        return shelved

    def __init__(self, *args, **kwargs):
        if self.__dict__.pop("_taken_from_shelf", False):
            self._thread_ident = _thread.get_ident()  # now this greenlet's (validate_thread_sharing)
            return
        super().__init__(*args, **kwargs)

    def holds_nothing(self):
        """No connection, transaction, savepoint or on-commit callback: nothing a next owner could inherit."""
        return (
            self.connection is None
            and not self.in_atomic_block
            and not self.savepoint_ids
            and not self.run_on_commit
            and not self.needs_rollback
            and not self.closed_in_transaction
            and self._thread_sharing_count == 0
        )

    def init_connection_state(self):
        """Time zone and role as on a connection of its own (Django skips them when it sees a pool)."""
        super().init_connection_state()
        if self.connection is not None:
            self._configure_connection(self.connection)


# After Django's close_old_connections (connected when django.db was imported), so connections are back.
request_finished.connect(shelve_finished_wrappers, dispatch_uid="metadata_service.pooled_postgresql.shelve")
