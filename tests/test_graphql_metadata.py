"""GraphQL metadata on accounts and account users: create, upsert, replace, read and delete (graphql.md)."""

import json

import pytest

from linked_metadata.models import LinkedMetadata
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
    the_error,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def gql(tenant):
    """A client of tenant A holding a System token, sent as ``JWT <token>``."""
    return graphql_client(tenant.uuid)


def test_create_metadata_stores_the_key_at_version_1(gql, tenant):
    body = mutate(gql, CREATE, **metadata_input())

    assert payload(body, "createMetadata") == {"key": "some_unique_key", "value": SEED_VALUE}
    row = rows(tenant).get()
    assert (row.linked_object_type, row.identifier, row.key, row.value, row.version) == (
        "ACCOUNT",
        "A-154321",
        "some_unique_key",
        SEED_VALUE,
        1,
    )


def test_create_metadata_of_an_existing_key_is_kt_ct_8414_and_keeps_the_value(gql, tenant):
    mutate(gql, CREATE, **metadata_input())

    body = mutate(gql, CREATE, **metadata_input(value='{"replaced": true}'))

    assert the_error(body)["errorType"] == "VALIDATION"
    assert error_code(body) == "KT-CT-8414"
    assert body["errors"][0]["message"] == "Key already exists."
    assert body["data"] == {"createMetadata": None}
    assert rows(tenant).get().value == SEED_VALUE


def test_update_metadata_creates_a_missing_key(gql, tenant):
    body = mutate(gql, UPDATE, **metadata_input())

    assert payload(body, "updateMetadata") == {"key": "some_unique_key", "value": SEED_VALUE}
    assert rows(tenant).get().version == 1


def test_update_metadata_replaces_the_value_and_bumps_the_version(gql, tenant):
    mutate(gql, UPDATE, **metadata_input())
    LinkedMetadata.objects.update(updated_at="2020-01-01T00:00:00Z")

    body = mutate(gql, UPDATE, **metadata_input(value='["a", {"b": null}]'))

    assert payload(body, "updateMetadata")["value"] == ["a", {"b": None}]
    row = rows(tenant).get()
    assert (row.value, row.version) == (["a", {"b": None}], 2)
    assert row.updated_at.year > 2020 and row.created_at <= row.updated_at


def test_update_metadata_with_the_stored_value_keeps_the_version(gql, tenant):
    mutate(gql, UPDATE, **metadata_input())

    mutate(gql, UPDATE, **metadata_input())

    assert rows(tenant).get().version == 1


@pytest.mark.parametrize("value", ['"just text"', "42", "true", "null", '{"nested": {"list": [1, 2.5, "ü"]}}'])
def test_any_json_document_round_trips_as_json_text(gql, value):
    body = mutate(gql, UPDATE, **metadata_input(value=value))

    assert json.loads(body["data"]["updateMetadata"]["metadata"]["value"]) == json.loads(value)
    read = run(gql, FOR_KEY, {"type": "ACCOUNT", "identifier": "A-154321", "key": "some_unique_key"})
    assert json.loads(read["data"]["metadataForKey"]["value"]) == json.loads(value)


def test_delete_metadata_removes_the_key_and_returns_it_as_it_was(gql, tenant):
    mutate(gql, UPDATE, **metadata_input())

    body = mutate(gql, DELETE, **delete_input())

    assert payload(body, "deleteMetadata") == {"key": "some_unique_key", "value": SEED_VALUE}
    assert not rows(tenant).exists()


def test_delete_metadata_of_a_missing_key_is_kt_ct_8415(gql):
    body = mutate(gql, DELETE, **delete_input())

    assert (the_error(body)["errorType"], error_code(body)) == ("NOT_FOUND", "KT-CT-8415")
    assert body["errors"][0]["message"] == "Key does not exist."


def test_metadata_for_key_returns_the_value(gql):
    mutate(gql, UPDATE, **metadata_input())

    body = run(gql, FOR_KEY, {"type": "ACCOUNT", "identifier": "A-154321", "key": "some_unique_key"})

    assert json.loads(body["data"]["metadataForKey"]["value"]) == SEED_VALUE


def test_metadata_for_a_missing_key_is_kt_ct_8415(gql):
    body = run(gql, FOR_KEY, {"type": "ACCOUNT", "identifier": "A-154321", "key": "absent"})

    assert error_code(body) == "KT-CT-8415"
    assert body["errors"][0]["path"] == ["metadataForKey"]


def test_metadata_lists_the_objects_keys_in_key_order(gql, django_assert_num_queries):
    for key in ("b", "a", "c"):
        mutate(gql, UPDATE, **metadata_input(key=key, value=json.dumps(key)))
    mutate(gql, UPDATE, **metadata_input(identifier="A-OTHER", key="elsewhere"))

    with django_assert_num_queries(2):  # the token's tenant, then the keys
        body = run(gql, METADATA, {"type": "ACCOUNT", "identifier": "A-154321"})

    assert body["data"]["metadata"] == [{"key": k, "value": json.dumps(k)} for k in ("a", "b", "c")]


def test_metadata_of_an_object_without_keys_is_an_empty_list(gql):
    body = run(gql, METADATA, {"type": "ACCOUNT_USER", "identifier": "nobody@example.com"})

    assert body == {"data": {"metadata": []}}


def test_account_and_account_user_keys_are_separate(gql, tenant):
    mutate(gql, UPDATE, **metadata_input(linkedObjectType="ACCOUNT", identifier="a@example.com"))
    mutate(gql, UPDATE, **metadata_input(linkedObjectType="ACCOUNT_USER", identifier="a@example.com"))

    assert rows(tenant).count() == 2


def test_an_account_users_email_is_one_identifier_whatever_its_case(gql, tenant):
    mutate(gql, UPDATE, **metadata_input(linkedObjectType="ACCOUNT_USER", identifier="Some.Test@Email.com"))
    mutate(gql, UPDATE, **metadata_input(linkedObjectType="ACCOUNT_USER", identifier="some.test@email.COM"))

    row = rows(tenant).get()
    assert (row.identifier, row.version) == ("some.test@email.com", 1)
    body = run(gql, FOR_KEY, {"type": "ACCOUNT_USER", "identifier": "SOME.TEST@email.com", "key": "some_unique_key"})
    assert json.loads(body["data"]["metadataForKey"]["value"]) == SEED_VALUE


def test_two_mutations_in_one_request_each_answer_for_themselves(gql, tenant):
    document = """mutation two($a: MetadataInput!, $b: MetadataInput!) {
      first: createMetadata(input: $a) { metadata { key } }
      second: createMetadata(input: $b) { metadata { key } } }"""

    body = run(gql, document, {"a": metadata_input(key="k1"), "b": metadata_input(key="k1")})

    assert body["data"] == {"first": {"metadata": {"key": "k1"}}, "second": None}
    assert (body["errors"][0]["path"], error_code(body)) == (["second"], "KT-CT-8414")
    assert rows(tenant).count() == 1
