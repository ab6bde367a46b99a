"""The operator's commands: create_tenant and issue_token."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tenants.models import Tenant
from tenants.tokens import PlatformAccessToken
from tests.conftest import JSON, client_with

pytestmark = pytest.mark.django_db

TENANT = "5d4f2c1e-3b6a-4e8f-9a0b-1c2d3e4f5a6b"


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def test_create_tenant_registers_an_enabled_tenant():
    run("create_tenant", "--uuid", TENANT, "--name", "Acme")

    tenant = Tenant.objects.get(pk=TENANT)
    assert (tenant.name, tenant.enabled) == ("Acme", True)


def test_create_tenant_is_idempotent_and_renames():
    run("create_tenant", "--uuid", TENANT, "--name", "Acme")
    run("create_tenant", "--uuid", TENANT, "--name", "Acme Corp")

    assert list(Tenant.objects.values_list("name", flat=True)) == ["Acme Corp"]


def test_create_tenant_refuses_a_malformed_uuid():
    with pytest.raises(CommandError, match="UUID"):
        run("create_tenant", "--uuid", "nope", "--name", "Acme")


def test_issue_token_prints_a_token_the_api_accepts():
    run("create_tenant", "--uuid", TENANT, "--name", "Acme")

    token = run("issue_token", "--tenant", TENANT)

    assert client_with(token).get("/metadatas", **JSON).status_code == 200


def test_issue_token_carries_the_claims_asked_for():
    run("create_tenant", "--uuid", TENANT, "--name", "Acme")
    token = run(
        "issue_token",
        "--tenant",
        TENANT,
        "--type",
        "AccountUser",
        "--uuid",
        "703fb098-40df-486d-8e08-65d892b4c288",
        "--role",
        "editor",
        "--permission",
        "metadata:read",
        "--email",
        "a@b.c",
        "--account",
        "A-1",
        "--account",
        "A-2",
        "--ttl",
        "60",
    )

    claims = PlatformAccessToken(token).payload
    assert claims["tenant"] == TENANT
    assert claims["identity"] == {
        "type": "AccountUser",
        "uuid": "703fb098-40df-486d-8e08-65d892b4c288",
        "roles": ["editor"],
    }
    assert claims["permissions"] == ["metadata:read"]
    assert (claims["email"], claims["accounts"]) == ("a@b.c", ["A-1", "A-2"])
    assert claims["exp"] - claims["iat"] == 60


def test_issue_token_refuses_an_unregistered_tenant():
    with pytest.raises(CommandError, match="create_tenant"):
        run("issue_token", "--tenant", TENANT)


@pytest.mark.parametrize(
    "option, value, problem",
    [("--permission", "metadata:brows", "not a permission"), ("--uuid", "not-a-uuid", "UUID")],
)
def test_issue_token_refuses_what_would_grant_nothing(option, value, problem):
    run("create_tenant", "--uuid", TENANT, "--name", "Acme")

    with pytest.raises(CommandError, match=problem):
        run("issue_token", "--tenant", TENANT, option, value)


def test_issue_token_accepts_an_owner_scoped_permission():
    run("create_tenant", "--uuid", TENANT, "--name", "Acme")
    scoped = "metadata:edit@BusinessUnit:c11c546e-bd01-47cf-97da-e25388357b5a"

    token = run("issue_token", "--tenant", TENANT, "--type", "Staff", "--permission", scoped)

    assert PlatformAccessToken(token).payload["permissions"] == [scoped]


def test_issue_token_without_a_private_key_says_how_to_get_one(settings):
    run("create_tenant", "--uuid", TENANT, "--name", "Acme")
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "ALGORITHM": "RS256", "SIGNING_KEY": ""}

    with pytest.raises(CommandError, match="JWT_PRIVATE_KEY"):
        run("issue_token", "--tenant", TENANT)
