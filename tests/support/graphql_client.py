"""Helpers for the GraphQL specifications: the operations a client sends, and reading Kraken-shaped answers."""

import json

from linked_metadata.models import LinkedMetadata
from tests.conftest import client_with, token_for

SEED_VALUE = {"pet_type": "dog", "name": "fang"}

CREATE = """mutation createMetadata($input: MetadataInput!) {
  createMetadata(input: $input) { metadata { key value } } }"""
UPDATE = """mutation updateMetadata($input: MetadataInput!) {
  updateMetadata(input: $input) { metadata { key value } } }"""
DELETE = """mutation deleteMetadata($input: DeleteMetadataInput!) {
  deleteMetadata(input: $input) { metadata { key value } } }"""
METADATA = """query metadata($type: LinkedObjectType!, $identifier: String!) {
  metadata(linkedObjectType: $type, identifier: $identifier) { key value } }"""
FOR_KEY = """query metadataForKey($type: LinkedObjectType!, $identifier: String!, $key: String!) {
  metadataForKey(linkedObjectType: $type, identifier: $identifier, key: $key) { key value } }"""


def metadata_input(**overrides):
    """The seed's example input: an account, its key and a JSON value sent as a string."""
    values = {
        "linkedObjectType": "ACCOUNT",
        "identifier": "A-154321",
        "key": "some_unique_key",
        "value": json.dumps(SEED_VALUE),
    }
    values.update(overrides)
    return values


def delete_input(**overrides):
    values = metadata_input(**overrides)
    values.pop("value")
    return values


def graphql_client(tenant_id, identity_type="System", **claims):
    """An API client sending ``Authorization: JWT <token>``, as the seed's examples do."""
    return client_with(token_for(tenant_id, identity_type, **claims), scheme="JWT")


def run(client, query, variables=None, **extra):
    """POST one GraphQL request; every answer, error or not, is an HTTP 200 with a JSON body."""
    response = client.post("/v1/graphql/", {"query": query, "variables": variables}, format="json", **extra)
    assert response.status_code == 200, response.content
    return response.json()


def mutate(client, query, **input_values):
    return run(client, query, {"input": input_values})


def the_error(body):
    """The extensions of the answer's only error (asserting there is exactly one)."""
    assert len(body.get("errors", [])) == 1, body
    return body["errors"][0]["extensions"]


def error_code(body):
    return the_error(body)["errorCode"]


def payload(body, field):
    """The ``metadata`` of a mutation's payload, with its value parsed back from JSON text."""
    assert "errors" not in body, body
    metadata = body["data"][field]["metadata"]
    return {"key": metadata["key"], "value": json.loads(metadata["value"])}


def rows(tenant):
    return LinkedMetadata.objects.for_tenant(tenant.uuid)
