"""Tenants' enabled states live in a cache shared by all workers, written through when a tenant changes."""

import pytest
import redis
from django.contrib.auth.models import User
from django.test import Client

from tenants.models import Tenant
from tenants.registry import TenantStateNotShared
from tests.conftest import JSON, TENANT_A, token_for
from tests.support.http_calls import call


@pytest.fixture
def cached_server(transactional_db, tenant_cache, monkeypatch, request):
    """gunicorn (two workers) sharing the test's tenant cache."""
    monkeypatch.setenv("REDIS_URL", tenant_cache["url"])
    monkeypatch.setenv("CACHE_KEY_PREFIX", tenant_cache["prefix"])
    return request.getfixturevalue("server")


def cached_state(tenant_cache, tenant, uuid=None):
    client = redis.Redis.from_url(tenant_cache["url"])
    return client.get(f"{tenant_cache['prefix']}:tenant-enabled:{uuid or tenant.uuid}")


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


def test_a_deleted_tenant_is_marked_deleted_and_its_tokens_are_401(transactional_db, tenant, api, tenant_cache):
    assert api.get("/metadatas", **JSON).status_code == 200
    uuid = tenant.uuid

    tenant.delete()

    assert cached_state(tenant_cache, tenant, uuid) == b"-"
    response = api.get("/metadatas", **JSON)
    assert response.status_code == 401
    assert "not registered" in response.json()["detail"]


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


def unreachable_cache(settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "REDIS_URL": "redis://127.0.0.1:1/0"}


def test_without_a_reachable_cache_the_database_answers(api, tenant, settings):
    unreachable_cache(settings)

    assert api.get("/metadatas", **JSON).status_code == 200


@pytest.mark.django_db(transaction=True)  # as in production, the refused change's transaction is the outermost
@pytest.mark.parametrize("change", ["save", "bulk update", "delete"])
def test_a_tenant_change_the_cache_cannot_hear_of_is_refused_and_changes_nothing(api, tenant, settings, change):
    unreachable_cache(settings)

    with pytest.raises(TenantStateNotShared):
        if change == "save":
            tenant.enabled = False
            tenant.save()
        elif change == "bulk update":
            Tenant.objects.filter(pk=tenant.pk).update(enabled=False)
        else:
            tenant.delete()

    assert Tenant.objects.get(pk=tenant.pk).enabled
    assert api.get("/metadatas", **JSON).status_code == 200


def test_the_admin_says_why_it_cannot_disable_a_tenant_while_the_cache_is_unreachable(tenant, settings):
    from tests.test_admin_scoping import PASSWORD

    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    admin = Client()
    admin.login(username="root", password=PASSWORD)
    unreachable_cache(settings)

    page = admin.post(f"/admin/tenants/tenant/{tenant.uuid}/change/", {"name": tenant.name, "enabled": ""})

    assert page.status_code == 200
    assert "REDIS_URL cannot be reached" in page.content.decode()
    assert Tenant.objects.get(pk=tenant.pk).enabled


def test_a_cache_fill_racing_a_deletion_never_stores_enabled(transactional_db, tenant, api, tenant_cache, monkeypatch):
    """A reader that read the row just before the tenant was deleted must not cache "enabled" after the delete."""
    from tenants import registry

    def read_then_delete(tenant_id):
        enabled = registry.Tenant.objects.filter(pk=tenant_id).values_list("enabled", flat=True).first()
        Tenant.objects.get(pk=tenant_id).delete()  # commits between the read and the store
        return enabled

    monkeypatch.setattr(registry, "_read_enabled", read_then_delete)
    assert registry.tenant_enabled(tenant.uuid) is True  # what it read, before the delete
    monkeypatch.undo()

    assert cached_state(tenant_cache, tenant, TENANT_A) == b"-"
    assert api.get("/metadatas", **JSON).status_code == 401


def test_while_a_change_is_in_flight_readers_ask_the_database_and_cache_nothing(tenant, api, tenant_cache):
    from tenants import registry

    registry.prepare_tenant_change(tenant.uuid)

    assert api.get("/metadatas", **JSON).status_code == 200
    assert cached_state(tenant_cache, tenant) == b"?"


def test_if_the_state_cannot_be_stored_after_the_commit_readers_keep_asking_the_database(
    transactional_db, tenant, api, tenant_cache, monkeypatch
):
    from tenants import registry

    assert api.get("/metadatas", **JSON).status_code == 200
    monkeypatch.setattr(registry, "_announce", lambda tenant_id, state: None)  # the store after the commit fails

    tenant.enabled = False
    tenant.save()  # the "changing" mark was set; storing "disabled" after the commit failed

    assert cached_state(tenant_cache, tenant) == b"?"
    assert api.get("/metadatas", **JSON).status_code == 401
