"""Requests started at the same moment from many threads (the race tests)."""

import threading
from collections import Counter

from django.db import connections


def run_concurrently(count, request):
    """Start ``count`` threads that each call ``request(index)`` at the same moment; their statuses."""
    barrier = threading.Barrier(count)
    statuses = [None] * count

    def worker(index):
        try:
            barrier.wait(timeout=30)
            statuses[index] = request(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(statuses)
