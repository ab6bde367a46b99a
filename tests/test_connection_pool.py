"""A gevent worker's pool of PostgreSQL connections serves its requests first come, first served
(metadata_service/pooled_postgresql)."""

from unittest import mock

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


@pytest.fixture
def shelf(monkeypatch):
    """An empty shelf of wrappers, and the settings of a pooled alias (the test database's)."""
    from metadata_service.pooled_postgresql import base

    monkeypatch.setattr(base, "SHELF", base.WrapperShelf())
    return base, {**connection.settings_dict, "ENGINE": "metadata_service.pooled_postgresql"}


def test_a_finished_requests_wrapper_is_the_next_greenlets_and_passes_its_thread_check(shelf):
    base, settings_dict = shelf

    def next_request():
        wrapper = base.DatabaseWrapper(settings_dict, "default")
        wrapper.validate_thread_sharing()  # raises if it still belonged to the finished greenlet
        return wrapper

    with mock.patch("_thread.get_ident", lambda: id(gevent.getcurrent())):  # a thread per greenlet, as patched
        finished = gevent.spawn(base.DatabaseWrapper, settings_dict, "default").get()
        base.SHELF.put(finished)
        taken = gevent.spawn(next_request).get()

    assert taken is finished


def test_a_shelved_wrapper_is_taken_once(shelf):
    base, settings_dict = shelf
    base.SHELF.put(base.DatabaseWrapper(settings_dict, "default"))

    first, second = (base.DatabaseWrapper(settings_dict, "default") for _ in range(2))

    assert first is not second


def test_a_wrapper_of_other_settings_is_not_handed_out(shelf):
    base, settings_dict = shelf
    base.SHELF.put(base.DatabaseWrapper(settings_dict, "default"))

    assert base.SHELF.take("default", {**settings_dict}) is None


@pytest.mark.parametrize(
    "leftover",
    [
        {"in_atomic_block": True},
        {"savepoint_ids": ["s1"]},
        {"run_on_commit": [(set(), print, False)]},
        {"needs_rollback": True},
        {"connection": object()},
    ],
)
def test_a_wrapper_still_holding_part_of_its_request_is_not_shelved(shelf, leftover):
    base, settings_dict = shelf
    wrapper = base.DatabaseWrapper(settings_dict, "default")
    assert wrapper.holds_nothing()

    wrapper.__dict__.update(leftover)

    assert not wrapper.holds_nothing()
