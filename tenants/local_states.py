"""A worker's own copy of the tenant states it read from the shared cache, kept current by Redis pub/sub.

Reading a tenant's state from Redis costs every request a round trip, which on an item read is a sixth
of the worker's CPU. So each worker keeps the states it read, and forgets a tenant's as soon as a change
of it is announced on the channel ``tenants.registry`` publishes to after writing the tenant's key. The
worker reads what the channel delivered (without waiting: a non-blocking read of its socket) before every
lookup. The writer waits for Redis to answer one more command after the publish, and by then Redis has
written the message to every subscriber's socket, so a request that starts after a tenant change returned
finds the message already waiting: every worker refuses a disabled tenant's tokens at once, as before.

The copy is only trusted while the subscription is known to be live: not before Redis confirmed it, not
after the connection failed (then it is dropped, and subscribing is retried at most once a second), and
an entry is not kept longer than ``ENTRY_SECONDS``, a bound on what a subscription that died silently
could leave stale. A reader stores what it read only if no change was announced while it was reading
(``generation``), so a slow reader cannot store a state older than a change the worker already heard of.
"""

import logging
import os
import select
import time

from metadata_service.shared_redis import ERRORS, shared_key

try:  # the system's poll, not gevent's: a zero-timeout check of one socket needs no event loop
    from gevent.monkey import get_original

    system_poll = get_original("select", "poll")
except ImportError:  # pragma: no cover - gevent is installed with the service
    system_poll = select.poll

logger = logging.getLogger(__name__)
ENTRY_SECONDS = 1.0
RESUBSCRIBE_SECONDS = 1.0
UNKNOWN = object()  # no usable copy: ask the shared cache


def changes_channel():
    """The channel every tenant change is announced on (one per key prefix)."""
    return shared_key("tenant-changes")


class LocalTenantStates:
    """The states this worker read, while its subscription to ``changes_channel()`` is live."""

    def __init__(self):
        self._states = {}  # tenant id → (state, monotonic time it was stored)
        self._pubsub = None
        self._socket = None  # the subscription's socket, and a poll of it: has the channel delivered anything?
        self._delivered = None
        self._reading = False
        self._subscribed = False
        self._generation = 0
        self._retry_at = 0.0
        self._owner = None  # (pid, client, channel) the subscription belongs to

    def state(self, client, tenant_id):
        """The tenant's state as last read here, or ``UNKNOWN``; reads the channel first."""
        if not self.refresh(client):
            return UNKNOWN
        state, stored_at = self._states.get(str(tenant_id), (UNKNOWN, 0.0))
        if state is not UNKNOWN and time.monotonic() - stored_at >= ENTRY_SECONDS:
            del self._states[str(tenant_id)]
            return UNKNOWN
        return state

    def generation(self):
        """A number that changes whenever a tenant change is heard of (``remember`` compares it)."""
        return self._generation

    def remember(self, tenant_id, state, generation):
        """Keep ``state``, read from the shared cache when ``generation()`` was ``generation``."""
        if self._subscribed and generation == self._generation:
            self._states[str(tenant_id)] = (state, time.monotonic())  # as the channel names it

    def forget_all(self):
        """After the shared cache failed: trust nothing kept, resubscribe before keeping again."""
        self._drop_subscription()

    def refresh(self, client):
        """Apply what the channel delivered; True while the copy can be trusted."""
        if self._owner != (os.getpid(), client, changes_channel()):  # a fork, or other settings
            self._drop_subscription()
            self._owner = (os.getpid(), client, changes_channel())
        if self._pubsub is None and not self._subscribe(client):
            return False
        if self._reading:  # another greenlet is at it (and may be waiting for a reconnection)
            return False
        self._reading = True
        try:
            self._read_messages()
        except ERRORS as exc:
            logger.warning("tenant changes channel failed (%s); asking the shared cache until resubscribed", exc)
            self._drop_subscription()
        finally:
            self._reading = False
        return self._subscribed and self._socket_is_ours()

    def _socket_is_ours(self):
        """False once the subscription's socket is not the one subscribed on (redis-py reconnected, and
        messages sent in between may be lost): then the copy is dropped, and subscribing starts afresh."""
        if self._pubsub is not None and self._pubsub.connection._sock is self._socket:
            return True
        self._drop_subscription()
        return False

    def _subscribe(self, client):
        """Subscribe (other greenlets go on asking Redis meanwhile: the copy is set up before it is seen)."""
        if time.monotonic() < self._retry_at:
            return False
        self._retry_at = time.monotonic() + RESUBSCRIBE_SECONDS
        try:
            pubsub = client.pubsub()
            pubsub.subscribe(changes_channel())
            socket = pubsub.connection._sock
            delivered = system_poll()
            delivered.register(socket.fileno(), select.POLLIN)
        except ERRORS as exc:
            logger.warning("cannot subscribe to tenant changes (%s); asking the shared cache", exc)
            return False
        self._pubsub, self._delivered, self._socket = pubsub, delivered, socket
        return True

    def _read_messages(self):
        """Every message the socket holds (each loop reads until none is left, so none waits in a buffer)."""
        pubsub, delivered = self._pubsub, self._delivered
        if pubsub is None or delivered is None or not self._socket_is_ours() or not delivered.poll(0):
            return
        while (message := pubsub.get_message(timeout=0.0)) is not None:
            if message["type"] == "subscribe":
                self._subscribed = True  # from here on, every change reaches this socket
                self._states.clear()
            elif message["type"] == "message":
                self._states.pop(message["data"].decode(), None)
            self._generation += 1

    def _drop_subscription(self):
        self._states.clear()
        self._subscribed = False
        self._generation += 1
        if self._pubsub is not None:
            try:
                self._pubsub.close()
            except ERRORS:
                pass
        self._pubsub = self._delivered = self._socket = None
