"""Helpers of the history tests: resources made through the API (so that they have their revisions)."""

from tenants.identity import Actor
from tests.conftest import JSON, metadata_body

# The actor of writes a test makes through the services directly (as a command would).
TEST_ACTOR = Actor(type="System", uuid=None, user=None, request_id=None)


def create(api, **overrides):
    """POST a resource (``metadata_body`` with ``overrides``); its JSON."""
    response = api.post("/metadatas", metadata_body(**overrides), format="json", **JSON)
    assert response.status_code == 201, response.content
    return response.json()


def put(api, resource, **changes):
    """PUT ``changes`` at the resource's version; the new JSON."""
    response = api.put(
        f"/metadatas/{resource['uuid']}", {**changes, "version": resource["version"]}, format="json", **JSON
    )
    assert response.status_code == 200, response.content
    return response.json()


def delete(api, resource):
    response = api.delete(f"/metadatas/{resource['uuid']}")
    assert response.status_code == 204, response.content


def revisions(api, resource, **params):
    """The resource's revisions as plain JSON (newest first)."""
    response = api.get(f"/metadatas/{resource['uuid']}/revisions", params, **JSON)
    assert response.status_code == 200, response.content
    return response.json()


WRITABLE = ("owner", "ownerUuid", "title", "slug", "type", "data")


def writable(resource):
    """The writable fields of a resource document."""
    return {name: resource[name] for name in WRITABLE}
