"""Idempotency-Key on writes (contract automation.md): replay, reuse, validation, retention, scope."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from idempotency.models import IdempotencyRecord
from metadatas.models import Metadata, MetadataRevision
from tests.conftest import JSON, client_with, metadata_body, token_for

pytestmark = pytest.mark.django_db


def post(api, body, key="key-1", **extra):
    return api.post("/metadatas", body, format="json", HTTP_IDEMPOTENCY_KEY=key, **JSON, **extra)


def test_a_retried_create_answers_the_stored_response_byte_for_byte_and_creates_one_resource(api):
    first = post(api, metadata_body())
    again = post(api, metadata_body())

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Location"] == first["Location"] and again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Metadata.objects.count() == 1
    assert MetadataRevision.objects.count() == 1


def test_the_body_is_compared_as_canonical_json(api):
    first = post(api, metadata_body())
    spelled_otherwise = json.dumps(dict(reversed(list(metadata_body().items()))), indent=2)
    again = api.post(
        "/metadatas", spelled_otherwise, content_type="application/json", HTTP_IDEMPOTENCY_KEY="key-1", **JSON
    )

    assert again.status_code == 201
    assert again.content == first.content
    assert Metadata.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422_and_writes_nothing(api):
    post(api, metadata_body())
    other = post(api, metadata_body(slug="another-slug"))

    assert other.status_code == 422
    assert other.json()["type"] == "/problems/idempotency_key_reused"
    assert Metadata.objects.count() == 1


def test_a_key_is_scoped_to_the_path_so_another_route_runs_afresh(api):
    created = post(api, metadata_body()).json()
    changed = api.put(
        f"/metadatas/{created['uuid']}",
        {**metadata_body(title={"en": "Renamed"}), "version": 1},
        format="json",
        HTTP_IDEMPOTENCY_KEY="key-1",
        **JSON,
    )

    assert changed.status_code == 200
    assert changed.json()["version"] == 2


def test_a_key_is_scoped_to_the_caller(tenant):
    first = client_with(token_for(tenant.uuid, identity_uuid="9a9c1c8e-6f0b-4a55-8d0e-1d2a3b4c5d6e"))
    second = client_with(token_for(tenant.uuid, identity_uuid="1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"))
    post(first, metadata_body())
    other_caller = post(second, metadata_body(slug="second-slug"))

    assert other_caller.status_code == 201
    assert "Idempotent-Replayed" not in other_caller
    assert Metadata.objects.count() == 2


def test_a_key_of_one_tenant_means_nothing_in_another(api, other_api):
    post(api, metadata_body())
    elsewhere = post(other_api, metadata_body())

    assert elsewhere.status_code == 201
    assert "Idempotent-Replayed" not in elsewhere
    assert Metadata.objects.filter(tenant_id=elsewhere.json()["tenant"]).count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "with space", "tab\there"])
def test_a_key_that_is_empty_too_long_or_not_visible_ascii_is_a_400_naming_the_header(api, key):
    response = post(api, metadata_body(), key=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in {v["propertyPath"] for v in response.json()["violations"]}
    assert Metadata.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


def test_a_key_of_255_visible_characters_is_accepted(api):
    assert post(api, metadata_body(), key="~" * 255).status_code == 201


def test_a_failed_write_is_stored_and_answers_the_same_again_without_writing(api):
    first = post(api, metadata_body(owner=""))
    api.post("/metadatas", metadata_body(owner="Fixed"), format="json", **JSON)  # without key: changes state
    again = post(api, metadata_body(owner=""))

    assert first.status_code == again.status_code == 400
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Metadata.objects.count() == 1


def test_a_conflicting_update_stores_its_409_and_no_revision(api):
    created = api.post("/metadatas", metadata_body(), format="json", **JSON).json()
    stale = {**metadata_body(title={"en": "Stale"}), "version": 7}
    first = api.put(f"/metadatas/{created['uuid']}", stale, format="json", HTTP_IDEMPOTENCY_KEY="k", **JSON)
    again = api.put(f"/metadatas/{created['uuid']}", stale, format="json", HTTP_IDEMPOTENCY_KEY="k", **JSON)

    assert first.status_code == again.status_code == 409
    assert again["Idempotent-Replayed"] == "true"
    assert MetadataRevision.objects.count() == 1


def test_a_throttled_request_is_not_stored(api, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "token": "1/min"}}
    api.get("/metadatas", **JSON)
    throttled = post(api, metadata_body())

    assert throttled.status_code == 429
    assert IdempotencyRecord.objects.count() == 0


def test_a_delete_replays_its_204_and_deletes_once(api):
    created = api.post("/metadatas", metadata_body(), format="json", **JSON).json()
    path = f"/metadatas/{created['uuid']}?version=1"
    first = api.delete(path, HTTP_IDEMPOTENCY_KEY="del", **JSON)
    again = api.delete(path, HTTP_IDEMPOTENCY_KEY="del", **JSON)

    assert first.status_code == again.status_code == 204
    assert again["Idempotent-Replayed"] == "true"
    assert MetadataRevision.objects.filter(operation="deleted").count() == 1


def test_a_metadata_type_definition_replays(api):
    body = {"name": "camera", "schema": {"type": "object"}}
    first = api.post("/metadata-types", body, format="json", HTTP_IDEMPOTENCY_KEY="t", **JSON)
    again = api.post("/metadata-types", body, format="json", HTTP_IDEMPOTENCY_KEY="t", **JSON)

    assert first.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"


def test_keys_older_than_the_retention_are_forgotten_and_pruned(api):
    post(api, metadata_body())
    IdempotencyRecord.objects.update(created_at=IdempotencyRecord.objects.get().created_at - timedelta(hours=25))
    again = post(api, metadata_body(slug="after-retention"))

    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    IdempotencyRecord.objects.update(created_at=IdempotencyRecord.objects.get().created_at - timedelta(hours=25))
    call_command("prune_idempotency_keys", verbosity=0)
    assert IdempotencyRecord.objects.count() == 0


def test_a_key_whose_first_request_still_runs_is_a_409_with_retry_after_1(tenant, require_postgres):
    from contextlib import closing

    import psycopg2

    from idempotency.records import KeyScope
    from tests.support.pg_sessions import libpq_settings

    caller = "9a9c1c8e-6f0b-4a55-8d0e-1d2a3b4c5d6e"
    client = client_with(token_for(tenant.uuid, identity_uuid=caller))
    scope = KeyScope(tenant_id=tenant.uuid, caller=f"System:{caller}", method="POST", path="/metadatas", key="key-1")
    with closing(psycopg2.connect(**libpq_settings())) as first_run, first_run.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [scope.lock_id()])  # as the running request holds it
        response = post(client, metadata_body())

    assert response.status_code == 409
    assert response.json()["type"] == "/problems/idempotency_key_in_use"
    assert response["Retry-After"] == "1"
    assert Metadata.objects.count() == 0


def test_the_same_body_under_another_if_match_is_another_request(api):
    created = api.post("/metadatas", metadata_body(), format="json", **JSON).json()
    path, change = f"/metadatas/{created['uuid']}", {"title": {"en": "Renamed"}}
    api.put(path, change, format="json", HTTP_IF_MATCH='"7"', HTTP_IDEMPOTENCY_KEY="k", **JSON)
    other = api.put(path, change, format="json", HTTP_IF_MATCH='"1"', HTTP_IDEMPOTENCY_KEY="k", **JSON)

    assert other.status_code == 422


def test_a_json_ld_replay_keeps_the_link_to_the_documentation(api):
    first = api.post("/metadatas", metadata_body(), format="json", HTTP_IDEMPOTENCY_KEY="ld")
    again = api.post("/metadatas", metadata_body(), format="json", HTTP_IDEMPOTENCY_KEY="ld")

    assert first["Link"] and again["Link"] == first["Link"]
    assert again["Content-Type"] == first["Content-Type"]
