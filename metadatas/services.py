"""Writes to metadata resources. REST, GraphQL and the admin all write through these functions.

Every change of a resource writes its revision (``MetadataRevision``) in the same transaction: if the
change is stored, so is its revision, and never one without the other. Each takes the ``Actor`` who
makes it and, for a change inside a batch, the batch's id.
"""

import copy
import json
import logging
import uuid
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from rest_framework.exceptions import NotFound, ValidationError

from metadatas.exceptions import (
    LinkedMetadataKeyExists,
    LinkedMetadataKeyNotFound,
    NotDeleted,
    PreconditionFailed,
    SlugTaken,
    VersionConflict,
)
from metadatas.linked_rules import clean_linked_input
from metadatas.models import (
    LinkedMetadata,
    Metadata,
    MetadataRevision,
    RevisionOperation,
    now_to_the_second,
    title_search_text,
)
from metadatas.revisions import DELETED_AT, WRITABLE_FIELDS, changed_fields, model_changes, state_of
from tenants.identity import Actor

logger = logging.getLogger("metadatas.history")

UNIQUE_IN_TENANT_MESSAGES = {
    "slug": "A resource with this slug already exists in this tenant.",
    "uuid": "A resource with this uuid already exists in this tenant.",
}


@contextmanager
def unique_fields_checked(*, slug_taken: str | None = None):
    """One transaction; a unique-constraint violation in it (also one lost to a concurrent write) rolls it
    back whole and becomes a 400 on its field, or a 409 ``SlugTaken`` when ``slug_taken`` names the slug
    (an undelete or restore, where the caller did not choose the slug)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        field = next((name for name in UNIQUE_IN_TENANT_MESSAGES if name in str(exc)), None)
        if field is None:
            raise
        if field == "slug" and slug_taken is not None:
            raise SlugTaken(slug_taken) from None
        raise ValidationError({field: [UNIQUE_IN_TENANT_MESSAGES[field]]}) from None


def metadata_create(*, tenant_id, fields: dict, actor: Actor, batch_id: uuid.UUID | None = None) -> Metadata:
    """Insert a new resource at version 1 in ``tenant_id``, with its ``created`` revision."""
    metadata = Metadata(tenant_id=tenant_id, **fields)
    with unique_fields_checked():
        metadata.save(force_insert=True)
        _record(metadata, RevisionOperation.CREATED, changed_fields(WRITABLE_FIELDS), actor, batch_id)
    return metadata


def metadata_update(
    *, metadata: Metadata, expected_version: int, changes: dict, actor: Actor, batch_id: uuid.UUID | None = None
) -> Metadata:
    """Apply ``changes`` if the stored row is still at ``expected_version``, and bump the version.

    The check and the write are one statement, ``UPDATE ... WHERE id = %s AND version = %s``:
    of several concurrent updates that read the same version, exactly one changes the row (and
    writes a revision); the others raise ``VersionConflict``. ``metadata`` is updated in memory to
    what was stored. Changes equal to the stored values change nothing and write no revision.
    """
    if metadata.version != expected_version:
        raise VersionConflict(current_version=metadata.version, given_version=expected_version)
    changes = {name: value for name, value in changes.items() if _differs(getattr(metadata, name), value)}
    if not changes:
        return metadata
    return _compare_and_swap(metadata, expected_version, changes, RevisionOperation.UPDATED, actor, batch_id)


def metadata_restore(
    *,
    metadata: Metadata,
    revision: MetadataRevision,
    expected_version: int,
    actor: Actor,
    batch_id: uuid.UUID | None = None,
) -> Metadata:
    """Give the resource the writable fields of ``revision`` as a new version (``restored``), by the same
    compare-and-swap as an update. A slug that another live resource holds now is a ``SlugTaken``."""
    if metadata.version != expected_version:
        raise VersionConflict(current_version=metadata.version, given_version=expected_version)
    changes = model_changes(revision.state)
    return _compare_and_swap(
        metadata, expected_version, changes, RevisionOperation.RESTORED, actor, batch_id, slug_taken=changes["slug"]
    )


def metadata_delete(
    *, metadata: Metadata, expected_version: int | None = None, actor: Actor, batch_id: uuid.UUID | None = None
) -> Metadata:
    """Mark the resource deleted (a new version, ``deleted``); with ``expected_version``, only at that version."""
    with transaction.atomic():
        row = _locked_row(metadata, deleted=False)
        if expected_version is not None and row.version != expected_version:
            raise PreconditionFailed(current_version=row.version)
        now = now_to_the_second()
        _write(row, {"deleted_at": now, "updated_at": now, "version": row.version + 1})
        _record(row, RevisionOperation.DELETED, [DELETED_AT], actor, batch_id)
    return row


def metadata_undelete(
    *, metadata: Metadata, expected_version: int | None = None, actor: Actor, batch_id: uuid.UUID | None = None
) -> Metadata:
    """Make a deleted resource live again (a new version, ``undeleted``).

    ``NotDeleted`` if it is live; ``VersionConflict`` if ``expected_version`` is stale; ``SlugTaken``
    if another live resource took its slug meanwhile (nothing changes then).
    """
    with unique_fields_checked(slug_taken=metadata.slug):
        row = _locked_row(metadata, deleted=None)
        if row.deleted_at is None:
            raise NotDeleted()
        if expected_version is not None and row.version != expected_version:
            raise VersionConflict(current_version=row.version, given_version=expected_version)
        _write(row, {"deleted_at": None, "updated_at": now_to_the_second(), "version": row.version + 1})
        _record(row, RevisionOperation.UNDELETED, [DELETED_AT], actor, batch_id)
    return row


def metadata_purge(*, metadata: Metadata, expected_version: int | None = None, actor: Actor) -> None:
    """Remove the resource (live or deleted) and all its revisions for good: the erasure path.

    Logged with the tenant, the uuid and the actor, never the content.
    """
    with transaction.atomic():
        row = _locked_row(metadata, deleted=None)
        if expected_version is not None and row.version != expected_version:
            raise PreconditionFailed(current_version=row.version)
        _revisions_of(row).delete()
        _same_row(row, deleted=None).delete()
    logger.info(
        "purged metadata resource tenant=%s uuid=%s actor=%s:%s:%s",
        row.tenant_id,
        row.uuid,
        actor.type,
        actor.uuid or "-",
        actor.user or "-",
    )


def purge_deleted(*, deleted_before: datetime, batch_size: int = 500) -> int:
    """Remove every resource deleted before ``deleted_before``, with its revisions; how many were removed.

    Works in batches of short transactions that skip rows another transaction holds (an undelete in
    flight), so it can run from cron while the service serves; running it twice removes nothing more.
    """
    removed = 0
    while True:
        with transaction.atomic():
            doomed = Metadata.objects.filter(deleted_at__lt=deleted_before).select_for_update(skip_locked=True)
            keys = list(doomed.values_list("tenant_id", "id")[:batch_size])
            for tenant_id, pk in keys:
                MetadataRevision.objects.for_tenant(tenant_id).filter(metadata_id=pk).delete()
            Metadata.objects.filter(pk__in=[pk for _, pk in keys], deleted_at__lt=deleted_before).delete()
        removed += len(keys)
        if len(keys) < batch_size:
            return removed


def _compare_and_swap(metadata, expected_version, changes, operation, actor, batch_id, *, slug_taken=None):
    """``UPDATE ... WHERE version = expected`` and the revision, in one transaction (see metadata_update)."""
    values = _new_values(expected_version, changes)
    after = copy.copy(metadata)
    with unique_fields_checked(slug_taken=slug_taken):
        updated = _same_row(metadata).filter(version=expected_version).update(**values)
        if not updated:
            raise VersionConflict(current_version=_current_version(metadata), given_version=expected_version)
        changed = [name for name in changes if _differs(getattr(metadata, name), changes[name])]
        for name, value in values.items():
            setattr(after, name, value)
        _record(after, operation, changed_fields(changed), actor, batch_id)
    for name, value in values.items():
        setattr(metadata, name, value)
    return metadata


def _record(metadata, operation, changed, actor, batch_id):
    """Write the revision of the change that left ``metadata`` as it is, and prune beyond ``REVISIONS_KEEP``.

    Versions of a resource are consecutive and each has its revision, so the ones to prune are known
    from the new version alone: no query at all until a resource passes ``REVISIONS_KEEP`` versions.
    """
    MetadataRevision.objects.create(
        tenant_id=metadata.tenant_id,
        metadata_id=metadata.pk,
        version=metadata.version,
        operation=operation,
        changed=changed,
        state=state_of(metadata),
        actor_type=actor.type,
        actor_uuid=actor.uuid,
        actor_user=actor.user or "",
        request_id=actor.request_id or "",
        batch_id=batch_id,
        created_at=metadata.updated_at,
    )
    keep = settings.METADATA_SERVICE["REVISIONS_KEEP"]
    if metadata.version > keep:
        _revisions_of(metadata).filter(version__lte=metadata.version - keep).delete()


def _locked_row(metadata, *, deleted):
    """The stored row, locked until the transaction ends (PostgreSQL; SQLite writers queue at BEGIN)."""
    row = _same_row(metadata, deleted=deleted).select_for_update().first()
    if row is None:
        raise NotFound()
    return row


def _write(row, values):
    _same_row(row, deleted=None).update(**values)
    for name, value in values.items():
        setattr(row, name, value)


def _revisions_of(metadata):
    return MetadataRevision.objects.for_tenant(metadata.tenant_id).filter(metadata_id=metadata.pk)


def _differs(old, new):
    """Compare as JSON, where ``true`` is not ``1`` and key order does not count."""
    if isinstance(old, (dict, list)) or isinstance(new, (dict, list)):
        return json.dumps(old, sort_keys=True) != json.dumps(new, sort_keys=True)
    return old != new


def _new_values(expected_version, changes):
    values = {**changes, "version": expected_version + 1, "updated_at": now_to_the_second()}
    if "title" in changes:
        values["title_search"] = title_search_text(changes["title"])
    return values


def _same_row(metadata, *, deleted=False):
    return Metadata.objects.for_tenant(metadata.tenant_id, deleted=deleted).filter(pk=metadata.pk)


def _current_version(metadata):
    version = _same_row(metadata).values_list("version", flat=True).first()
    if version is None:
        raise NotFound()
    return version


# --- Linked metadata (GraphQL createMetadata / updateMetadata / deleteMetadata, and the admin) ---

LINKED_KEY_COLUMNS = ("tenant_id", "linked_object_type", "identifier", "key")


def linked_metadata_create(*, tenant_id, linked_object_type, identifier, key, value):
    """Add ``key`` to the linked object; ``LinkedMetadataKeyExists`` if it is there (also if a racing create won)."""
    clean = clean_linked_input(linked_object_type=linked_object_type, identifier=identifier, key=key, value=value)
    with transaction.atomic():
        if not _insert_linked(tenant_id, clean, on_conflict="DO NOTHING"):
            raise LinkedMetadataKeyExists()
        return _linked_row(tenant_id, clean)


def linked_metadata_upsert(*, tenant_id, linked_object_type, identifier, key, value):
    """Create ``key`` at version 1, or replace its value and bump its version, in one atomic statement.

    ``INSERT ... ON CONFLICT (tenant, object, key) DO UPDATE`` never makes a second row and never
    fails on a racing writer (PostgreSQL and SQLite). A value equal to the stored one changes nothing.
    """
    clean = clean_linked_input(linked_object_type=linked_object_type, identifier=identifier, key=key, value=value)
    table = connection.ops.quote_name(LinkedMetadata._meta.db_table)
    replace_value = (
        f"DO UPDATE SET value = EXCLUDED.value, version = {table}.version + 1, updated_at = EXCLUDED.updated_at "
        f"WHERE {table}.value <> EXCLUDED.value"
    )
    with transaction.atomic():
        _insert_linked(tenant_id, clean, on_conflict=replace_value)
        return _linked_row(tenant_id, clean)  # the row is ours (inserted, updated or locked) until commit


def linked_metadata_delete(*, tenant_id, linked_object_type, identifier, key):
    """Remove ``key`` from the linked object and return it as it was; ``LinkedMetadataKeyNotFound`` if absent."""
    clean = clean_linked_input(linked_object_type=linked_object_type, identifier=identifier, key=key)
    rows = LinkedMetadata.objects.for_tenant(tenant_id)
    row = rows.filter(**_linked_lookup(clean)).first()
    if row is None or not rows.filter(pk=row.pk).delete()[0]:
        raise LinkedMetadataKeyNotFound()
    return row


def _insert_linked(tenant_id, clean, *, on_conflict):
    """Run one ``INSERT ... ON CONFLICT ... RETURNING id``; whether it inserted or updated a row."""
    field = LinkedMetadata._meta.get_field
    quote = connection.ops.quote_name
    now = now_to_the_second()
    columns = (*LINKED_KEY_COLUMNS, "value", "version", "created_at", "updated_at")
    json_parameter = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"INSERT INTO {quote(LinkedMetadata._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES (%s, %s, %s, %s, {json_parameter}, 1, %s, %s) "
        f"ON CONFLICT ({', '.join(quote(c) for c in LINKED_KEY_COLUMNS)}) {on_conflict} RETURNING {quote('id')}"
    )
    parameters = [
        field("tenant").get_db_prep_value(tenant_id, connection),
        clean.linked_object_type,
        clean.identifier,
        clean.key,
        json.dumps(clean.value, ensure_ascii=False),
        field("created_at").get_db_prep_value(now, connection),
        field("updated_at").get_db_prep_value(now, connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone() is not None


def _linked_lookup(clean):
    return {"linked_object_type": clean.linked_object_type, "identifier": clean.identifier, "key": clean.key}


def _linked_row(tenant_id, clean):
    return LinkedMetadata.objects.for_tenant(tenant_id).get(**_linked_lookup(clean))
