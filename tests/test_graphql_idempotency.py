"""Idempotency-Key on GraphQL mutations (contract automation.md): replay, and Kraken errors on HTTP 200."""

import json

import pytest

from idempotency.models import IdempotencyRecord
from linked_metadata.models import LinkedMetadata, LinkedMetadataRevision
from tests.support.graphql_client import CREATE, METADATA, error_code, graphql_client, metadata_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def gql(tenant):
    return graphql_client(tenant.uuid)


def send(client, query, variables, key="mutation-1"):
    return client.post(
        "/v1/graphql/", {"query": query, "variables": variables}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_a_retried_create_mutation_replays_its_answer_and_writes_once(gql):
    first = send(gql, CREATE, {"input": metadata_input()})
    again = send(gql, CREATE, {"input": metadata_input()})

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert "errors" not in again.json()  # without the key the second create would be KT-CT-8414
    assert LinkedMetadata.objects.count() == 1
    assert LinkedMetadataRevision.objects.count() == 1


def test_the_key_with_another_mutation_is_ms_gql_4221(gql):
    send(gql, CREATE, {"input": metadata_input()})
    other = send(gql, CREATE, {"input": metadata_input(key="another")})

    assert other.status_code == 200
    assert error_code(other.json()) == "MS-GQL-4221"
    assert LinkedMetadata.objects.count() == 1


def test_a_malformed_key_is_ms_gql_1006_naming_the_header(gql):
    response = send(gql, CREATE, {"input": metadata_input()}, key="no spaces")

    assert response.status_code == 200
    assert error_code(response.json()) == "MS-GQL-1006"
    assert "Idempotency-Key" in json.dumps(response.json())
    assert LinkedMetadata.objects.count() == 0


def test_a_query_with_a_key_runs_as_usual_and_stores_nothing(gql):
    variables = {"type": "ACCOUNT", "identifier": "A-000001"}
    response = send(gql, METADATA, variables)

    assert response.status_code == 200
    assert IdempotencyRecord.objects.count() == 0


def test_a_key_whose_first_mutation_still_runs_is_ms_gql_4091_with_retry_after(tenant, require_postgres):
    from contextlib import closing

    import psycopg2

    from idempotency.records import KeyScope
    from tests.support.pg_sessions import libpq_settings

    caller = "9a9c1c8e-6f0b-4a55-8d0e-1d2a3b4c5d6e"
    client = graphql_client(tenant.uuid, identity_uuid=caller)
    scope = KeyScope(
        tenant_id=tenant.uuid, caller=f"System:{caller}", method="POST", path="/v1/graphql", key="mutation-1"
    )
    with closing(psycopg2.connect(**libpq_settings())) as first_run, first_run.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [scope.lock_id()])  # as the running mutation holds it
        response = send(client, CREATE, {"input": metadata_input()})

    assert response.status_code == 200
    assert error_code(response.json()) == "MS-GQL-4091"
    assert response["Retry-After"] == "1"
    assert LinkedMetadata.objects.count() == 0
