"""The data rule of typed resources, which ``metadatas`` runs in its write services (see apps.py)."""

import uuid
from typing import Any

from rest_framework.exceptions import ValidationError

from metadata_types.locks import hold_type_lock
from metadata_types.models import MetadataType, TypePolicy
from metadata_types.schemas import data_violations, validators


def check_typed_data(*, tenant_id: uuid.UUID, type: str, data: Any) -> None:
    """Refuse ``data`` that fails its type's schema (400 naming ``data/<pointer>``), or an undefined type
    when the tenant requires definitions (400 on ``type``). Runs inside the write's transaction."""
    hold_type_lock(tenant_id=tenant_id, name=type, shared=True)
    row = MetadataType.objects.for_tenant(tenant_id).filter(name=type).values_list("id", "version").first()
    if row is None:
        if requires_defined_types(tenant_id):
            raise ValidationError({"type": [f"This tenant requires a definition of type {type!r} (/metadata-types)."]})
        return
    type_id, version = row
    validator = validators.get((tenant_id, type, type_id, version), lambda: _stored_schema(type_id))
    violations = data_violations(validator, data)
    if violations:
        raise ValidationError(violations)


def requires_defined_types(tenant_id: uuid.UUID) -> bool:
    return TypePolicy.objects.for_tenant(tenant_id).filter(require_defined_types=True).exists()


def _stored_schema(type_id: int) -> Any:
    return MetadataType.objects.filter(pk=type_id).values_list("schema", flat=True).get()
