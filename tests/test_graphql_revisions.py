"""Revisions of linked (GraphQL) metadata and the metadataRevisions query (contract history.md)."""

import json

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection

from linked_metadata.models import LinkedMetadata, LinkedMetadataRevision
from linked_metadata.services import linked_metadata_upsert
from tests.support.graphql_client import (
    CREATE,
    DELETE,
    UPDATE,
    delete_input,
    error_code,
    graphql_client,
    metadata_input,
    mutate,
    run,
    the_error,
)
from tests.support.history import TEST_ACTOR

pytestmark = pytest.mark.django_db
STAFF_UUID = "9b2f1c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
REVISIONS = """query revisions($type: LinkedObjectType!, $identifier: String!, $key: String!, $first: Int) {
  metadataRevisions(linkedObjectType: $type, identifier: $identifier, key: $key, first: $first) {
    version operation value actor { type uuid user } createdAt } }"""


@pytest.fixture
def gql(tenant):
    return graphql_client(tenant.uuid, "Staff", identity_uuid=STAFF_UUID, permissions=["CAN_MUTATE_METADATA"])


def revisions(client, first=None, **overrides):
    variables = {"type": "ACCOUNT", "identifier": "A-154321", "key": "some_unique_key", **overrides}
    if first is not None:
        variables["first"] = first
    return run(client, REVISIONS, variables)


def listed(client, **kwargs):
    body = revisions(client, **kwargs)
    assert "errors" not in body, body
    return body["data"]["metadataRevisions"]


def test_create_update_and_delete_each_write_a_revision_newest_first(gql):
    mutate(gql, CREATE, **metadata_input(value='{"n": 1}'))
    mutate(gql, UPDATE, **metadata_input(value='{"n": 2}'))
    mutate(gql, DELETE, **delete_input())

    assert [(r["version"], r["operation"], r["value"]) for r in listed(gql)] == [
        (3, "deleted", None),
        (2, "updated", '{"n": 2}'),
        (1, "created", '{"n": 1}'),
    ]


def test_an_upsert_of_a_new_key_is_a_creation_and_of_the_same_value_writes_nothing(gql):
    mutate(gql, UPDATE, **metadata_input(value="[1]"))
    mutate(gql, UPDATE, **metadata_input(value="[1]"))

    assert [(r["version"], r["operation"]) for r in listed(gql)] == [(1, "created")]


def test_a_revision_records_the_tokens_identity_and_its_time(gql):
    mutate(gql, CREATE, **metadata_input())

    (revision,) = listed(gql)

    assert revision["actor"] == {"type": "Staff", "uuid": STAFF_UUID, "user": None}
    assert revision["createdAt"].endswith("+00:00")
    assert LinkedMetadataRevision.objects.get().request_id  # the request's X-Request-ID


def test_a_deleted_keys_revisions_stay_readable_and_a_recreated_key_starts_again_at_version_1(gql):
    mutate(gql, CREATE, **metadata_input(value="1"))
    mutate(gql, DELETE, **delete_input())
    mutate(gql, CREATE, **metadata_input(value="2"))

    assert [(r["version"], r["operation"]) for r in listed(gql)] == [(1, "created"), (2, "deleted"), (1, "created")]


def test_first_limits_the_revisions_to_the_newest(gql):
    for number in range(5):
        mutate(gql, UPDATE, **metadata_input(value=str(number)))

    assert [r["version"] for r in listed(gql, first=2)] == [5, 4]
    assert len(listed(gql)) == 5  # default 20


@pytest.mark.parametrize("first", [0, -1, 101])
def test_a_first_out_of_range_is_a_validation_error_naming_it(gql, first):
    body = revisions(gql, first=first)

    assert error_code(body) == "MS-GQL-1001"
    assert the_error(body)["validationErrors"][0]["inputPath"] == ["first"]


def test_reading_revisions_needs_the_access_of_metadata_for_key(tenant):
    writer = graphql_client(tenant.uuid)
    mutate(writer, CREATE, **metadata_input())
    nobody = graphql_client(tenant.uuid, "Staff", permissions=["metadata:read"])
    viewer = graphql_client(tenant.uuid, "Staff", permissions=["CAN_VIEW_METADATA"])
    owner = graphql_client(tenant.uuid, "AccountUser", accounts=["A-154321"])

    assert error_code(revisions(nobody)) == "KT-CT-4123"
    assert len(listed(viewer)) == 1
    assert len(listed(owner)) == 1


def test_another_tenants_revisions_are_never_listed(tenant, other_tenant):
    mutate(graphql_client(tenant.uuid), CREATE, **metadata_input())

    assert listed(graphql_client(other_tenant.uuid)) == []


def test_only_the_newest_revisions_keep_revisions_of_a_key_are_kept(gql, settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "REVISIONS_KEEP": 2}
    for number in range(4):
        mutate(gql, UPDATE, **metadata_input(value=str(number)))

    assert [r["version"] for r in listed(gql)] == [4, 3]
    assert LinkedMetadataRevision.objects.count() == 2


def test_a_database_error_after_the_upsert_leaves_no_change(tenant):
    linked_metadata_upsert(
        tenant_id=tenant.uuid, linked_object_type="ACCOUNT", identifier="A-1", key="k", value=1, actor=TEST_ACTOR
    )
    table = LinkedMetadataRevision._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_linked_revision() RETURNS trigger AS "
                "$$ BEGIN RAISE EXCEPTION 'injected revision failure'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_linked_revision()"
            )
        else:
            cursor.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'injected'); END")

    with pytest.raises(DatabaseError):
        linked_metadata_upsert(
            tenant_id=tenant.uuid, linked_object_type="ACCOUNT", identifier="A-1", key="k", value=2, actor=TEST_ACTOR
        )

    row = LinkedMetadata.objects.get()
    assert (row.value, row.version) == (1, 1)
    assert LinkedMetadataRevision.objects.count() == 1


def test_an_admin_save_records_the_admin_user(client, tenant):
    User.objects.create_superuser("keeper", "keeper@example.com", "pw-for-tests")
    client.login(username="keeper", password="pw-for-tests")
    form = {
        "tenant": str(tenant.uuid),
        "linked_object_type": "ACCOUNT",
        "identifier": "A-154321",
        "key": "some_unique_key",
        "value": json.dumps({"from": "admin"}),
    }

    response = client.post("/admin/linked_metadata/linkedmetadata/add/", form)

    assert response.status_code == 302
    revision = LinkedMetadataRevision.objects.get()
    assert (revision.operation, revision.actor_user, revision.actor_type) == ("created", "keeper", "Staff")
