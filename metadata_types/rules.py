"""The data rule of typed resources, which ``metadatas`` runs in its write services (see apps.py)."""

import uuid
from typing import Any

from django.db.models import Exists, Subquery
from rest_framework.exceptions import ValidationError

from metadata_service.statements import CompiledQuery
from metadata_types.locks import hold_type_lock
from metadata_types.models import MetadataType, TypePolicy
from metadata_types.schemas import data_violations, validators
from metadatas.data_rules import rule_memo
from tenants.models import Tenant


def check_typed_data(*, tenant_id: uuid.UUID, type: str, data: Any) -> None:
    """Refuse ``data`` that fails its type's schema (400 naming ``data/<pointer>``), or an undefined type
    when the tenant requires definitions (400 on ``type``). Runs inside the write's transaction."""
    row, required = _locked_type(tenant_id, type)
    if row is None:
        if required:
            raise ValidationError({"type": [f"This tenant requires a definition of type {type!r} (/metadata-types)."]})
        return
    type_id, version = row
    validator = validators.get((tenant_id, type, type_id, version), lambda: _stored_schema(type_id))
    violations = data_violations(validator, data)
    if violations:
        raise ValidationError(violations)


def _locked_type(tenant_id: uuid.UUID, name: str):
    """((id, version) of the type or None if undefined, whether the tenant requires definitions), the type's
    lock held shared to the end of the transaction.

    The read is a statement of its own after the lock's: under READ COMMITTED a statement sees what had
    committed when it started, and a schema change that held the lock commits while this one waits for it.
    The type and the policy come in one statement."""

    def read():
        hold_type_lock(tenant_id=tenant_id, name=name, shared=True)
        return _type_and_policy(tenant_id, name)

    return _remembered(("type", tenant_id, name), read)


def _type_and_policy_query(*, tenant_id, name):
    """The tenant's row, carrying the type's (id, version) and whether its policy requires definitions."""
    types = MetadataType.objects.for_tenant(tenant_id).filter(name=name)
    policy = TypePolicy.objects.for_tenant(tenant_id).filter(require_defined_types=True)
    return (
        Tenant.objects.filter(pk=tenant_id)
        .annotate(
            type_id=Subquery(types.values("id")[:1]),
            type_version=Subquery(types.values("version")[:1]),
            required=Exists(policy),
        )
        .order_by()
        .values_list("type_id", "type_version", "required")
    )


TYPE_AND_POLICY = CompiledQuery(
    _type_and_policy_query, tenant_id=uuid.UUID(int=0xC0DE_0001), name="\x00the name of a type\x00"
)


def _type_and_policy(tenant_id: uuid.UUID, name: str):
    """One statement, compiled once: ((id, version) or None, whether definitions are required). No tenant
    row (a deleted tenant, whose write then fails on its foreign key): undefined, not required."""
    row = TYPE_AND_POLICY.fetch_one(tenant_id=tenant_id, name=name)
    if row is None:
        return None, False
    type_id, version, required = row
    return (None if type_id is None else (type_id, version)), bool(required)


def _remembered(key, read):
    """``read()``, or what it gave earlier in this batch's transaction (``metadatas.data_rules.rule_memo``)."""
    memo = rule_memo()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def _stored_schema(type_id: int) -> Any:
    return MetadataType.objects.filter(pk=type_id).values_list("schema", flat=True).get()
