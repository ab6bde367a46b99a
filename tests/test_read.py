"""GET /metadatas/{uuid}: reading one resource."""

import pytest

from tests.conftest import JSON, TENANT_A

pytestmark = pytest.mark.django_db


def test_read_answers_the_resource_as_plain_json(api, make_metadata):
    metadata = make_metadata(title={"en": "OAuth Providers", "fr": "Fournisseurs OAuth"}, data=["Github"])

    response = api.get(f"/metadatas/{metadata.uuid}", **JSON)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "id": metadata.id,
        "uuid": str(metadata.uuid),
        "createdAt": metadata.created_at.isoformat(),
        "updatedAt": metadata.updated_at.isoformat(),
        "owner": "BusinessUnit",
        "ownerUuid": None,
        "title": {"en": "OAuth Providers", "fr": "Fournisseurs OAuth"},
        "slug": metadata.slug,
        "type": "authentication",
        "data": ["Github"],
        "version": 1,
        "tenant": str(TENANT_A),
        "deletedAt": None,
    }


@pytest.mark.parametrize("accept", [None, "*/*", "application/ld+json", "text/html, */*;q=0.8"])
def test_read_answers_json_ld_by_default(api, make_metadata, accept):
    metadata = make_metadata()
    headers = {"HTTP_ACCEPT": accept} if accept else {}

    response = api.get(f"/metadatas/{metadata.uuid}", **headers)

    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    body = response.json()
    assert body["@context"] == "/contexts/Metadata"
    assert body["@id"] == f"/metadatas/{metadata.uuid}"
    assert body["@type"] == "Metadata"
    assert body["slug"] == metadata.slug


def test_read_sets_the_version_as_etag(api, make_metadata):
    metadata = make_metadata(version=3)

    response = api.get(f"/metadatas/{metadata.uuid}", **JSON)

    assert response["ETag"] == '"3"'


def test_read_answers_304_when_if_none_match_names_the_current_version(api, make_metadata):
    metadata = make_metadata(version=3)

    response = api.get(f"/metadatas/{metadata.uuid}", HTTP_IF_NONE_MATCH='"3"', **JSON)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == '"3"'


def test_read_answers_200_when_if_none_match_names_an_older_version(api, make_metadata):
    metadata = make_metadata(version=3)

    response = api.get(f"/metadatas/{metadata.uuid}", HTTP_IF_NONE_MATCH='"2"', **JSON)

    assert response.status_code == 200


def test_read_accepts_a_trailing_slash(api, make_metadata):
    metadata = make_metadata()

    response = api.get(f"/metadatas/{metadata.uuid}/", **JSON)

    assert response.status_code == 200


def test_read_of_an_absent_uuid_is_a_404_problem(api):
    response = api.get("/metadatas/70e6171c-c1ea-47d1-b24c-4b93328908fc", **JSON)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    assert response.json()["status"] == 404


def test_read_of_a_malformed_uuid_is_a_404(api):
    response = api.get("/metadatas/not-a-uuid", **JSON)

    assert response.status_code == 404


def test_json_ld_context_is_served_without_a_token(client):
    response = client.get("/contexts/Metadata")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert response.json()["@context"]["title"] == {"@id": "Metadata/title", "@container": "@language"}
