"""JWT authentication: three header spellings, and a 401 for every token that must not pass."""

import base64
import json
import time

import jwt
import pytest
from django.conf import settings

from tests.conftest import JSON, TENANT_A, client_with, token_for

pytestmark = pytest.mark.django_db


def signed(claims, key=None, algorithm="HS256", headers=None):
    return jwt.encode(claims, key or settings.JWT_SECRET, algorithm=algorithm, headers=headers)


def platform_claims(**overrides):
    now = int(time.time())
    claims = {
        "tenant": str(TENANT_A),
        "identity": {"type": "System", "uuid": "703fb098-40df-486d-8e08-65d892b4c288", "roles": []},
        "permissions": [],
        "exp": now + 600,
        "iat": now,
    }
    claims.update(overrides)
    return claims


def assert_unauthorized(response, detail_part=None):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    assert response["WWW-Authenticate"].startswith("Bearer")
    if detail_part:
        assert detail_part in response.json()["detail"]


@pytest.mark.parametrize("scheme", ["Bearer", "JWT", "", "bearer"])
def test_each_header_spelling_is_accepted(tenant, scheme):
    response = client_with(token_for(tenant.uuid), scheme=scheme).get("/metadatas", **JSON)

    assert response.status_code == 200


def test_a_platform_token_without_type_jti_or_user_id_is_accepted(tenant):
    response = client_with(signed(platform_claims())).get("/metadatas", **JSON)

    assert response.status_code == 200


def test_no_token_is_a_401_with_www_authenticate(client, tenant):
    assert_unauthorized(client.get("/metadatas", **JSON))


def test_another_scheme_is_a_401(tenant):
    assert_unauthorized(client_with("dXNlcjpwYXNz", scheme="Basic").get("/metadatas", **JSON))


def test_three_header_words_are_a_401(tenant):
    assert_unauthorized(client_with("a b", scheme="Bearer").get("/metadatas", **JSON), "Authorization header")


def test_an_expired_token_is_a_401(tenant):
    token = signed(platform_claims(exp=int(time.time()) - 3600))

    assert_unauthorized(client_with(token).get("/metadatas", **JSON), "expired")


def test_a_token_without_exp_is_a_401(tenant):
    claims = platform_claims()
    del claims["exp"]

    assert_unauthorized(client_with(signed(claims)).get("/metadatas", **JSON), "'exp'")


def test_a_token_signed_with_another_secret_is_a_401(tenant):
    token = signed(platform_claims(), key="another-secret-of-at-least-32-bytes!!")

    assert_unauthorized(client_with(token).get("/metadatas", **JSON), "signature")


def test_an_unsigned_alg_none_token_is_a_401(tenant):
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    token = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(platform_claims())}."

    assert_unauthorized(client_with(token).get("/metadatas", **JSON), "algorithm")


def test_garbage_is_a_401(tenant):
    assert_unauthorized(client_with("not.a.jwt").get("/metadatas", **JSON), "malformed")


def test_a_token_of_an_unknown_tenant_is_a_401(tenant):
    token = signed(platform_claims(tenant="00000000-0000-4000-8000-000000000000"))

    assert_unauthorized(client_with(token).get("/metadatas", **JSON), "not registered")


def test_a_token_of_a_disabled_tenant_is_a_401_at_once(tenant):
    client = client_with(token_for(tenant.uuid))
    assert client.get("/metadatas", **JSON).status_code == 200

    tenant.enabled = False
    tenant.save()

    assert_unauthorized(client.get("/metadatas", **JSON), "disabled")


@pytest.mark.parametrize("tenant_claim", [None, "", "not-a-uuid", 42])
def test_a_token_without_a_usable_tenant_claim_is_a_401(tenant, tenant_claim):
    claims = platform_claims(tenant=tenant_claim)
    if tenant_claim is None:
        del claims["tenant"]

    assert_unauthorized(client_with(signed(claims)).get("/metadatas", **JSON), "tenant")


@pytest.mark.parametrize(
    "overrides",
    [{"identity": "System"}, {"identity": {"type": "Robot"}}, {"permissions": "all"}, {"accounts": [1]}],
)
def test_a_token_with_malformed_claims_is_a_401(tenant, overrides):
    assert_unauthorized(client_with(signed(platform_claims(**overrides))).get("/metadatas", **JSON))


def test_a_refresh_token_cannot_be_used_as_an_access_token(tenant):
    token = signed(platform_claims(token_type="refresh"))

    assert_unauthorized(client_with(token).get("/metadatas", **JSON), "refresh")


def test_the_401_never_echoes_the_token(tenant):
    token = signed(platform_claims(exp=1))

    response = client_with(token).get("/metadatas", **JSON)

    assert token not in response.content.decode()
