"""Units of the shared rate-limit counters a worker raised ahead of need, so most requests count locally.

A fixed-window counter in Redis hands out numbers 1, 2, 3 ... in its window; a request is allowed while
its number is at most the limit. A worker that serves many requests of one counter raises it by more
than one at a time (INCRBY n) and hands the numbers it got to its next requests itself: no number is
given twice, so the limit holds across workers and instances exactly as before. What a lease can cost
is the other way round: numbers a worker took and did not use before the window ended are nobody's, so
a busy client may be refused slightly early. A lease is therefore sized to what this worker used of the
counter in about ``LEASE_SECONDS`` of its recent past, to at most ``LEASE_SHARE`` of what was left, and to
``LEASE_MOST``: one at a time for a counter this worker sees rarely or that is near its limit (tests with
small limits count exactly one by one, as a single shared counter would).
"""

import time
from dataclasses import dataclass

LEASE_SECONDS = 0.1
LEASE_SHARE = 1 / 64
LEASE_MOST = 64


@dataclass
class Lease:
    """One counter's numbers this worker holds, as ranges ``[next, last]``, and how fast it used them.

    Several ranges: two requests of one worker may each raise the counter at once (both found the lease
    empty); the numbers of both are handed out, none is dropped.
    """

    ranges: list[list[int]]
    top: int  # the highest number this worker got: what it knows of how far the counter went
    ends_at: float  # the counter's window ends: its numbers mean nothing after
    started_at: float  # this worker's first use of the counter in its window
    used: int


class CounterLeases:
    """The leases of one worker, by counter key (keys name their window, so a new window starts afresh)."""

    def __init__(self):
        self._leases: dict[str, Lease] = {}

    def take(self, key):
        """The next number this worker holds of ``key``, or None when it holds none."""
        lease = self._leases.get(key)
        if lease is None:
            return None
        while lease.ranges and lease.ranges[0][0] > lease.ranges[0][1]:
            lease.ranges.pop(0)
        if not lease.ranges:
            return None
        lease.used += 1
        lease.ranges[0][0] += 1
        return lease.ranges[0][0] - 1

    def size_for(self, key, most):
        """How much to raise ``key`` by now (its limit is ``most``)."""
        lease = self._leases.get(key)
        if lease is None:
            return 1
        per_second = lease.used / max(time.monotonic() - lease.started_at, LEASE_SECONDS)
        left = most - lease.top
        return max(1, min(int(per_second * LEASE_SECONDS), int(left * LEASE_SHARE), LEASE_MOST))

    def keep(self, key, *, top, size, seconds_left):
        """``key`` was raised by ``size`` to ``top``: the first of those numbers is the caller's, the rest kept."""
        now = time.monotonic()
        lease = self._leases.get(key)
        if lease is None:
            self._forget_ended(now)
            lease = self._leases[key] = Lease([], 0, now + seconds_left, now, 0)
        if size > 1:
            lease.ranges.append([top - size + 2, top])
        lease.top = max(lease.top, top)
        lease.used += 1
        return top - size + 1

    def forget_all(self):
        self._leases.clear()

    def _forget_ended(self, now):
        for key in [key for key, lease in self._leases.items() if lease.ends_at <= now]:
            del self._leases[key]
