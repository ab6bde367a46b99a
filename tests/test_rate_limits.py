"""Rate limits per tenant and per token: 429 problem+json with Retry-After, shared across workers."""

import uuid
from unittest import mock

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from tests.conftest import JSON, client_with, token_for
from tests.support.graphql_client import UPDATE, error_code, graphql_client, metadata_input, run, the_error
from tests.support.http_calls import burst
from tests.support.live_server import Gunicorn, database_url

REDIS_URL = "redis://127.0.0.1:6379/6"


def rates(tenant=None, token=None, login=None):
    """Settings with the throttle rates replaced (``None`` is no limit)."""
    from django.conf import settings

    replaced = {"tenant": tenant, "token": token, "login": login}
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": replaced})


def test_a_token_over_its_rate_gets_a_429_problem_with_retry_after(api):
    with rates(token="3/day"):
        statuses = [api.get("/metadatas", **JSON).status_code for _ in range(3)]
        response = api.get("/metadatas", **JSON)

    assert statuses == [200, 200, 200]
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    assert response.json()["type"] == "/problems/throttled"
    assert 1 <= int(response["Retry-After"]) <= 86400


def test_retry_after_is_the_seconds_left_in_the_window(api):
    with rates(token="1/min"), mock.patch("tenants.throttling.time.time", return_value=1_000_000_030.5):
        api.get("/metadatas", **JSON)
        response = api.get("/metadatas", **JSON)
    assert (response.status_code, response["Retry-After"]) == (429, "50")  # the window ends at ...080


def test_another_token_of_the_same_tenant_is_served_while_one_token_is_limited(tenant, api):
    second = client_with(token_for(tenant.uuid))
    with rates(token="2/day"):
        for _ in range(3):
            api.get("/metadatas", **JSON)
        assert api.get("/metadatas", **JSON).status_code == 429
        assert second.get("/metadatas", **JSON).status_code == 200


def test_all_tokens_of_a_tenant_share_the_tenant_rate(tenant, api):
    second = client_with(token_for(tenant.uuid))
    with rates(tenant="4/day"):
        assert [api.get("/metadatas", **JSON).status_code for _ in range(2)] == [200, 200]
        assert [second.get("/metadatas", **JSON).status_code for _ in range(3)] == [200, 200, 429]


def test_one_tenant_over_its_rate_does_not_limit_another_tenant(api, other_api):
    with rates(tenant="2/day"):
        for _ in range(3):
            api.get("/metadatas", **JSON)
        assert api.get("/metadatas", **JSON).status_code == 429
        assert other_api.get("/metadatas", **JSON).status_code == 200


def test_a_limited_write_changes_nothing(api, make_metadata):
    metadata = make_metadata()
    with rates(token="1/day"):
        api.get("/metadatas", **JSON)
        response = api.put(f"/metadatas/{metadata.uuid}", {"owner": "Changed", "version": 1}, **JSON)

    assert response.status_code == 429
    metadata.refresh_from_db()
    assert (metadata.owner, metadata.version) == ("BusinessUnit", 1)


def test_the_json_ld_context_needs_no_token_and_is_not_limited(client, db):
    with rates(tenant="1/day", token="1/day"):
        statuses = {client.get("/contexts/Metadata").status_code for _ in range(3)}
    assert statuses == {200}


def test_requests_pass_when_the_cache_is_unreachable(api):
    unreachable = RedisConnectionError("Connection refused")
    with rates(token="1/day"), mock.patch.object(cache, "incr", side_effect=unreachable):
        statuses = [api.get("/metadatas", **JSON).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


def test_a_script_redis_does_not_know_yet_is_sent_whole_and_answers(tenant_cache):
    from metadata_service.shared_redis import SharedScript, shared_redis

    unseen = SharedScript(f"-- {uuid.uuid4()}\nreturn redis.call('INCR', KEYS[1])")  # a new SHA1: NOSCRIPT first
    key = f"{tenant_cache['prefix']}:unseen"

    assert [unseen(shared_redis(), keys=[key], args=[]) for _ in range(2)] == [1, 2]


def test_a_broken_redis_connection_is_closed_and_the_next_request_counts_on_a_new_one(api, tenant_cache):
    from metadata_service.shared_redis import shared_redis
    from tenants.registry import STATE_AND_COUNTS

    client = shared_redis()
    broken = STATE_AND_COUNTS._connection(client)
    STATE_AND_COUNTS._idle_of(client.connection_pool).append(broken)  # the next request takes this one
    failures = iter([RedisConnectionError("reset")])
    real_send = broken.send_command

    def send_once_broken(*args, **kwargs):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real_send(*args, **kwargs)

    with rates(token="2/day"), mock.patch.object(broken, "send_command", side_effect=send_once_broken):
        statuses = [api.get("/metadatas", **JSON).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]  # the first answered by the database and counted by the fallback


def test_an_off_rate_means_no_limit(api):
    with rates(tenant="off", token="off"):
        statuses = {api.get("/metadatas", **JSON).status_code for _ in range(5)}
    assert statuses == {200}


def test_password_attempts_from_one_address_are_limited_and_do_not_reach_the_check(db):
    client = APIClient()
    attempt = {"username": "someone", "password": "guess"}
    with rates(login="2/day"), mock.patch("tenants.token_views.MemberTokenObtainSerializer.validate") as check:
        check.side_effect = AuthenticationFailed("No active account found with the given credentials")
        statuses = [client.post("/tokens", attempt, format="json", **JSON).status_code for _ in range(3)]
        response = client.post("/tokens", attempt, format="json", **JSON)

    assert statuses == [401, 401, 429]
    assert (response.status_code, response["Content-Type"]) == (429, "application/problem+json; charset=utf-8")
    assert int(response["Retry-After"]) >= 1
    assert check.call_count == 2


def test_password_attempts_are_counted_per_address(db):
    attempt = {"username": "someone", "password": "guess"}
    with rates(login="1/day"):
        APIClient().post("/tokens", attempt, format="json", REMOTE_ADDR="10.0.0.1", **JSON)
        blocked = APIClient().post("/tokens", attempt, format="json", REMOTE_ADDR="10.0.0.1", **JSON)
        other = APIClient().post("/tokens", attempt, format="json", REMOTE_ADDR="10.0.0.2", **JSON)
    assert (blocked.status_code, other.status_code) == (429, 401)


def redis_or_skip():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis does not answer at {REDIS_URL} ({exc}); the shared-cache limit needs it")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_limit_counted_in_redis_holds_across_gunicorn_workers(tenant):
    redis_or_skip()
    prefix = f"test-issue6-{uuid.uuid4().hex}"
    env = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix, "THROTTLE_RATE_TOKEN": "10/day"}
    token = token_for(tenant.uuid)
    try:
        with Gunicorn(database_url(), workers=3, env=env) as server:
            statuses = burst(f"{server.url}/metadatas", token)
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)

    assert statuses.count(200) == 10
    assert statuses.count(429) == 10


def test_the_openapi_document_describes_the_429_of_every_limited_operation(client, db):
    paths = client.get("/docs/openapi.json").json()["paths"]
    limited = [(path, method) for path in ("/metadatas", "/metadatas/{uuid}") for method in paths[path]]
    limited.append(("/tokens", "post"))
    for path, method in limited:
        answer = paths[path][method]["responses"]["429"]
        assert "application/problem+json" in answer["content"], (path, method)
        assert "Retry-After" in answer["headers"], (path, method)


def test_graphql_requests_count_against_the_same_limits(tenant):
    client = graphql_client(tenant.uuid)
    with rates(token="2/day"):
        bodies = [run(client, UPDATE, {"input": metadata_input(key=f"k{n}")}) for n in range(3)]

    assert ["errors" in body for body in bodies] == [False, False, True]
    assert error_code(bodies[2]) == "MS-GQL-4291"
    assert "seconds" in the_error(bodies[2])["errorDescription"]


def test_rest_and_graphql_share_one_token_budget(tenant):
    token = token_for(tenant.uuid)
    with rates(token="1/day"):
        assert client_with(token).get("/metadatas", **JSON).status_code == 200
        body = run(client_with(token, scheme="JWT"), UPDATE, {"input": metadata_input()})

    assert error_code(body) == "MS-GQL-4291"
