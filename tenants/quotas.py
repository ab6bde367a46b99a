"""Tenant quotas (contract automation.md): limits with defaults in settings and overrides on the tenant.

Count quotas (``max_resources``, ``max_metadata_types``) keep their count in a ``TenantCounter`` row that
the writing transaction raises and checks in one statement (``count_up``): the row stays locked until
that transaction ends, so concurrent writers queue on it and can never overshoot. A rolled-back write
takes its count back with it. Per-resource quotas (``max_resource_bytes``, ``max_linked_keys_per_object``)
are checked on the value being written (``require_within``). Which writes count what is the write
services' business; this module knows only quota names, counters and numbers.
"""

import json

from django.db import connection
from django.db.models import F
from rest_framework.exceptions import PermissionDenied

from metadata_service.conf import service_settings
from tenants.counters import TenantCounter
from tenants.models import Tenant

# Quota name → the setting of its default.
DEFAULT_SETTINGS = {
    "max_resources": "QUOTA_MAX_RESOURCES",
    "max_resource_bytes": "QUOTA_MAX_RESOURCE_BYTES",
    "max_linked_keys_per_object": "QUOTA_MAX_LINKED_KEYS_PER_OBJECT",
    "max_metadata_types": "QUOTA_MAX_METADATA_TYPES",
}
QUOTA_NAMES = tuple(DEFAULT_SETTINGS)
# Count quota → the tenant counter that holds its count.
COUNTERS = {"max_resources": "live_resources", "max_metadata_types": "metadata_types"}


class QuotaExceeded(PermissionDenied):
    """A write that would take the tenant past one of its quotas (403); nothing is stored."""

    default_code = "quota_exceeded"

    def __init__(self, *, quota: str, limit: int, used: int):
        super().__init__(f"This write would exceed the tenant's quota {quota} ({used} used of {limit}).")
        self.problem_extensions = {"quota": quota, "limit": limit, "used": used}


def limit_of(tenant_id, quota: str) -> int:
    """The tenant's limit: its own value, or the setting's default (one query)."""
    own = Tenant.objects.for_tenant(tenant_id).values_list(quota, flat=True).first()
    return effective(quota, own)


def effective(quota: str, own) -> int:
    return service_settings[DEFAULT_SETTINGS[quota]] if own is None else own


def count_up(tenant_id, quota: str, by: int = 1) -> None:
    """Add ``by`` to the quota's count in the caller's transaction, or raise ``QuotaExceeded`` (one statement)."""
    table = connection.ops.quote_name(TenantCounter._meta.db_table)
    tenants = connection.ops.quote_name(Tenant._meta.db_table)
    tenant = TenantCounter._meta.get_field("tenant").get_db_prep_value(tenant_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (tenant_id, name, value) VALUES (%s, %s, %s) "
            f"ON CONFLICT (tenant_id, name) DO UPDATE SET value = {table}.value + %s "
            f"RETURNING value, (SELECT {quota} FROM {tenants} WHERE uuid = %s)",
            [tenant, COUNTERS[quota], by, by, tenant],
        )
        used, own = cursor.fetchone()
    limit = effective(quota, own)
    if used > limit:
        raise QuotaExceeded(quota=quota, limit=limit, used=used - by)


def count_down(tenant_id, quota: str) -> None:
    """Take one from the quota's count (never below 0: rows stored by other means were never counted)."""
    counter = TenantCounter.objects.filter(tenant_id=tenant_id, name=COUNTERS[quota], value__gt=0)
    counter.update(value=F("value") - 1)


def used(tenant_id, quota: str) -> int:
    row = TenantCounter.objects.filter(tenant_id=tenant_id, name=COUNTERS[quota]).values_list("value", flat=True)
    return row.first() or 0


def require_within(tenant_id, quota: str, size: int, limit: int | None = None, used: int | None = None) -> None:
    """Raise ``QuotaExceeded`` when ``size`` is over the tenant's per-resource limit ``quota`` (or ``limit``);
    the problem's ``used`` is ``size`` unless given (a count that includes the refused write gives one less)."""
    limit = limit_of(tenant_id, quota) if limit is None else limit
    if size > limit:
        raise QuotaExceeded(quota=quota, limit=limit, used=size if used is None else used)


def json_size(*values) -> int:
    """Bytes of the values as compact UTF-8 JSON, added up (what ``max_resource_bytes`` counts)."""
    return sum(len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()) for value in values)


def tenant_quotas(tenant: Tenant) -> dict:
    """``GET /tenant``'s ``quotas``: each quota's limit, with ``used`` for the count quotas."""
    quotas = {}
    for quota in QUOTA_NAMES:
        quotas[quota] = {"limit": effective(quota, getattr(tenant, quota))}
        if quota in COUNTERS:
            quotas[quota]["used"] = used(tenant.uuid, quota)
    return quotas
