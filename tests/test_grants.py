"""Reading permission strings: names, owner scopes, and the mistakes a role editor may make."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from tenants.grants import Grant, InvalidPermission, OwnerScope, parse_grant
from tenants.models import validate_permission_list

BU_UUID = uuid.UUID("c11c546e-bd01-47cf-97da-e25388357b5a")


def test_a_plain_permission_applies_to_every_owner():
    assert parse_grant("metadata:edit") == Grant("metadata:edit")


def test_an_owner_scoped_permission_names_owner_and_owner_uuid():
    grant = parse_grant(f"metadata:edit@BusinessUnit:{BU_UUID}")

    assert grant == Grant("metadata:edit", OwnerScope("BusinessUnit", BU_UUID))


@pytest.mark.parametrize(
    "text, problem",
    [
        ("metadata:brows", "not a permission"),
        ("CAN_MUTATE_METADATA@BusinessUnit:c11c546e-bd01-47cf-97da-e25388357b5a", "cannot be limited"),
        ("metadata:read@BusinessUnit", "owner scope"),
        ("metadata:read@BusinessUnit:not-a-uuid", "owner scope"),
        (f"metadata:read@:{BU_UUID}", "owner scope"),
    ],
)
def test_a_malformed_permission_is_refused_saying_why(text, problem):
    with pytest.raises(InvalidPermission, match=problem):
        parse_grant(text)


def test_a_role_permission_list_reports_every_bad_entry():
    with pytest.raises(ValidationError) as caught:
        validate_permission_list(["metadata:read", "metadata:brows", "nope"])

    assert len(caught.value.messages) == 2


@pytest.mark.parametrize("value", ["metadata:read", [1], {"metadata:read": True}])
def test_a_role_permission_list_must_be_a_list_of_strings(value):
    with pytest.raises(ValidationError, match="list of permission strings"):
        validate_permission_list(value)
