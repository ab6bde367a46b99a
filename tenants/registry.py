"""Answers whether a tenant named by a token may use the service, from a cache all workers share.

Each request needs "is this tenant registered and enabled?". With ``REDIS_URL`` set, the answer is
kept there for every worker on every machine; without it each request asks the database.
Disabling must reject a tenant's tokens at once, so a change of a tenant is written through in two steps:

1. before the database changes, the tenant's key is set to "changing" (readers then ask the database and
   cache nothing). If Redis cannot be reached the change is refused (``TenantStateNotShared``): a change
   no worker would hear of would leave the old state cached for up to ``TENANT_CACHE_SECONDS``;
2. once the transaction commits, the key is set to the new state; a deleted tenant gets a "deleted" mark,
   not an empty key, so that a reader which read the row before the delete cannot store "enabled" again.

A reader that missed only adds what it read (SET NX), so it never overwrites a newer state or a mark.
If the second step fails, the "changing" mark stays until it expires and readers ask the database.
"""

import logging
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from rest_framework.exceptions import AuthenticationFailed

from metadata_service.conf import service_settings
from metadata_service.shared_redis import ERRORS, SharedScript, shared_key, shared_redis
from tenants.counter_leases import CounterLeases
from tenants.local_states import UNKNOWN, LocalTenantStates, changes_channel
from tenants.models import Tenant

logger = logging.getLogger(__name__)
ENABLED, DISABLED, DELETED, CHANGING = b"1", b"0", b"-", b"?"
STATES = {ENABLED: True, DISABLED: False, DELETED: None}


class TenantStateNotShared(Exception):
    """A tenant change refused because the shared cache (Redis) cannot be told of it."""

    def __init__(self):
        super().__init__(
            "The tenant was not changed: the shared cache at REDIS_URL cannot be reached, and workers "
            "would keep the tenant's old state. Retry once Redis answers."
        )


def require_enabled_tenant(tenant_id, *, counters=()):
    """Raise a 401 unless ``tenant_id`` is registered and enabled.

    ``counters`` (``tenants.throttling.PlannedCounter``) are counted with the state: the number each got
    for this request is returned, in order, or None when they were not counted (no Redis, or it failed).
    """
    enabled, counts = tenant_enabled_counting(tenant_id, counters)
    if enabled is None:
        raise AuthenticationFailed("The token's tenant is not registered.", code="unknown_tenant")
    if not enabled:
        raise AuthenticationFailed("The token's tenant is disabled.", code="disabled_tenant")
    return counts


# The tenant's state (KEYS[1]) and each counter after it raised by ARGV's increment with ARGV's time to
# live: one command, one answer. A missing state comes back as nil (Lua false), counters as integers.
STATE_AND_COUNTS = SharedScript("""
local answer = {redis.call('GET', KEYS[1])}
for i = 2, #KEYS do
  answer[i] = redis.call('INCRBY', KEYS[i], ARGV[2 * i - 2])
  redis.call('EXPIRE', KEYS[i], ARGV[2 * i - 3])
end
return answer
""")
# What this worker read of tenants' states and holds of the rate counters (tenants.local_states and
# tenants.counter_leases): with both at hand a request needs no Redis round trip.
LOCAL_STATES = LocalTenantStates()
LEASES = CounterLeases()


def tenant_enabled_counting(tenant_id, counters):
    """``(tenant_enabled(tenant_id), each counter's number or None)``: this worker's copies, else one round trip."""
    client = shared_redis()
    if client is None or not counters:
        return tenant_enabled(tenant_id), None
    keys = [shared_key(counter.key) for counter in counters]
    if not service_settings.WORKER_LOCAL_STATE:
        return _state_and_counts(client, tenant_id, counters, keys, [None] * len(keys))
    known = LOCAL_STATES.state(client, tenant_id)
    numbers = [LEASES.take(key) for key in keys]
    if known is not UNKNOWN and None not in numbers:
        return known, numbers
    return _state_and_counts(client, tenant_id, counters, keys, numbers)


def _state_and_counts(client, tenant_id, counters, keys, numbers):
    """The state from Redis, and a number for each counter ``numbers`` has none for (their leases raised)."""
    lacking = [(i, _lease_size(keys[i], counters[i])) for i, number in enumerate(numbers) if number is None]
    generation = LOCAL_STATES.generation()
    try:
        cached, *tops = STATE_AND_COUNTS(
            client,
            keys=[cache_key(tenant_id), *(keys[i] for i, _ in lacking)],
            args=[value for i, size in lacking for value in (counters[i].ttl, size)],
        )
    except ERRORS:
        logger.warning("tenant cache: the state-and-counts script failed; asking the database", exc_info=True)
        LOCAL_STATES.forget_all()
        return _read_enabled(tenant_id), None
    for (i, size), top in zip(lacking, tops, strict=True):
        numbers[i] = LEASES.keep(keys[i], top=top, size=size, seconds_left=counters[i].seconds_left())
    if cached not in STATES:
        return _read_and_remember(tenant_id, cached), numbers
    LOCAL_STATES.remember(tenant_id, STATES[cached], generation)
    return STATES[cached], numbers


def _lease_size(key, counter):
    return LEASES.size_for(key, counter.most) if service_settings.WORKER_LOCAL_STATE else 1


FOREIGN_KEY_VIOLATION = "23503"  # PostgreSQL's SQLSTATE


@contextmanager
def tenant_still_registered():
    """Around a write of a tenant's rows: if its tenant was deleted meanwhile (the tenant's foreign key
    breaks, at the insert or at the commit) the write is the 401 of an unknown tenant, not a server error
    or a misleading "already exists"."""
    try:
        yield
    except IntegrityError as exc:
        sqlite_says = str(exc).startswith("FOREIGN KEY constraint failed")
        if getattr(exc.__cause__, "pgcode", None) == FOREIGN_KEY_VIOLATION or sqlite_says:
            raise AuthenticationFailed("The token's tenant is not registered.", code="unknown_tenant") from None
        raise


def tenant_enabled(tenant_id):
    """True or False for a registered tenant, None for an unknown one; the shared cache first."""
    cached = _cache_call("get", cache_key(tenant_id))
    return STATES[cached] if cached in STATES else _read_and_remember(tenant_id, cached)


def _read_and_remember(tenant_id, cached):
    """The database's answer, added to the cache only if no newer state got there first (SET NX) and the
    tenant is not marked "changing" (``cached``, what the cache held: then nothing is cached)."""
    enabled = _read_enabled(tenant_id)
    if enabled is not None and cached != CHANGING:
        _cache_call("set", cache_key(tenant_id), ENABLED if enabled else DISABLED, ex=_ttl(), nx=True)
    return enabled


def _read_enabled(tenant_id):
    return Tenant.objects.filter(pk=tenant_id).values_list("enabled", flat=True).first()


def prepare_tenant_change(tenant_id):
    """Before a tenant's row changes: mark it "changing" for every worker, or refuse the change."""
    client = shared_redis()
    if client is None:
        return  # no shared cache: every request reads the database
    try:
        _set_and_publish(client, tenant_id, CHANGING)
    except ERRORS as exc:
        logger.error("tenant %s not changed: the shared cache is unreachable (%s)", tenant_id, exc)
        raise TenantStateNotShared() from exc


def require_shared_cache_reachable():
    """Raise ``TenantStateNotShared`` now if a tenant change would be refused (forms check it before saving)."""
    client = shared_redis()
    if client is None:
        return
    try:
        client.ping()
    except ERRORS as exc:
        raise TenantStateNotShared() from exc


def announce_tenant_change(tenant_id, enabled):
    """Once the current transaction commits, store the tenant's state (None: deleted) for every worker."""
    state = DELETED if enabled is None else ENABLED if enabled else DISABLED
    transaction.on_commit(lambda: _announce(tenant_id, state))


def _announce(tenant_id, state):
    client = shared_redis()
    if client is None:
        return
    try:
        _set_and_publish(client, tenant_id, state)
    except ERRORS:
        logger.warning("tenant cache: %s's new state not stored; readers ask the database", tenant_id, exc_info=True)


def _set_and_publish(client, tenant_id, state):
    """The tenant's key, then the announcement every worker's copy listens to, then one more command.

    Redis writes a pass's replies to their sockets at the end of it, the publisher's before the
    subscribers' messages: once it answers a later command, the message is in every subscriber's socket,
    and a worker's next request reads it there (tenants.local_states).
    """
    pipeline = client.pipeline(transaction=False)
    pipeline.set(cache_key(tenant_id), state, ex=_ttl())
    pipeline.publish(changes_channel(), str(tenant_id))
    pipeline.execute()
    client.ping()


def cache_key(tenant_id):
    return shared_key("tenant-enabled", tenant_id)


def _ttl():
    return service_settings.TENANT_CACHE_SECONDS


def _cache_call(method, *args, **kwargs):
    """A Redis command, or None when no Redis is configured or it cannot be reached."""
    client = shared_redis()
    if client is None:
        return None
    try:
        return getattr(client, method)(*args, **kwargs)
    except ERRORS:
        logger.warning("tenant cache: %s failed; asking the database", method, exc_info=True)
        return None
