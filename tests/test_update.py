"""PUT and PATCH /metadatas/{uuid}: partial updates under optimistic locking."""

import json
from datetime import UTC, datetime

import pytest

from metadatas.models import Metadata
from tests.conftest import JSON, violation_paths

pytestmark = pytest.mark.django_db

MERGE_PATCH = "application/merge-patch+json"


def put(api, metadata, body, **headers):
    return api.put(f"/metadatas/{metadata.uuid}", body, format="json", **JSON, **headers)


def patch(api, metadata, body, content_type=MERGE_PATCH, **headers):
    return api.patch(f"/metadatas/{metadata.uuid}", json.dumps(body), content_type=content_type, **JSON, **headers)


def test_put_with_a_partial_body_changes_only_those_fields(api, make_metadata):
    metadata = make_metadata(data=["Github"], title={"en": "OAuth"})

    response = put(api, metadata, {"data": ["Github", "Yahoo"], "version": 1})

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == ["Github", "Yahoo"]
    assert body["title"] == {"en": "OAuth"}
    assert body["version"] == 2
    stored = Metadata.objects.get(pk=metadata.pk)
    assert (stored.data, stored.version) == (["Github", "Yahoo"], 2)


def test_put_sets_etag_of_the_new_version(api, make_metadata):
    metadata = make_metadata()

    response = put(api, metadata, {"type": "user", "version": 1})

    assert response["ETag"] == '"2"'


def test_put_moves_updated_at_and_keeps_created_at(api, make_metadata):
    old = datetime(2018, 7, 18, 19, 20, 17, tzinfo=UTC)
    metadata = make_metadata(created_at=old, updated_at=old)

    body = put(api, metadata, {"type": "user", "version": 1}).json()

    assert body["createdAt"] == "2018-07-18T19:20:17+00:00"
    assert body["updatedAt"] > "2020"


def test_put_without_a_version_is_refused_naming_version(api, make_metadata):
    metadata = make_metadata()

    response = put(api, metadata, {"type": "user"})

    assert response.status_code == 400
    assert violation_paths(response) == {"version"}
    assert Metadata.objects.get(pk=metadata.pk).type == "authentication"


def test_put_with_a_stale_version_is_a_409_saying_the_current_one(api, make_metadata):
    metadata = make_metadata(version=3)

    response = put(api, metadata, {"type": "user", "version": 2})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    assert response.json()["currentVersion"] == 3
    assert "version 3" in response.json()["detail"]
    assert Metadata.objects.get(pk=metadata.pk).type == "authentication"


def test_put_with_a_matching_if_match_needs_no_body_version(api, make_metadata):
    metadata = make_metadata(version=3)

    response = put(api, metadata, {"type": "user"}, HTTP_IF_MATCH='"3"')

    assert response.status_code == 200
    assert response.json()["version"] == 4


def test_put_with_a_stale_if_match_is_a_412(api, make_metadata):
    metadata = make_metadata(version=3)

    response = put(api, metadata, {"type": "user"}, HTTP_IF_MATCH='"2"')

    assert response.status_code == 412
    assert response.json()["currentVersion"] == 3
    assert Metadata.objects.get(pk=metadata.pk).version == 3


def test_put_with_if_match_star_still_needs_a_version(api, make_metadata):
    metadata = make_metadata()

    response = put(api, metadata, {"type": "user"}, HTTP_IF_MATCH="*")

    assert response.status_code == 400
    assert violation_paths(response) == {"version"}


def test_put_whose_body_version_disagrees_with_if_match_is_refused(api, make_metadata):
    metadata = make_metadata(version=3)

    response = put(api, metadata, {"type": "user", "version": 2}, HTTP_IF_MATCH='"3"')

    assert response.status_code == 400
    assert violation_paths(response) == {"version"}


def test_put_with_a_malformed_if_match_names_the_header(api, make_metadata):
    metadata = make_metadata()

    response = put(api, metadata, {"type": "user"}, HTTP_IF_MATCH='"1')

    assert response.status_code == 400
    assert violation_paths(response) == {"If-Match"}


def test_put_ignores_read_only_fields(api, make_metadata, other_tenant):
    metadata = make_metadata()
    body = {
        "uuid": "cf687347-6bba-4137-b180-9f581f5cba84",
        "id": 999,
        "tenant": str(other_tenant.uuid),
        "createdAt": "2000-01-01T00:00:00+00:00",
        "type": "user",
        "version": 1,
    }

    response = put(api, metadata, body)

    assert response.status_code == 200
    assert response.json()["uuid"] == str(metadata.uuid)
    assert response.json()["id"] == metadata.id
    assert Metadata.objects.get(pk=metadata.pk).tenant_id == metadata.tenant_id


def test_put_with_an_invalid_field_changes_nothing(api, make_metadata):
    metadata = make_metadata()

    response = put(api, metadata, {"type": "user", "slug": "not valid", "version": 1})

    assert response.status_code == 400
    assert violation_paths(response) == {"slug"}
    stored = Metadata.objects.get(pk=metadata.pk)
    assert (stored.type, stored.version) == ("authentication", 1)


def test_put_to_a_slug_in_use_is_a_400_on_slug(api, make_metadata):
    make_metadata(slug="taken")
    metadata = make_metadata()

    response = put(api, metadata, {"slug": "taken", "version": 1})

    assert response.status_code == 400
    assert violation_paths(response) == {"slug"}
    assert Metadata.objects.get(pk=metadata.pk).version == 1


def test_put_that_changes_nothing_keeps_the_version(api, make_metadata):
    metadata = make_metadata(type="user")

    response = put(api, metadata, {"type": "user", "version": 1})

    assert response.status_code == 200
    assert response.json()["version"] == 1


def test_put_can_clear_the_owner_uuid(api, make_metadata):
    metadata = make_metadata(owner_uuid="c11c546e-bd01-47cf-97da-e25388357b5a")

    response = put(api, metadata, {"ownerUuid": None, "version": 1})

    assert response.json()["ownerUuid"] is None


def test_put_distinguishes_true_from_1_in_data(api, make_metadata):
    metadata = make_metadata(data={"flag": 1})

    response = put(api, metadata, {"data": {"flag": True}, "version": 1})

    assert response.json()["data"] == {"flag": True}
    assert response.json()["version"] == 2


def test_put_keeps_the_title_search_in_step(api, make_metadata):
    metadata = make_metadata(title={"en": "Old name"})

    put(api, metadata, {"title": {"en": "New name"}, "version": 1})

    assert api.get("/metadatas?title=new", **JSON).json()[0]["uuid"] == str(metadata.uuid)
    assert api.get("/metadatas?title=old", **JSON).json() == []


def test_put_to_an_absent_uuid_is_a_404(api):
    response = api.put("/metadatas/70e6171c-c1ea-47d1-b24c-4b93328908fc", {"version": 1}, format="json")

    assert response.status_code == 404


# --- PATCH ------------------------------------------------------------------------------


def test_patch_merges_title_locales(api, make_metadata):
    metadata = make_metadata(title={"en": "OAuth", "fr": "OAuth FR", "de": "OAuth DE"})

    response = patch(api, metadata, {"title": {"fr": "Fournisseurs", "de": None}, "version": 1})

    assert response.status_code == 200
    assert response.json()["title"] == {"en": "OAuth", "fr": "Fournisseurs"}


def test_patch_merges_object_data_and_replaces_arrays(api, make_metadata):
    metadata = make_metadata(data={"keep": 1, "drop": 2, "list": [1, 2]})

    response = patch(api, metadata, {"data": {"drop": None, "list": [3], "new": {"a": 1}}, "version": 1})

    assert response.json()["data"] == {"keep": 1, "list": [3], "new": {"a": 1}}


def test_patch_accepts_plain_json_too(api, make_metadata):
    metadata = make_metadata()

    response = patch(api, metadata, {"type": "user", "version": 1}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["type"] == "user"


def test_patch_that_removes_every_title_is_refused(api, make_metadata):
    metadata = make_metadata(title={"en": "OAuth"})

    response = patch(api, metadata, {"title": {"en": None}, "version": 1})

    assert response.status_code == 400
    assert violation_paths(response) == {"title"}


def test_patch_with_a_stale_version_is_a_409(api, make_metadata):
    metadata = make_metadata(version=2)

    response = patch(api, metadata, {"type": "user", "version": 1})

    assert response.status_code == 409


def test_patch_with_a_stale_if_match_is_a_412(api, make_metadata):
    metadata = make_metadata(version=2)

    response = patch(api, metadata, {"type": "user"}, HTTP_IF_MATCH='"1"')

    assert response.status_code == 412


def test_patch_that_is_not_an_object_is_refused(api, make_metadata):
    metadata = make_metadata()

    response = patch(api, metadata, ["type", "user"])

    assert response.status_code == 400


def test_merge_patch_is_refused_on_put(api, make_metadata):
    metadata = make_metadata()

    response = api.put(f"/metadatas/{metadata.uuid}", b'{"version":1}', content_type=MERGE_PATCH)

    assert response.status_code == 415


def test_merge_patch_is_refused_on_post(api):
    response = api.post("/metadatas", b"{}", content_type=MERGE_PATCH)

    assert response.status_code == 415
