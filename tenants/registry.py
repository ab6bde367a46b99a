"""Answers whether a tenant named by a token may use the service, from a cache all workers share.

Each request needs "is this tenant registered and enabled?". With ``REDIS_URL`` set, the
answer is kept there for every worker on every machine; without it each request asks the database.
Disabling must reject a tenant's tokens at once, so the cache is written through: a save, delete or
bulk update of a tenant stores its new state (or drops it) as soon as its transaction commits, before
the saving request answers; a reader that missed only adds what it read (SET NX), so it can never
overwrite a newer state. If the cache cannot be reached, requests ask the database.
"""

import logging

from django.db import transaction
from rest_framework.exceptions import AuthenticationFailed

from metadata_service.conf import service_settings
from metadata_service.shared_redis import ERRORS, shared_key, shared_redis
from tenants.models import Tenant

logger = logging.getLogger(__name__)
STATES = {b"1": True, b"0": False}


def require_enabled_tenant(tenant_id):
    """Raise a 401 unless ``tenant_id`` is registered and enabled."""
    enabled = tenant_enabled(tenant_id)
    if enabled is None:
        raise AuthenticationFailed("The token's tenant is not registered.", code="unknown_tenant")
    if not enabled:
        raise AuthenticationFailed("The token's tenant is disabled.", code="disabled_tenant")


def tenant_enabled(tenant_id):
    """True or False for a registered tenant, None for an unknown one; the shared cache first."""
    key = cache_key(tenant_id)
    cached = _cache_call("get", key)
    if cached in STATES:
        return STATES[cached]
    enabled = _read_enabled(tenant_id)
    if enabled is not None:
        _cache_call("set", key, b"1" if enabled else b"0", ex=_ttl(), nx=True)
    return enabled


def _read_enabled(tenant_id):
    return Tenant.objects.filter(pk=tenant_id).values_list("enabled", flat=True).first()


def announce_tenant_change(tenant_id, enabled):
    """Once the current transaction commits, store the tenant's state (None: deleted) for every worker."""
    key = cache_key(tenant_id)
    if enabled is None:
        transaction.on_commit(lambda: _cache_call("delete", key))
    else:
        transaction.on_commit(lambda: _cache_call("set", key, b"1" if enabled else b"0", ex=_ttl()))


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
