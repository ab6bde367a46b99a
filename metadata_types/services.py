"""Writes to metadata types. The REST API and the admin write through these functions.

Each write holds the type's lock exclusively (``metadata_types.locks``), so a schema change checks the
stored resources while no write of that type is in flight, and every later write is checked against it.
"""

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.exceptions import NotFound, ValidationError

from metadata_service.timestamps import now_to_the_second
from metadata_types.exceptions import SchemaIncompatible, TypeInUse
from metadata_types.locks import hold_type_lock
from metadata_types.models import MetadataType
from metadata_types.schemas import compiled, first_violation
from metadatas.exceptions import PreconditionFailed, VersionConflict
from metadatas.models import Metadata
from tenants.quotas import count_down, count_up

EXAMPLES_MAX = 10
# The count quota of metadata types (tenants/quotas.py), raised by a definition and lowered by a deletion.
TYPES_QUOTA = "max_metadata_types"
NAME_TAKEN = "A type of this name already exists in this tenant."


@dataclass
class CompatibilityReport:
    """How many stored resources of a type fail a schema, and up to ``EXAMPLES_MAX`` of them."""

    failing: int = 0
    examples: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"failing": self.failing, "examples": self.examples}


def resources_of_type(*, tenant_id: uuid.UUID, name: str):
    """The tenant's resources of type ``name`` (the ones a schema governs)."""
    return Metadata.objects.for_tenant(tenant_id).filter(type=name)


def compatibility_report(*, tenant_id: uuid.UUID, name: str, schema: Any) -> CompatibilityReport:
    """Check every stored resource of the type against ``schema`` (an already checked schema)."""
    report = CompatibilityReport()
    if schema in ({}, True):
        return report
    validator = compiled(schema)
    rows = resources_of_type(tenant_id=tenant_id, name=name).order_by("id").values_list("uuid", "data")
    for resource_uuid, data in rows.iterator(chunk_size=1000):
        violation = first_violation(validator, data)
        if violation is None:
            continue
        report.failing += 1
        if len(report.examples) < EXAMPLES_MAX:
            report.examples.append({"uuid": str(resource_uuid), "violation": violation})
    return report


def require_compatible(*, tenant_id: uuid.UUID, name: str, schema: Any, force: bool) -> None:
    if force:
        return
    report = compatibility_report(tenant_id=tenant_id, name=name, schema=schema)
    if report.failing:
        raise SchemaIncompatible(failing=report.failing, examples=report.examples)


def metadata_type_create(*, tenant_id: uuid.UUID, fields: dict[str, Any], force: bool = False) -> MetadataType:
    """Define a type; resources of that name already stored must satisfy its schema unless ``force``."""
    metadata_type = MetadataType(tenant_id=tenant_id, **fields)
    with transaction.atomic():
        hold_type_lock(tenant_id=tenant_id, name=metadata_type.name, shared=False)
        if MetadataType.objects.for_tenant(tenant_id).filter(name=metadata_type.name).exists():
            raise ValidationError({"name": [NAME_TAKEN]})
        require_compatible(tenant_id=tenant_id, name=metadata_type.name, schema=metadata_type.schema, force=force)
        count_up(tenant_id, TYPES_QUOTA)
        try:
            with transaction.atomic():
                metadata_type.save(force_insert=True)
        except IntegrityError:  # a concurrent create of the same name won (SQLite takes no type lock)
            raise ValidationError({"name": [NAME_TAKEN]}) from None
    return metadata_type


def metadata_type_update(
    *, metadata_type: MetadataType, expected_version: int, changes: dict[str, Any], force: bool = False
) -> MetadataType:
    """Compare-and-swap ``changes`` (title, schema) at ``expected_version``; a new schema is checked first."""
    if metadata_type.version != expected_version:
        raise VersionConflict(current_version=metadata_type.version, given_version=expected_version)
    changes = {name: value for name, value in changes.items() if _json(getattr(metadata_type, name)) != _json(value)}
    if not changes:
        return metadata_type
    with transaction.atomic():
        hold_type_lock(tenant_id=metadata_type.tenant_id, name=metadata_type.name, shared=False)
        if "schema" in changes:
            require_compatible(
                tenant_id=metadata_type.tenant_id, name=metadata_type.name, schema=changes["schema"], force=force
            )
        values = {**changes, "version": expected_version + 1, "updated_at": now_to_the_second()}
        if not _same_row(metadata_type).filter(version=expected_version).update(**values):
            raise VersionConflict(current_version=_current_version(metadata_type), given_version=expected_version)
    for name, value in values.items():
        setattr(metadata_type, name, value)
    return metadata_type


def metadata_type_delete(*, metadata_type: MetadataType, expected_version: int | None = None) -> None:
    """Delete the definition, unless resources still have the type (409 ``type_in_use``)."""
    with transaction.atomic():
        hold_type_lock(tenant_id=metadata_type.tenant_id, name=metadata_type.name, shared=False)
        count = resources_of_type(tenant_id=metadata_type.tenant_id, name=metadata_type.name).count()
        if count:
            raise TypeInUse(count=count)
        rows = _same_row(metadata_type)
        if expected_version is not None:
            rows = rows.filter(version=expected_version)
        deleted, _ = rows.delete()
        if deleted:
            count_down(metadata_type.tenant_id, TYPES_QUOTA)
    if deleted:
        return
    if expected_version is not None:
        raise PreconditionFailed(current_version=_current_version(metadata_type))
    raise NotFound()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _same_row(metadata_type: MetadataType):
    return MetadataType.objects.for_tenant(metadata_type.tenant_id).filter(pk=metadata_type.pk)


def _current_version(metadata_type: MetadataType) -> int:
    version = _same_row(metadata_type).values_list("version", flat=True).first()
    if version is None:
        raise NotFound()
    return version
