"""A change and its revision are one: a failed write leaves neither; races leave exactly one; tenants never mix."""

import sqlite3
import subprocess
import sys
import uuid

import pytest
from django.db import DatabaseError, connection

from metadatas.models import Metadata, MetadataRevision
from metadatas.services import metadata_create, metadata_delete, metadata_update
from tenants.identity import Actor
from tests.conftest import JSON, client_with, metadata_body, token_for
from tests.support.concurrency import run_concurrently
from tests.support.history import create, delete, put, revisions, writable
from tests.support.live_server import ROOT

COMMAND = Actor(type="System", uuid=None, user=None, request_id=None)


def state(resource_uuid):
    """What is stored of a resource: its row and its revisions."""
    row = Metadata.objects.get(uuid=resource_uuid)
    return (row.version, row.deleted_at, row.data, row.type), list(
        MetadataRevision.objects.filter(metadata=row).order_by("version").values_list("version", "operation")
    )


# --- A failed write changes nothing and leaves no revision -------------------------------------------------


@pytest.mark.django_db
def test_a_stale_put_leaves_no_revision_and_no_change(api):
    resource = put(api, create(api), type="second")
    before = state(resource["uuid"])

    response = api.put(f"/metadatas/{resource['uuid']}", {"type": "third", "version": 1}, format="json", **JSON)

    assert response.status_code == 409
    assert state(resource["uuid"]) == before


@pytest.mark.django_db
def test_an_invalid_put_leaves_no_revision_and_no_change(api):
    resource = create(api)
    before = state(resource["uuid"])

    response = api.put(f"/metadatas/{resource['uuid']}", {"data": 7, "version": 1}, format="json", **JSON)

    assert response.status_code == 400
    assert state(resource["uuid"]) == before


@pytest.mark.django_db
def test_a_refused_put_leaves_no_revision_and_no_change(api, tenant):
    resource = create(api)
    before = state(resource["uuid"])
    reader = client_with(token_for(tenant.uuid, "Staff", permissions=["metadata:read"]))

    response = reader.put(f"/metadatas/{resource['uuid']}", {"type": "x", "version": 1}, format="json", **JSON)

    assert response.status_code == 403
    assert state(resource["uuid"]) == before


@pytest.mark.django_db
def test_a_put_that_violates_slug_uniqueness_leaves_no_revision_and_no_change(api):
    create(api, slug="taken")
    resource = create(api, slug="mine")
    before = state(resource["uuid"])

    response = api.put(f"/metadatas/{resource['uuid']}", {"slug": "taken", "version": 1}, format="json", **JSON)

    assert response.status_code == 400
    assert state(resource["uuid"]) == before


@pytest.mark.django_db
def test_a_post_that_violates_slug_uniqueness_stores_no_resource_and_no_revision(api):
    create(api, slug="taken")

    response = api.post("/metadatas", metadata_body(slug="taken"), format="json", **JSON)

    assert response.status_code == 400
    assert (Metadata.objects.count(), MetadataRevision.objects.count()) == (1, 1)


@pytest.fixture
def revision_insert_fails(db):
    """A database error raised by the revisions table itself: after the resource's row was written."""
    table = MetadataRevision._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_revision() RETURNS trigger AS "
                "$$ BEGIN RAISE EXCEPTION 'injected revision failure'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_revision BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_revision()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_revision BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'injected revision failure'); END"
            )
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER refuse_revision{' ON ' + table if connection.vendor == 'postgresql' else ''}")


@pytest.mark.django_db
def test_a_database_error_after_the_row_was_updated_leaves_the_row_unchanged(api, revision_insert_fails, tenant):
    metadata = Metadata.objects.create(tenant=tenant, owner="o", title={"en": "t"}, slug="s", type="before")

    with pytest.raises(DatabaseError, match="injected revision failure"):
        metadata_update(metadata=metadata, expected_version=1, changes={"type": "after"}, actor=COMMAND)

    stored = Metadata.objects.get(pk=metadata.pk)
    assert (stored.version, stored.type) == (1, "before")
    assert metadata.version == 1 and metadata.type == "before"  # the caller's object was not changed either
    assert not MetadataRevision.objects.exists()


@pytest.mark.django_db
def test_a_database_error_after_the_row_was_inserted_stores_no_resource(revision_insert_fails, tenant):
    fields = {"owner": "o", "title": {"en": "t"}, "slug": "s", "type": "t"}

    with pytest.raises(DatabaseError, match="injected revision failure"):
        metadata_create(tenant_id=tenant.uuid, fields=fields, actor=COMMAND)

    assert not Metadata.objects.exists()


@pytest.mark.django_db
def test_a_database_error_after_the_row_was_marked_deleted_leaves_it_live(revision_insert_fails, tenant):
    metadata = Metadata.objects.create(tenant=tenant, owner="o", title={"en": "t"}, slug="s", type="t")

    with pytest.raises(DatabaseError, match="injected revision failure"):
        metadata_delete(metadata=metadata, actor=COMMAND)

    stored = Metadata.objects.get(pk=metadata.pk)
    assert (stored.version, stored.deleted_at) == (1, None)


# --- Races ----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_puts_with_one_version_leave_exactly_one_new_revision(tenant):
    token = token_for(tenant.uuid)
    resource = create(client_with(token))

    def put_one(index):
        body = {"data": [f"writer-{index}"], "version": 1}
        return client_with(token).put(f"/metadatas/{resource['uuid']}", body, format="json", **JSON).status_code

    statuses = run_concurrently(12, put_one)

    assert statuses[200] == 1 and statuses[409] == 11
    stored = Metadata.objects.get(uuid=resource["uuid"])
    new = MetadataRevision.objects.filter(metadata=stored, version=2)
    assert new.count() == 1
    assert new.get().state["data"] == stored.data
    assert MetadataRevision.objects.filter(metadata=stored).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_deletes_and_undeletes_keep_versions_and_revisions_in_step(tenant):
    token = token_for(tenant.uuid)
    resource = create(client_with(token))
    path = f"/metadatas/{resource['uuid']}"

    def toggle(index):
        client = client_with(token)
        return (client.delete(path) if index % 2 else client.post(f"{path}/undelete", **JSON)).status_code

    run_concurrently(8, toggle)

    stored = Metadata.objects.get(uuid=resource["uuid"])
    versions = list(MetadataRevision.objects.filter(metadata=stored).order_by("version").values_list("version"))
    assert versions == [(number,) for number in range(1, stored.version + 1)]


# --- Tenants --------------------------------------------------------------------------------------------

HISTORY_ROUTES = [
    ("get", "/metadatas/{uuid}?deleted=true"),
    ("get", "/metadatas/{uuid}/revisions"),
    ("get", "/metadatas/{uuid}/revisions/1"),
    ("get", "/metadatas/{uuid}/revisions/2/diff"),
    ("post", "/metadatas/{uuid}/revisions/1/restore"),
    ("post", "/metadatas/{uuid}/undelete"),
    ("delete", "/metadatas/{uuid}?purge=true"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "route"), HISTORY_ROUTES)
def test_another_tenant_gets_a_404_on_every_history_route(api, other_api, method, route):
    resource = put(api, create(api), type="second")
    delete(api, resource)
    before = state(resource["uuid"])

    response = getattr(other_api, method)(route.format(uuid=resource["uuid"]), {"version": 3}, format="json", **JSON)

    assert response.status_code == 404
    assert resource["uuid"] not in response.content.decode()
    assert state(resource["uuid"]) == before


@pytest.mark.django_db
def test_revisions_of_a_uuid_in_both_tenants_are_each_tenants_own(api, other_api):
    shared = str(uuid.uuid4())
    mine = put(api, create(api, uuid=shared), type="mine")
    create(other_api, uuid=shared)

    assert [r["version"] for r in revisions(api, mine)] == [2, 1]
    assert [r["version"] for r in revisions(other_api, mine)] == [1]
    assert writable(other_api.get(f"/metadatas/{shared}/revisions/1", **JSON).json()["resource"])["type"] == (
        "authentication"
    )


# --- SQLite ---------------------------------------------------------------------------------------------


def test_on_sqlite_slugs_are_unique_among_live_resources_only(tmp_path):
    """The embedded SQLite gets the same partial unique index from the migrations."""
    database = tmp_path / "history.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
    )
    db = sqlite3.connect(database)
    db.execute("INSERT INTO tenants_tenant (uuid, name, enabled, created) VALUES ('t1', 'T', 1, '2024-01-01')")
    insert = (
        "INSERT INTO metadatas_metadata (tenant_id, id, uuid, created_at, updated_at, owner, title, title_search, "
        "slug, type, data, version, deleted_at) VALUES ('t1', ?, ?, '2024-01-01', '2024-01-01', 'o', '{}', '', "
        "'same', 't', '{}', 1, ?)"
    )
    db.execute(insert, (1, uuid.uuid4().hex, "2024-01-02"))  # a deleted one
    db.execute(insert, (2, uuid.uuid4().hex, None))  # a live one with its slug: allowed

    with pytest.raises(sqlite3.IntegrityError, match="slug"):
        db.execute(insert, (3, uuid.uuid4().hex, None))  # a second live one: refused
