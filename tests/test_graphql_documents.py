"""What the GraphQL endpoint does with documents and requests that cannot run: errors on HTTP 200, never a 500."""

from unittest import mock

import pytest
from django.db import OperationalError
from graphql import get_introspection_query
from rest_framework.test import APIClient

from linked_metadata.graphql_api import schema as graphql_schema
from tests.support.graphql_client import UPDATE, error_code, graphql_client, metadata_input, rows, run, the_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def gql(tenant):
    return graphql_client(tenant.uuid)


def limited(settings, **limits):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, **limits}


def test_a_malformed_document_is_a_syntax_error_with_its_location(gql):
    body = run(gql, "mutation { updateMetadata(input: { key: }")

    assert (the_error(body)["errorType"], error_code(body)) == ("VALIDATION", "MS-GQL-1002")
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 41}]
    assert "data" not in body


def test_an_unknown_field_is_an_invalid_query(gql):
    body = run(gql, '{ metadata(linkedObjectType: ACCOUNT, identifier: "A-1") { key secret } }')

    assert error_code(body) == "MS-GQL-1003"
    assert "Cannot query field 'secret'" in the_error(body)["errorDescription"]


def test_a_variable_of_the_wrong_type_is_an_invalid_query(gql, tenant):
    body = run(gql, UPDATE, {"input": {**metadata_input(), "key": 12}})

    assert error_code(body) == "MS-GQL-1003"
    assert not rows(tenant).exists()


def test_a_missing_variable_is_an_invalid_query(gql):
    assert error_code(run(gql, UPDATE, {})) == "MS-GQL-1003"


def test_an_unknown_operation_name_is_an_invalid_query(gql):
    body = gql.post("/v1/graphql/", {"query": "query a { __typename }", "operationName": "b"}, format="json")

    assert error_code(body.json()) == "MS-GQL-1003"


def test_a_query_longer_than_the_limit_is_too_large(gql, settings):
    limited(settings, GRAPHQL_QUERY_MAX_CHARS=100)

    body = run(gql, "{ __typename " + " " * 100 + "}")

    assert error_code(body) == "MS-GQL-1004"


def test_a_query_of_too_many_tokens_is_too_large(gql):
    body = run(gql, "{" + " a: __typename" * 1000 + " }")

    assert error_code(body) == "MS-GQL-1004"


def test_a_query_nesting_deeper_than_the_limit_is_too_deep(gql, settings):
    limited(settings, GRAPHQL_QUERY_MAX_DEPTH=3)

    body = run(gql, "{ __schema { queryType { fields { type { name } } } } }")

    assert error_code(body) == "MS-GQL-1005"
    assert the_error(body)["errorDescription"] == "The query nests fields deeper than 3 levels."


def test_depth_counts_through_fragments(gql, settings):
    limited(settings, GRAPHQL_QUERY_MAX_DEPTH=3)
    query = "{ ...A } fragment A on Query { __schema { ...B } } fragment B on __Schema { types { fields { name } } }"

    assert error_code(run(gql, query)) == "MS-GQL-1005"


def test_a_document_nested_beyond_the_parser_is_too_deep(gql):
    body = run(gql, "{" + " a {" * 900 + " b" + " }" * 901)

    assert error_code(body) == "MS-GQL-1005"


def test_graphiqls_introspection_query_fits_the_default_limits(gql):
    everything = {
        "descriptions": True,
        "specified_by_url": True,
        "directive_is_repeatable": True,
        "schema_description": True,
        "input_value_deprecation": True,
    }

    body = run(APIClient(), get_introspection_query(**everything))

    assert "errors" not in body
    assert body["data"]["__schema"]["mutationType"]["name"] == "Mutation"


def test_a_cyclic_fragment_is_an_invalid_query(gql):
    assert error_code(run(gql, "{ ...A } fragment A on Query { ...A }")) == "MS-GQL-1003"


BAD_REQUESTS = {
    "body not JSON": ("not json", "application/json"),
    "body a JSON list": ("[]", "application/json"),
    "no query": ("{}", "application/json"),
    "query not a string": ('{"query": 5}', "application/json"),
    "variables not an object": ('{"query": "{ __typename }", "variables": [1]}', "application/json"),
    "variables not JSON": ('{"query": "{ __typename }", "variables": "{"}', "application/json"),
    "operationName not a string": ('{"query": "{ __typename }", "operationName": 1}', "application/json"),
    "body not UTF-8": (b'{"query": "\xff"}', "application/json"),
}


@pytest.mark.parametrize("content, content_type", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_a_malformed_request_is_a_bad_request_error_on_200(gql, content, content_type):
    response = gql.generic("POST", "/v1/graphql/", content, content_type=content_type)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert error_code(response.json()) == "MS-GQL-1006"


def test_a_mutation_over_get_is_refused(gql, tenant):
    response = gql.get("/v1/graphql/", {"query": UPDATE, "variables": '{"input": {}}'}, HTTP_ACCEPT="application/json")

    assert error_code(response.json()) == "MS-GQL-1006"
    assert not rows(tenant).exists()


def test_a_query_over_get_runs(gql):
    response = gql.get("/v1/graphql/", {"query": "{ __typename }"}, HTTP_ACCEPT="application/json")

    assert response.json() == {"data": {"__typename": "Query"}}


def test_put_is_not_allowed(gql):
    response = gql.put("/v1/graphql/", {"query": "{ __typename }"}, format="json")

    assert response.status_code == 405
    assert error_code(response.json()) == "MS-GQL-1006"


def test_a_browser_gets_graphiql_when_the_setting_is_on(settings):
    limited(settings, GRAPHIQL=True)

    response = APIClient().get("/v1/graphql/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"graphiql" in response.content.lower()


def test_a_browser_gets_no_graphiql_when_the_setting_is_off(settings):
    limited(settings, GRAPHIQL=False)

    response = APIClient().get("/v1/graphql/", HTTP_ACCEPT="text/html")

    assert error_code(response.json()) == "MS-GQL-1006"


def test_the_path_without_a_trailing_slash_serves_too(gql):
    response = gql.post("/v1/graphql", {"query": "{ __typename }"}, format="json")

    assert response.json() == {"data": {"__typename": "Query"}}


def test_an_unexpected_failure_is_an_internal_error_that_reveals_nothing(gql, caplog):
    failure = RuntimeError('SELECT * FROM "secret_table"')
    with mock.patch.object(graphql_schema, "linked_metadata_upsert", side_effect=failure):
        response = gql.post("/v1/graphql/", {"query": UPDATE, "variables": {"input": metadata_input()}}, format="json")

    assert response.status_code == 200
    assert error_code(response.json()) == "MS-GQL-5001"
    assert b"secret_table" not in response.content
    assert "secret_table" in caplog.text  # logged for the operator


def test_an_unreachable_database_is_service_unavailable(gql):
    outage = OperationalError("connection refused")
    with mock.patch.object(graphql_schema, "linked_metadata_upsert", side_effect=outage):
        body = run(gql, UPDATE, {"input": metadata_input()})

    assert (the_error(body)["errorType"], error_code(body)) == ("SERVICE_UNAVAILABLE", "MS-GQL-5031")
    assert "connection refused" not in str(body)
