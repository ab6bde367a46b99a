"""The request size limits as a client meets them over real HTTP, under gunicorn."""

import http.client
import json

import pytest

from tests.conftest import metadata_body, token_for
from tests.support.live_server import Gunicorn, database_url

pytestmark = pytest.mark.django_db(transaction=True)
PROBLEM = "application/problem+json; charset=utf-8"


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), Gunicorn(database_url(), workers=1) as running:
        yield running


def send(server, path, body=b"", headers=None, method="POST", chunked=False):
    connection_ = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection_.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        response = connection_.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection_.close()


def headers_for(tenant):
    return {
        "Authorization": f"Bearer {token_for(tenant.uuid)}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }


@pytest.mark.e2e
def test_a_body_over_the_size_limit_is_a_413_problem(server, tenant):
    body = json.dumps(metadata_body(data=["x" * (2 * 1024 * 1024)])).encode()
    status, headers, _ = send(server, "/metadatas", body, headers_for(tenant))
    assert (status, headers["Content-Type"]) == (413, PROBLEM)


@pytest.mark.e2e
def test_a_chunked_body_is_a_411_problem_so_it_cannot_pass_the_size_limit_unmeasured(server, tenant):
    chunks = iter([json.dumps(metadata_body()).encode()])
    status, headers, content = send(server, "/metadatas", chunks, headers_for(tenant), chunked=True)
    assert (status, headers["Content-Type"]) == (411, PROBLEM)
    assert "Content-Length" in json.loads(content)["detail"]


@pytest.mark.e2e
def test_a_query_string_longer_than_gunicorns_request_line_is_a_414(server, tenant):
    query = "&".join(f"id[]={number}" for number in range(1, 10_001))
    status, _, _ = send(server, f"/metadatas?{query}", headers=headers_for(tenant), method="GET")
    assert status == 414
