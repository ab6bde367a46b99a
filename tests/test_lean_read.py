"""The short path of GET /metadatas/{uuid} (metadatas/item_read.py) answers exactly as the viewset does."""

import time

import pytest
import redis

from tenants.tokens import VERIFIED_TOKENS
from tests.conftest import JSON, JSONLD, client_with, token_for

# An Accept header the short path leaves to the viewset (DRF's negotiation), for the same answer.
NEGOTIATED_JSON = {"HTTP_ACCEPT": "application/json;q=1.0, text/plain;q=0.1"}
NEGOTIATED_JSONLD = {"HTTP_ACCEPT": "application/ld+json;q=1.0, text/plain;q=0.1"}
COMPARED_HEADERS = ("Content-Type", "ETag", "Vary", "Allow", "Link", "WWW-Authenticate", "Retry-After")


def answer(response):
    return response.status_code, response.content, {name: response.get(name) for name in COMPARED_HEADERS}


@pytest.mark.parametrize(("short", "negotiated"), [(JSON, NEGOTIATED_JSON), (JSONLD, NEGOTIATED_JSONLD)])
def test_a_read_answers_as_the_viewset_does(api, make_metadata, short, negotiated):
    metadata = make_metadata(owner_uuid="c11c546e-bd01-47cf-97da-e25388357b5a", data={"a": [1, "\u2028"]})
    url = f"/metadatas/{metadata.uuid}"

    assert answer(api.get(url, **short)) == answer(api.get(url, **negotiated))


@pytest.mark.parametrize(("short", "negotiated"), [(JSON, NEGOTIATED_JSON), (JSONLD, NEGOTIATED_JSONLD)])
def test_a_304_answers_as_the_viewset_does(api, make_metadata, short, negotiated):
    url = f"/metadatas/{make_metadata().uuid}"
    condition = {"HTTP_IF_NONE_MATCH": '"1"'}

    short, negotiated = api.get(url, **short, **condition), api.get(url, **negotiated, **condition)

    assert short.status_code == 304
    assert answer(short) == answer(negotiated)


@pytest.mark.parametrize("tag", ['"2"', 'W/"7", "9"'])
def test_a_stale_if_none_match_gets_the_viewset_s_200_with_the_document(api, make_metadata, tag):
    url = f"/metadatas/{make_metadata(data={'k': 'v'}).uuid}"
    condition = {"HTTP_IF_NONE_MATCH": tag}

    short, negotiated = api.get(url, **JSON, **condition), api.get(url, **NEGOTIATED_JSON, **condition)

    assert short.status_code == 200
    assert short.json()["data"] == {"k": "v"}
    assert answer(short) == answer(negotiated)


def test_a_malformed_if_none_match_is_the_viewset_s_400(api, make_metadata):
    url = f"/metadatas/{make_metadata().uuid}"
    condition = {"HTTP_IF_NONE_MATCH": "not-a-tag"}

    short, negotiated = api.get(url, **JSON, **condition), api.get(url, **NEGOTIATED_JSON, **condition)

    assert short.status_code == 400
    assert answer(short) == answer(negotiated)


def test_a_current_if_none_match_of_another_owner_s_resource_is_403_not_304(tenant, make_metadata):
    metadata = make_metadata(owner="Other")
    reader = client_with(token_for(tenant.uuid, identity_type="Individual", permissions=["metadata:read@Mine:"]))
    url, condition = f"/metadatas/{metadata.uuid}", {"HTTP_IF_NONE_MATCH": '"1"'}

    short, negotiated = reader.get(url, **JSON, **condition), reader.get(url, **NEGOTIATED_JSON, **condition)

    assert short.status_code == 403
    assert answer(short) == answer(negotiated)


def test_a_missing_a_foreign_and_a_malformed_uuid_are_the_viewset_s_404(api, other_tenant, make_metadata):
    foreign = make_metadata(tenant=other_tenant)
    for path in (f"/metadatas/{foreign.uuid}", "/metadatas/00000000-0000-0000-0000-000000000000", "/metadatas/nope"):
        short, negotiated = api.get(path, **JSON), api.get(path, **NEGOTIATED_JSON)
        assert short.status_code == 404
        assert answer(short) == answer(negotiated)


def test_a_missing_or_bad_token_is_the_viewset_s_401(client, tenant, make_metadata):
    url = f"/metadatas/{make_metadata().uuid}"
    for credentials in ({}, {"HTTP_AUTHORIZATION": "Bearer garbage"}):
        short, negotiated = client.get(url, **JSON, **credentials), client.get(url, **NEGOTIATED_JSON, **credentials)
        assert short.status_code == 401
        assert answer(short) == answer(negotiated)


def test_an_owner_scoped_token_of_another_owner_is_the_viewset_s_403(tenant, make_metadata):
    metadata = make_metadata(owner="Other")
    reader = client_with(token_for(tenant.uuid, identity_type="Individual", permissions=["metadata:read@Mine:"]))
    url = f"/metadatas/{metadata.uuid}"

    short, negotiated = reader.get(url, **JSON), reader.get(url, **NEGOTIATED_JSON)

    assert short.status_code == 403
    assert answer(short) == answer(negotiated)


def test_a_read_over_the_rate_is_the_viewset_s_429(api, make_metadata, two_per_minute_per_token):
    url = f"/metadatas/{make_metadata().uuid}"
    assert [api.get(url, **JSON).status_code for _ in range(2)] == [200, 200]

    short, negotiated = api.get(url, **JSON), api.get(url, **NEGOTIATED_JSON)

    assert short.status_code == 429
    assert (short.status_code, short.content) == (negotiated.status_code, negotiated.content)


def test_a_read_costs_one_redis_round_trip_for_the_tenant_state_and_both_rate_counters(
    api, make_metadata, tenant_cache, monkeypatch
):
    url = f"/metadatas/{make_metadata().uuid}"
    assert api.get(url, **JSON).status_code == 200  # the tenant's state is now cached
    sent = []
    send = redis.connection.AbstractConnection.send_packed_command
    monkeypatch.setattr(
        redis.connection.AbstractConnection,
        "send_packed_command",
        lambda connection, command, *args, **kwargs: sent.append(command) or send(connection, command, *args, **kwargs),
    )

    assert api.get(url, **JSON).status_code == 200

    assert len(sent) == 1
    client = redis.Redis.from_url(tenant_cache["url"])
    counters = sorted(key.decode().split(":")[2] for key in client.scan_iter(f"{tenant_cache['prefix']}:throttle:*"))
    assert counters == ["tenant", "token"]


def test_a_token_sent_again_is_not_verified_again(api, make_metadata, monkeypatch):
    url = f"/metadatas/{make_metadata().uuid}"
    assert api.get(url, **JSON).status_code == 200
    monkeypatch.setattr("jwt.decode", lambda *args, **kwargs: pytest.fail("verified again"))

    assert api.get(url, **JSON).status_code == 200


def test_a_cached_token_is_refused_once_it_expires(tenant, make_metadata, settings):
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "LEEWAY": 0}
    reader = client_with(_short_lived_token(tenant))
    url = f"/metadatas/{make_metadata().uuid}"
    assert reader.get(url, **JSON).status_code == 200

    time.sleep(2.1)

    response = reader.get(url, **JSON)
    assert (response.status_code, response.json()["detail"]) == (401, "The token has expired.")


def test_a_disabled_tenant_is_refused_at_once_though_its_token_is_cached(api, tenant, make_metadata):
    url = f"/metadatas/{make_metadata().uuid}"
    assert api.get(url, **JSON).status_code == 200
    assert VERIFIED_TOKENS.entries

    tenant.enabled = False
    tenant.save()

    assert api.get(url, **JSON).status_code == 401


def test_api_requests_get_no_session_or_csrf_cookie(api, make_metadata):
    response = api.get(f"/metadatas/{make_metadata().uuid}", **JSON)

    assert response.cookies == {}
    assert "Cookie" not in (response.get("Vary") or "")


def _short_lived_token(tenant):
    from tenants.tokens import issue_platform_token

    return issue_platform_token(tenant_id=tenant.uuid, identity_type="System", ttl_seconds=2)


@pytest.mark.parametrize(
    "claims, name",
    [
        ({"exp": int(time.time() + 3600) * 1000}, "'exp'"),  # milliseconds
        ({"exp": str(int(time.time() + 3600))}, "'exp'"),
        ({"identity": {"type": "Staff", "roles": ["admin\x00"]}}, "'identity.roles'"),
        ({"email": "\ud800"}, "'email'"),
    ],
)
def test_issue_10_claim_checks_hold_for_a_token_sent_again(tenant, make_metadata, claims, name):
    """The verified-token cache serves no token the full checks refuse: the second answer is the first one."""
    from tests.test_hostile_values import assert_problem_naming, signed

    reader = client_with(signed(**claims))
    url = f"/metadatas/{make_metadata().uuid}"
    for _ in range(2):
        assert_problem_naming(reader.get(url, **JSON), name, status=401)


def test_a_deleted_resource_is_the_viewset_s_404_on_the_short_path_and_deleted_true_reads_it(api, make_metadata):
    from django.utils import timezone

    metadata = make_metadata()
    Metadata_ = type(metadata)
    Metadata_.objects.filter(pk=metadata.pk).update(deleted_at=timezone.now().replace(microsecond=0))
    url = f"/metadatas/{metadata.uuid}"

    short, negotiated = api.get(url, **JSON), api.get(url, **NEGOTIATED_JSON)
    assert short.status_code == 404
    assert answer(short) == answer(negotiated)
    deleted = api.get(f"{url}?deleted=true", **JSON)
    assert deleted.status_code == 200
    assert deleted.json()["deletedAt"] is not None
