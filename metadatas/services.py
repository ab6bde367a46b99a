"""Writes to metadata resources. The REST API and the admin write through these functions (batches too).

Every change of a resource writes its revision (``MetadataRevision``) in the same transaction: if the
change is stored, so is its revision, and never one without the other. Each takes the ``Actor`` who
makes it and, for a change inside a batch, the batch's id.
"""

import copy
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.exceptions import NotFound, ValidationError

from changes.recording import record_metadata_change, record_metadata_changes, record_purge
from metadata_service.conf import service_settings
from metadata_service.statements import (
    CompiledDelete,
    CompiledUpdate,
    PreparedRows,
    Sql,
    combines_statements,
    fetch_all,
    fetch_one,
    insert_select_sql,
)
from metadata_service.timestamps import now_to_the_second
from metadatas.data_rules import check_resource_data
from metadatas.exceptions import NotDeleted, PreconditionFailed, SlugTaken, VersionConflict
from metadatas.models import Metadata, MetadataRevision, RevisionOperation, title_search_text
from metadatas.revisions import DELETED_AT, WRITABLE_FIELDS, changed_fields, model_changes, state_of
from metadatas.serializers import metadata_representation
from tenants.counters import METADATA_IDS
from tenants.identity import Actor, ChangeAuthorship
from tenants.quotas import count_down, count_up, effective, json_size, limit_of, limit_sql, require_within
from tenants.registry import tenant_still_registered

logger = logging.getLogger("metadatas.history")

# The count quota of live resources (tenants/quotas.py): raised by a create and an undelete, lowered by a
# delete and by the purge of a live resource, in the write's transaction.
LIVE_RESOURCES = "max_resources"

# The unique constraints of Metadata (models.py), by name, and the field each one is reported on.
UNIQUE_IN_TENANT = {
    "metadata_tenant_live_slug_unique": ("slug", "A resource with this slug already exists in this tenant."),
    "metadata_tenant_uuid_unique": ("uuid", "A resource with this uuid already exists in this tenant."),
}


@contextmanager
def unique_fields_checked(*, slug_taken: str | None = None) -> Iterator[None]:
    """One transaction; a unique-constraint violation in it (also one lost to a concurrent write) rolls it
    back whole and becomes a 400 on its field, or a 409 ``SlugTaken`` when ``slug_taken`` names the slug
    (an undelete or restore, where the caller did not choose the slug).

    Violations are told apart by the constraint's name, never by words in the message: a write whose
    tenant was deleted meanwhile breaks the tenant's foreign key, and is the 401 of an unknown tenant.
    """
    try:
        with tenant_still_registered(), transaction.atomic():
            yield
    except IntegrityError as exc:
        violated = UNIQUE_IN_TENANT.get(violated_constraint(exc) or "")
        if violated is None:
            raise
        field, message = violated
        if field == "slug" and slug_taken is not None:
            raise SlugTaken(slug_taken) from None
        raise ValidationError({field: [message]}) from None


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint ``exc`` broke: PostgreSQL names it; SQLite names its columns instead."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    if name:
        return name
    columns = {column.split(".")[-1] for column in str(exc).partition(":")[2].replace(" ", "").split(",")}
    for constraint in Metadata._meta.constraints:
        fields = {Metadata._meta.get_field(field).column for field in getattr(constraint, "fields", ())}
        if fields and fields == columns:
            return constraint.name
    return None


def metadata_create(
    *, tenant_id: uuid.UUID, fields: dict[str, Any], actor: Actor, batch_id: uuid.UUID | None = None
) -> Metadata:
    """Insert a new resource at version 1 in ``tenant_id``, with its ``created`` revision, once its
    ``data`` passes the data rules (in the same transaction).

    The tenant's counters are taken as late as they can be: they stay locked to the commit, and every
    other create of the tenant waits there. Its id, its count and the limits it is checked against come in
    one statement, the row and its revision in the next, its event in the last.
    """
    metadata = Metadata(tenant_id=tenant_id, **fields)
    metadata.title_search = title_search_text(metadata.title)
    size, created = json_size(metadata.title, metadata.data), changed_fields(WRITABLE_FIELDS)
    with unique_fields_checked():
        check_resource_data(tenant_id=tenant_id, type=metadata.type, data=metadata.data)
        revision = _revision(metadata, RevisionOperation.CREATED, created, actor, batch_id)
        new_row = NewRowsWithRevisions([metadata], [revision])
        taken = count_up(tenant_id, LIVE_RESOURCES, also={METADATA_IDS: 1}, sizes={"max_resource_bytes": size})
        new_row.insert(ids=taken[METADATA_IDS])
        _record_event(metadata, RevisionOperation.CREATED, created, actor, batch_id)
    return metadata


def metadata_create_many(
    *, tenant_id: uuid.UUID, fields_list: list[dict[str, Any]], actor: Actor, batch_id: uuid.UUID | None = None
) -> list[Metadata]:
    """``metadata_create`` of several resources in one transaction, in a handful of statements: their ids
    with the quota's count in one, the rows with their revisions in one, their events in one. The same
    checks run on every resource.

    Rows and revisions are prepared before the tenant's counters are taken (``NewRowsWithRevisions``):
    the counters stay locked to the commit, and every other write of the tenant waits there.

    A failure does not say which resource failed: a caller that must say so (a batch) creates them one by
    one after it (``metadatas/batch.py``).
    """
    rows = [Metadata(tenant_id=tenant_id, **fields) for fields in fields_list]
    with unique_fields_checked():
        bytes_limit = limit_of(tenant_id, "max_resource_bytes")
        for row in rows:
            check_resource_data(tenant_id=tenant_id, type=row.type, data=row.data)
            require_within(tenant_id, "max_resource_bytes", json_size(row.title, row.data), bytes_limit)
            row.title_search = title_search_text(row.title)
        created = changed_fields(WRITABLE_FIELDS)
        revisions = [_revision(row, RevisionOperation.CREATED, created, actor, batch_id) for row in rows]
        new_rows = NewRowsWithRevisions(rows, revisions)
        taken = count_up(tenant_id, LIVE_RESOURCES, by=len(rows), also={METADATA_IDS: len(rows)})
        new_rows.insert(ids=taken[METADATA_IDS])
        record_metadata_changes(
            tenant_id=tenant_id,
            operation=RevisionOperation.CREATED,
            resources=[metadata_representation(row) for row in rows],
            changed=created,
            actor=actor,
            batch_id=batch_id,
        )
    return rows


class NewRowsWithRevisions:
    """New resources and their revisions, their values adapted when this is made; ``insert`` gives the rows
    their ids and stores both, in one statement on PostgreSQL (each revision names its row's key through
    the statement's CTE), else by the ORM's ``bulk_create``."""

    def __init__(self, rows: list[Metadata], revisions: list[MetadataRevision]):
        self.rows, self.revisions = rows, revisions
        self.combined = combines_statements()
        if self.combined:
            self.prepared_rows = PreparedRows(rows, later=("id",))
            self.prepared_revisions = PreparedRows(revisions, later=("metadata_id",))

    def insert(self, *, ids: range) -> None:
        for row, number in zip(self.rows, ids, strict=True):
            row.id = number
        if not self.combined:
            Metadata.objects.bulk_create(self.rows)
            for revision, row in zip(self.revisions, self.rows, strict=True):
                revision.metadata_id = row.pk
            MetadataRevision.objects.bulk_create(self.revisions)
            return
        row_sql, row_params = self.prepared_rows.sql(id=ids, returning=("row", "id"))
        keys = [Sql('SELECT "row" FROM inserted WHERE "id" = %s', [number]) for number in ids]
        revision_sql, revision_params = self.prepared_revisions.sql(metadata_id=keys, returning=("id", "metadata"))
        stored = fetch_all(f"WITH inserted AS ({row_sql}) {revision_sql}", [*row_params, *revision_params])
        for revision, row, (key, row_key) in zip(self.revisions, self.rows, stored, strict=True):
            revision.pk, revision.metadata_id, row.pk = key, row_key, row_key
        self.prepared_rows.mark_stored()
        self.prepared_revisions.mark_stored()


def metadata_update(
    *,
    metadata: Metadata,
    expected_version: int,
    changes: dict[str, Any],
    actor: Actor,
    batch_id: uuid.UUID | None = None,
) -> Metadata:
    """Apply ``changes`` if the stored row is still at ``expected_version``, and bump the version.

    The check and the write are one statement, ``UPDATE ... WHERE id = %s AND version = %s``:
    of several concurrent updates that read the same version, exactly one changes the row (and
    writes a revision); the others raise ``VersionConflict``. ``metadata`` is updated in memory to
    what was stored. Changes equal to the stored values change nothing and write no revision.
    The resulting ``type`` and ``data`` pass the data rules first, in the same transaction.
    """
    if metadata.version != expected_version:
        raise VersionConflict(current_version=metadata.version, given_version=expected_version)
    changes = _differing(metadata, changes)
    if not changes:
        return metadata
    return _compare_and_swap(
        metadata, expected_version, changes, list(changes), RevisionOperation.UPDATED, actor, batch_id
    )


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
    changed = list(_differing(metadata, changes))
    return _compare_and_swap(
        metadata,
        expected_version,
        changes,
        changed,
        RevisionOperation.RESTORED,
        actor,
        batch_id,
        slug_taken=changes["slug"],
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
        count_down(row.tenant_id, LIVE_RESOURCES)
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
        count_up(row.tenant_id, LIVE_RESOURCES)
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
        record_purge(tenant_id=row.tenant_id, resource_uuid=row.uuid)
        if row.deleted_at is None:
            count_down(row.tenant_id, LIVE_RESOURCES)
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
            keys = list(doomed.values_list("tenant_id", "pk", "uuid")[:batch_size])
            for tenant_id, pk, _ in keys:
                MetadataRevision.objects.for_tenant(tenant_id).filter(metadata_id=pk).delete()
            Metadata.objects.filter(pk__in=[pk for _, pk, _ in keys], deleted_at__lt=deleted_before).delete()
            # Tenants in one order, so two runs at once never wait for each other's feed counters crosswise.
            for tenant_id, _, resource_uuid in sorted(keys, key=lambda key: str(key[0])):
                record_purge(tenant_id=tenant_id, resource_uuid=resource_uuid)
        removed += len(keys)
        if len(keys) < batch_size:
            return removed


def _compare_and_swap(metadata, expected_version, changes, changed, operation, actor, batch_id, *, slug_taken=None):
    """``UPDATE ... WHERE version = expected`` and the revision, in one transaction (see metadata_update);
    ``changed`` names the fields of ``changes`` that differ from the stored ones (``_differing``)."""
    values = _new_values(expected_version, changes)
    after = copy.copy(metadata)
    for name, value in values.items():
        setattr(after, name, value)
    changed = changed_fields(changed)
    revision = _revision(after, operation, changed, actor, batch_id)
    size = json_size(after.title, after.data) if "title" in changes or "data" in changes else None
    with unique_fields_checked(slug_taken=slug_taken):
        check_resource_data(tenant_id=metadata.tenant_id, type=after.type, data=after.data)
        if not _update_with_revision(metadata, expected_version, values, revision, size):
            raise VersionConflict(current_version=_current_version(metadata), given_version=expected_version)
        _prune_revisions(after)
        _record_event(after, operation, changed, actor, batch_id)
    for name, value in values.items():
        setattr(metadata, name, value)
    return metadata


# The compare-and-swap's UPDATE: the live row of the tenant at the expected version (``_same_row``'s queryset).
COMPARE_AND_SWAP = CompiledUpdate(
    lambda *, tenant_id, row, version: Metadata.objects.for_tenant(tenant_id).filter(pk=row, version=version),
    returning='"row"',
    tenant_id=uuid.UUID(int=0xC0DE_0001),
    row=7_300_000_000_000_000_001,  # within the columns' range: the ORM drops a lookup of a value beyond it
    version=7_300_000_000_000_000_002,
)


def _update_with_revision(metadata, expected_version, values, revision, size):
    """The compare-and-swap and its revision, whether the row was at ``expected_version``; ``size`` (if not
    None) is checked against the tenant's ``max_resource_bytes`` first. One statement on PostgreSQL (the
    revision is inserted only if the row was updated, the limit read along), three elsewhere."""
    if not combines_statements():
        if size is not None:
            require_within(metadata.tenant_id, "max_resource_bytes", size)
        if not _same_row(metadata).filter(version=expected_version).update(**values):
            return False
        revision.save(force_insert=True)
        return True
    update, update_params = COMPARE_AND_SWAP.sql(
        values, tenant_id=metadata.tenant_id, row=metadata.pk, version=expected_version
    )
    revision_sql, revision_params = insert_select_sql(revision, "updated")
    limit, limit_params = limit_sql(metadata.tenant_id, "max_resource_bytes")
    sql = f"WITH updated AS ({update}), revised AS ({revision_sql}) SELECT (SELECT COUNT(*) FROM updated), {limit}"
    updated, own_limit = fetch_one(sql, [*update_params, *revision_params, *limit_params])
    if size is not None:
        require_within(metadata.tenant_id, "max_resource_bytes", size, effective("max_resource_bytes", own_limit))
    return bool(updated)


def _record(metadata, operation, changed, actor, batch_id):
    """Write the revision of the change that left ``metadata`` as it is, and prune beyond ``REVISIONS_KEEP``;
    then its event in the change feed (last: the feed's counter row stays locked from there to the commit)."""
    _revision(metadata, operation, changed, actor, batch_id).save(force_insert=True)
    _prune_revisions(metadata)
    _record_event(metadata, operation, changed, actor, batch_id)


def _prune_revisions(metadata):
    """Versions of a resource are consecutive and each has its revision, so the ones to prune are known
    from the new version alone: no query at all until a resource passes ``REVISIONS_KEEP`` versions."""
    keep = service_settings.REVISIONS_KEEP
    if metadata.version > keep:
        PRUNE_REVISIONS.delete(tenant_id=metadata.tenant_id, metadata=metadata.pk, version=metadata.version - keep)


# The revisions ``_prune_revisions`` deletes: those of the resource up to a version (``_revisions_of``'s).
PRUNE_REVISIONS = CompiledDelete(
    lambda *, tenant_id, metadata, version: MetadataRevision.objects.for_tenant(tenant_id).filter(
        metadata_id=metadata, version__lte=version
    ),
    tenant_id=uuid.UUID(int=0xC0DE_0002),
    metadata=7_300_000_000_000_000_003,  # within the columns' range, as COMPARE_AND_SWAP's
    version=7_300_000_000_000_000_004,
)


def _record_event(metadata, operation, changed, actor, batch_id):
    record_metadata_change(
        tenant_id=metadata.tenant_id,
        operation=operation,
        resource=metadata_representation(metadata),
        changed=changed,
        actor=actor,
        batch_id=batch_id,
    )


def _revision(metadata, operation, changed, actor, batch_id):
    return MetadataRevision(
        tenant_id=metadata.tenant_id,
        metadata_id=metadata.pk,
        version=metadata.version,
        operation=operation,
        changed=changed,
        state=state_of(metadata),
        **ChangeAuthorship.columns_of(actor, batch_id),
        created_at=metadata.updated_at,
    )


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


def _differing(metadata, changes):
    """The ``changes`` whose values differ from ``metadata``'s (``_differs``), in their order."""
    return {name: value for name, value in changes.items() if _differs(getattr(metadata, name), value)}


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
