"""A gevent worker's pool of PostgreSQL connections serves its requests first come, first served
(metadata_service/pooled_postgresql)."""

import gevent
import pytest
from django.db import connection

from metadata_service.pooled_postgresql.base import CheckedConnectionPool

pytestmark = pytest.mark.usefixtures("require_postgres")


@pytest.fixture
def pool():
    """A pool of one connection to the server the tests use (its maintenance database)."""
    params = {**connection.get_connection_params(), "dbname": "postgres", "MAX_CONNS": 1}
    pool = CheckedConnectionPool(**params)
    yield pool
    pool.close()


def test_a_connection_given_back_goes_to_the_request_already_waiting_not_to_the_next_one(pool):
    served = []

    def waiting_request():
        held = pool.get()
        served.append("waiting request")
        pool.put(held)

    first = pool.get()
    waiter = gevent.spawn(waiting_request)
    gevent.sleep(0)  # it finds the pool empty and waits
    pool.put(first)
    again = pool.get()  # the giver's next request (a keep-alive client) comes at once
    served.append("next request")
    pool.put(again)
    waiter.join(timeout=5)

    assert served == ["waiting request", "next request"]


def test_a_waiting_request_opens_a_connection_when_the_one_in_use_is_lost(pool):
    first = pool.get()
    waiter = gevent.spawn(pool.get)
    gevent.sleep(0)

    first.close()  # PostgreSQL restarted: the wrapper finds its connection closed and closes the pool
    pool.close()
    opened = waiter.get(timeout=5)

    assert opened is not first and not opened.closed
    pool.put(opened)


def test_a_request_that_stops_waiting_leaves_the_line(pool):
    first = pool.get()
    with pytest.raises(gevent.Timeout):
        with gevent.Timeout(0.01):
            pool.get()

    pool.put(first)

    with gevent.Timeout(1):
        assert pool.get() is first
