"""Answers whether a tenant named by a token may use the service, from a cache shared by all workers.

Each request needs "is this tenant registered and enabled?". The answer is kept in the ``tenants``
cache (Redis when ``CACHE_URL`` is set; without it, no cache and one small query per request).
Disabling must reject a tenant's tokens at once in every gunicorn worker, so the cache is written
through: every save of a tenant stores its new state once the transaction commits, and a reader that
missed only ``add``s what it read, never overwriting a newer state a save just stored.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from rest_framework.exceptions import AuthenticationFailed

from tenants.models import Tenant

CACHE_ALIAS = "tenants"
logger = logging.getLogger(__name__)


def require_enabled_tenant(tenant_id):
    """Raise a 401 unless ``tenant_id`` is registered and enabled."""
    enabled = tenant_enabled(tenant_id)
    if enabled is None:
        raise AuthenticationFailed("The token's tenant is not registered.", code="unknown_tenant")
    if not enabled:
        raise AuthenticationFailed("The token's tenant is disabled.", code="disabled_tenant")


def tenant_enabled(tenant_id):
    """True or False for a registered tenant, None for an unknown one; the cache first."""
    key = cache_key(tenant_id)
    cached = _cache_call("get", key)
    if cached is not None:
        return cached
    enabled = Tenant.objects.filter(pk=tenant_id).values_list("enabled", flat=True).first()
    if enabled is not None:
        _cache_call("add", key, enabled, settings.METADATA_SERVICE["TENANT_CACHE_SECONDS"])
    return enabled


def publish_tenant_state(tenant):
    """After the saving transaction commits, store the tenant's state for every worker to see."""
    key, enabled = cache_key(tenant.pk), tenant.enabled
    timeout = settings.METADATA_SERVICE["TENANT_CACHE_SECONDS"]
    transaction.on_commit(lambda: _cache_call("set", key, enabled, timeout))


def forget_tenant(tenant):
    """After a deleting transaction commits, drop the tenant's cached state."""
    key = cache_key(tenant.pk)
    transaction.on_commit(lambda: _cache_call("delete", key))


def cache_key(tenant_id):
    return f"tenant-enabled:{tenant_id}"


def _cache_call(method, *args):
    """A cache operation that degrades to "no cache" when the cache server is unreachable."""
    try:
        return getattr(caches[CACHE_ALIAS], method)(*args)
    except Exception:  # a cache outage must not fail requests: the database still answers
        logger.exception("tenant cache %s failed", method)
        return None
