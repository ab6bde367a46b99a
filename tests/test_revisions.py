"""Revisions (contract history.md): every change writes one, and the revision routes read them."""

import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metadatas import services
from metadatas.models import Metadata, MetadataRevision
from tests.conftest import JSON, JSONLD, client_with, token_for, violation_paths
from tests.support.history import create, delete, put, revisions

pytestmark = pytest.mark.django_db
STAFF_UUID = "4d6f0a1b-2c3e-4f5a-8b9c-0d1e2f3a4b5c"
ALL = ["metadata:browse", "metadata:read", "metadata:add", "metadata:edit", "metadata:delete"]
UTC_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def staff(tenant, *permissions):
    return client_with(token_for(tenant.uuid, "Staff", identity_uuid=STAFF_UUID, permissions=list(permissions or ALL)))


def test_every_kind_of_change_writes_one_revision_newest_first(api):
    resource = put(api, create(api), type="changed")
    api.patch(f"/metadatas/{resource['uuid']}", {"data": {"a": 1}, "version": 2}, format="json", **JSON)
    delete(api, resource)
    api.post(f"/metadatas/{resource['uuid']}/undelete", **JSON)
    api.post(f"/metadatas/{resource['uuid']}/revisions/1/restore", {"version": 5}, format="json", **JSON)

    listed = revisions(api, resource)

    assert [(r["version"], r["operation"]) for r in listed] == [
        (6, "restored"),
        (5, "undeleted"),
        (4, "deleted"),
        (3, "updated"),
        (2, "updated"),
        (1, "created"),
    ]


def test_a_revision_names_the_changed_fields_in_camel_case(api):
    resource = put(api, create(api), data={"b": 2}, title={"en": "New"}, ownerUuid=None)

    latest, created = revisions(api, resource)

    assert latest["changed"] == ["data", "ownerUuid", "title"]
    assert created["changed"] == ["data", "owner", "ownerUuid", "slug", "title", "type"]


def test_a_deletion_and_an_undeletion_change_deleted_at(api):
    resource = create(api)
    delete(api, resource)
    api.post(f"/metadatas/{resource['uuid']}/undelete", **JSON)

    undeleted, deleted, _ = revisions(api, resource)

    assert undeleted["changed"] == deleted["changed"] == ["deletedAt"]


def test_a_revision_records_the_tokens_identity_and_the_request_id(tenant):
    client = staff(tenant)
    resource = client.post(
        "/metadatas",
        {"owner": "o", "title": {"en": "t"}, "slug": "s", "type": "t"},
        format="json",
        HTTP_X_REQUEST_ID="req-42",
        **JSON,
    ).json()

    (revision,) = revisions(client, resource)

    assert revision["actor"] == {"type": "Staff", "uuid": STAFF_UUID, "user": None}
    assert revision["requestId"] == "req-42"
    assert revision["batchId"] is None
    assert UTC_SECONDS.match(revision["createdAt"])
    assert revision["createdAt"] == resource["updatedAt"]


def test_a_write_that_changes_nothing_writes_no_revision(api):
    resource = create(api)

    api.put(f"/metadatas/{resource['uuid']}", {"type": resource["type"], "version": 1}, format="json", **JSON)

    assert len(revisions(api, resource)) == 1


def test_one_revision_carries_the_resource_as_it_was_after_that_change(api):
    created = create(api)
    updated = put(api, created, title={"en": "Second"})
    put(api, updated, title={"en": "Third"})

    response = api.get(f"/metadatas/{created['uuid']}/revisions/2", **JSON)

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["operation"]) == (2, "updated")
    assert body["resource"] == updated


def test_the_resource_of_a_deletion_revision_carries_its_deleted_at(api):
    resource = create(api)
    delete(api, resource)

    body = api.get(f"/metadatas/{resource['uuid']}/revisions/2", **JSON).json()

    assert body["resource"]["deletedAt"] == body["createdAt"]
    assert body["resource"] == api.get(f"/metadatas/{resource['uuid']}", {"deleted": "true"}, **JSON).json()


def test_an_absent_revision_is_a_404(api):
    resource = create(api)

    assert api.get(f"/metadatas/{resource['uuid']}/revisions/2", **JSON).status_code == 404


@pytest.mark.parametrize("version", ["abc", "0", "-1", "1.5", "²", "9" * 19])
def test_a_malformed_version_in_the_path_is_a_400_naming_it(api, version):
    resource = create(api)

    response = api.get(f"/metadatas/{resource['uuid']}/revisions/{version}", **JSON)

    assert response.status_code == 400
    assert violation_paths(response) == {"version"}


def test_a_deleted_resources_revisions_stay_readable_without_deleted_true(api):
    resource = create(api)
    delete(api, resource)

    assert [r["operation"] for r in revisions(api, resource)] == ["deleted", "created"]
    assert api.get(f"/metadatas/{resource['uuid']}/revisions/1", **JSON).status_code == 200


def test_revisions_are_paged_with_page_and_limit_and_with_cursor(api):
    resource = create(api)
    for number in range(4):
        resource = put(api, resource, type=f"t{number}")

    first = api.get(f"/metadatas/{resource['uuid']}/revisions", {"limit": 2}, **JSON)
    second = api.get(f"/metadatas/{resource['uuid']}/revisions", {"limit": 2, "page": 2}, **JSON)
    by_cursor = api.get(f"/metadatas/{resource['uuid']}/revisions", {"limit": 3, "cursor": ""}, **JSON)

    assert [r["version"] for r in first.json()] == [5, 4]
    assert first["X-Total-Count"] == "5"
    assert [r["version"] for r in second.json()] == [3, 2]
    assert [r["version"] for r in by_cursor.json()] == [5, 4, 3]
    next_page = re.search(r'<([^>]+)>; rel="next"', by_cursor["Link"]).group(1)
    assert [r["version"] for r in api.get(next_page, **JSON).json()] == [2, 1]


def test_revisions_in_json_ld_are_a_hydra_collection_of_revisions(api):
    resource = create(api)

    listed = api.get(f"/metadatas/{resource['uuid']}/revisions", **JSONLD).json()
    one = api.get(f"/metadatas/{resource['uuid']}/revisions/1", **JSONLD).json()

    assert listed["@type"] == "hydra:Collection"
    assert listed["@id"] == f"/metadatas/{resource['uuid']}/revisions"
    assert listed["hydra:totalItems"] == 1
    assert listed["hydra:member"][0]["@id"] == f"/metadatas/{resource['uuid']}/revisions/1"
    assert (one["@context"], one["@type"]) == ("/contexts/MetadataRevision", "MetadataRevision")
    assert api.get("/contexts/MetadataRevision", **JSONLD).status_code == 200


def test_reading_revisions_needs_metadata_read(api, tenant):
    resource = create(api)
    path = f"/metadatas/{resource['uuid']}/revisions"

    refused = staff(tenant, "metadata:browse", "metadata:edit").get(path, **JSON)

    assert (refused.status_code, refused.json()["permission"]) == (403, "metadata:read")
    assert staff(tenant, "metadata:read").get(path, **JSON).status_code == 200
    assert staff(tenant, "metadata:browse").get(f"{path}/1", **JSON).status_code == 403
    assert staff(tenant, "metadata:browse").get(f"{path}/1/diff?from=1", **JSON).status_code == 403


def test_an_owner_scoped_read_applies_to_the_resources_current_owner(api, tenant):
    owner_uuid = str(uuid.uuid4())
    resource = put(api, create(api, owner="Old", ownerUuid=owner_uuid), owner="New")
    path = f"/metadatas/{resource['uuid']}/revisions"

    assert staff(tenant, f"metadata:read@New:{owner_uuid}").get(path, **JSON).status_code == 200
    assert staff(tenant, f"metadata:read@Old:{owner_uuid}").get(path, **JSON).status_code == 403


def test_only_the_newest_revisions_keep_revisions_are_kept(api, settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "REVISIONS_KEEP": 3}
    resource = create(api)
    for number in range(4):
        resource = put(api, resource, type=f"t{number}")

    assert [r["version"] for r in revisions(api, resource)] == [5, 4, 3]
    assert MetadataRevision.objects.count() == 3


def test_the_prune_sends_the_statement_the_orms_delete_sends(api, settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "REVISIONS_KEEP": 2}
    resource = put(api, create(api), type="t")
    metadata = Metadata.objects.get(uuid=resource["uuid"])

    with CaptureQueriesContext(connection) as compiled:
        services.PRUNE_REVISIONS.delete(tenant_id=metadata.tenant_id, metadata=metadata.pk, version=1)
    assert sorted(MetadataRevision.objects.values_list("version", flat=True)) == [2]
    with CaptureQueriesContext(connection) as orm:
        services._revisions_of(metadata).filter(version__lte=1).delete()

    assert len(compiled) == 1
    assert [query["sql"] for query in compiled] == [query["sql"] for query in orm]


# --- The admin ------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    User.objects.create_superuser("curator", "curator@example.com", "pw-for-tests")
    client.login(username="curator", password="pw-for-tests")
    return client


def admin_form(resource, **changes):
    return {
        "owner": resource["owner"],
        "owner_uuid": resource["ownerUuid"] or "",
        "title": '{"en": "From the admin"}',
        "slug": resource["slug"],
        "type": resource["type"],
        "data": "{}",
        "expected_version": str(resource["version"]),
        **changes,
    }


def admin_path(resource, suffix="change/"):
    return f"/admin/metadatas/metadata/{Metadata.objects.get(uuid=resource['uuid']).pk}/{suffix}"


def test_an_admin_edit_writes_a_revision_naming_the_admin_user(api, admin_client):
    resource = create(api)

    response = admin_client.post(admin_path(resource), admin_form(resource))

    assert response.status_code == 302
    latest = revisions(api, resource)[0]
    assert (latest["operation"], latest["changed"]) == ("updated", ["data", "title"])
    assert latest["actor"] == {"type": "Staff", "uuid": None, "user": "curator"}
    assert latest["requestId"]


def test_an_admin_delete_is_a_soft_delete_with_its_revision(api, admin_client):
    resource = create(api)

    response = admin_client.post(admin_path(resource, "delete/"), {"post": "yes"})

    assert response.status_code == 302
    assert api.get(f"/metadatas/{resource['uuid']}", {"deleted": "true"}, **JSON).status_code == 200
    assert revisions(api, resource)[0]["operation"] == "deleted"


def test_the_admin_lists_deleted_resources_with_a_filter_and_undeletes_them(api, admin_client):
    live, gone = create(api, slug="live-one"), create(api, slug="gone-one")
    delete(api, gone)

    deleted_only = admin_client.get("/admin/metadatas/metadata/?deleted=yes").content.decode()
    everything = admin_client.get("/admin/metadatas/metadata/").content.decode()
    pk = Metadata.objects.get(uuid=gone["uuid"]).pk
    admin_client.post("/admin/metadatas/metadata/", {"action": "undelete_selected", "_selected_action": [str(pk)]})

    assert "gone-one" in deleted_only and "live-one" not in deleted_only
    assert "gone-one" in everything and "live-one" in everything
    assert api.get(f"/metadatas/{gone['uuid']}", **JSON).status_code == 200
    assert revisions(api, gone)[0]["actor"]["user"] == "curator"
    assert live["uuid"]


def test_the_admin_change_page_shows_the_revisions_read_only(api, admin_client):
    resource = put(api, create(api), type="second")

    page = admin_client.get(admin_path(resource)).content.decode()

    assert "revisions (newest first)" in page.lower()
    assert "created" in page and "updated" in page
