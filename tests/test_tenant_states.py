"""Tenants' enabled states live in a cache shared by all workers, written through when a tenant changes."""

import pytest
import redis

from tenants.models import Tenant
from tests.conftest import JSON, token_for
from tests.support.http_calls import call


@pytest.fixture
def cached_server(transactional_db, tenant_cache, monkeypatch, request):
    """gunicorn (two workers) sharing the test's tenant cache."""
    monkeypatch.setenv("REDIS_URL", tenant_cache["url"])
    monkeypatch.setenv("CACHE_KEY_PREFIX", tenant_cache["prefix"])
    return request.getfixturevalue("server")


def cached_state(tenant_cache, tenant):
    client = redis.Redis.from_url(tenant_cache["url"])
    return client.get(f"{tenant_cache['prefix']}:tenant-enabled:{tenant.uuid}")


@pytest.mark.e2e
def test_every_gunicorn_worker_refuses_a_disabled_tenant_as_soon_as_the_save_returns(
    cached_server, tenant_cache, tenant
):
    token = token_for(tenant.uuid)
    for _ in range(6):  # both workers serve the tenant from the shared cache
        assert call("GET", f"{cached_server}/metadatas", token)[0] == 200
    assert cached_state(tenant_cache, tenant) == b"1"

    tenant.enabled = False
    tenant.save()

    assert [call("GET", f"{cached_server}/metadatas", token)[0] for _ in range(6)] == [401] * 6


@pytest.mark.e2e
def test_a_bulk_update_is_written_through_too(cached_server, tenant_cache, tenant):
    token = token_for(tenant.uuid)
    assert call("GET", f"{cached_server}/metadatas", token)[0] == 200

    Tenant.objects.filter(pk=tenant.pk).update(enabled=False)

    assert call("GET", f"{cached_server}/metadatas", token)[0] == 401
    assert cached_state(tenant_cache, tenant) == b"0"


def test_a_deleted_tenant_is_forgotten(transactional_db, tenant, api, tenant_cache):
    assert api.get("/metadatas", **JSON).status_code == 200

    tenant.delete()

    assert cached_state(tenant_cache, tenant) is None
    assert api.get("/metadatas", **JSON).status_code == 401


def test_a_reader_never_overwrites_a_newer_state(
    tenant, api, tenant_cache, django_capture_on_commit_callbacks, monkeypatch
):
    """A reader that read "enabled" just before a disable commits must not store it over the disable."""
    from tenants import registry

    def read_then_disable(tenant_id):
        enabled = registry.Tenant.objects.filter(pk=tenant_id).values_list("enabled", flat=True).first()
        with django_capture_on_commit_callbacks(execute=True):
            Tenant.objects.filter(pk=tenant_id).update(enabled=False)  # commits between read and store
        return enabled

    monkeypatch.setattr(registry, "_read_enabled", read_then_disable)
    assert registry.tenant_enabled(tenant.uuid) is True  # what it read, before the disable committed

    assert cached_state(tenant_cache, tenant) == b"0"
    assert api.get("/metadatas", **JSON).status_code == 401


def test_without_a_reachable_cache_the_database_answers(api, tenant, settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "REDIS_URL": "redis://127.0.0.1:1/0"}

    assert api.get("/metadatas", **JSON).status_code == 200
    tenant.enabled = False
    tenant.save()
    assert api.get("/metadatas", **JSON).status_code == 401
