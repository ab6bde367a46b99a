"""One LISTEN per process, fanned out to the readers waiting in it (long-poll and SSE).

A waiting reader holds no database connection: it takes the tenant's current ``Wakeup`` (its
``threading.Event`` is a gevent one once gunicorn's gevent worker has patched ``threading``), gives its
pooled connection back, and waits on it. The listener thread (a greenlet under gevent) holds the
process's one session of its own on the primary, made from the ``direct`` alias's settings but outside
Django's pool (a pooled connection would go back to the pool, and pgbouncer in transaction mode drops
LISTEN). On each notification it sets the tenant's wake-up and puts a new one in its place: every reader
of that tenant wakes and reads again. After a lost connection it reconnects with backoff and wakes every
reader, since notifications may have been missed meanwhile. When the worker is told to stop, every reader
is woken and ``stopping()`` says so: a long-poll answers its page, a stream ends (its client resumes elsewhere).
"""

import logging
import select
import threading
import time

import psycopg2
from django.db import connections

logger = logging.getLogger("changes.listener")

# What the event table's trigger notifies (changes/migrations/0002_notify_trigger_tenant_key.py).
NOTIFY_CHANNEL = "metadata_changes"
RECONNECT_DELAYS = (0.1, 0.5, 1, 2, 5)


class Wakeup:
    """One tenant's readers between two notifications: the event they wait on, and the pages they read.

    Readers woken together ask for the same page (same cursor, filters and limit): the first one reads it,
    the others wait for its answer instead of querying too. Every page read here is a consistent snapshot
    (``changes.reading``), and a commit it does not show notifies a newer ``Wakeup``, so sharing loses nothing.
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self._pages: dict[tuple, SharedRead] = {}
        self._lock = threading.Lock()

    def wait(self, timeout: float) -> bool:
        return self.event.wait(timeout)

    def shared(self, key, read):
        """``read()``, once for every reader of this wake-up asking with ``key``."""
        with self._lock:
            entry = self._pages.get(key)
            first = entry is None
            if entry is None:
                entry = self._pages[key] = SharedRead()
        if not first:
            entry.done.wait()
            return read() if entry.failed else entry.page
        try:
            entry.page = read()
        except BaseException:
            entry.failed = True
            with self._lock:
                self._pages.pop(key, None)
            raise
        finally:
            entry.done.set()
        return entry.page


class SharedRead:
    """One page being read for several readers: set ``done`` once ``page`` is there (or the read failed)."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.page = None
        self.failed = False


class TenantWakeups:
    """The ``Wakeup`` of each tenant; a notification sets it and puts a fresh one in its place. Once
    ``stop()`` ran, every wake-up is set at once: no reader waits any more."""

    def __init__(self) -> None:
        self._wakeups: dict[str, Wakeup] = {}
        self._lock = threading.Lock()
        self.stopping = False

    def current(self, tenant_id: str) -> Wakeup:
        with self._lock:
            wakeup = self._wakeups.get(tenant_id)
            if wakeup is None:
                wakeup = self._wakeups[tenant_id] = Wakeup()
            if self.stopping:
                wakeup.event.set()
            return wakeup

    def stop(self) -> None:
        """Wake every reader now and from now on: the process is shutting down."""
        with self._lock:
            self.stopping = True
        self.wake_all()

    def wake(self, tenant_id: str) -> None:
        with self._lock:
            wakeup = self._wakeups.pop(tenant_id, None)
        if wakeup is not None:
            wakeup.event.set()

    def wake_all(self) -> None:
        with self._lock:
            wakeups, self._wakeups = list(self._wakeups.values()), {}
        for wakeup in wakeups:
            wakeup.event.set()


class Listener(threading.Thread):
    """``LISTEN metadata_changes`` on a connection of its own; each payload is a tenant id to wake."""

    def __init__(self, wakeups: TenantWakeups) -> None:
        super().__init__(name="change-feed-listener", daemon=True)
        self.wakeups = wakeups
        self.ready = threading.Event()

    def run(self):
        failures = 0
        while True:
            try:
                self.listen()
            except Exception:  # any database failure: the loop below reconnects
                logger.warning("change feed listener lost its connection; reconnecting", exc_info=True)
            self.ready.clear()
            self.wakeups.wake_all()
            time.sleep(RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)])
            failures += 1

    def listen(self):
        connection = psycopg2.connect(**connection_parameters())
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {NOTIFY_CHANNEL}")
            self.ready.set()
            self.wakeups.wake_all()  # whatever committed while no one listened
            while True:
                select.select([connection], [], [], 60)
                connection.poll()
                while connection.notifies:
                    self.wakeups.wake(connection.notifies.pop(0).payload)
        finally:
            connection.close()


def connection_parameters():
    """psycopg2's keywords for the ``direct`` alias (the primary, never a transaction pooler)."""
    settings = connections["direct"].settings_dict
    parameters = {
        "dbname": settings["NAME"],
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
        "connect_timeout": settings.get("OPTIONS", {}).get("connect_timeout", 5),
        "application_name": "metadata-service change feed listener",
    }
    return {name: value for name, value in parameters.items() if value is not None}


WAKEUPS = TenantWakeups()
_listener: Listener | None = None
_listener_lock = threading.Lock()


def wakeup_for(tenant_id) -> Wakeup:
    """The wake-up of ``tenant_id``'s readers at its next committed change (the listener runs from here on)."""
    ensure_listening()
    return WAKEUPS.current(str(tenant_id))


def stopping() -> bool:
    """Whether this process is shutting down: readers answer what they have instead of waiting."""
    return WAKEUPS.stopping


def wake_readers(tenant_id: str) -> None:
    """Wake this process's readers of ``tenant_id`` (SQLite, which has no LISTEN)."""
    WAKEUPS.wake(tenant_id)


def ensure_listening(timeout: float = 5) -> None:
    """Start this process's listener once (after a fork too: threads do not survive one)."""
    global _listener
    if connections["direct"].vendor != "postgresql":
        return
    with _listener_lock:
        if _listener is None or not _listener.is_alive():
            _listener = Listener(WAKEUPS)
            _listener.start()
    _listener.ready.wait(timeout)
