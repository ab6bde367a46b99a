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
from tenants.counters import TenantCounter, raise_counters
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


def count_up(tenant_id, quota: str, by: int = 1, *, also=None, sizes=None) -> dict[str, range]:
    """Add ``by`` to the quota's count in the caller's transaction, or raise ``QuotaExceeded``: one statement.

    The same statement raises the counters ``also`` (name → by how much; their ranges are returned) and reads
    the limits of the per-resource quotas ``sizes`` (quota → the size written), which are checked first.
    So a create takes its id, its count and every limit it needs in one round trip, as late as it can.
    """
    also, sizes = also or {}, sizes or {}
    limits = [quota, *sizes]
    raised = raise_counters(
        tenant_id,
        {COUNTERS[quota]: by, **also},
        returning=", ".join(_limit_sql(name) for name in limits),
        params=[_tenant_param(tenant_id)] * len(limits),
    )
    taken, own, *own_sizes = raised[COUNTERS[quota]]
    for (name, size), own_size in zip(sizes.items(), own_sizes, strict=True):
        require_within(tenant_id, name, size, effective(name, own_size))
    limit = effective(quota, own)
    if taken.stop - 1 > limit:
        raise QuotaExceeded(quota=quota, limit=limit, used=taken.stop - 1 - by)
    return {name: raised[name][0] for name in also}


def limit_sql(tenant_id, quota: str) -> tuple[str, list]:
    """A scalar subquery giving the tenant's own value of ``quota`` (NULL: the default), and its parameters,
    for a write to read the limit in a statement it sends anyway; ``effective`` turns it into the limit."""
    return _limit_sql(quota), [_tenant_param(tenant_id)]


def _limit_sql(quota: str) -> str:
    column = connection.ops.quote_name(Tenant._meta.get_field(quota).column)
    return f"(SELECT {column} FROM {connection.ops.quote_name(Tenant._meta.db_table)} WHERE uuid = %s)"


def _tenant_param(tenant_id):
    return Tenant._meta.pk.get_db_prep_value(tenant_id, connection)


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
