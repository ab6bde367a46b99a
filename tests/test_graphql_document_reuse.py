"""A GraphQL document is parsed and validated once per query text and limits, and answers as if checked anew."""

import json

import pytest

from linked_metadata.graphql_api import view
from tests.support.graphql_client import UPDATE, error_code, graphql_client, metadata_input, rows, run

pytestmark = pytest.mark.django_db
DEEP = "{ __schema { queryType { fields { type { name } } } } }"


@pytest.fixture
def gql(tenant):
    return graphql_client(tenant.uuid)


def limited(settings, **limits):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, **limits}


def test_the_same_mutation_sent_twice_is_checked_once_and_runs_twice(gql, tenant):
    view._checked.clear()

    run(gql, UPDATE, {"input": metadata_input(value=json.dumps(1))})
    run(gql, UPDATE, {"input": metadata_input(value=json.dumps(2))})

    assert len(view._checked) == 1
    assert rows(tenant).get().version == 2


def test_an_invalid_document_sent_again_gets_the_same_error(gql):
    first = run(gql, "{ noSuchField }")
    again = run(gql, "{ noSuchField }")

    assert again == first
    assert "data" not in again


def test_a_document_checked_under_one_limit_is_checked_again_under_another(gql, settings):
    assert "errors" not in run(gql, DEEP)

    limited(settings, GRAPHQL_QUERY_MAX_DEPTH=3)

    assert error_code(run(gql, DEEP)) == "MS-GQL-1005"
