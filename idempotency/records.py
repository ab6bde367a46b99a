"""The two statements an idempotent write adds to its transaction: claim the key, then store the response.

``claim`` takes a transaction-scoped advisory lock on the key's scope and reads its stored record in one
statement; ``store`` inserts the response with ``ON CONFLICT DO NOTHING``. The lock makes a second run
of a key wait for nothing: it is told the key is in use (409). The unique constraint is the last guard
(a run that finished between this statement's snapshot and its lock): ``store`` then returns False and
the caller rolls back and replays what the other run stored.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.http import HttpResponse

from idempotency.models import IdempotencyRecord
from metadata_service.conf import service_settings
from metadata_service.timestamps import now_to_the_second
from tenants.models import Tenant

# What a replay repeats of the first answer besides its status and body: the contract's three, and the headers
# of the representation itself (JSON-LD's Link to its documentation, the language of a localized title).
STORED_HEADERS = ("Content-Type", "ETag", "Location", "Link", "Content-Language")
TABLE = IdempotencyRecord._meta.db_table
SCOPE = "tenant_id = %s AND caller = %s AND method = %s AND path = %s AND key = %s"


@dataclass(frozen=True)
class KeyScope:
    """What one key is unique within, and the key."""

    tenant_id: object
    caller: str
    method: str
    path: str
    key: str

    def params(self):
        tenant = IdempotencyRecord._meta.get_field("tenant").get_db_prep_value(self.tenant_id, connection)
        return [tenant, self.caller, self.method, self.path, self.key]

    def lock_id(self):
        """A signed 64-bit number for ``pg_try_advisory_xact_lock`` (collisions only make a caller wait)."""
        digest = hashlib.sha256("\0".join(map(str, [self.tenant_id, *self.params()[1:]])).encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key: whether this run holds it, and the record of an earlier run."""

    locked: bool
    fingerprint: str | None = None
    response: HttpResponse | None = None


def claim(scope: KeyScope) -> Claim:
    """Lock the key for this transaction and read its live record, in one statement (PostgreSQL)."""
    lock = "pg_try_advisory_xact_lock(%s)" if connection.vendor == "postgresql" else "%s IS NOT NULL"
    sql = (
        f"SELECT {lock}, r.fingerprint, r.status, r.headers, r.body, r.created_at < %s "
        f"FROM (SELECT 1) AS one LEFT JOIN {TABLE} AS r ON {SCOPE.replace('tenant_id', 'r.tenant_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope.lock_id(), now_to_the_second() - retention(), *scope.params()])
        locked, fingerprint, status, headers, body, expired = cursor.fetchone()
    if fingerprint is None or not locked:
        return Claim(locked=bool(locked))
    if expired:  # forgotten: the key starts afresh
        forget(scope)
        return Claim(locked=True)
    return Claim(locked=True, fingerprint=fingerprint, response=replay(status, headers, body))


def store(scope: KeyScope, fingerprint: str, response) -> bool:
    """Insert the response as the key's record; False when another run stored one first."""
    headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    sql = (
        f"INSERT INTO {TABLE} (tenant_id, caller, method, path, key, fingerprint, status, headers, body, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id"
    )
    params = [*scope.params(), fingerprint, response.status_code, json.dumps(headers), bytes(response.content)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now_to_the_second()])
        return cursor.fetchone() is not None


def stored_response(scope: KeyScope) -> tuple[str, HttpResponse] | None:
    """The fingerprint and replay of the key's record, read outside any lock (after a lost race)."""
    record = IdempotencyRecord.objects.for_tenant(scope.tenant_id).filter(
        caller=scope.caller, method=scope.method, path=scope.path, key=scope.key
    )
    row = record.values_list("fingerprint", "status", "headers", "body").first()
    if row is None:
        return None
    fingerprint, status, headers, body = row
    return fingerprint, replay(status, headers, body)


def replay(status, headers, body) -> HttpResponse:
    """The stored response again, byte for byte in its body, marked ``Idempotent-Replayed: true``."""
    response = HttpResponse(bytes(body), status=status, headers=json.loads(headers))
    if "Content-Type" not in json.loads(headers):
        del response["Content-Type"]
    response["Idempotent-Replayed"] = "true"
    return response


def forget(scope: KeyScope) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE {SCOPE}", scope.params())


def retention() -> timedelta:
    return timedelta(hours=service_settings.IDEMPOTENCY_KEY_HOURS)


def prune(*, batch_size: int = 1000) -> int:
    """Delete every record older than the retention, tenant by tenant in short transactions (each served by
    the (tenant, created_at) index); how many were deleted."""
    cutoff = now_to_the_second() - retention()
    removed = 0
    for tenant_id in Tenant.objects.values_list("pk", flat=True).iterator():
        old = IdempotencyRecord.objects.for_tenant(tenant_id).filter(created_at__lt=cutoff)
        while True:
            with transaction.atomic():
                ids = list(old.values_list("pk", flat=True)[:batch_size])
                IdempotencyRecord.objects.for_tenant(tenant_id).filter(pk__in=ids).delete()
            removed += len(ids)
            if len(ids) < batch_size:
                break
    return removed
