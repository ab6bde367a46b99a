"""Soft delete (contract history.md): DELETE keeps the resource as deleted; ?deleted=, undelete, purge."""

import logging
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from metadatas.models import Metadata, MetadataRevision
from tests.conftest import JSON, client_with, metadata_body, token_for, violation_paths
from tests.support.history import create, delete, put, revisions

pytestmark = pytest.mark.django_db


def caller(tenant, *permissions):
    return client_with(token_for(tenant.uuid, "Staff", permissions=list(permissions)))


def test_delete_sets_deleted_at_and_bumps_the_version(api):
    resource = create(api)

    delete(api, resource)

    deleted = api.get(f"/metadatas/{resource['uuid']}", {"deleted": "true"}, **JSON).json()
    assert deleted["version"] == 2
    assert deleted["deletedAt"] is not None
    assert deleted["deletedAt"].endswith("+00:00")
    assert deleted["deletedAt"] == deleted["updatedAt"]


def test_a_live_resource_has_a_null_deleted_at(api):
    assert create(api)["deletedAt"] is None


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_a_deleted_resource_is_a_404_on_the_item_routes(api, method):
    resource = create(api)
    delete(api, resource)

    response = getattr(api, method)(f"/metadatas/{resource['uuid']}", {"version": 2}, format="json", **JSON)

    assert response.status_code == 404


def test_lists_and_their_counts_leave_deleted_resources_out(api):
    kept, gone = create(api, slug="kept"), create(api, slug="gone")
    delete(api, gone)

    response = api.get("/metadatas", **JSON)

    assert [item["uuid"] for item in response.json()] == [kept["uuid"]]
    assert response["X-Total-Count"] == "1"


def test_deleted_true_lists_only_deleted_resources_and_false_only_live_ones(api):
    kept, gone = create(api, slug="kept"), create(api, slug="gone")
    delete(api, gone)

    deleted = api.get("/metadatas", {"deleted": "true"}, **JSON)
    live = api.get("/metadatas", {"deleted": "false"}, **JSON)

    assert [item["uuid"] for item in deleted.json()] == [gone["uuid"]]
    assert deleted["X-Total-Count"] == "1"
    assert [item["uuid"] for item in live.json()] == [kept["uuid"]]


def test_deleted_true_reads_a_deleted_resource_and_not_a_live_one(api):
    kept, gone = create(api, slug="kept"), create(api, slug="gone")
    delete(api, gone)

    assert api.get(f"/metadatas/{gone['uuid']}", {"deleted": "true"}, **JSON).status_code == 200
    assert api.get(f"/metadatas/{kept['uuid']}", {"deleted": "true"}, **JSON).status_code == 404


@pytest.mark.parametrize("value", ["yes", "1", "True", "", "false "])
@pytest.mark.parametrize("path", ["/metadatas", "/metadatas/{uuid}"])
def test_a_deleted_value_other_than_true_or_false_is_a_400_naming_it(api, value, path):
    resource = create(api)

    response = api.get(path.format(uuid=resource["uuid"]), {"deleted": value}, **JSON)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    assert violation_paths(response) == {"deleted"}


def test_reading_deleted_resources_needs_the_same_permissions_as_live_ones(api, tenant):
    resource = create(api)
    delete(api, resource)
    item = f"/metadatas/{resource['uuid']}"

    assert caller(tenant, "metadata:read").get("/metadatas", {"deleted": "true"}, **JSON).status_code == 403
    assert caller(tenant, "metadata:browse").get(item, {"deleted": "true"}, **JSON).status_code == 403
    assert caller(tenant, "metadata:browse").get("/metadatas", {"deleted": "true"}, **JSON).status_code == 200
    assert caller(tenant, "metadata:read").get(item, {"deleted": "true"}, **JSON).status_code == 200


def test_undelete_answers_the_live_resource_at_a_new_version(api):
    resource = create(api)
    delete(api, resource)

    response = api.post(f"/metadatas/{resource['uuid']}/undelete", **JSON)

    assert response.status_code == 200
    assert response["ETag"] == '"3"'
    assert response.json()["deletedAt"] is None
    assert response.json()["version"] == 3
    assert api.get(f"/metadatas/{resource['uuid']}", **JSON).status_code == 200


def test_undelete_of_a_live_resource_is_a_409_not_deleted(api):
    resource = create(api)

    response = api.post(f"/metadatas/{resource['uuid']}/undelete", **JSON)

    assert response.status_code == 409
    assert response.json()["type"] == "/problems/not_deleted"
    assert api.get(f"/metadatas/{resource['uuid']}", **JSON).json()["version"] == 1


def test_undelete_when_a_live_resource_took_the_slug_is_a_409_slug_taken_and_changes_nothing(api):
    first = create(api, slug="shared")
    delete(api, first)
    create(api, slug="shared")

    response = api.post(f"/metadatas/{first['uuid']}/undelete", **JSON)

    assert response.status_code == 409
    assert response.json()["type"] == "/problems/slug_taken"
    stored = Metadata.objects.get(uuid=first["uuid"])
    assert (stored.version, stored.deleted_at is not None) == (2, True)
    assert [r["operation"] for r in revisions(api, first)] == ["deleted", "created"]


def test_undelete_with_the_current_version_in_the_body_or_if_match_succeeds(api):
    one, two = create(api, slug="one"), create(api, slug="two")
    delete(api, one)
    delete(api, two)

    by_body = api.post(f"/metadatas/{one['uuid']}/undelete", {"version": 2}, format="json", **JSON)
    by_header = api.post(f"/metadatas/{two['uuid']}/undelete", HTTP_IF_MATCH='"2"', **JSON)

    assert (by_body.status_code, by_header.status_code) == (200, 200)


def test_undelete_with_a_stale_version_is_a_409_and_with_a_stale_if_match_a_412(api):
    resource = create(api)
    delete(api, resource)
    path = f"/metadatas/{resource['uuid']}/undelete"

    assert api.post(path, {"version": 1}, format="json", **JSON).status_code == 409
    assert api.post(path, HTTP_IF_MATCH='"1"', **JSON).status_code == 412
    assert Metadata.objects.get(uuid=resource["uuid"]).deleted_at is not None


def test_undelete_with_a_malformed_version_is_a_400_naming_it(api):
    resource = create(api)
    delete(api, resource)

    response = api.post(f"/metadatas/{resource['uuid']}/undelete", {"version": "2"}, format="json", **JSON)

    assert response.status_code == 400
    assert violation_paths(response) == {"version"}


def test_undelete_needs_metadata_delete(api, tenant):
    resource = create(api)
    delete(api, resource)
    path = f"/metadatas/{resource['uuid']}/undelete"

    refused = caller(tenant, "metadata:edit", "metadata:read").post(path, **JSON)
    allowed = caller(tenant, "metadata:delete").post(path, **JSON)

    assert (refused.status_code, refused.json()["permission"]) == (403, "metadata:delete")
    assert allowed.status_code == 200


def test_a_deleted_resource_does_not_block_its_slug_but_keeps_its_uuid(api):
    first = create(api, slug="reused")
    delete(api, first)

    second = api.post("/metadatas", metadata_body(slug="reused"), format="json", **JSON)
    same_uuid = api.post("/metadatas", metadata_body(slug="other", uuid=first["uuid"]), format="json", **JSON)

    assert second.status_code == 201
    assert same_uuid.status_code == 400
    assert violation_paths(same_uuid) == {"uuid"}


def test_two_live_resources_still_cannot_share_a_slug(api):
    create(api, slug="taken")

    response = api.post("/metadatas", metadata_body(slug="taken"), format="json", **JSON)

    assert response.status_code == 400
    assert violation_paths(response) == {"slug"}


# --- Purge --------------------------------------------------------------------------------------------


def test_purge_removes_a_live_resource_and_all_its_revisions(api):
    resource = put(api, create(api), type="changed")

    response = api.delete(f"/metadatas/{resource['uuid']}?purge=true")

    assert response.status_code == 204
    assert not Metadata.objects.filter(uuid=resource["uuid"]).exists()
    assert not MetadataRevision.objects.exists()
    assert api.get(f"/metadatas/{resource['uuid']}/revisions", **JSON).status_code == 404


def test_purge_removes_a_deleted_resource_too(api):
    resource = create(api)
    delete(api, resource)

    response = api.delete(f"/metadatas/{resource['uuid']}?purge=true")

    assert response.status_code == 204
    assert not Metadata.objects.filter(uuid=resource["uuid"]).exists()


def test_purge_is_refused_without_metadata_purge_even_with_metadata_delete(api, tenant):
    resource = create(api)

    response = caller(tenant, "metadata:delete", "metadata:read").delete(f"/metadatas/{resource['uuid']}?purge=true")

    assert response.status_code == 403
    assert response.json()["permission"] == "metadata:purge"
    assert Metadata.objects.get(uuid=resource["uuid"]).deleted_at is None
    assert len(revisions(api, resource)) == 1


def test_purge_with_metadata_purge_alone_is_allowed(api, tenant):
    resource = create(api)

    response = caller(tenant, "metadata:purge").delete(f"/metadatas/{resource['uuid']}?purge=true")

    assert response.status_code == 204


def test_purge_false_is_a_soft_delete_and_another_value_a_400(api):
    kept, other = create(api, slug="kept"), create(api, slug="other")

    soft = api.delete(f"/metadatas/{kept['uuid']}?purge=false")
    bad = api.delete(f"/metadatas/{other['uuid']}?purge=yes")

    assert soft.status_code == 204
    assert Metadata.objects.get(uuid=kept["uuid"]).deleted_at is not None
    assert bad.status_code == 400
    assert violation_paths(bad) == {"purge"}


def test_purge_is_logged_with_tenant_uuid_and_actor_but_never_the_content(api, tenant, caplog):
    resource = create(api, data={"secret": "do-not-log-me"})

    with caplog.at_level(logging.INFO, logger="metadatas.history"):
        api.delete(f"/metadatas/{resource['uuid']}?purge=true")

    lines = [record.getMessage() for record in caplog.records if record.name == "metadatas.history"]
    assert len(lines) == 1
    assert str(tenant.uuid) in lines[0] and resource["uuid"] in lines[0] and "System" in lines[0]
    assert "do-not-log-me" not in lines[0] and resource["slug"] not in lines[0]


# --- purge_deleted ------------------------------------------------------------------------------------


def deleted_days_ago(api, days, **overrides):
    resource = create(api, **overrides)
    delete(api, resource)
    Metadata.objects.filter(uuid=resource["uuid"]).update(deleted_at=timezone.now() - timedelta(days=days))
    return resource


def test_purge_deleted_removes_resources_deleted_longer_ago_than_the_retention_with_their_revisions(
    api, settings, capsys
):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "DELETED_RETENTION_DAYS": 30}
    old = deleted_days_ago(api, 31, slug="old")
    recent = deleted_days_ago(api, 29, slug="recent")
    live = create(api, slug="live")

    call_command("purge_deleted")

    assert set(Metadata.objects.values_list("slug", flat=True)) == {"recent", "live"}
    assert not MetadataRevision.objects.filter(metadata__uuid=old["uuid"]).exists()
    assert MetadataRevision.objects.filter(metadata__uuid=recent["uuid"]).count() == 2
    assert MetadataRevision.objects.filter(metadata__uuid=live["uuid"]).count() == 1


def test_purge_deleted_run_twice_removes_nothing_more(api, capsys):
    deleted_days_ago(api, 40)

    call_command("purge_deleted")
    call_command("purge_deleted")

    out = capsys.readouterr().out
    assert "Purged 1 resource(s)" in out and "Purged 0 resource(s)" in out


def test_purge_deleted_with_a_retention_of_zero_keeps_everything(api, settings, capsys):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "DELETED_RETENTION_DAYS": 0}
    deleted_days_ago(api, 4000)

    call_command("purge_deleted")

    assert Metadata.objects.count() == 1
    assert "kept forever" in capsys.readouterr().out


def test_an_unknown_uuid_on_undelete_is_a_404(api):
    assert api.post(f"/metadatas/{uuid.uuid4()}/undelete", **JSON).status_code == 404


def test_undelete_with_a_body_that_is_not_an_object_is_a_400(api):
    resource = create(api)
    delete(api, resource)

    response = api.post(f"/metadatas/{resource['uuid']}/undelete", "null", content_type="application/json", **JSON)

    assert response.status_code == 400
    assert Metadata.objects.get(uuid=resource["uuid"]).deleted_at is not None
