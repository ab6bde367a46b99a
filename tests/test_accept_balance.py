"""New connections spread evenly over a master's gevent workers (metadata_service/accept_balance.py)."""

import os
import socket
import time
from pathlib import Path

import pytest

from metadata_service.accept_balance import (
    CHURN_ACCEPTS_PER_SECOND,
    FREE,
    MAX_DEFERRALS,
    ConnectionTable,
    should_defer,
)
from tests.support.live_server import gunicorn

KEEP_ALIVE_GET = b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_a_worker_holding_two_more_than_the_least_loaded_other_defers():
    assert should_defer(held=5, least_of_others=3, deferrals=0)


def test_a_worker_within_one_of_the_least_loaded_other_accepts():
    assert not should_defer(held=4, least_of_others=3, deferrals=0)


def test_the_only_live_worker_accepts_whatever_it_holds():
    assert not should_defer(held=100, least_of_others=None, deferrals=0)


def test_a_worker_that_deferred_the_most_times_in_a_row_accepts_anyway():
    assert not should_defer(held=9, least_of_others=0, deferrals=MAX_DEFERRALS)


def test_a_worker_whose_clients_connect_per_request_accepts_whatever_it_holds():
    assert not should_defer(held=9, least_of_others=0, deferrals=0, accepted_lately=CHURN_ACCEPTS_PER_SECOND)


def test_the_table_gives_each_forked_worker_a_slot_no_live_worker_holds():
    table = ConnectionTable(slots=8)

    first = table.claim(set())
    second = table.claim({first})

    assert (first, second) == (1, 2)


def test_a_worker_still_booting_is_no_worker_to_defer_to():
    table = ConnectionTable(slots=8)
    running, booting = table.claim(set()), table.claim({1})
    table.counts[running] = 5

    assert (table.counts[booting], table.least_of_others(running)) == (FREE, None)


def test_a_released_slot_is_no_longer_a_live_worker_and_is_claimed_again():
    table = ConnectionTable(slots=8)
    first, second = table.claim(set()), table.claim({1})
    table.counts[first], table.counts[second] = 3, 7

    table.release(first)

    assert (table.counts[first], table.least_of_others(second), table.claim({second})) == (FREE, None, first)


def test_the_least_of_others_leaves_out_the_asking_worker():
    table = ConnectionTable(slots=8)
    for count in (6, 2, 4):
        table.counts[table.claim(set(range(1, table.counts[0] + 1)))] = count

    assert (table.least_of_others(1), table.least_of_others(2)) == (2, 4)


def held_per_worker(server):
    """How many established connections to the server's port each worker holds (from /proc)."""
    established = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == server.port and fields[3] == "01":
            established.add(fields[9])
    counts = []
    for pid in server.worker_pids():
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        counts.append(sum(link == f"socket:[{inode}]" for link in links for inode in established))
    return sorted(counts)


def open_keep_alive_clients(server, count):
    clients = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(count)]
    for client in clients:
        client.sendall(KEEP_ALIVE_GET)
    for client in clients:
        assert client.recv(65536).startswith(b"HTTP/1.1 200")
    return clients


@pytest.mark.e2e
@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="counts connections per worker from Linux's /proc")
def test_sixteen_keep_alive_clients_opened_at_once_land_evenly_on_four_workers():
    with gunicorn(workers=4) as server:
        for client in open_keep_alive_clients(server, 16):  # every worker past its first requests (imports, pool)
            client.close()
        spreads = []
        for _ in range(3):
            time.sleep(0.3)  # the closed connections are gone from every worker's count
            clients = open_keep_alive_clients(server, 16)
            time.sleep(0.2)  # every worker has published its count
            spreads.append(held_per_worker(server))
            for client in clients:
                client.close()

    # A worker takes a connection itself after MAX_DEFERRALS (a few milliseconds) when the least loaded one is
    # slow to accept, as on a busy machine: then one worker holds a connection more than even. Without the
    # balancing 16 connections landed 2/2/2/10 or 3/3/3/7.
    differences = [spread[-1] - spread[0] for spread in spreads]
    assert all(sum(spread) == 16 for spread in spreads), spreads
    assert max(differences) <= 3 and sorted(differences)[1] <= 2, spreads
