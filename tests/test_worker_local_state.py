"""A worker's copies of tenant states and rate-counter leases: no Redis round trip, same guarantees."""

import time
import uuid

import pytest

from tenants import local_states
from tenants.counter_leases import CounterLeases
from tenants.local_states import UNKNOWN, LocalTenantStates, changes_channel
from tests.conftest import token_for
from tests.support.http_calls import burst

TENANT = str(uuid.uuid4())


@pytest.fixture
def client(tenant_cache):
    from metadata_service.shared_redis import shared_redis

    return shared_redis()


def publish(client, tenant_id):
    """A change announced as ``tenants.registry`` announces one: once Redis answers the next command, the
    message is in every subscriber's socket."""
    client.publish(changes_channel(), tenant_id)
    client.ping()


def subscribed(client):
    """A copy whose subscription Redis has confirmed."""
    return subscribed_copy(client, LocalTenantStates())


def subscribed_copy(client, states):
    deadline = time.monotonic() + 5
    while not states.refresh(client):
        assert time.monotonic() < deadline, "the subscription was never confirmed"
        time.sleep(0.01)
    return states


def test_a_copy_keeps_nothing_before_redis_confirmed_its_subscription(client):
    states = LocalTenantStates()
    states.remember(TENANT, True, states.generation())  # not subscribed yet: a change could go unheard

    assert subscribed_copy(client, states).state(client, TENANT) is UNKNOWN


def test_a_remembered_state_answers_the_next_lookup(client):
    states = subscribed(client)
    states.remember(TENANT, False, states.generation())

    assert states.state(client, TENANT) is False


def test_a_published_change_is_heard_by_the_very_next_lookup(client):
    states = subscribed(client)
    states.remember(TENANT, True, states.generation())

    publish(client, TENANT)

    assert states.state(client, TENANT) is UNKNOWN


def test_a_change_of_another_tenant_leaves_the_copy_alone(client):
    states = subscribed(client)
    states.remember(TENANT, True, states.generation())

    publish(client, str(uuid.uuid4()))

    assert states.state(client, TENANT) is True


def test_a_state_read_while_a_change_was_heard_is_not_kept(client):
    states = subscribed(client)
    before_the_read = states.generation()
    publish(client, TENANT)
    states.refresh(client)  # another request heard the change while this one waited for Redis

    states.remember(TENANT, True, before_the_read)

    assert states.state(client, TENANT) is UNKNOWN


def test_an_entry_is_trusted_for_at_most_a_second(client, monkeypatch):
    states = subscribed(client)
    states.remember(TENANT, True, states.generation())
    later = time.monotonic() + local_states.ENTRY_SECONDS

    monkeypatch.setattr(local_states.time, "monotonic", lambda: later)

    assert states.state(client, TENANT) is UNKNOWN


def test_a_broken_subscription_forgets_everything_and_trusts_nothing(client):
    states = subscribed(client)
    states.remember(TENANT, True, states.generation())

    states._pubsub.connection.disconnect()

    assert states.state(client, TENANT) is UNKNOWN
    states.remember(TENANT, True, states.generation())
    assert states.state(client, TENANT) is UNKNOWN


def test_a_lease_hands_out_each_number_once_and_in_order():
    leases = CounterLeases()

    first = leases.keep("k", top=10, size=5, seconds_left=60)

    assert [first] + [leases.take("k") for _ in range(5)] == [6, 7, 8, 9, 10, None]


def test_two_leases_taken_at_once_are_both_handed_out():
    leases = CounterLeases()

    firsts = [leases.keep("k", top=10, size=5, seconds_left=60), leases.keep("k", top=15, size=5, seconds_left=60)]

    assert firsts + [leases.take("k") for _ in range(9)] == [6, 11, 7, 8, 9, 10, 12, 13, 14, 15, None]


def test_a_counter_seen_for_the_first_time_is_raised_by_one():
    assert CounterLeases().size_for("k", most=1_000_000) == 1


def test_a_busy_counter_far_from_its_limit_is_raised_ahead():
    leases = CounterLeases()
    leases.keep("k", top=1, size=1, seconds_left=60)
    for _ in range(200):  # 200 numbers in far less than a second
        leases.keep("k", top=leases._leases["k"].top + 1, size=1, seconds_left=60)

    assert leases.size_for("k", most=1_000_000) > 1


def test_a_counter_near_its_limit_counts_one_by_one():
    leases = CounterLeases()
    for top in range(1, 200):
        leases.keep("k", top=top, size=1, seconds_left=60)

    assert leases.size_for("k", most=250) == 1  # 51 left: a lease could leave some unused at the window's end


def test_leases_of_an_ended_window_are_dropped():
    leases = CounterLeases()
    leases.keep("window-1", top=10, size=5, seconds_left=0)

    leases.keep("window-2", top=1, size=1, seconds_left=60)

    assert leases.take("window-1") is None


def shared_cache_server(request, monkeypatch, tenant_cache, **env):
    """gunicorn (two workers) sharing the test's tenant cache, with ``env`` on top."""
    monkeypatch.setenv("REDIS_URL", tenant_cache["url"])
    monkeypatch.setenv("CACHE_KEY_PREFIX", tenant_cache["prefix"])
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return request.getfixturevalue("server")


@pytest.fixture
def busy_server(transactional_db, tenant_cache, monkeypatch, request):
    """Rate limits far above what the test sends: counters are leased."""
    limits = {"THROTTLE_RATE_TENANT": "1000000/min", "THROTTLE_RATE_TOKEN": "1000000/min"}
    return shared_cache_server(request, monkeypatch, tenant_cache, **limits)


@pytest.mark.e2e
def test_busy_workers_serving_from_their_copies_refuse_a_disabled_tenant_as_soon_as_the_save_returns(
    busy_server, tenant_cache, tenant
):
    token = token_for(tenant.uuid)
    statuses = burst(f"{busy_server}/metadatas", token, count=400, concurrency=8)  # states copied, counters leased
    assert set(statuses) == {200}

    tenant.enabled = False
    tenant.save()

    assert burst(f"{busy_server}/metadatas", token, count=40, concurrency=8) == [401] * 40


@pytest.fixture
def leasing_server(transactional_db, tenant_cache, monkeypatch, request):
    """A token limit of 600 a day: enough for the workers to lease ahead."""
    return shared_cache_server(request, monkeypatch, tenant_cache, THROTTLE_RATE_TOKEN="600/day")


@pytest.mark.e2e
def test_leasing_workers_never_let_more_than_the_limit_through(leasing_server, tenant):
    statuses = burst(f"{leasing_server}/metadatas", token_for(tenant.uuid), count=700, concurrency=8)

    assert statuses.count(200) <= 600
    # Leases shrink to one number as the limit nears, so at most a handful of numbers go unused.
    assert statuses.count(200) >= 590
    assert statuses.count(429) == 700 - statuses.count(200)
