"""Writes to metadata resources. The REST API and the admin write through these functions."""

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.exceptions import NotFound, ValidationError

from metadatas.exceptions import PreconditionFailed, VersionConflict
from metadatas.models import Metadata, now_to_the_second, title_search_text
from tenants.registry import tenant_still_registered

# The unique constraints of Metadata (models.py), by name, and the field each one is reported on.
UNIQUE_IN_TENANT = {
    "metadata_tenant_slug_unique": ("slug", "A resource with this slug already exists in this tenant."),
    "metadata_tenant_uuid_unique": ("uuid", "A resource with this uuid already exists in this tenant."),
}


@contextmanager
def unique_fields_checked() -> Iterator[None]:
    """Turn a unique-constraint violation (also one lost to a concurrent write) into a 400 on its field.

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


def metadata_create(*, tenant_id: uuid.UUID, fields: dict[str, Any]) -> Metadata:
    """Insert a new resource at version 1 in ``tenant_id``."""
    metadata = Metadata(tenant_id=tenant_id, **fields)
    with unique_fields_checked():
        metadata.save(force_insert=True)
    return metadata


def metadata_update(*, metadata: Metadata, expected_version: int, changes: dict[str, Any]) -> Metadata:
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


def metadata_delete(*, metadata: Metadata, expected_version: int | None = None) -> None:
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


def _differs(old: Any, new: Any) -> bool:
    """Compare as JSON, where ``true`` is not ``1`` and key order does not count."""
    if isinstance(old, (dict, list)) or isinstance(new, (dict, list)):
        return json.dumps(old, sort_keys=True) != json.dumps(new, sort_keys=True)
    return old != new


def _new_values(expected_version: int, changes: dict[str, Any]) -> dict[str, Any]:
    values = {**changes, "version": expected_version + 1, "updated_at": now_to_the_second()}
    if "title" in changes:
        values["title_search"] = title_search_text(changes["title"])
    return values


def _same_row(metadata: Metadata):
    return Metadata.objects.for_tenant(metadata.tenant_id).filter(pk=metadata.pk)


def _current_version(metadata: Metadata) -> int:
    version = _same_row(metadata).values_list("version", flat=True).first()
    if version is None:
        raise NotFound()
    return version
