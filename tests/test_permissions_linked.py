"""The permission module's answers for linked (account) metadata, shared by GraphQL and REST."""

import uuid

import pytest

from tenants.identity import TokenIdentity
from tenants.permissions import may_mutate_linked_metadata, may_view_linked_metadata

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
