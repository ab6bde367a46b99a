"""/docs and /docs/openapi.json: a valid OpenAPI 3.1 document of every operation, parameter, format and error."""

import pytest
from django.urls import path
from django_filters import IsoDateTimeFilter
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from metadata_service.urls import urlpatterns as service_urlpatterns
from metadatas.filters import AnyOfFilter, MetadataFilterSet, OrderParameterFilter

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/metadatas"),
    ("post", "/metadatas"),
    ("get", "/metadatas/{uuid}"),
    ("put", "/metadatas/{uuid}"),
    ("patch", "/metadatas/{uuid}"),
    ("delete", "/metadatas/{uuid}"),
    ("post", "/metadatas/{uuid}/undelete"),
    ("get", "/metadatas/{uuid}/revisions"),
    ("get", "/metadatas/{uuid}/revisions/{version}"),
    ("get", "/metadatas/{uuid}/revisions/{version}/diff"),
    ("post", "/metadatas/{uuid}/revisions/{version}/restore"),
    ("get", "/contexts/Metadata"),
    ("get", "/contexts/MetadataRevision"),
    ("get", "/health/live"),
    ("get", "/health/ready"),
    ("post", "/tokens"),
    ("post", "/tokens/refresh"),
}
PROBLEM_SCHEMAS = {
    "#/components/schemas/Problem",
    "#/components/schemas/ValidationProblem",
    "#/components/schemas/VersionProblem",
    "#/components/schemas/ConflictProblem",
}


@pytest.fixture
def document(client):
    response = client.get("/docs/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document):
    return {
        (method, route): operation for route, item in document["paths"].items() for method, operation in item.items()
    }


def parameter_names(operation, location="query"):
    return {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == location}


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any violation of the OpenAPI 3.1 specification


def test_the_document_lists_every_operation_of_the_service(document):
    assert set(operations(document)) == OPERATIONS


def test_every_list_filter_is_documented_in_its_three_spellings(document):
    documented = parameter_names(operations(document)[("get", "/metadatas")])

    for name, filter_ in MetadataFilterSet.base_filters.items():
        if isinstance(filter_, AnyOfFilter):
            assert {name, f"{name}[]", f"{name}[0]"} <= documented
        else:
            assert isinstance(filter_, IsoDateTimeFilter) and name in documented
    assert {f"order[{field}]" for field in OrderParameterFilter.fields} <= documented
    assert {"page", "limit", "createdAt[strictly_before]", "updatedAt[after]"} <= documented


def test_the_list_is_described_as_a_hydra_collection_or_a_bare_array(document):
    content = operations(document)[("get", "/metadatas")]["responses"]["200"]["content"]

    assert content["application/ld+json"]["schema"] == {"$ref": "#/components/schemas/MetadataHydraCollection"}
    assert content["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Metadata"},
    }


def test_an_item_is_described_in_json_ld_and_plain_json(document):
    content = operations(document)[("get", "/metadatas/{uuid}")]["responses"]["200"]["content"]

    assert content["application/ld+json"]["schema"] == {"$ref": "#/components/schemas/MetadataJsonLd"}
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Metadata"}


def test_the_headers_of_answers_are_described(document):
    ops = operations(document)

    assert {"X-Total-Count", "Link"} <= set(ops[("get", "/metadatas")]["responses"]["200"]["headers"])
    assert ops[("get", "/metadatas/{uuid}")]["responses"]["200"]["headers"]["ETag"]["required"] is True
    assert {"Location", "ETag"} <= set(ops[("post", "/metadatas")]["responses"]["201"]["headers"])
    assert parameter_names(ops[("put", "/metadatas/{uuid}")], "header") == {"If-Match"}
    assert parameter_names(ops[("get", "/metadatas/{uuid}")], "header") == {"If-None-Match"}


def test_every_error_the_application_answers_is_a_problem_document(document):
    for (method, route), operation in operations(document).items():
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")) and status != "414":  # 414 comes from gunicorn, in HTML
                (media_type, content), *others = response["content"].items()
                assert (media_type, others) == ("application/problem+json", []), (method, route, status)
                assert content["schema"]["$ref"] in PROBLEM_SCHEMAS, (method, route, status)


def test_the_problem_schemas_carry_violations_and_the_current_version(document):
    schemas = document["components"]["schemas"]
    ops = operations(document)

    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}
    assert "violations" in schemas["ValidationProblem"]["allOf"][1]["properties"]
    assert schemas["VersionProblem"]["allOf"][1]["required"] == ["currentVersion"]
    conflict = ops[("put", "/metadatas/{uuid}")]["responses"]["409"]["content"]["application/problem+json"]
    assert conflict["schema"]["$ref"] == "#/components/schemas/VersionProblem"


def test_the_metadata_routes_need_a_bearer_jwt_and_the_operator_routes_none(document):
    scheme = document["components"]["securitySchemes"]["jwt"]
    ops = operations(document)

    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    assert "Authorization: JWT <jwt>" in scheme["description"] and "bare" in scheme["description"]
    assert all(ops[op]["security"] == [{"jwt": []}] for op in OPERATIONS if op[1].startswith("/metadatas"))
    assert all(ops[op].get("security", [{}]) == [{}] for op in OPERATIONS if not op[1].startswith("/metadatas"))


def every_example(document):
    """(where, schema, example value) for each example in the document."""
    for (method, route), operation in operations(document).items():
        bodies = [("request", operation.get("requestBody", {}))]
        bodies += [(status, response) for status, response in operation["responses"].items()]
        for where, body in bodies:
            for media_type, content in body.get("content", {}).items():
                for name, example in content.get("examples", {}).items():
                    yield f"{method} {route} {where} {media_type} {name}", content["schema"], example["value"]


def test_every_example_matches_its_own_schema(document):
    examples = list(every_example(document))

    assert len(examples) >= 10
    for where, schema, value in examples:
        validator = OAS31Validator({**schema, "components": document["components"]})
        assert not list(validator.iter_errors(value)), where


def test_swagger_ui_is_served_from_the_services_own_static_files(client):
    response = client.get("/docs")

    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page  # no CDN: the docs work without internet
    assert "/docs/openapi.json" in page


urlpatterns = [*service_urlpatterns, path("v1/graphql/", lambda request: None, name="graphql")]


@pytest.mark.urls(__name__)
def test_the_docs_link_the_graphql_endpoint_once_it_is_routed(client):
    document = client.get("/docs/openapi.json").json()

    assert "[GraphQL endpoint](/v1/graphql/)" in document["info"]["description"]
