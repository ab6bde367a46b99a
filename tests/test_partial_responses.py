"""properties[]=: only the named fields of each item, on items and lists, in JSON and JSON-LD."""

import pytest

from tests.conftest import JSON, JSONLD, violation_paths

pytestmark = pytest.mark.django_db

TWO = "properties[]=uuid&properties[]=title"


def test_an_item_read_returns_only_the_named_fields(api, make_metadata):
    resource = make_metadata()
    body = api.get(f"/metadatas/{resource.uuid}?{TWO}", **JSON).json()
    assert body == {"uuid": str(resource.uuid), "title": resource.title}


def test_a_json_ld_item_keeps_its_context_id_and_type(api, make_metadata):
    resource = make_metadata()
    body = api.get(f"/metadatas/{resource.uuid}?properties[]=slug", **JSONLD).json()
    assert body == {
        "@context": "/contexts/Metadata",
        "@id": f"/metadatas/{resource.uuid}",
        "@type": "Metadata",
        "slug": resource.slug,
    }


def test_a_plain_json_list_returns_only_the_named_fields_of_each_item(api, make_metadata):
    first, second = make_metadata(), make_metadata()
    response = api.get(f"/metadatas?{TWO}", **JSON)
    assert response.json() == [{"uuid": str(m.uuid), "title": m.title} for m in (first, second)]
    assert response["X-Total-Count"] == "2"


def test_a_json_ld_collection_keeps_each_members_id_and_type_and_its_own_keys(api, make_metadata):
    resource = make_metadata()
    body = api.get("/metadatas?properties[]=type", **JSONLD).json()
    assert body["hydra:member"] == [{"@id": f"/metadatas/{resource.uuid}", "@type": "Metadata", "type": resource.type}]
    assert body["hydra:totalItems"] == 1 and body["@type"] == "hydra:Collection"


def test_the_plain_and_indexed_spellings_select_too(api, make_metadata):
    resource = make_metadata()
    body = api.get(f"/metadatas/{resource.uuid}?properties=id&properties[0]=version", **JSON).json()
    assert body == {"id": resource.id, "version": 1}


def test_an_unknown_property_is_a_400_naming_it(api, make_metadata):
    resource = make_metadata()
    response = api.get(f"/metadatas/{resource.uuid}?properties[]=uuid&properties[]=secret", **JSON)
    assert response.status_code == 400 and violation_paths(response) == {"properties"}
    assert "'secret'" in response.json()["violations"][0]["message"]


def test_an_unknown_property_on_a_list_is_a_400(api, make_metadata):
    make_metadata()
    response = api.get("/metadatas?properties[]=nope", **JSONLD)
    assert response.status_code == 400 and "'nope'" in response.json()["violations"][0]["message"]


def test_a_nested_selection_is_a_400_naming_the_parameter(api, make_metadata):
    make_metadata()
    response = api.get("/metadatas?properties[data][]=provider", **JSON)
    assert response.status_code == 400 and violation_paths(response) == {"properties[data][]"}


def test_blank_properties_return_the_whole_item(api, make_metadata):
    resource = make_metadata()
    body = api.get(f"/metadatas/{resource.uuid}?properties[]=", **JSON).json()
    assert set(body) >= {"uuid", "title", "data", "version", "tenant"}


def test_a_partial_item_has_the_versions_etag_and_answers_304(api, make_metadata):
    resource = make_metadata()
    response = api.get(f"/metadatas/{resource.uuid}?properties[]=uuid", **JSON)
    assert response["ETag"] == '"1"'
    again = api.get(f"/metadatas/{resource.uuid}?properties[]=uuid", HTTP_IF_NONE_MATCH='"1"', **JSON)
    assert again.status_code == 304


def test_a_localized_title_keeps_its_locale(api, make_metadata):
    resource = make_metadata(title={"en": "Providers", "fr": "Fournisseurs"})
    body = api.get(f"/metadatas/{resource.uuid}?properties[]=title&locale=fr", **JSON).json()
    assert body == {"title": "Fournisseurs", "titleLocale": "fr"}


def test_another_tenants_resource_is_still_a_404(other_api, make_metadata):
    resource = make_metadata()
    assert other_api.get(f"/metadatas/{resource.uuid}?properties[]=uuid", **JSON).status_code == 404


def test_metadata_types_items_and_lists_are_partial_too(api):
    api.post("/metadata-types", {"name": "auth", "title": {"en": "Auth"}, "schema": {}}, format="json")
    assert api.get("/metadata-types/auth?properties[]=version", **JSON).json() == {"version": 1}
    collection = api.get("/metadata-types?properties[]=title", **JSONLD).json()
    assert collection["hydra:member"] == [
        {"@id": "/metadata-types/auth", "@type": "MetadataType", "title": {"en": "Auth"}}
    ]
    assert api.get("/metadata-types?properties[]=uuid", **JSON).status_code == 400
