"""Every unique constraint and index of the data tables carries the tenant: they can be distributed by
tenant on Citus without a schema change.

Data tables grow with the tenants' data and are distributed by ``tenant_id``. The control-plane tables
(the tenants, their roles and members, which also point at Django's global users) stay small and become
Citus reference tables, copied to every node, which have no such rule. Every model with a tenant must be
classified here, so that a new one is a deliberate choice.
"""

import pytest
from django.apps import apps
from django.db import connection, models

TENANT_FIELD = "tenant"


DISTRIBUTED = {
    "metadatas.Metadata",
    "metadatas.MetadataRevision",
    "linked_metadata.LinkedMetadata",
    "linked_metadata.LinkedMetadataRevision",
    "tenants.TenantCounter",
    "changes.ChangeEvent",
    "changes.PublishPosition",
    "idempotency.IdempotencyRecord",
}
REFERENCE = {"tenants.Role", "tenants.TenantMember", "metadata_types.MetadataType", "metadata_types.TypePolicy"}


def label(model):
    return f"{model._meta.app_label}.{model.__name__}"


def models_with_a_tenant():
    return [model for model in apps.get_models() if any(field.name == TENANT_FIELD for field in model._meta.fields)]


def tenant_models():
    """The data tables, distributed by tenant."""
    return [model for model in models_with_a_tenant() if label(model) in DISTRIBUTED]


def test_every_model_with_a_tenant_is_either_distributed_or_a_reference_table():
    assert {label(model) for model in models_with_a_tenant()} == DISTRIBUTED | REFERENCE


def leading_field(index):
    if index.fields:
        return index.fields[0].lstrip("-")
    first = index.expressions[0]
    return first.name if isinstance(first, models.F) else None


@pytest.mark.parametrize("model", tenant_models(), ids=lambda model: model.__name__)
def test_every_unique_constraint_of_a_tenant_model_holds_the_tenant(model):
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            assert TENANT_FIELD in constraint.fields, f"{model.__name__}.{constraint.name} lacks the tenant"
    for field in model._meta.fields:
        assert not field.unique or field.primary_key, f"{model.__name__}.{field.name} is unique without the tenant"


@pytest.mark.parametrize("model", tenant_models(), ids=lambda model: model.__name__)
def test_every_index_of_a_tenant_model_leads_with_the_tenant(model):
    for index in model._meta.indexes:
        assert leading_field(index) == TENANT_FIELD, f"{model.__name__}.{index.name} does not lead with the tenant"


@pytest.mark.parametrize("model", tenant_models(), ids=lambda model: model.__name__)
def test_in_postgresql_every_unique_index_and_the_primary_key_hold_the_tenant(model, require_postgres):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    tenant_column = model._meta.get_field(TENANT_FIELD).column
    indexes = {name: c for name, c in constraints.items() if c["index"] or c["unique"] or c["primary_key"]}
    assert indexes
    for name, constraint in indexes.items():
        if constraint["unique"] or constraint["primary_key"]:
            assert tenant_column in constraint["columns"], f"{name} is unique without the tenant"
        if name in TENANT_HASHED_INDEXES:
            assert f"metadata_title_grams({tenant_column}," in index_definition(name), f"{name} lost the tenant"
        else:
            assert constraint["columns"][0] == tenant_column, f"{name} does not lead with the tenant"


# Indexes whose keys are the tenant hashed with each value (metadatas migration 0009): tenant-local without
# the tenant as a column of their own.
TENANT_HASHED_INDEXES = {"metadata_tenant_title_grams"}


def index_definition(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef(%s::regclass)", [name])
        return cursor.fetchone()[0]
