"""The permission module's answers for linked (account) metadata, shared by GraphQL and REST."""

import uuid

import pytest

from tenants.identity import TokenIdentity
from tenants.models import Role
from tenants.permissions import granted_permissions, holds, may_mutate_linked_metadata, may_view_linked_metadata

TENANT = uuid.uuid4()


def identity(type_="Staff", permissions=(), email=None, accounts=()):
    return TokenIdentity(
        tenant_id=TENANT, type=type_, permissions=frozenset(permissions), email=email, accounts=tuple(accounts)
    )


@pytest.mark.parametrize("check", [may_view_linked_metadata, may_mutate_linked_metadata])
def test_system_may_view_and_mutate_any_linked_object(check):
    assert check(identity("System"), "ACCOUNT", "A-1")


def test_can_mutate_metadata_allows_mutating_and_viewing():
    staff = identity(permissions=["CAN_MUTATE_METADATA"])

    assert may_mutate_linked_metadata(staff, "ACCOUNT", "A-1")
    assert may_view_linked_metadata(staff, "ACCOUNT_USER", "x@example.com")


def test_can_view_metadata_allows_viewing_only():
    staff = identity(permissions=["CAN_VIEW_METADATA"])

    assert may_view_linked_metadata(staff, "ACCOUNT", "A-1")
    assert not may_mutate_linked_metadata(staff, "ACCOUNT", "A-1")


def test_an_account_user_reaches_its_own_accounts_only():
    user = identity("AccountUser", accounts=["A-154321"])

    assert may_mutate_linked_metadata(user, "ACCOUNT", "A-154321")
    assert not may_mutate_linked_metadata(user, "ACCOUNT", "A-999999")


def test_an_account_user_reaches_its_own_email_ignoring_case():
    user = identity("AccountUser", email="Some.Test@email.com")

    assert may_view_linked_metadata(user, "ACCOUNT_USER", "some.test@EMAIL.com")
    assert not may_view_linked_metadata(user, "ACCOUNT_USER", "other@email.com")


def test_staff_without_permissions_reaches_nothing():
    staff = identity(email="s@example.com", accounts=["A-1"])

    assert not may_view_linked_metadata(staff, "ACCOUNT", "A-1")
    assert not may_mutate_linked_metadata(staff, "ACCOUNT_USER", "s@example.com")


# --- Roles count in every answer ------------------------------------------------------------------------------------


@pytest.fixture
def tenant_roles(tenant):
    Role.objects.create(tenant=tenant, name="metadata-mutator", permissions=["CAN_MUTATE_METADATA"])
    Role.objects.create(tenant=tenant, name="metadata-viewer", permissions=["CAN_VIEW_METADATA"])
    return tenant


def role_holder(tenant, *roles):
    return TokenIdentity(tenant_id=tenant.uuid, type="Staff", roles=roles)


def test_a_role_with_can_mutate_metadata_allows_mutating(tenant_roles):
    assert may_mutate_linked_metadata(role_holder(tenant_roles, "metadata-mutator"), "ACCOUNT", "A-1")


def test_a_role_with_can_view_metadata_allows_viewing_only(tenant_roles):
    viewer = role_holder(tenant_roles, "metadata-viewer")

    assert may_view_linked_metadata(viewer, "ACCOUNT", "A-1")
    assert not may_mutate_linked_metadata(viewer, "ACCOUNT", "A-1")


def test_granted_permissions_join_the_claim_and_the_roles(tenant_roles):
    staff = TokenIdentity(tenant_id=tenant_roles.uuid, roles=("metadata-viewer",), permissions=frozenset({"x"}))

    assert granted_permissions(staff) == {"x", "CAN_VIEW_METADATA"}
    assert holds(staff, "CAN_VIEW_METADATA")


def test_roles_are_looked_up_once_per_identity(tenant_roles, django_assert_num_queries):
    staff = role_holder(tenant_roles, "metadata-viewer", "metadata-mutator")

    with django_assert_num_queries(1):
        for _ in range(3):
            may_view_linked_metadata(staff, "ACCOUNT", "A-1")
            may_mutate_linked_metadata(staff, "ACCOUNT", "A-1")


def test_an_identity_without_roles_costs_no_query(tenant_roles, django_assert_num_queries):
    staff = identity(permissions=["CAN_VIEW_METADATA"])

    with django_assert_num_queries(0):
        assert may_view_linked_metadata(staff, "ACCOUNT", "A-1")
        assert not may_mutate_linked_metadata(staff, "ACCOUNT", "A-1")
