"""CORS for browser clients on other origins: none allowed by default, preflights answered without a token."""

import pytest

from tests.conftest import JSON

ORIGIN = "https://console.example.com"


@pytest.fixture
def allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]


def preflight(client, path, method="PUT", headers="authorization,content-type,if-match", origin=ORIGIN):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


def test_by_default_no_origin_is_allowed(client, db):
    response = preflight(client, "/metadatas")

    assert "access-control-allow-origin" not in response.headers


def test_an_allowed_origins_preflight_is_answered_without_a_token(client, db, allowed):
    response = preflight(client, "/metadatas/0b9a54d4-7a1e-4a6c-9f65-0a7c1d0d3c11")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "PUT" in response["Access-Control-Allow-Methods"]
    assert {"authorization", "content-type", "if-match"} <= set(response["Access-Control-Allow-Headers"].split(", "))


@pytest.mark.parametrize("path", ["/metadatas", "/v1/graphql/", "/tokens"])
def test_each_api_route_answers_preflights(client, db, allowed, path):
    response = preflight(client, path, method="POST", headers="authorization,content-type")

    assert (response.status_code, response["Access-Control-Allow-Origin"]) == (200, ORIGIN)


def test_another_origin_is_not_allowed(client, db, allowed):
    response = preflight(client, "/metadatas", origin="https://evil.example.net")

    assert "access-control-allow-origin" not in response.headers


def test_an_allowed_origin_reads_the_answer_and_its_headers(api, allowed, make_metadata):
    make_metadata()

    response = api.get("/metadatas", HTTP_ORIGIN=ORIGIN, **JSON)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    exposed = set(response["Access-Control-Expose-Headers"].split(", "))
    assert {"etag", "link", "x-total-count", "location", "x-request-id"} <= exposed
    assert "access-control-allow-credentials" not in response.headers


def test_an_allowed_origin_still_needs_a_token_for_the_request_itself(client, db, allowed):
    response = client.get("/metadatas", HTTP_ORIGIN=ORIGIN, **JSON)

    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == ORIGIN  # so that the browser shows the 401


def test_the_admin_is_not_opened_to_other_origins(client, db, allowed):
    response = preflight(client, "/admin/login/", method="POST")

    assert "access-control-allow-origin" not in response.headers
