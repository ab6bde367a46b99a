"""The Hydra entrypoint (/), its context and the API documentation (/docs.jsonld), as API Platform serves them.

api-doc-parser itself reads them in tests/test_generated_clients.py; these say what the documents hold.
They are public and name no tenant's data, so they have no cross-tenant case: a token changes nothing.
"""

import pytest
from rest_framework.test import APIClient

from metadatas.serializers import MetadataSerializer
from tests.conftest import metadata_body

pytestmark = pytest.mark.django_db

HYDRA = "http://www.w3.org/ns/hydra/core#"
DOCUMENTATION_LINK = f'<http://testserver/docs.jsonld>; rel="{HYDRA}apiDocumentation"'
CLASS = "/contexts/Metadata#Metadata"


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def documentation(anonymous):
    response = anonymous.get("/docs.jsonld")
    assert (response.status_code, response["Content-Type"]) == (200, "application/ld+json; charset=utf-8")
    return response.json()


def supported_class(documentation, iri):
    (found,) = [item for item in documentation["hydra:supportedClass"] if item["@id"] == iri]
    return found


def test_the_entrypoint_names_the_metadata_collection_in_json_ld(anonymous):
    response = anonymous.get("/")

    assert (response.status_code, response["Content-Type"]) == (200, "application/ld+json; charset=utf-8")
    assert response.json() == {
        "@context": "/contexts/Entrypoint",
        "@id": "/",
        "@type": "Entrypoint",
        "metadata": "/metadatas",
    }


def test_the_entrypoint_context_makes_the_collection_an_iri(anonymous):
    context = anonymous.get("/contexts/Entrypoint").json()["@context"]

    assert context["metadata"] == {"@id": "Entrypoint/metadata", "@type": "@id"}
    assert (context["@vocab"], context["hydra"]) == ("/docs.jsonld#", HYDRA)


def test_the_documentation_is_a_hydra_api_documentation_pointing_at_the_entrypoint(documentation):
    assert (documentation["@id"], documentation["@type"]) == ("/docs.jsonld", "hydra:ApiDocumentation")
    assert documentation["hydra:entrypoint"] == {"@id": "/"}
    assert documentation["hydra:title"] == "Metadata service"


def test_the_metadata_class_lists_every_field_readable_writable_and_required_as_the_api_treats_it(documentation):
    properties = supported_class(documentation, CLASS)["hydra:supportedProperty"]
    fields = MetadataSerializer().get_fields()

    assert [item["hydra:title"] for item in properties] == list(fields)
    for item in properties:
        field = fields[item["hydra:title"]]
        assert item["hydra:required"] is field.required
        assert item["hydra:readable"] is not field.write_only
        assert item["hydra:writeable"] is item["hydra:writable"] is not field.read_only
        assert item["hydra:property"]["@id"] == f"{CLASS}/{item['hydra:title']}"  # the term's IRI in its context
    writable = {item["hydra:title"] for item in properties if item["hydra:writable"]}
    assert writable == {"uuid", "owner", "ownerUuid", "title", "slug", "type", "data", "version"}


def test_the_documentation_gives_each_field_its_type(documentation):
    properties = supported_class(documentation, CLASS)["hydra:supportedProperty"]
    ranges = {item["hydra:title"]: item["hydra:property"]["range"] for item in properties}

    assert ranges["id"] == ranges["version"] == "xsd:integer"
    assert ranges["createdAt"] == "xsd:dateTime"
    assert (ranges["title"], ranges["data"], ranges["slug"]) == ("rdf:langString", "rdf:JSON", "xsd:string")


def test_the_documentation_lists_the_item_and_collection_operations(documentation):
    item_operations = supported_class(documentation, CLASS)["hydra:supportedOperation"]
    (link,) = supported_class(documentation, "#Entrypoint")["hydra:supportedProperty"]
    collection_operations = link["hydra:property"]["hydra:supportedOperation"]

    assert [operation["hydra:method"] for operation in item_operations] == ["GET", "PUT", "PATCH", "DELETE"]
    assert [operation["hydra:method"] for operation in collection_operations] == ["GET", "POST"]
    assert all(operation["hydra:title"] for operation in item_operations + collection_operations)
    members = link["hydra:property"]["range"][1]["owl:equivalentClass"]
    assert members == {"owl:onProperty": {"@id": "hydra:member"}, "owl:allValuesFrom": {"@id": CLASS}}


@pytest.mark.parametrize("path", ["/", "/docs.jsonld", "/contexts/Entrypoint", "/contexts/Metadata"])
def test_every_public_json_ld_document_links_the_api_documentation(anonymous, path):
    assert anonymous.get(path)["Link"] == DOCUMENTATION_LINK


def test_every_json_ld_answer_of_the_metadata_api_links_the_api_documentation(api, make_metadata):
    item = make_metadata()
    created = api.post("/metadatas", metadata_body(), format="json", HTTP_ACCEPT="application/ld+json")

    for response in (created, api.get(f"/metadatas/{item.uuid}"), api.get("/metadatas")):
        assert response["Content-Type"].startswith("application/ld+json")
        assert response["Link"] == DOCUMENTATION_LINK


def test_a_json_ld_list_with_pages_keeps_its_links_in_hydra_view(api, make_metadata):
    make_metadata(), make_metadata()

    response = api.get("/metadatas?limit=1")

    assert response["Link"] == DOCUMENTATION_LINK
    assert response.json()["hydra:view"]["hydra:next"] == "/metadatas?limit=1&page=2"


def test_plain_json_answers_keep_only_their_page_links(api, make_metadata):
    make_metadata(), make_metadata()

    response = api.get("/metadatas?limit=1", HTTP_ACCEPT="application/json")

    assert "apiDocumentation" not in response["Link"] and 'rel="next"' in response["Link"]


def test_the_entrypoint_and_documentation_are_served_as_plain_json_too(anonymous):
    for path in ("/", "/docs.jsonld"):
        response = anonymous.get(path, HTTP_ACCEPT="application/json")
        assert (response.status_code, response["Content-Type"]) == (200, "application/json; charset=utf-8")
        assert "Link" not in response


@pytest.mark.parametrize("path", ["/", "/docs.jsonld"])
@pytest.mark.parametrize("accept", ["text/csv", "application/xml", "text/html"])
def test_an_accept_the_hydra_documents_cannot_be_served_in_is_a_406_problem(anonymous, path, accept):
    response = anonymous.get(path, HTTP_ACCEPT=accept)

    assert (response.status_code, response["Content-Type"]) == (406, "application/problem+json; charset=utf-8")
    assert response.json()["type"] == "/problems/not_acceptable"


def test_the_metadata_context_is_unchanged(anonymous):
    context = anonymous.get("/contexts/Metadata").json()["@context"]

    assert context["@vocab"] == "/contexts/Metadata#"
    assert context["Metadata"] == "Metadata"
    assert context["data"] == {"@id": "Metadata/data", "@type": "@json"}
    assert context["title"] == {"@id": "Metadata/title", "@container": "@language"}


def search_of(api, path):
    return api.get(path, HTTP_ACCEPT="application/ld+json").json()["hydra:search"]


def test_a_json_ld_collection_describes_its_query_parameters_as_an_iri_template(api):
    search = search_of(api, "/metadatas")
    assert search["@type"] == "hydra:IriTemplate"
    assert search["hydra:variableRepresentation"] == "BasicRepresentation"
    assert search["hydra:template"].startswith("/metadatas{?id,id[],uuid,uuid[],")
    assert search["hydra:template"].endswith(",page,limit,cursor}")


def test_each_variable_of_the_template_has_one_mapping_to_its_property(api):
    search = search_of(api, "/metadatas")
    variables = search["hydra:template"].split("{?")[1].rstrip("}").split(",")
    mappings = {mapping["variable"]: mapping for mapping in search["hydra:mapping"]}
    assert list(mappings) == variables
    assert mappings["owner[]"] == {
        "@type": "IriTemplateMapping",
        "variable": "owner[]",
        "property": "owner",
        "required": False,
    }
    assert mappings["createdAt[before]"]["property"] == "createdAt"
    assert mappings["order[title]"]["property"] == "title" and mappings["page"]["property"] is None


def test_every_template_variable_is_a_parameter_the_list_takes(api, make_metadata):
    make_metadata(owner="BusinessUnit")
    search = search_of(api, "/metadatas")
    assert "owner[]" in search["hydra:template"]
    filtered = api.get("/metadatas?owner[]=Nobody", HTTP_ACCEPT="application/ld+json").json()
    assert filtered["hydra:totalItems"] == 0 and filtered["hydra:search"] == search


def test_the_metadata_types_collection_has_its_search_template_too(api):
    assert search_of(api, "/metadata-types")["hydra:template"] == "/metadata-types{?locale,properties[]}"
