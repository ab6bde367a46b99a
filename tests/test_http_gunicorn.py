"""End to end over real HTTP: the service under gunicorn, against the test database.

The REST and GraphQL round trips run twice: connected to PostgreSQL directly, and through a pgbouncer in
transaction pooling mode (where a server connection serves many clients, so nothing may rely on session state).
"""

import json
import urllib.error
import urllib.request

import pytest

from tests.conftest import metadata_body, token_for
from tests.support.graphql_client import CREATE, METADATA, SEED_VALUE, UPDATE, metadata_input
from tests.support.http_calls import call
from tests.support.live_server import gunicorn, through_pgbouncer


@pytest.fixture(params=["direct", "pgbouncer"])
def either_server(request, transactional_db):
    """A gunicorn on PostgreSQL directly, then one through pgbouncer (transaction pooling); its base URL."""
    env = through_pgbouncer(request.getfixturevalue("pgbouncer")) if request.param == "pgbouncer" else {}
    with gunicorn(**env) as live:
        yield live.url


@pytest.mark.e2e
def test_a_resource_lives_through_create_read_update_delete_over_http(either_server, tenant):
    server, token = either_server, token_for(tenant.uuid)

    status, headers, created = call("POST", f"{server}/metadatas", token, metadata_body())
    assert status == 201
    item = f"{server}/metadatas/{created['uuid']}"
    assert headers["Location"] == item

    status, headers, _ = call("GET", item, token)
    assert (status, headers["ETag"]) == (200, '"1"')

    status, _, updated = call("PUT", item, token, {"data": ["Github", "Yahoo"], "version": 1})
    assert (status, updated["version"], updated["data"]) == (200, 2, ["Github", "Yahoo"])

    status, _, problem = call("PUT", item, token, {"data": [], "version": 1})
    assert (status, problem["currentVersion"]) == (409, 2)

    status, headers, listed = call("GET", f"{server}/metadatas?slug[]=oauth-providers", token)
    assert (status, headers["X-Total-Count"], len(listed)) == (200, "1", 1)

    assert call("DELETE", item, token)[0] == 204
    assert call("GET", item, token)[0] == 404


@pytest.mark.e2e
def test_a_request_without_a_token_is_a_401_problem_over_http(server):
    request = urllib.request.Request(f"{server}/metadatas")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)

    assert raised.value.code == 401
    assert raised.value.headers["Content-Type"] == "application/problem+json; charset=utf-8"
    assert raised.value.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.e2e
def test_graphql_creates_updates_and_reads_linked_metadata_over_http(either_server, tenant):
    server, token = either_server, token_for(tenant.uuid)

    def graphql(query, variables):
        status, _, body = call("POST", f"{server}/v1/graphql/", token, {"query": query, "variables": variables})
        assert status == 200 and "errors" not in body, body
        return body["data"]

    created = graphql(CREATE, {"input": metadata_input()})
    updated = graphql(UPDATE, {"input": metadata_input(value=json.dumps({"pet_type": "cat"}))})
    read = graphql(METADATA, {"type": "ACCOUNT", "identifier": "A-154321"})

    assert json.loads(created["createMetadata"]["metadata"]["value"]) == SEED_VALUE
    assert json.loads(updated["updateMetadata"]["metadata"]["value"]) == {"pet_type": "cat"}
    assert [(item["key"], json.loads(item["value"])) for item in read["metadata"]] == [
        ("some_unique_key", {"pet_type": "cat"})
    ]
