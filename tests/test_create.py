"""POST /metadatas: creating a resource."""

import re
import uuid

import pytest

from metadatas.models import Metadata
from tests.conftest import JSON, JSONLD, TENANT_A, metadata_body, violation_paths

pytestmark = pytest.mark.django_db

SECONDS_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def test_create_answers_201_with_the_stored_resource(api):
    response = api.post("/metadatas", metadata_body(), format="json", **JSON)

    assert response.status_code == 201
    body = response.json()
    assert body["owner"] == "BusinessUnit"
    assert body["ownerUuid"] == "c11c546e-bd01-47cf-97da-e25388357b5a"
    assert body["title"] == {"en": "OAuth Providers"}
    assert body["slug"] == "oauth-providers"
    assert body["type"] == "authentication"
    assert body["data"] == ["Github", "Google", "Twitter"]
    assert body["version"] == 1
    assert body["tenant"] == str(TENANT_A)
    assert Metadata.objects.get(uuid=body["uuid"]).slug == "oauth-providers"


def test_create_sets_location_and_etag(api):
    response = api.post("/metadatas", metadata_body(), format="json", **JSON)

    assert response["Location"] == f"http://testserver/metadatas/{response.json()['uuid']}"
    assert response["ETag"] == '"1"'


def test_create_timestamps_are_utc_to_the_second(api):
    body = api.post("/metadatas", metadata_body(), format="json", **JSON).json()

    assert SECONDS_UTC.match(body["createdAt"])
    assert body["updatedAt"] == body["createdAt"]


def test_create_generates_a_uuid_when_absent(api):
    body = api.post("/metadatas", metadata_body(), format="json", **JSON).json()

    assert uuid.UUID(body["uuid"]).version == 4


def test_create_keeps_a_given_uuid(api):
    given = "cf687347-6bba-4137-b180-9f581f5cba84"

    body = api.post("/metadatas", metadata_body(uuid=given), format="json", **JSON).json()

    assert body["uuid"] == given


def test_create_defaults_data_to_an_empty_object_and_owner_uuid_to_null(api):
    body = metadata_body()
    del body["data"], body["ownerUuid"]

    created = api.post("/metadatas", body, format="json", **JSON).json()

    assert created["data"] == {}
    assert created["ownerUuid"] is None


def test_create_starts_at_version_1_whatever_the_body_says(api):
    body = api.post("/metadatas", metadata_body(version=7), format="json", **JSON).json()

    assert body["version"] == 1


def test_create_ignores_read_only_and_unknown_fields(api, other_tenant):
    body = metadata_body(id=999, createdAt="2000-01-01T00:00:00+00:00", tenant=str(other_tenant.uuid), colour="blue")

    created = api.post("/metadatas", body, format="json", **JSON).json()

    assert created["id"] != 999
    assert not created["createdAt"].startswith("2000")
    assert created["tenant"] == str(TENANT_A)
    assert "colour" not in created


def test_create_answers_json_ld_by_default(api):
    body = api.post("/metadatas", metadata_body(), format="json").json()

    assert body["@context"] == "/contexts/Metadata"
    assert body["@id"] == f"/metadatas/{body['uuid']}"
    assert body["@type"] == "Metadata"


def test_create_accepts_a_json_ld_body(api):
    response = api.post(
        "/metadatas",
        data=b'{"owner":"o","title":{"en":"t"},"slug":"s","type":"x"}',
        content_type="application/ld+json",
        **JSONLD,
    )

    assert response.status_code == 201


def test_create_names_every_missing_required_field(api):
    response = api.post("/metadatas", {}, format="json", **JSON)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    assert violation_paths(response) == {"owner", "title", "slug", "type"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("owner", ""),
        ("owner", "x" * 256),
        ("owner", 12),
        ("owner", None),
        ("slug", "has space"),
        ("slug", "slash/inside"),
        ("slug", "é-accent"),
        ("slug", "x" * 256),
        ("type", ""),
        ("type", "x" * 256),
        ("ownerUuid", "not-a-uuid"),
        ("title", "OAuth"),
        ("title", {}),
        ("title", ["en", "OAuth"]),
        ("data", "a string"),
        ("data", 42),
        ("data", None),
        ("uuid", "not-a-uuid"),
        ("version", "one"),
        ("version", 0),
    ],
)
def test_create_rejects_a_bad_field_naming_it(api, field, value):
    response = api.post("/metadatas", metadata_body(**{field: value}), format="json", **JSON)

    assert response.status_code == 400
    assert violation_paths(response) == {field}
    assert Metadata.objects.count() == 0


@pytest.mark.parametrize(
    ("title", "path"),
    [
        ({"en": ""}, "title.en"),
        ({"en": "   "}, "title.en"),
        ({"en": 3}, "title.en"),
        ({"english!": "OAuth"}, "title.english!"),
    ],
)
def test_create_rejects_a_bad_title_entry_naming_its_locale(api, title, path):
    response = api.post("/metadatas", metadata_body(title=title), format="json", **JSON)

    assert response.status_code == 400
    assert violation_paths(response) == {path}


def test_create_accepts_slug_characters_of_the_contract(api):
    response = api.post("/metadatas", metadata_body(slug="A-z.0_9~x"), format="json", **JSON)

    assert response.status_code == 201


def test_create_accepts_an_object_as_data(api):
    response = api.post("/metadatas", metadata_body(data={"nested": {"list": [1, 2.5, None]}}), format="json", **JSON)

    assert response.json()["data"] == {"nested": {"list": [1, 2.5, None]}}


def test_create_refuses_a_duplicate_slug_in_the_tenant(api, make_metadata):
    make_metadata(slug="oauth-providers")

    response = api.post("/metadatas", metadata_body(slug="oauth-providers"), format="json", **JSON)

    assert response.status_code == 400
    assert violation_paths(response) == {"slug"}
    assert Metadata.objects.count() == 1


def test_create_refuses_a_duplicate_uuid_in_the_tenant(api, make_metadata):
    existing = make_metadata()

    response = api.post("/metadatas", metadata_body(uuid=str(existing.uuid)), format="json", **JSON)

    assert response.status_code == 400
    assert violation_paths(response) == {"uuid"}


def test_create_allows_a_slug_another_tenant_uses(api, make_metadata, other_tenant):
    make_metadata(tenant=other_tenant, slug="oauth-providers")

    response = api.post("/metadatas", metadata_body(slug="oauth-providers"), format="json", **JSON)

    assert response.status_code == 201
