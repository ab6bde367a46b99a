"""End to end over real HTTP: the service under gunicorn, against the test database."""

import urllib.error
import urllib.request

import pytest

from tests.conftest import metadata_body, token_for
from tests.support.http_calls import call


@pytest.mark.e2e
def test_a_resource_lives_through_create_read_update_delete_over_http(server, tenant):
    token = token_for(tenant.uuid)

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
