"""RateLimit-Policy and RateLimit headers (contract automation.md), from the counters the 429s use."""

from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings

from tests.conftest import JSON, metadata_body
from tests.support.graphql_client import UPDATE, graphql_client, metadata_input

pytestmark = pytest.mark.django_db

NOW = 1_000_000_030.5  # 10.5 s into a minute window: 50 s left


def rates(tenant="100/min", token="5/min"):
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"tenant": tenant, "token": token}}
    )


@pytest.fixture(autouse=True)
def fixed_clock():
    with mock.patch("tenants.throttling.time.time", return_value=NOW):
        yield


def test_a_response_announces_both_policies_and_the_tightest_limit(api):
    with rates():
        response = api.get("/metadatas", **JSON)

    assert response["RateLimit-Policy"] == '100;w=60;comment="tenant", 5;w=60;comment="token"'
    assert response["RateLimit"] == "limit=5, remaining=4, reset=50"


def test_remaining_falls_with_each_request(api):
    with rates():
        api.get("/metadatas", **JSON)
        response = api.post("/metadatas", metadata_body(), format="json", **JSON)

    assert response.status_code == 201
    assert response["RateLimit"] == "limit=5, remaining=3, reset=50"


def test_the_lean_item_read_carries_the_headers_too(api):
    with rates():
        created = api.post("/metadatas", metadata_body(), format="json", **JSON).json()
        response = api.get(f"/metadatas/{created['uuid']}", **JSON)

    assert response.status_code == 200
    assert response["RateLimit"] == "limit=5, remaining=3, reset=50"


def test_a_429_has_remaining_0_and_keeps_retry_after(api):
    with rates(token="1/min"):
        api.get("/metadatas", **JSON)
        response = api.get("/metadatas", **JSON)

    assert response.status_code == 429
    assert response["RateLimit"] == "limit=1, remaining=0, reset=50"
    assert response["Retry-After"] == "50"


def test_graphql_answers_carry_the_headers(tenant):
    client = graphql_client(tenant.uuid)
    with rates():
        response = client.post(
            "/v1/graphql/", {"query": UPDATE, "variables": {"input": metadata_input()}}, format="json"
        )

    assert response["RateLimit"].startswith("limit=5, remaining=")


def test_a_request_without_a_token_has_no_rate_limit_headers(client):
    response = client.get("/metadatas", **JSON)

    assert response.status_code == 401
    assert not response.has_header("RateLimit")
