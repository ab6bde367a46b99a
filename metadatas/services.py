"""Writes to metadata resources. REST, GraphQL and the admin all write through these functions."""

import json
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction
from rest_framework.exceptions import AuthenticationFailed, NotFound, ValidationError

from metadatas.exceptions import (
    LinkedMetadataKeyExists,
    LinkedMetadataKeyNotFound,
    PreconditionFailed,
    VersionConflict,
)
from metadatas.linked_rules import clean_linked_input
from metadatas.models import LinkedMetadata, Metadata, now_to_the_second, title_search_text

# The unique constraints a client can break, by name, with the field each one is about.
UNIQUE_IN_TENANT = {
    "metadata_tenant_slug_unique": ("slug", "A resource with this slug already exists in this tenant."),
    "metadata_tenant_uuid_unique": ("uuid", "A resource with this uuid already exists in this tenant."),
}
FOREIGN_KEY_VIOLATION = "23503"  # PostgreSQL's SQLSTATE


@contextmanager
def unique_fields_checked():
    """Turn a unique-constraint violation (also one lost to a concurrent write) into a 400 on its field.

    Violations are told apart by the constraint's name, never by words in the message: a write whose
    tenant was deleted meanwhile breaks the tenant's foreign key, and is the 401 of an unknown tenant.
    """
    try:
        with tenant_still_registered(), transaction.atomic():
            yield
    except IntegrityError as exc:
        known = UNIQUE_IN_TENANT.get(violated_unique_constraint(exc, Metadata))
        if known is None:
            raise
        field, message = known
        raise ValidationError({field: [message]}) from None


@contextmanager
def tenant_still_registered():
    """A write whose tenant was deleted meanwhile breaks the tenant's foreign key: the 401 of an unknown tenant."""
    try:
        yield
    except IntegrityError as exc:
        if _breaks_foreign_key(exc):
            raise AuthenticationFailed("The token's tenant is not registered.", code="unknown_tenant") from None
        raise


def violated_unique_constraint(exc, model):
    """The name of the unique constraint of ``model`` that ``exc`` reports, or None.

    PostgreSQL names it; SQLite names the columns (``UNIQUE constraint failed: table.a, table.b``).
    """
    diagnostics = getattr(exc.__cause__, "diag", None)
    if diagnostics is not None:
        return diagnostics.constraint_name
    prefix = "UNIQUE constraint failed: "
    message = str(exc)
    if not message.startswith(prefix):
        return None
    columns = {column.strip().rsplit(".", 1)[-1] for column in message[len(prefix) :].split(",")}
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        if fields and {model._meta.get_field(name).column for name in fields} == columns:
            return constraint.name
    return None


def _breaks_foreign_key(exc):
    return getattr(exc.__cause__, "pgcode", None) == FOREIGN_KEY_VIOLATION or str(exc).startswith(
        "FOREIGN KEY constraint failed"
    )


def metadata_create(*, tenant_id, fields):
    """Insert a new resource at version 1 in ``tenant_id``."""
    metadata = Metadata(tenant_id=tenant_id, **fields)
    with unique_fields_checked():
        metadata.save(force_insert=True)
    return metadata


def metadata_update(*, metadata, expected_version, changes):
    """Apply ``changes`` if the stored row is still at ``expected_version``, and bump the version.

    The check and the write are one statement, ``UPDATE ... WHERE id = %s AND version = %s``:
    of several concurrent updates that read the same version, exactly one changes the row;
    the others raise ``VersionConflict``. ``metadata`` is updated in memory to what was stored.
    """
    if metadata.version != expected_version:
        raise VersionConflict(current_version=metadata.version, given_version=expected_version)
    changes = {name: value for name, value in changes.items() if _differs(getattr(metadata, name), value)}
    if not changes:
        return metadata
    values = _new_values(expected_version, changes)
    with unique_fields_checked():
        updated = _same_row(metadata).filter(version=expected_version).update(**values)
    if not updated:
        raise VersionConflict(current_version=_current_version(metadata), given_version=expected_version)
    for name, value in values.items():
        setattr(metadata, name, value)
    return metadata


def metadata_delete(*, metadata, expected_version=None):
    """Delete the resource; with ``expected_version``, only while it is still at that version."""
    rows = _same_row(metadata)
    if expected_version is not None:
        if metadata.version != expected_version:
            raise PreconditionFailed(current_version=metadata.version)
        rows = rows.filter(version=expected_version)
    deleted, _ = rows.delete()
    if not deleted and expected_version is not None:
        raise PreconditionFailed(current_version=_current_version(metadata))
    if not deleted:
        raise NotFound()


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


def _same_row(metadata):
    return Metadata.objects.for_tenant(metadata.tenant_id).filter(pk=metadata.pk)


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
    with tenant_still_registered(), transaction.atomic():
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
    with tenant_still_registered(), transaction.atomic():
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
