"""New connections spread evenly over the gevent workers of one gunicorn master.

All the workers wait on the one listening socket, and a new connection goes to whichever worker runs first.
A keep-alive client then stays on that worker for as long as its connection lasts: wrk's 16 connections
landed 2/2/4/8 or 1/3/5/7 on four workers. The worker with 8 serves each of them at a quarter of the rate of
the one with 2, which is most of the keep-alive tail (p99 3-6 × p50 in bench/RESULTS.md). So each worker
writes how many connections it holds into a table that the master shares with the workers it forks. A worker
that holds more than the least loaded other worker plus one does not accept for a moment (``DEFER_SECONDS``),
so that another worker can take the connection. After ``MAX_DEFERRALS`` deferrals in a row it takes the
connection itself: a connection never waits more than a few milliseconds because the least loaded worker is
busy or stuck.

Clients that open a connection per request are left alone: a worker that accepted ``CHURN_ACCEPTS_PER_SECOND``
connections within the last second or this one does not defer. Their connections last one request, so
their spread evens out by itself, and every deferral wakes the other workers for nothing. Without this rule
the balancing cost 9-14 % of the item reads with connections closed. Measured with wrk -c16 on four workers:
keep-alive connections spread 3/4/4/5 or 4/4/4/4 (before, 2/3/3/8, 3/3/3/7, 2/2/2/10), and p99/p50 of item
reads went from 2.4-4.4 to 2.1-2.8.

gunicorn.conf.py wires it: ``pre_fork`` gives each worker a slot, ``post_fork`` makes the worker's server
this module's ``BalancedStreamServer``, and ``child_exit`` frees the slot. ``GUNICORN_BALANCE_CONNECTIONS=0``
turns it off.
"""

import mmap

from gevent.server import StreamServer

SLOTS = 1024  # more than the workers one master ever runs at once
DEFER_SECONDS = 0.001
MAX_DEFERRALS = 3
# A worker that accepted this many connections within the last second sees clients that connect per request:
# their spread evens out by itself, and deferring would only cost (closed connections: 14 % fewer item reads).
CHURN_ACCEPTS_PER_SECOND = 64
PUBLISH_SECONDS = 0.05  # a worker's count is also rewritten this often, as its connections end
FREE = -1


class ConnectionTable:
    """For each live worker of a master, the number of connections it holds, in memory shared across the fork.

    Slot 0 holds the highest slot ever claimed, so that a reader looks at the workers' slots only.
    """

    def __init__(self, slots: int = SLOTS):
        self._memory = mmap.mmap(-1, (slots + 1) * 4)  # anonymous and shared: forked workers see one table
        self.counts = memoryview(self._memory).cast("i")
        for slot in range(1, slots + 1):
            self.counts[slot] = FREE

    def claim(self, taken: set[int]) -> int:
        """A slot for a worker about to be forked (``taken``: the slots of the live workers). It stays free until
        the worker's server is up: a worker still booting accepts nothing, so no other may defer to it."""
        slot = next(slot for slot in range(1, len(self.counts)) if slot not in taken)
        self.counts[slot] = FREE
        self.counts[0] = max(self.counts[0], slot)
        return slot

    def release(self, slot: int) -> None:
        self.counts[slot] = FREE

    def least_of_others(self, slot: int) -> int | None:
        """The fewest connections any other live worker holds (None: this is the only one)."""
        others = [count for other, count in enumerate(self.counts[1 : self.counts[0] + 1], 1) if other != slot]
        return min((count for count in others if count != FREE), default=None)


def should_defer(held: int, least_of_others: int | None, deferrals: int, accepted_lately: int = 0) -> bool:
    """Leave a new connection to another worker: this one holds more than the least loaded other one plus one,
    has not yet deferred ``MAX_DEFERRALS`` times in a row, and its clients do not connect per request."""
    return (
        least_of_others is not None
        and deferrals < MAX_DEFERRALS
        and accepted_lately < CHURN_ACCEPTS_PER_SECOND
        and held > least_of_others + 1
    )


class BalancedStreamServer(StreamServer):
    """gevent's server that leaves a new connection to a less loaded worker of the same master, for a moment."""

    table: ConnectionTable
    slot: int

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._deferrals = 0
        self._window_started, self._window_accepts, self._last_window_accepts = self.loop.now(), 0, 0
        self._publisher = self.loop.timer(PUBLISH_SECONDS, PUBLISH_SECONDS)
        self._publisher.ref = False  # it must not keep a stopping worker's loop alive
        self._publisher.start(self.publish)
        self.publish()

    def held(self) -> int:
        return len(self.pool)  # gunicorn's gevent worker spawns every connection's greenlet in its pool

    def publish(self) -> None:
        self.table.counts[self.slot] = self.held()

    def close(self):
        """A stopping worker accepts no more: the others no longer defer to it."""
        self._publisher.stop()
        self.table.release(self.slot)
        super().close()

    def _do_read(self):
        held, least_of_others = self.held(), self.table.least_of_others(self.slot)
        if should_defer(held, least_of_others, self._deferrals, self._accepted_lately()):
            self._deferrals += 1
            self.stop_accepting()  # as gevent backs off after an accept error: a timer starts accepting again
            self._timer = self.loop.timer(DEFER_SECONDS)
            self._timer.start(self._start_accepting_if_started)
            return
        self._deferrals = 0
        super()._do_read()
        self._window_accepts += max(0, self.held() - held)
        self.publish()

    def _accepted_lately(self) -> int:
        """Connections accepted in the one-second window that just ended or in this one, whichever is more."""
        now = self.loop.now()
        if now - self._window_started >= 1.0:
            recent = now - self._window_started < 2.0  # the window just ended, not an older one
            self._last_window_accepts = self._window_accepts if recent else 0
            self._window_started, self._window_accepts = now, 0
        return max(self._window_accepts, self._last_window_accepts)


def balanced_server_class(table: ConnectionTable, slot: int) -> type[BalancedStreamServer]:
    """The server class of the worker in ``slot`` (gunicorn's gevent worker builds its ``StreamServer``)."""
    return type("BalancedStreamServer", (BalancedStreamServer,), {"table": table, "slot": slot})
