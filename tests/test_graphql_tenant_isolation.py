"""Linked metadata of one tenant is invisible and untouchable from another, even for the same account."""

import pytest

from tests.support.graphql_client import (
    CREATE,
    DELETE,
    FOR_KEY,
    METADATA,
    SEED_VALUE,
    UPDATE,
    delete_input,
    error_code,
    graphql_client,
    metadata_input,
    mutate,
    payload,
    rows,
    run,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant_a_key(tenant):
    mutate(graphql_client(tenant.uuid), UPDATE, **metadata_input())


@pytest.fixture
def other(other_tenant):
    """A System client of tenant B: every permission, but only in its own tenant."""
    return graphql_client(other_tenant.uuid)


def test_another_tenant_does_not_see_the_key(tenant_a_key, other):
    body = run(other, FOR_KEY, {"type": "ACCOUNT", "identifier": "A-154321", "key": "some_unique_key"})

    assert error_code(body) == "KT-CT-8415"


def test_another_tenant_lists_no_keys_for_the_same_account(tenant_a_key, other):
    assert run(other, METADATA, {"type": "ACCOUNT", "identifier": "A-154321"}) == {"data": {"metadata": []}}


def test_another_tenants_upsert_of_the_same_key_makes_its_own_row(tenant, other_tenant, tenant_a_key, other):
    mutate(other, UPDATE, **metadata_input(value='"theirs"'))

    assert rows(tenant).get().value == SEED_VALUE
    assert (rows(other_tenant).get().value, rows(other_tenant).get().version) == ("theirs", 1)


def test_another_tenant_may_create_a_key_that_exists_elsewhere(tenant_a_key, other):
    assert payload(mutate(other, CREATE, **metadata_input()), "createMetadata")["key"] == "some_unique_key"


def test_another_tenant_cannot_delete_the_key(tenant, tenant_a_key, other):
    assert error_code(mutate(other, DELETE, **delete_input())) == "KT-CT-8415"
    assert rows(tenant).exists()
