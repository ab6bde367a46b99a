"""Each rule of graphql.md's input, broken: an "Invalid data." error naming the field, and nothing written."""

import json

import pytest

from tests.support.graphql_client import (
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
VALUE_MAX_BYTES = 64 * 1024


@pytest.fixture
def gql(tenant):
    return graphql_client(tenant.uuid)


def input_paths(body):
    return [error["inputPath"] for error in the_error(body)["validationErrors"]]


BROKEN_INPUTS = {
    "value not JSON": ({"value": "{pet_type: dog}"}, "value"),
    "value empty": ({"value": ""}, "value"),
    "value an object, not a string": ({"value": {"pet_type": "dog"}}, "value"),
    "value NaN": ({"value": "NaN"}, "value"),
    "value holding NUL": ({"value": '"a\\u0000b"'}, "value"),
    "value holding a lone surrogate": ({"value": '{"a": "\\ud800"}'}, "value"),
    "value nested too deep": ({"value": "[" * 40 + "]" * 40}, "value"),
    "value nested beyond the parser": ({"value": "[" * 100_000 + "]" * 100_000}, "value"),
    "value over 64 KiB": ({"value": json.dumps("x" * VALUE_MAX_BYTES)}, "value"),
    "account number empty": ({"identifier": ""}, "identifier"),
    "account number with a space": ({"identifier": "A 154321"}, "identifier"),
    "account number with a control character": ({"identifier": "A-1\x07"}, "identifier"),
    "account number of 65 characters": ({"identifier": "A" * 65}, "identifier"),
    "account user not an email": ({"linkedObjectType": "ACCOUNT_USER", "identifier": "A-154321"}, "identifier"),
    "account user email too long": (
        {"linkedObjectType": "ACCOUNT_USER", "identifier": "a" * 64 + "@" + "b" * 185 + ".com"},
        "identifier",
    ),
    "key empty": ({"key": ""}, "key"),
    "key of 256 characters": ({"key": "k" * 256}, "key"),
    "key holding NUL": ({"key": "a\x00b"}, "key"),
}


@pytest.mark.parametrize("overrides, field", BROKEN_INPUTS.values(), ids=BROKEN_INPUTS.keys())
def test_broken_input_is_invalid_data_naming_the_field_and_writes_nothing(gql, tenant, overrides, field):
    body = mutate(gql, UPDATE, **metadata_input(**overrides))

    error = the_error(body)
    assert (body["errors"][0]["message"], error["errorType"], error["errorCode"]) == (
        "Invalid data.",
        "VALIDATION",
        "MS-GQL-1001",
    )
    assert input_paths(body) == [["input", field]]
    assert error["validationErrors"][0]["message"]
    assert not rows(tenant).exists()


def test_every_broken_field_is_named_at_once(gql):
    body = mutate(gql, UPDATE, **metadata_input(identifier="", key="", value="nope"))

    assert sorted(input_paths(body)) == [["input", "identifier"], ["input", "key"], ["input", "value"]]


@pytest.mark.parametrize(
    "overrides",
    [
        {"identifier": "A" * 64},
        {"identifier": "Ä-12/34:x"},
        {"key": "k" * 255},
        {"key": "ключ with spaces"},
        {"linkedObjectType": "ACCOUNT_USER", "identifier": "some.test+tag@email.co.uk"},
    ],
)
def test_input_at_the_edge_of_the_rules_is_accepted(gql, tenant, overrides):
    body = mutate(gql, UPDATE, **metadata_input(**overrides))

    assert "errors" not in body, body
    assert rows(tenant).count() == 1


def test_a_value_of_exactly_64_kib_as_compact_json_is_accepted(gql, tenant):
    value = json.dumps("x" * (VALUE_MAX_BYTES - 2))  # two quotes make it 65,536 bytes

    body = mutate(gql, UPDATE, **metadata_input(value=value))

    assert "errors" not in body
    assert len(rows(tenant).get().value) == VALUE_MAX_BYTES - 2


def test_the_value_limit_is_a_setting(gql, settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "LINKED_METADATA_VALUE_MAX_BYTES": 10}

    body = mutate(gql, UPDATE, **metadata_input(value='"0123456789"'))

    assert the_error(body)["validationErrors"][0]["message"] == (
        "The value is 12 bytes as compact JSON; at most 10 bytes are allowed."
    )


def test_a_bad_identifier_in_a_query_names_the_argument(gql):
    body = run(gql, METADATA, {"type": "ACCOUNT_USER", "identifier": "not-an-email"})

    assert error_code(body) == "MS-GQL-1001"
    assert input_paths(body) == [["identifier"]]


def test_a_bad_key_in_metadata_for_key_names_the_argument(gql):
    body = run(gql, FOR_KEY, {"type": "ACCOUNT", "identifier": "A-1", "key": ""})

    assert input_paths(body) == [["key"]]


def test_a_bad_identifier_in_delete_metadata_names_the_input_field(gql):
    body = mutate(gql, DELETE, **delete_input(identifier="has space"))

    assert input_paths(body) == [["input", "identifier"]]


def test_an_unknown_linked_object_type_is_refused_by_the_schema(gql, tenant):
    body = mutate(gql, UPDATE, **metadata_input(linkedObjectType="METER"))

    assert error_code(body) == "MS-GQL-1003"
    assert "LinkedObjectType" in the_error(body)["errorDescription"]
    assert not rows(tenant).exists()
