"""Who may read and write linked metadata over GraphQL: tokens (KT-CT-1112, KT-CT-1111) and access (KT-CT-4123)."""

import json

import pytest
from rest_framework.test import APIClient

from tenants.models import Role, Tenant
from tenants.tokens import issue_platform_token
from tests.conftest import TENANT_B, client_with, token_for
from tests.support.graphql_client import (
    CREATE,
    DELETE,
    FOR_KEY,
    METADATA,
    UPDATE,
    delete_input,
    error_code,
    graphql_client,
    metadata_input,
    mutate,
    rows,
    run,
    the_error,
)

pytestmark = pytest.mark.django_db

OPERATIONS = {
    "createMetadata": (CREATE, {"input": metadata_input()}),
    "updateMetadata": (UPDATE, {"input": metadata_input()}),
    "deleteMetadata": (DELETE, {"input": delete_input()}),
    "metadata": (METADATA, {"type": "ACCOUNT", "identifier": "A-154321"}),
    "metadataForKey": (FOR_KEY, {"type": "ACCOUNT", "identifier": "A-154321", "key": "some_unique_key"}),
}
MUTATIONS = ("createMetadata", "updateMetadata", "deleteMetadata")
QUERIES = ("metadata", "metadataForKey")


def answer(client, operation):
    query, variables = OPERATIONS[operation]
    return run(client, query, variables)


@pytest.fixture
def stored_key(tenant):
    """The seed's key, stored on account A-154321 and on account user some.test@email.com of tenant A."""
    system = graphql_client(tenant.uuid)
    mutate(system, UPDATE, **metadata_input())
    mutate(system, UPDATE, **metadata_input(linkedObjectType="ACCOUNT_USER", identifier="some.test@email.com"))


@pytest.mark.parametrize("operation", OPERATIONS)
def test_no_authorization_header_is_kt_ct_1112(tenant, operation):
    body = answer(APIClient(), operation)

    error = the_error(body)
    assert (error["errorType"], error["errorCode"]) == ("AUTHORIZATION", "KT-CT-1112")
    assert body["errors"][0]["message"] == "'Authorization' header not provided."
    assert body["errors"][0]["path"] == [operation]


BAD_TOKENS = {
    "garbage": lambda tenant: "JWT not-a-token",
    "expired": lambda tenant: "JWT " + token_for(tenant.uuid, ttl_seconds=-120),
    "signed with another key": lambda tenant: "JWT " + token_for(tenant.uuid)[:-4] + "AAAA",
    "unknown tenant": lambda tenant: "JWT " + token_for(TENANT_B),
    "another scheme": lambda tenant: "Basic " + token_for(tenant.uuid),
    "three words": lambda tenant: "JWT a b",
}


@pytest.mark.parametrize("make_header", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
@pytest.mark.parametrize("operation", ["updateMetadata", "metadata"])
def test_a_refused_token_is_kt_ct_1111(tenant, make_header, operation):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=make_header(tenant))

    body = answer(client, operation)

    assert (the_error(body)["errorType"], error_code(body)) == ("AUTHORIZATION", "KT-CT-1111")
    assert body["errors"][0]["message"] == "Unauthorized."
    assert not rows(tenant).exists()


def test_a_refused_token_says_why_in_the_error_description(tenant):
    client = client_with(token_for(tenant.uuid, ttl_seconds=-120), scheme="JWT")

    assert the_error(answer(client, "metadata"))["errorDescription"] == "The token has expired."


def test_a_disabled_tenants_token_is_kt_ct_1111(tenant):
    client = graphql_client(tenant.uuid)
    Tenant.objects.filter(pk=tenant.pk).update(enabled=False)

    assert error_code(answer(client, "updateMetadata")) == "KT-CT-1111"


@pytest.mark.parametrize("scheme", ["JWT", "Bearer", ""])
def test_every_spelling_of_the_header_is_accepted(tenant, scheme):
    client = client_with(token_for(tenant.uuid), scheme=scheme)

    assert "errors" not in answer(client, "updateMetadata")


def test_introspection_needs_no_token(db):
    body = run(APIClient(), "{ __schema { mutationType { fields { name } } } }")

    names = {field["name"] for field in body["data"]["__schema"]["mutationType"]["fields"]}
    assert names == {"createMetadata", "updateMetadata", "deleteMetadata"}


def staff(tenant, *permissions):
    return graphql_client(tenant.uuid, "Staff", permissions=permissions)


@pytest.mark.parametrize("operation", MUTATIONS + QUERIES)
def test_a_token_without_permission_is_kt_ct_4123(tenant, stored_key, operation):
    body = answer(staff(tenant), operation)

    assert (the_error(body)["errorType"], error_code(body)) == ("AUTHORIZATION", "KT-CT-4123")
    assert body["errors"][0]["message"] == "Unauthorized."
    assert rows(tenant).get(linked_object_type="ACCOUNT").version == 1


@pytest.mark.parametrize("operation", QUERIES)
def test_can_view_metadata_reads(tenant, stored_key, operation):
    assert "errors" not in answer(staff(tenant, "CAN_VIEW_METADATA"), operation)


@pytest.mark.parametrize("operation", MUTATIONS)
def test_can_view_metadata_does_not_write(tenant, stored_key, operation):
    body = answer(staff(tenant, "CAN_VIEW_METADATA"), operation)

    assert error_code(body) == "KT-CT-4123"
    assert rows(tenant).count() == 2


@pytest.mark.parametrize("operation", ["updateMetadata", "metadata", "metadataForKey", "deleteMetadata"])
def test_can_mutate_metadata_reads_and_writes(tenant, stored_key, operation):
    assert "errors" not in answer(staff(tenant, "CAN_MUTATE_METADATA"), operation)


def account_user(tenant, accounts=("A-154321",), email="some.test@email.com"):
    return graphql_client(tenant.uuid, "AccountUser", accounts=list(accounts), email=email)


def test_an_account_user_writes_and_reads_its_own_account(tenant):
    client = account_user(tenant)

    assert "errors" not in mutate(client, UPDATE, **metadata_input())
    body = run(client, METADATA, {"type": "ACCOUNT", "identifier": "A-154321"})
    assert [item["key"] for item in body["data"]["metadata"]] == ["some_unique_key"]


def test_an_account_user_writes_and_reads_its_own_email_in_any_case(tenant):
    client = account_user(tenant, email="Some.Test@email.com")

    body = mutate(client, UPDATE, **metadata_input(linkedObjectType="ACCOUNT_USER", identifier="some.test@EMAIL.com"))

    assert "errors" not in body
    read = run(client, FOR_KEY, {"type": "ACCOUNT_USER", "identifier": "some.test@email.com", "key": "some_unique_key"})
    assert json.loads(read["data"]["metadataForKey"]["value"]) == {"pet_type": "dog", "name": "fang"}


@pytest.mark.parametrize(
    "linked_object_type, identifier",
    [("ACCOUNT", "A-999999"), ("ACCOUNT_USER", "other@email.com"), ("ACCOUNT", "some.test@email.com")],
)
def test_an_account_user_cannot_reach_other_objects(tenant, stored_key, linked_object_type, identifier):
    client = account_user(tenant)
    target = {"linkedObjectType": linked_object_type, "identifier": identifier}

    assert error_code(mutate(client, UPDATE, **metadata_input(**target))) == "KT-CT-4123"
    assert error_code(run(client, METADATA, {"type": linked_object_type, "identifier": identifier})) == "KT-CT-4123"
    assert error_code(mutate(client, DELETE, **delete_input(**target))) == "KT-CT-4123"
    assert rows(tenant).count() == 2


def test_an_account_user_of_another_tenant_cannot_reach_the_same_account_number(tenant, other_tenant, stored_key):
    token = issue_platform_token(tenant_id=other_tenant.uuid, identity_type="AccountUser", accounts=["A-154321"])
    client = client_with(token, scheme="JWT")

    body = run(client, FOR_KEY, {"type": "ACCOUNT", "identifier": "A-154321", "key": "some_unique_key"})

    assert error_code(body) == "KT-CT-8415"


# --- Roles grant the GraphQL permissions too ------------------------------------------------------------------------


def role_holder(tenant, role_permissions):
    Role.objects.create(tenant=tenant, name="linked-editor", permissions=role_permissions)
    return graphql_client(tenant.uuid, "Staff", roles=["linked-editor"])


@pytest.mark.parametrize("operation", ["updateMetadata", "metadata", "deleteMetadata"])
def test_a_role_with_can_mutate_metadata_reads_and_writes(tenant, stored_key, operation):
    assert "errors" not in answer(role_holder(tenant, ["CAN_MUTATE_METADATA"]), operation)


def test_a_role_with_can_view_metadata_reads_but_does_not_write(tenant, stored_key):
    client = role_holder(tenant, ["CAN_VIEW_METADATA"])

    assert "errors" not in answer(client, "metadata")
    assert error_code(answer(client, "updateMetadata")) == "KT-CT-4123"


def test_another_tenants_role_of_the_same_name_grants_nothing(tenant, other_tenant, stored_key):
    Role.objects.create(tenant=other_tenant, name="linked-editor", permissions=["CAN_MUTATE_METADATA"])

    body = answer(graphql_client(tenant.uuid, "Staff", roles=["linked-editor"]), "updateMetadata")

    assert error_code(body) == "KT-CT-4123"
