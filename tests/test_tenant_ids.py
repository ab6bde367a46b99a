"""Metadata ids are numbered per tenant, so that one tenant's ids say nothing of another's writes."""

import uuid

import pytest
from rest_framework.exceptions import AuthenticationFailed

from linked_metadata import services as linked_services
from metadatas import services
from metadatas.models import Metadata, MetadataRevision
from tenants.counters import TenantCounter, next_value
from tests.conftest import JSON, metadata_body
from tests.support.concurrency import run_concurrently
from tests.support.history import TEST_ACTOR


def create(client, slug):
    return client.post("/metadatas", metadata_body(slug=slug), format="json", **JSON)


def test_a_tenants_ids_count_only_its_own_writes(api, other_api):
    ids = []
    for number in range(3):
        ids.append(create(api, f"mine-{number}").json()["id"])
        for other in range(5):  # another tenant's writes in between
            assert create(other_api, f"theirs-{number}-{other}").status_code == 201

    assert ids == [1, 2, 3]


def test_the_other_tenant_numbers_from_one_too(api, other_api):
    create(api, "first")
    create(api, "second")

    assert create(other_api, "first").json()["id"] == 1


def test_a_refused_create_hands_its_id_back(api):
    assert create(api, "taken").json()["id"] == 1
    assert create(api, "taken").status_code == 400

    assert create(api, "next").json()["id"] == 2


def test_a_resource_is_found_by_its_tenant_id_only_in_its_tenant(api, other_api):
    mine = create(api, "mine").json()
    create(other_api, "theirs")

    listed = api.get("/metadatas", {"id": 1}, **JSON).json()

    assert [row["uuid"] for row in listed] == [mine["uuid"]]


def test_lists_are_in_id_order_within_the_tenant(api, other_api):
    for number in range(4):
        create(api, f"mine-{number}")
        create(other_api, f"theirs-{number}")

    listed = api.get("/metadatas", {"order[id]": "desc"}, **JSON).json()

    assert [row["id"] for row in listed] == [4, 3, 2, 1]


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_in_one_tenant_get_distinct_consecutive_ids(tenant):
    from tests.conftest import client_with, token_for

    token = token_for(tenant.uuid)
    statuses = run_concurrently(8, lambda index: create(client_with(token), f"racer-{index}").status_code)

    assert statuses == {201: 8}
    assert sorted(Metadata.objects.for_tenant(tenant.uuid).values_list("id", flat=True)) == list(range(1, 9))


def test_counters_start_at_one_and_are_separate_by_name_and_tenant(tenant, other_tenant):
    assert [next_value(tenant_id=tenant.uuid, name="a") for _ in range(3)] == [1, 2, 3]
    assert next_value(tenant_id=tenant.uuid, name="b") == 1
    assert next_value(tenant_id=other_tenant.uuid, name="a") == 1
    assert TenantCounter.objects.get(tenant=tenant, name="a").value == 3


@pytest.mark.django_db(transaction=True)
def test_a_write_for_a_deleted_tenant_is_a_401_not_a_duplicate():
    gone = uuid.uuid4()  # as when the tenant was deleted after the token was checked

    with pytest.raises(AuthenticationFailed) as refused:
        services.metadata_create(
            tenant_id=gone,
            fields={"owner": "o", "title": {"en": "t"}, "slug": "s", "type": "t", "data": {}},
            actor=TEST_ACTOR,
        )

    assert refused.value.get_codes() == "unknown_tenant"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", [linked_services.linked_metadata_create, linked_services.linked_metadata_upsert])
def test_a_linked_metadata_write_for_a_deleted_tenant_is_a_401(write):
    with pytest.raises(AuthenticationFailed) as refused:
        write(
            tenant_id=uuid.uuid4(), linked_object_type="ACCOUNT", identifier="A-1", key="k", value={}, actor=TEST_ACTOR
        )

    assert refused.value.get_codes() == "unknown_tenant"


def test_a_revision_refers_to_the_row_and_shows_the_tenants_id(api, other_api):
    create(api, "mine")
    theirs = create(other_api, "theirs").json()  # id 1 in its tenant, a later row than ours
    api.delete(f"/metadatas/{create(api, 'gone').json()['uuid']}", **JSON)

    revision = other_api.get(f"/metadatas/{theirs['uuid']}/revisions/1", **JSON).json()
    row = Metadata.objects.for_tenant(theirs["tenant"]).get(uuid=theirs["uuid"])

    assert revision["resource"]["id"] == theirs["id"] == 1
    assert MetadataRevision.objects.get(metadata_id=row.pk).version == 1
    assert row.pk != row.id


def test_a_deleted_resources_slug_made_again_gets_the_next_id(api):
    first = create(api, "reused").json()
    api.delete(f"/metadatas/{first['uuid']}", **JSON)

    again = create(api, "reused")

    assert again.status_code == 201
    assert again.json()["id"] == first["id"] + 1
