"""POST /tokens and POST /tokens/refresh: tokens for Django users that belong to a tenant."""

import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from tenants.models import Role, TenantMember
from tenants.tokens import PlatformAccessToken
from tests.conftest import JSON, client_with, pem_pair, token_for

pytestmark = pytest.mark.django_db

PASSWORD = "a-password-for-tests"
IDENTITY_UUID = uuid.UUID("703fb098-40df-486d-8e08-65d892b4c288")


def make_member(tenant, username="editor", roles=(), **fields):
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD)
    member = TenantMember.objects.create(user=user, tenant=tenant, identity_uuid=IDENTITY_UUID, **fields)
    member.roles.set(roles)
    return member


@pytest.fixture
def reader_role(tenant):
    return Role.objects.create(tenant=tenant, name="reader", permissions=["metadata:read"])


@pytest.fixture
def member(tenant, reader_role):
    return make_member(tenant, roles=[reader_role])


def obtain(username="editor", password=PASSWORD, path="/tokens"):
    return APIClient().post(path, {"username": username, "password": password}, format="json", **JSON)


def refresh(token, path="/tokens/refresh"):
    return APIClient().post(path, {"refresh": token}, format="json", **JSON)


def assert_unauthorized(response, detail_part):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert detail_part in response.json()["detail"]


# --- POST /tokens ----------------------------------------------------------------------------------------------------


def test_a_member_obtains_an_access_and_a_refresh_token(member):
    response = obtain()

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_the_access_token_carries_the_platform_claims_of_the_member(tenant, member):
    member.accounts = ["A-1"]
    member.save()

    claims = PlatformAccessToken(obtain().json()["access"]).payload

    assert claims["tenant"] == str(tenant.uuid)
    assert claims["identity"] == {"type": "Staff", "uuid": str(IDENTITY_UUID), "roles": ["reader"]}
    assert claims["permissions"] == []
    assert (claims["email"], claims["accounts"]) == ("editor@example.com", ["A-1"])
    assert claims["exp"] > claims["iat"]


def test_the_access_token_is_accepted_and_its_roles_grant_their_permissions(member, make_metadata):
    metadata = make_metadata()
    client = client_with(obtain().json()["access"])

    assert client.get(f"/metadatas/{metadata.uuid}", **JSON).status_code == 200
    assert client.get("/metadatas", **JSON).status_code == 403


def test_the_identity_type_of_the_member_is_the_tokens(tenant, make_metadata):
    make_member(tenant, username="robot", identity_type="System")

    response = client_with(obtain("robot").json()["access"]).delete(f"/metadatas/{make_metadata().uuid}")

    assert response.status_code == 204


def test_the_refresh_token_is_not_accepted_as_an_access_token(member):
    response = client_with(obtain().json()["refresh"]).get("/metadatas", **JSON)

    assert_unauthorized(response, "refresh")


def test_a_wrong_password_is_a_401_that_does_not_echo_it(member):
    response = obtain(password="wrong-password-123")

    assert_unauthorized(response, "No active account")
    assert "wrong-password-123" not in response.content.decode()


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(member):
    assert obtain("nobody").json()["detail"] == obtain(password="wrong").json()["detail"]


def test_an_inactive_user_is_a_401(member):
    User.objects.filter(pk=member.user_id).update(is_active=False)

    assert_unauthorized(obtain(), "No active account")


def test_a_user_of_no_tenant_is_a_401(db):
    User.objects.create_user("loner", "loner@example.com", PASSWORD)

    assert_unauthorized(obtain("loner"), "belongs to no tenant")


def test_a_member_of_a_disabled_tenant_is_a_401(tenant, member):
    tenant.enabled = False
    tenant.save()

    assert_unauthorized(obtain(), "disabled")


def test_a_missing_password_is_a_400_naming_it(member):
    response = APIClient().post("/tokens", {"username": "editor"}, format="json", **JSON)

    assert response.status_code == 400
    assert [v["propertyPath"] for v in response.json()["violations"]] == ["password"]


def test_tokens_accepts_a_trailing_slash(member):
    assert obtain(path="/tokens/").status_code == 200


def test_tokens_answers_405_to_get(member):
    assert APIClient().get("/tokens", **JSON).status_code == 405


def test_tokens_without_a_private_key_is_a_501_problem(member, settings):
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "ALGORITHM": "ES256", "SIGNING_KEY": "", "VERIFYING_KEY": "x"}

    response = obtain()

    assert response.status_code == 501
    assert "JWT_PRIVATE_KEY" in response.json()["detail"]


def test_tokens_are_signed_with_es256_when_configured(member, settings):
    private_pem, public_pem = pem_pair(ec.generate_private_key(ec.SECP256R1()))
    settings.SIMPLE_JWT = {
        **settings.SIMPLE_JWT,
        "ALGORITHM": "ES256",
        "SIGNING_KEY": private_pem,
        "VERIFYING_KEY": public_pem,
    }

    access = obtain().json()["access"]

    assert jwt.get_unverified_header(access)["alg"] == "ES256"
    assert client_with(access).get("/metadatas/00000000-0000-4000-8000-000000000000", **JSON).status_code == 404


# --- POST /tokens/refresh --------------------------------------------------------------------------------------------


def test_refresh_answers_a_new_access_token(member, make_metadata):
    response = refresh(obtain().json()["refresh"])

    assert response.status_code == 200
    assert list(response.json()) == ["access"]
    assert client_with(response.json()["access"]).get(f"/metadatas/{make_metadata().uuid}", **JSON).status_code == 200


def test_refresh_carries_the_members_current_roles(tenant, member):
    pair = obtain().json()
    member.roles.add(Role.objects.create(tenant=tenant, name="browser", permissions=["metadata:browse"]))

    access = refresh(pair["refresh"]).json()["access"]

    assert PlatformAccessToken(access).payload["identity"]["roles"] == ["browser", "reader"]
    assert client_with(access).get("/metadatas", **JSON).status_code == 200


def test_refresh_accepts_a_trailing_slash(member):
    assert refresh(obtain().json()["refresh"], path="/tokens/refresh/").status_code == 200


def test_refresh_refuses_an_access_token(member):
    assert_unauthorized(refresh(obtain().json()["access"]), "wrong type")


def test_refresh_refuses_a_platform_token_without_type(tenant):
    platform_token = token_for(tenant.uuid)
    claims = jwt.decode(platform_token, options={"verify_signature": False})
    del claims["token_type"]

    response = refresh(jwt.encode(claims, "development-only-jwt-secret-do-not-use-in-production"))

    assert_unauthorized(response, "no type")


def test_refresh_refuses_garbage_without_echoing_it(member):
    response = refresh("garbage.token.here")

    assert_unauthorized(response, "malformed")
    assert "garbage" not in response.content.decode()


def test_refresh_for_a_deactivated_user_is_a_401(member):
    token = obtain().json()["refresh"]
    User.objects.filter(pk=member.user_id).update(is_active=False)

    assert_unauthorized(refresh(token), "No active account")


def test_refresh_for_a_deleted_user_is_a_401(member):
    token = obtain().json()["refresh"]
    member.user.delete()

    assert_unauthorized(refresh(token), "No active account")


def test_refresh_after_the_user_left_the_tenant_is_a_401(member):
    token = obtain().json()["refresh"]
    member.delete()

    assert_unauthorized(refresh(token), "belongs to no tenant")


def test_refresh_after_the_user_moved_to_another_tenant_is_a_401(member, other_tenant):
    token = obtain().json()["refresh"]
    TenantMember.objects.filter(pk=member.pk).update(tenant=other_tenant)

    assert_unauthorized(refresh(token), "no longer belongs")


def test_refresh_for_a_disabled_tenant_is_a_401(tenant, member):
    token = obtain().json()["refresh"]
    tenant.enabled = False
    tenant.save()

    assert_unauthorized(refresh(token), "disabled")


# --- Tokens reach their own tenant only ------------------------------------------------------------------------------


def test_a_token_from_tokens_sees_another_tenants_resource_as_a_404(other_tenant, make_metadata):
    own_tenant_member = make_member(other_tenant, username="b-user", identity_type="System")
    resource_of_a = make_metadata()  # the tenant fixture's (tenant A)
    access = obtain("b-user").json()["access"]

    response = client_with(access).get(f"/metadatas/{resource_of_a.uuid}", **JSON)

    assert PlatformAccessToken(access).payload["tenant"] == str(own_tenant_member.tenant_id)
    assert response.status_code == 404


def test_a_refreshed_token_sees_another_tenants_resource_as_a_404(other_tenant, make_metadata):
    make_member(other_tenant, username="b-user", identity_type="System")
    resource_of_a = make_metadata()
    access = refresh(obtain("b-user").json()["refresh"]).json()["access"]

    response = client_with(access).delete(f"/metadatas/{resource_of_a.uuid}")

    assert response.status_code == 404
