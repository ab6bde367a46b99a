"""One LISTEN per process, fanned out to the readers waiting in it (long-poll and SSE).

A waiting reader holds no database connection: it takes the tenant's current ``threading.Event`` (a
gevent one once gunicorn's gevent worker has patched ``threading``), gives its pooled connection back,
and waits on the event. The listener thread (a greenlet under gevent) holds the process's one session of
its own on the primary, made from the ``direct`` alias's settings but outside Django's pool (a pooled
connection would go back to the pool, and pgbouncer in transaction mode drops LISTEN). On each
notification it sets the tenant's event and replaces it with a new one: every reader of that tenant
wakes and queries again. After a lost connection it reconnects with backoff and wakes every reader,
since notifications may have been missed meanwhile.
"""

import logging
import select
import threading
import time

import psycopg2
from django.db import connections

logger = logging.getLogger("changes.listener")

NOTIFY_CHANNEL = "metadata_changes"
RECONNECT_DELAYS = (0.1, 0.5, 1, 2, 5)


class TenantWakeups:
    """The event each tenant's readers wait on; a notification sets it and puts a fresh one in its place."""

    def __init__(self):
        self._events: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def current(self, tenant_id: str) -> threading.Event:
        with self._lock:
            event = self._events.get(tenant_id)
            if event is None:
                event = self._events[tenant_id] = threading.Event()
            return event

    def wake(self, tenant_id: str) -> None:
        with self._lock:
            event = self._events.pop(tenant_id, None)
        if event is not None:
            event.set()

    def wake_all(self) -> None:
        with self._lock:
            events, self._events = list(self._events.values()), {}
        for event in events:
            event.set()


class Listener(threading.Thread):
    """``LISTEN metadata_changes`` on a connection of its own; each payload is a tenant id to wake."""

    def __init__(self, wakeups: TenantWakeups):
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


def wakeup_for(tenant_id) -> threading.Event:
    """The event that is set at the next committed change of ``tenant_id`` (the listener runs from here on)."""
    ensure_listening()
    return WAKEUPS.current(str(tenant_id))


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
