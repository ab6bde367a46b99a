"""No tenant ever sees or changes another tenant's resources: every route answers 404 for them."""

import pytest

from metadatas.models import Metadata
from tests.conftest import JSON, metadata_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(make_metadata, other_tenant):
    """A resource of tenant B."""
    return make_metadata(tenant=other_tenant, slug="foreign", title={"en": "Foreign secret"})


def test_get_of_another_tenants_resource_is_a_404(api, foreign):
    response = api.get(f"/metadatas/{foreign.uuid}", **JSON)

    assert response.status_code == 404
    assert "Foreign" not in response.content.decode()


def test_put_of_another_tenants_resource_is_a_404_and_changes_nothing(api, foreign):
    response = api.put(f"/metadatas/{foreign.uuid}", {"type": "hacked", "version": 1}, format="json")

    assert response.status_code == 404
    assert Metadata.objects.get(pk=foreign.pk).type == "authentication"


def test_patch_of_another_tenants_resource_is_a_404_and_changes_nothing(api, foreign):
    response = api.patch(f"/metadatas/{foreign.uuid}", {"type": "hacked", "version": 1}, format="json")

    assert response.status_code == 404
    assert Metadata.objects.get(pk=foreign.pk).type == "authentication"


def test_delete_of_another_tenants_resource_is_a_404_and_keeps_it(api, foreign):
    response = api.delete(f"/metadatas/{foreign.uuid}")

    assert response.status_code == 404
    assert Metadata.objects.filter(pk=foreign.pk).exists()


def test_list_shows_only_the_callers_tenant(api, make_metadata, foreign):
    own = make_metadata()

    response = api.get("/metadatas", **JSON)

    assert [item["uuid"] for item in response.json()] == [str(own.uuid)]
    assert response["X-Total-Count"] == "1"


@pytest.mark.parametrize("query", ["uuid={uuid}", "id={id}", "slug=foreign", "title=secret"])
def test_list_filters_never_reach_another_tenant(api, foreign, query):
    response = api.get("/metadatas?" + query.format(uuid=foreign.uuid, id=foreign.id), **JSON)

    assert response.json() == []


def test_create_cannot_place_a_resource_in_another_tenant(api, other_tenant):
    body = api.post("/metadatas", metadata_body(tenant=str(other_tenant.uuid)), format="json", **JSON).json()

    assert Metadata.objects.get(uuid=body["uuid"]).tenant_id != other_tenant.uuid


def test_create_may_reuse_another_tenants_uuid(api, foreign):
    response = api.post("/metadatas", metadata_body(uuid=str(foreign.uuid)), format="json", **JSON)

    assert response.status_code == 201
    assert Metadata.objects.filter(uuid=foreign.uuid).count() == 2
