"""The data rule of typed resources, which ``metadatas`` runs in its write services (see apps.py)."""

import uuid
from typing import Any

from rest_framework.exceptions import ValidationError

from metadata_types.locks import hold_type_lock
from metadata_types.models import MetadataType, TypePolicy
from metadata_types.schemas import data_violations, validators
from metadatas.data_rules import rule_memo


def check_typed_data(*, tenant_id: uuid.UUID, type: str, data: Any) -> None:
    """Refuse ``data`` that fails its type's schema (400 naming ``data/<pointer>``), or an undefined type
    when the tenant requires definitions (400 on ``type``). Runs inside the write's transaction."""
    row = _locked_type(tenant_id, type)
    if row is None:
        if _remembered(("policy", tenant_id), lambda: requires_defined_types(tenant_id)):
            raise ValidationError({"type": [f"This tenant requires a definition of type {type!r} (/metadata-types)."]})
        return
    type_id, version = row
    validator = validators.get((tenant_id, type, type_id, version), lambda: _stored_schema(type_id))
    violations = data_violations(validator, data)
    if violations:
        raise ValidationError(violations)


def _locked_type(tenant_id: uuid.UUID, name: str):
    """(id, version) of the type, its lock held shared to the end of the transaction; None if undefined."""

    def read():
        hold_type_lock(tenant_id=tenant_id, name=name, shared=True)
        return MetadataType.objects.for_tenant(tenant_id).filter(name=name).values_list("id", "version").first()

    return _remembered(("type", tenant_id, name), read)


def _remembered(key, read):
    """``read()``, or what it gave earlier in this batch's transaction (``metadatas.data_rules.rule_memo``)."""
    memo = rule_memo()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def requires_defined_types(tenant_id: uuid.UUID) -> bool:
    return TypePolicy.objects.for_tenant(tenant_id).filter(require_defined_types=True).exists()


def _stored_schema(type_id: int) -> Any:
    return MetadataType.objects.filter(pk=type_id).values_list("schema", flat=True).get()
