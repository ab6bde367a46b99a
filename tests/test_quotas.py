"""Tenant quotas (contract automation.md): defaults, overrides, 403 quota_exceeded, no overshoot, GET /tenant."""

from collections import Counter

import pytest

from metadatas.models import Metadata, MetadataRevision
from tenants.models import Tenant
from tests.conftest import JSON, client_with, metadata_body, token_for
from tests.support.concurrency import run_concurrently

pytestmark = pytest.mark.django_db


def create(api, number, **fields):
    return api.post("/metadatas", metadata_body(slug=f"quota-{number}", **fields), format="json", **JSON)


def limit_tenant(tenant, **quotas):
    Tenant.objects.filter(pk=tenant.pk).update(**quotas)


def test_a_create_past_max_resources_is_a_403_naming_the_quota_and_stores_nothing(api, tenant):
    limit_tenant(tenant, max_resources=2)
    create(api, 1), create(api, 2)
    refused = create(api, 3)

    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/quota_exceeded"
    assert {key: refused.json()[key] for key in ("quota", "limit", "used")} == {
        "quota": "max_resources",
        "limit": 2,
        "used": 2,
    }
    assert Metadata.objects.count() == 2
    assert MetadataRevision.objects.count() == 2


def test_the_default_comes_from_settings(api, settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "QUOTA_MAX_RESOURCES": 1}
    create(api, 1)

    assert create(api, 2).status_code == 403


def test_a_soft_delete_frees_its_place_and_an_undelete_takes_it_again(api, tenant):
    limit_tenant(tenant, max_resources=1)
    first = create(api, 1).json()
    api.delete(f"/metadatas/{first['uuid']}", **JSON)
    second = create(api, 2)
    undelete = api.post(f"/metadatas/{first['uuid']}/undelete", {}, format="json", **JSON)

    assert second.status_code == 201
    assert undelete.status_code == 403
    assert undelete.json()["quota"] == "max_resources"


def test_a_purge_of_a_live_resource_frees_its_place(api, tenant):
    limit_tenant(tenant, max_resources=1)
    first = create(api, 1).json()
    api.delete(f"/metadatas/{first['uuid']}?purge=true", **JSON)

    assert create(api, 2).status_code == 201


def test_a_batch_past_the_quota_fails_whole_at_the_operation_that_crosses_it(api, tenant):
    limit_tenant(tenant, max_resources=3)
    operations = [{"op": "create", "body": metadata_body(slug=f"b-{n}")} for n in range(5)]
    response = api.post("/metadatas/batch", {"operations": operations}, format="json", **JSON)

    assert response.status_code == 403
    assert response.json()["operation"] == 3
    assert response.json()["quota"] == "max_resources"
    assert Metadata.objects.count() == 0


def test_a_resource_over_max_resource_bytes_is_a_403_with_its_size(api, tenant):
    limit_tenant(tenant, max_resource_bytes=100)
    refused = create(api, 1, data={"text": "x" * 100})

    assert refused.status_code == 403
    assert refused.json()["quota"] == "max_resource_bytes"
    assert refused.json()["limit"] == 100
    assert refused.json()["used"] > 100
    assert Metadata.objects.count() == 0


def test_an_update_that_grows_past_max_resource_bytes_is_refused(api, tenant):
    created = create(api, 1, data={}).json()
    limit_tenant(tenant, max_resource_bytes=100)
    refused = api.patch(
        f"/metadatas/{created['uuid']}", {"data": {"text": "é" * 60}, "version": 1}, format="json", **JSON
    )

    assert refused.status_code == 403
    assert Metadata.objects.get().version == 1


def test_max_metadata_types_limits_definitions(api, tenant):
    limit_tenant(tenant, max_metadata_types=1)
    first = api.post("/metadata-types", {"name": "one", "schema": {}}, format="json", **JSON)
    second = api.post("/metadata-types", {"name": "two", "schema": {}}, format="json", **JSON)

    assert first.status_code == 201
    assert second.status_code == 403
    assert second.json()["quota"] == "max_metadata_types"


@pytest.mark.django_db(transaction=True)
def test_eight_writers_racing_past_max_resources_leave_exactly_the_limit(tenant):
    limit_tenant(tenant, max_resources=5)
    token = token_for(tenant.uuid)

    def post(index):
        return create(client_with(token), index).status_code

    statuses = run_concurrently(8, post)

    assert statuses == Counter({201: 5, 403: 3})
    assert Metadata.objects.count() == 5


def test_get_tenant_shows_quotas_with_usage_and_rate_limits(api, tenant):
    limit_tenant(tenant, max_resources=10)
    create(api, 1)
    response = api.get("/tenant", **JSON)

    assert response.status_code == 200
    body = response.json()
    assert body["uuid"] == str(tenant.uuid) and body["name"] == tenant.name
    assert body["quotas"]["max_resources"] == {"limit": 10, "used": 1}
    assert body["quotas"]["max_resource_bytes"] == {"limit": 256 * 1024}
    assert body["quotas"]["max_metadata_types"] == {"limit": 1000, "used": 0}
    assert {limit["scope"] for limit in body["rateLimits"]} == {"tenant", "token"}
    assert all({"limit", "window", "remaining"} <= set(limit) for limit in body["rateLimits"])


def test_any_token_of_the_tenant_may_read_it(tenant):
    reader = client_with(token_for(tenant.uuid, identity_type="Individual"))

    assert reader.get("/tenant", **JSON).status_code == 200


def test_get_tenant_shows_only_the_callers_tenant(api, other_api, other_tenant):
    body = other_api.get("/tenant", **JSON).json()

    assert body["uuid"] == str(other_tenant.uuid)


def test_get_tenant_needs_a_token():
    from rest_framework.test import APIClient

    assert APIClient().get("/tenant", **JSON).status_code == 401


def test_a_new_linked_key_past_max_linked_keys_per_object_is_ms_gql_4031(tenant):
    from linked_metadata.models import LinkedMetadata
    from tests.support.graphql_client import UPDATE, error_code, graphql_client, metadata_input, mutate

    limit_tenant(tenant, max_linked_keys_per_object=2)
    gql = graphql_client(tenant.uuid)
    mutate(gql, UPDATE, **metadata_input(key="one"))
    mutate(gql, UPDATE, **metadata_input(key="two"))
    refused = mutate(gql, UPDATE, **metadata_input(key="three"))
    changed = mutate(gql, UPDATE, **metadata_input(key="two", value="{}"))

    assert error_code(refused) == "MS-GQL-4031"
    assert "errors" not in changed  # a key that exists may still change
    assert LinkedMetadata.objects.count() == 2
