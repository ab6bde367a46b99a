"""Writes to linked metadata. GraphQL (createMetadata / updateMetadata / deleteMetadata) and the admin write
through these functions; each cleans its input with ``linked_metadata.rules`` first.

Every change of a key writes its revision (``LinkedMetadataRevision``) in the same transaction, with the
``Actor`` who made it; a write that changes nothing writes none.
"""

import functools
import json
import uuid
from typing import Any

from django.db import connection, transaction

from changes.recording import record_linked_change
from linked_metadata.exceptions import LinkedMetadataKeyExists, LinkedMetadataKeyNotFound
from linked_metadata.models import LinkedMetadata, LinkedMetadataRevision, LinkedRevisionOperation
from linked_metadata.rules import CleanLinkedInput, clean_linked_input
from metadata_service.conf import service_settings
from metadata_service.statements import Sql, combines_statements, fetch_one, insert_select_sql, instance_from_row
from metadata_service.timestamps import now_to_the_second
from tenants.identity import Actor, ChangeAuthorship
from tenants.quotas import effective, limit_sql, require_within
from tenants.registry import tenant_still_registered

LINKED_KEY_COLUMNS = ("tenant_id", "linked_object_type", "identifier", "key")


def linked_metadata_create(
    *,
    tenant_id: uuid.UUID,
    linked_object_type: str,
    identifier: str,
    key: str,
    value: Any,
    actor: Actor,
    batch_id: uuid.UUID | None = None,
) -> LinkedMetadata:
    """Add ``key`` to the linked object; ``LinkedMetadataKeyExists`` if it is there (also if a racing create won)."""
    clean = clean_linked_input(linked_object_type=linked_object_type, identifier=identifier, key=key, value=value)
    with tenant_still_registered(), transaction.atomic():
        if not _insert_linked(tenant_id, clean, on_conflict="DO NOTHING"):
            raise LinkedMetadataKeyExists()
        _require_keys_within_quota(tenant_id, clean)
        row = _linked_row(tenant_id, clean)
        _record(row, LinkedRevisionOperation.CREATED, actor, batch_id)
        return row


def linked_metadata_upsert(
    *,
    tenant_id: uuid.UUID,
    linked_object_type: str,
    identifier: str,
    key: str,
    value: Any,
    actor: Actor,
    batch_id: uuid.UUID | None = None,
) -> LinkedMetadata:
    """Create ``key`` at version 1, or replace its value and bump its version, in one atomic statement.

    ``INSERT ... ON CONFLICT (tenant, object, key) DO UPDATE`` never makes a second row and never
    fails on a racing writer (PostgreSQL and SQLite). A value equal to the stored one changes nothing.
    """
    clean = clean_linked_input(linked_object_type=linked_object_type, identifier=identifier, key=key, value=value)
    replace_value = _replace_value(connection.vendor)
    with tenant_still_registered(), transaction.atomic():
        if combines_statements():
            return _upsert_with_revision(tenant_id, clean, replace_value, actor, batch_id)
        changed = _insert_linked(tenant_id, clean, on_conflict=replace_value)
        row = _linked_row(tenant_id, clean)  # the row is ours (inserted, updated or locked) until commit
        if changed and row.version == 1:
            _require_keys_within_quota(tenant_id, clean)
        if changed:  # inserted at version 1, or updated to a later one
            operation = LinkedRevisionOperation.CREATED if row.version == 1 else LinkedRevisionOperation.UPDATED
            _record(row, operation, actor, batch_id)
        return row


def _upsert_with_revision(tenant_id, clean, replace_value, actor, batch_id):
    """The upsert on PostgreSQL: the row it inserted or updated comes back from the statement that wrote it,
    with its revision inserted in the same statement (a CTE); an unchanged value writes neither."""
    columns = _row_columns(connection.vendor)
    upsert, upsert_params = _insert_linked_sql(tenant_id, clean, on_conflict=replace_value, returning=columns)
    revision, revision_params = insert_select_sql(_upserted_revision(tenant_id, clean, actor, batch_id), "upserted")
    sql = f"WITH upserted AS ({upsert}), revised AS ({revision}) SELECT {columns} FROM upserted"
    values = fetch_one(sql, [*upsert_params, *revision_params])
    if values is None:  # the value was the stored one: nothing changed (the row stays locked to the commit)
        return _linked_row(tenant_id, clean)
    row = instance_from_row(LinkedMetadata, values)
    if row.version == 1:
        _require_keys_within_quota(tenant_id, clean)
    operation = LinkedRevisionOperation.CREATED if row.version == 1 else LinkedRevisionOperation.UPDATED
    _prune_revisions(row)
    _record_event(row, operation, actor, batch_id)
    return row


def _upserted_revision(tenant_id, clean, actor, batch_id):
    """The revision of the row in the CTE ``upserted``: its version, value and time, ``created`` at version 1."""
    operation = Sql(
        'CASE WHEN upserted."version" = 1 THEN %s ELSE %s END',
        (str(LinkedRevisionOperation.CREATED), str(LinkedRevisionOperation.UPDATED)),
    )
    return LinkedMetadataRevision(
        tenant_id=tenant_id,
        linked_object_type=clean.linked_object_type,
        identifier=clean.identifier,
        key=clean.key,
        version=Sql('upserted."version"'),
        operation=operation,
        value=Sql('upserted."value"'),
        **ChangeAuthorship.columns_of(actor, batch_id),
        created_at=Sql('upserted."updated_at"'),
    )


def linked_metadata_delete(
    *,
    tenant_id: uuid.UUID,
    linked_object_type: str,
    identifier: str,
    key: str,
    actor: Actor,
    batch_id: uuid.UUID | None = None,
) -> LinkedMetadata:
    """Remove ``key`` from the linked object and return it as it was; ``LinkedMetadataKeyNotFound`` if absent.

    The deletion is a change: its revision has the next version and no value.
    """
    clean = clean_linked_input(linked_object_type=linked_object_type, identifier=identifier, key=key)
    rows = LinkedMetadata.objects.for_tenant(tenant_id)
    with tenant_still_registered(), transaction.atomic():  # its revision names the tenant
        row = rows.filter(**_linked_lookup(clean)).select_for_update().first()
        if row is None or not rows.filter(pk=row.pk).delete()[0]:
            raise LinkedMetadataKeyNotFound()
        gone = LinkedMetadata(
            tenant_id=row.tenant_id,
            linked_object_type=row.linked_object_type,
            identifier=row.identifier,
            key=row.key,
            value=None,
            version=row.version + 1,
            updated_at=now_to_the_second(),
        )
        _record(gone, LinkedRevisionOperation.DELETED, actor, batch_id)
    return row


def _record(row: LinkedMetadata, operation: str, actor: Actor, batch_id: uuid.UUID | None) -> None:
    """Write the revision of the change that left ``row`` as it is; prune beyond ``REVISIONS_KEEP``; then its
    event in the change feed (last: the feed's counter row stays locked from there to the commit)."""
    LinkedMetadataRevision.objects.create(
        tenant_id=row.tenant_id,
        linked_object_type=row.linked_object_type,
        identifier=row.identifier,
        key=row.key,
        version=row.version,
        operation=operation,
        value=row.value,
        **ChangeAuthorship.columns_of(actor, batch_id),
        created_at=row.updated_at,
    )
    _prune_revisions(row)
    _record_event(row, operation, actor, batch_id)


def _prune_revisions(row: LinkedMetadata) -> None:
    """Until a key passes ``REVISIONS_KEEP`` versions there is nothing to prune, and no query is made."""
    keep = service_settings.REVISIONS_KEEP
    if row.version > keep:
        revisions = linked_revisions(row.tenant_id, row.linked_object_type, row.identifier, row.key)
        stale = list(revisions.values_list("id", flat=True)[keep : keep + 100])
        if stale:
            revisions.filter(id__in=stale).delete()


def _record_event(row: LinkedMetadata, operation: str, actor: Actor, batch_id: uuid.UUID | None) -> None:
    record_linked_change(
        tenant_id=row.tenant_id,
        operation=operation,
        linked_object_type=row.linked_object_type,
        identifier=row.identifier,
        key=row.key,
        value=row.value,
        version=row.version,
        occurred_at=row.updated_at,
        actor=actor,
        batch_id=batch_id,
    )


def linked_revisions(tenant_id: uuid.UUID, linked_object_type: str, identifier: str, key: str):
    """The revisions of one key of one linked object, newest first (also those of a deleted key)."""
    return (
        LinkedMetadataRevision.objects.for_tenant(tenant_id)
        .filter(linked_object_type=linked_object_type, identifier=identifier, key=key)
        .order_by("-id")
    )


def _insert_linked(tenant_id: uuid.UUID, clean: CleanLinkedInput, *, on_conflict: str) -> bool:
    """Run one ``INSERT ... ON CONFLICT ... RETURNING id``; whether it inserted or updated a row."""
    returning = connection.ops.quote_name("id")
    sql, parameters = _insert_linked_sql(tenant_id, clean, on_conflict=on_conflict, returning=returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone() is not None


def _insert_linked_sql(tenant_id: uuid.UUID, clean: CleanLinkedInput, *, on_conflict: str, returning: str):
    """``INSERT ... ON CONFLICT ... RETURNING returning`` of the key, and its parameters."""
    field = LinkedMetadata._meta.get_field
    now = now_to_the_second()
    sql = _insert_linked_text(connection.vendor, on_conflict, returning)
    parameters = [
        field("tenant").get_db_prep_value(tenant_id, connection),
        clean.linked_object_type,
        clean.identifier,
        clean.key,
        json.dumps(clean.value, ensure_ascii=False),
        field("created_at").get_db_prep_value(now, connection),
        field("updated_at").get_db_prep_value(now, connection),
    ]
    return sql, parameters


# The statements' text changes only with the database (its quoting), so it is written once per vendor (and
# conflict clause): quoting every column on every write cost more than the rest of building the statement.


@functools.cache
def _insert_linked_text(vendor: str, on_conflict: str, returning: str) -> str:
    """The text of ``_insert_linked_sql``'s statement (its values are parameters, in that order)."""
    quote = connection.ops.quote_name
    columns = (*LINKED_KEY_COLUMNS, "value", "version", "created_at", "updated_at")
    json_parameter = "CAST(%s AS jsonb)" if vendor == "postgresql" else "%s"
    return (
        f"INSERT INTO {quote(LinkedMetadata._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES (%s, %s, %s, %s, {json_parameter}, 1, %s, %s) "
        f"ON CONFLICT ({', '.join(quote(c) for c in LINKED_KEY_COLUMNS)}) {on_conflict} RETURNING {returning}"
    )


@functools.cache
def _replace_value(vendor: str) -> str:
    """The upsert's conflict clause: a new value replaces the stored one and bumps the version; the same
    value changes nothing (no row comes back)."""
    table = connection.ops.quote_name(LinkedMetadata._meta.db_table)
    return (
        f"DO UPDATE SET value = EXCLUDED.value, version = {table}.version + 1, updated_at = EXCLUDED.updated_at "
        f"WHERE {table}.value <> EXCLUDED.value"
    )


@functools.cache
def _row_columns(vendor: str) -> str:
    """Every concrete column of ``LinkedMetadata``, quoted, in field order (``instance_from_row``'s)."""
    return ", ".join(connection.ops.quote_name(field.column) for field in LinkedMetadata._meta.concrete_fields)


def _require_keys_within_quota(tenant_id: uuid.UUID, clean: CleanLinkedInput) -> None:
    """``max_linked_keys_per_object``, counted after a new key's insert under a lock per object: a racing
    writer of another key counts once this one has committed (or rolled back), so none overshoots.

    The count is a statement of its own after the lock's (a statement sees what had committed when it
    started); the limit comes with it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            lock = f"linked-object:{tenant_id}:{clean.linked_object_type}:{clean.identifier}"
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [lock])
    keys = LinkedMetadata.objects.for_tenant(tenant_id).filter(
        linked_object_type=clean.linked_object_type, identifier=clean.identifier
    )
    quota = "max_linked_keys_per_object"
    count_sql, count_params = keys.order_by().values("pk").query.sql_with_params()
    limit, limit_params = limit_sql(tenant_id, quota)
    sql = f"SELECT (SELECT COUNT(*) FROM ({count_sql}) AS keys), {limit}"
    counted, own = fetch_one(sql, [*count_params, *limit_params])
    require_within(tenant_id, quota, counted, effective(quota, own), used=counted - 1)


def _linked_lookup(clean: CleanLinkedInput) -> dict[str, Any]:
    return {"linked_object_type": clean.linked_object_type, "identifier": clean.identifier, "key": clean.key}


def _linked_row(tenant_id: uuid.UUID, clean: CleanLinkedInput) -> LinkedMetadata:
    return LinkedMetadata.objects.for_tenant(tenant_id).get(**_linked_lookup(clean))
