"""POST /metadatas/batch: ordered operations in one transaction, all or nothing (contract automation.md)."""

import uuid

import pytest

from idempotency.models import IdempotencyRecord
from metadatas.models import Metadata, MetadataRevision
from tests.conftest import JSON, client_with, metadata_body, token_for
from tests.support.history import revisions

pytestmark = pytest.mark.django_db

OWNER_UUID = "c11c546e-bd01-47cf-97da-e25388357b5a"


def batch(api, operations, **extra):
    return api.post("/metadatas/batch", {"operations": operations}, format="json", **JSON, **extra)


def create(number, **fields):
    return {"op": "create", "body": metadata_body(slug=f"batch-{number}", **fields)}


def test_a_batch_of_creates_answers_each_result_in_order_with_one_batch_id(api):
    response = batch(api, [create(1), create(2), create(3)])

    assert response.status_code == 200
    body = response.json()
    assert [result["status"] for result in body["results"]] == [201, 201, 201]
    assert [result["resource"]["slug"] for result in body["results"]] == ["batch-1", "batch-2", "batch-3"]
    revisions = MetadataRevision.objects.order_by("metadata_id")
    assert {str(revision.batch_id) for revision in revisions} == {body["batchId"]}
    assert revisions.count() == 3


def test_each_resource_of_a_batch_of_creates_has_its_own_created_revision_and_the_next_id(api):
    first = api.post("/metadatas", metadata_body(slug="before"), format="json", **JSON).json()

    results = batch(api, [create(number, data={"n": number}) for number in range(1, 6)]).json()["results"]

    resources = [result["resource"] for result in results]
    assert [resource["id"] for resource in resources] == [first["id"] + number for number in range(1, 6)]
    for resource in resources:
        (revision,) = revisions(api, resource)
        assert (revision["version"], revision["operation"]) == (1, "created")
        assert api.get(f"/metadatas/{resource['uuid']}/revisions/1", **JSON).json()["resource"] == resource


def test_later_operations_see_earlier_ones(api):
    resource_uuid = str(uuid.uuid4())
    response = batch(
        api,
        [
            {"op": "create", "body": metadata_body(uuid=resource_uuid)},
            {"op": "update", "uuid": resource_uuid, "version": 1, "body": {"title": {"en": "Renamed"}}},
            {"op": "patch", "uuid": resource_uuid, "version": 2, "body": {"data": ["Only"]}},
            {"op": "delete", "uuid": resource_uuid, "version": 3},
        ],
    )

    assert response.status_code == 200
    assert [result["status"] for result in response.json()["results"]] == [201, 200, 200, 204]
    assert response.json()["results"][3]["resource"] is None
    stored = Metadata.objects.for_tenant(Metadata.objects.get().tenant_id, deleted=True).get()
    assert stored.title == {"en": "Renamed"} and stored.data == ["Only"] and stored.version == 4
    assert list(MetadataRevision.objects.order_by("version").values_list("operation", flat=True)) == [
        "created",
        "updated",
        "updated",
        "deleted",
    ]


def test_a_batch_whose_57th_operation_fails_stores_nothing(api):
    operations = [create(number) for number in range(100)]
    operations[56] = create(56, owner="")
    response = batch(api, operations, HTTP_IDEMPOTENCY_KEY="deploy-57")

    assert response.status_code == 400
    problem = response.json()
    assert problem["operation"] == 56
    assert {violation["propertyPath"] for violation in problem["violations"]} == {"owner"}
    assert Metadata.objects.count() == 0
    assert MetadataRevision.objects.count() == 0
    assert IdempotencyRecord.objects.filter(status=200).count() == 0


def test_the_first_failure_answers_with_its_own_status_and_fields(api):
    created = api.post("/metadatas", metadata_body(), format="json", **JSON).json()
    response = batch(
        api,
        [create(1), {"op": "update", "uuid": created["uuid"], "version": 5, "body": {"title": {"en": "x"}}}],
    )

    assert response.status_code == 409
    assert response.json()["operation"] == 1
    assert response.json()["currentVersion"] == 1
    assert Metadata.objects.count() == 1


def test_an_operation_on_another_tenants_resource_is_a_404(api, other_api):
    foreign = other_api.post("/metadatas", metadata_body(), format="json", **JSON).json()
    response = batch(api, [{"op": "delete", "uuid": foreign["uuid"], "version": 1}])

    assert response.status_code == 404
    assert response.json()["operation"] == 0
    assert Metadata.objects.filter(uuid=foreign["uuid"]).get().deleted_at is None


def test_each_operation_needs_its_own_permission(tenant):
    adder = client_with(token_for(tenant.uuid, identity_type="Staff", permissions=["metadata:add"]))
    created = adder.post("/metadatas", metadata_body(), format="json", **JSON).json()
    response = batch(adder, [create(1), {"op": "delete", "uuid": created["uuid"], "version": 1}])

    assert response.status_code == 403
    assert response.json()["operation"] == 1
    assert response.json()["permission"] == "metadata:delete"
    assert Metadata.objects.count() == 1


def test_an_owner_scoped_permission_holds_per_operation(tenant):
    scoped = client_with(
        token_for(tenant.uuid, identity_type="Staff", permissions=[f"metadata:add@BusinessUnit:{OWNER_UUID}"])
    )
    response = batch(scoped, [create(1), create(2, ownerUuid=str(uuid.uuid4()))])

    assert response.status_code == 403
    assert response.json()["operation"] == 1
    assert Metadata.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], ""),
        ("operations", ""),
        ({"operations": []}, "operations"),
        ({"operations": {"op": "create"}}, "operations"),
        ({}, "operations"),
    ],
)
def test_a_batch_that_is_not_an_object_of_operations_is_a_400_naming_it(api, body, field):
    response = api.post("/metadatas/batch", body, format="json", **JSON)

    assert response.status_code == 400
    assert field in {violation["propertyPath"] for violation in response.json()["violations"]}


def test_101_operations_are_a_400(api):
    response = batch(api, [create(number) for number in range(101)])

    assert response.status_code == 400
    assert {v["propertyPath"] for v in response.json()["violations"]} == {"operations"}
    assert Metadata.objects.count() == 0


@pytest.mark.parametrize(
    ("operation", "field"),
    [
        ({"op": "upsert", "body": {}}, "op"),
        ({"body": {}}, "op"),
        ({"op": "update", "uuid": "9a9c1c8e-6f0b-4a55-8d0e-1d2a3b4c5d6e", "body": {}}, "version"),
        ({"op": "patch", "uuid": "9a9c1c8e-6f0b-4a55-8d0e-1d2a3b4c5d6e", "version": "1", "body": {}}, "version"),
        ({"op": "delete", "uuid": "9a9c1c8e-6f0b-4a55-8d0e-1d2a3b4c5d6e"}, "version"),
        ({"op": "delete", "uuid": "not-a-uuid", "version": 1}, "uuid"),
        ({"op": "create", "body": [1]}, "body"),
        ("create", ""),
    ],
)
def test_a_malformed_operation_is_a_400_naming_its_field_and_index(api, operation, field):
    response = batch(api, [create(1), operation])

    assert response.status_code == 400
    assert response.json()["operation"] == 1
    assert field in {violation["propertyPath"] for violation in response.json()["violations"]}
    assert Metadata.objects.count() == 0


def test_a_batch_over_the_body_limit_is_a_413(api, settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "REQUEST_BODY_MAX_BYTES": 2000}
    response = batch(api, [create(number) for number in range(20)])

    assert response.status_code == 413
    assert Metadata.objects.count() == 0


def test_a_retried_batch_with_its_key_replays_and_writes_once(api):
    first = batch(api, [create(1), create(2)], HTTP_IDEMPOTENCY_KEY="deploy-1")
    again = batch(api, [create(1), create(2)], HTTP_IDEMPOTENCY_KEY="deploy-1")

    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Metadata.objects.count() == 2


def test_a_slug_repeated_at_the_57th_create_names_that_operation(api):
    operations = [create(number) for number in range(100)]
    operations[56] = create(10)
    response = batch(api, operations)

    assert response.status_code == 400
    assert response.json()["operation"] == 56
    assert {violation["propertyPath"] for violation in response.json()["violations"]} == {"slug"}
    assert Metadata.objects.count() == 0
    assert MetadataRevision.objects.count() == 0


def test_a_slug_already_stored_fails_its_create_in_a_run(api):
    api.post("/metadatas", metadata_body(slug="batch-2"), format="json", **JSON)
    response = batch(api, [create(1), create(2), create(3)])

    assert response.status_code == 400
    assert response.json()["operation"] == 1
    assert Metadata.objects.count() == 1
