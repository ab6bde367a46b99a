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
    ("post", "/metadatas/batch"),
    ("get", "/metadatas/{uuid}/revisions"),
    ("get", "/metadatas/{uuid}/revisions/{version}"),
    ("get", "/metadatas/{uuid}/revisions/{version}/diff"),
    ("post", "/metadatas/{uuid}/revisions/{version}/restore"),
    ("get", "/contexts/Metadata"),
    ("get", "/metadata-types"),
    ("post", "/metadata-types"),
    ("get", "/metadata-types/{name}"),
    ("put", "/metadata-types/{name}"),
    ("patch", "/metadata-types/{name}"),
    ("delete", "/metadata-types/{name}"),
    ("post", "/metadata-types/{name}/check"),
    ("get", "/contexts/MetadataType"),
    ("get", "/contexts/MetadataRevision"),
    ("get", "/"),
    ("get", "/contexts/Entrypoint"),
    ("get", "/docs.jsonld"),
    ("get", "/health/live"),
    ("get", "/health/ready"),
    ("post", "/tokens"),
    ("post", "/tokens/refresh"),
    ("get", "/changes"),
    ("get", "/changes/stream"),
    ("get", "/tenant"),
}
PROBLEM_SCHEMAS = {
    "#/components/schemas/Problem",
    "#/components/schemas/ValidationProblem",
    "#/components/schemas/VersionProblem",
    "#/components/schemas/SchemaIncompatibleProblem",
    "#/components/schemas/TypeInUseProblem",
    "#/components/schemas/ConflictProblem",
    "#/components/schemas/CursorExpiredProblem",
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


def test_every_list_filter_is_documented_with_its_other_spellings_named(document):
    list_operation = operations(document)[("get", "/metadatas")]
    documented = parameter_names(list_operation)
    descriptions = {parameter["name"]: parameter["description"] for parameter in list_operation["parameters"]}

    for name, filter_ in MetadataFilterSet.base_filters.items():
        assert name in documented
        if isinstance(filter_, AnyOfFilter):
            assert f"`{name}[]=a&{name}[]=b`" in descriptions[name] and f"`{name}[0]=a" in descriptions[name]
        else:
            assert isinstance(filter_, IsoDateTimeFilter)
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
    assert parameter_names(ops[("put", "/metadatas/{uuid}")], "header") == {
        "If-Match",
        "X-Request-ID",
        "Idempotency-Key",
    }
    assert parameter_names(ops[("get", "/metadatas/{uuid}")], "header") == {"If-None-Match", "X-Request-ID"}
    assert all("X-Request-ID" in parameter_names(operation, "header") for operation in ops.values())


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
    with_token = {op for op in OPERATIONS if op[1].startswith(("/metadata", "/tenant", "/changes"))}
    assert all(ops[op]["security"] == [{"jwt": []}] for op in with_token)
    assert all(ops[op].get("security", [{}]) == [{}] for op in OPERATIONS - with_token)


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


# --- Shapes code generators can type (issue 18; the generators themselves run in test_generated_clients) ------


def every_schema(node):
    """Every schema inside ``node`` (a document part), with the path to it; examples are not schemas."""
    if isinstance(node, dict):
        if "type" in node or "oneOf" in node or "$ref" in node:
            yield node
        for key, value in node.items():
            if key not in ("examples", "example", "default", "const", "enum"):
                yield from every_schema(value)
    elif isinstance(node, list):
        for value in node:
            yield from every_schema(value)


def test_the_document_is_served_in_api_platforms_openapi_media_type(client):
    response = client.get("/docs/openapi.json", HTTP_ACCEPT="application/vnd.openapi+json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openapi+json")
    assert response.json()["openapi"].startswith("3.1")


def test_the_document_is_served_as_plain_json_and_in_openapis_own_media_type(client):
    for media_type in ("application/json", "application/vnd.oai.openapi+json"):
        response = client.get("/docs/openapi.json", HTTP_ACCEPT=media_type)
        assert (response.status_code, response["Content-Type"].split(";")[0]) == (200, media_type)


def test_data_is_one_of_an_open_object_and_an_array_of_anything(document):
    for name in ("Metadata", "MetadataRequest", "PatchedMetadataRequest", "MetadataMergePatch"):
        data = document["components"]["schemas"][name]["properties"]["data"]
        assert data["oneOf"] == [{"type": "object", "additionalProperties": True}, {"type": "array", "items": {}}]


def test_title_is_a_map_of_locale_to_string(document):
    title = document["components"]["schemas"]["MetadataRequest"]["properties"]["title"]

    assert (title["type"], title["additionalProperties"]["type"]) == ("object", "string")


def test_no_schema_is_a_list_of_types_nor_a_container_that_says_nothing_of_its_members(document):
    for schema in every_schema(document):
        types = schema.get("type")
        assert not isinstance(types, list) or [name for name in types if name != "null"] == types[:1], schema
        if types == "array":
            assert "items" in schema, schema
        if types == "object":
            assert {"properties", "additionalProperties", "patternProperties", "allOf"} & set(schema), schema


def generator_name(name):
    """The identifier generators derive from a wire name: its letters, digits and underscores."""
    return "".join(character for character in name if character.isalnum() or character == "_").lower()


def test_no_two_properties_or_parameters_look_alike_to_a_generator(document):
    schemas = [schema for schema in every_schema(document) if "properties" in schema]
    jsonld_item = document["components"]["schemas"]["MetadataJsonLd"]
    merged = {
        **document["components"]["schemas"]["Metadata"]["properties"],
        **jsonld_item["allOf"][1].get("properties", {}),
    }
    for properties in [schema["properties"] for schema in schemas] + [merged]:
        assert len({generator_name(name) for name in properties}) == len(properties), sorted(properties)
    for operation in operations(document).values():
        names = [parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"]
        assert len({generator_name(name) for name in names}) == len(names), sorted(names)


def test_json_ld_keywords_are_still_required_and_checked(document):
    item = document["components"]["schemas"]["MetadataJsonLd"]
    validator = OAS31Validator({**item, "components": document["components"]})
    sample = operations(document)[("get", "/metadatas/{uuid}")]["responses"]["200"]["content"]
    value = sample["application/ld+json"]["examples"]["JSON-LD"]["value"]

    assert validator.is_valid(value)
    assert not validator.is_valid({key: value[key] for key in value if key != "@id"})
    assert not validator.is_valid({**value, "@type": "Other"})


def test_every_idempotent_write_documents_the_key_and_its_answers(document):
    ops = dict(operations(document))
    for method, route in [("post", "/metadatas"), ("post", "/metadatas/batch"), ("delete", "/metadata-types/{name}")]:
        operation = ops[(method, route)]
        assert "Idempotency-Key" in parameter_names(operation, "header"), route
        assert {"409", "422"} <= set(operation["responses"]), route
    assert "Idempotency-Key" not in parameter_names(ops[("post", "/tokens")], "header")
    assert "Idempotent-Replayed" in ops[("post", "/metadatas")]["responses"]["201"]["headers"]


def test_answers_to_a_token_document_the_rate_limit_headers(document):
    ops = dict(operations(document))
    assert {"RateLimit", "RateLimit-Policy"} <= set(ops[("get", "/metadatas")]["responses"]["200"]["headers"])
    assert "RateLimit" not in ops[("get", "/metadatas")]["responses"]["401"].get("headers", {})


def test_no_optional_query_parameter_carries_an_example_that_swagger_ui_would_send(document):
    sent = [
        (method, route, parameter["name"])
        for (method, route), operation in operations(document).items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and not parameter.get("required")
        if {"example", "examples"} & (set(parameter) | set(parameter.get("schema", {})))
    ]
    assert sent == []


def test_the_list_filters_tell_their_example_in_the_description(document):
    owner = [p for p in operations(document)[("get", "/metadatas")]["parameters"] if p["name"] == "owner"]
    assert "Example: `owner=" in owner[0]["description"]


@pytest.mark.parametrize("route", ["/metadatas", "/metadatas/{uuid}", "/metadata-types", "/metadata-types/{name}"])
def test_reads_of_titles_document_that_they_vary_by_accept_and_language(document, route):
    vary = operations(document)[("get", route)]["responses"]["200"]["headers"]["Vary"]
    assert "Accept-Language" in vary["description"] and vary["schema"]["pattern"] == "Accept-Language"


def test_every_answer_of_a_negotiated_route_documents_that_it_varies_by_accept(document):
    post = operations(document)[("post", "/metadatas")]["responses"]
    assert {status for status, response in post.items() if "Vary" not in response.get("headers", {})} == {"411", "413"}
    assert "`Accept`" in post["201"]["headers"]["Vary"]["description"]


@pytest.mark.parametrize("route", ["/metadatas", "/metadatas/{uuid}", "/metadata-types", "/metadata-types/{name}"])
def test_reads_tell_how_properties_select_fields(document, route):
    assert "properties[]=uuid&properties[]=title" in operations(document)[("get", route)]["description"]


def test_the_change_feed_routes_document_their_parameters_formats_and_answers(document):
    feed, stream = (operations(document)[("get", route)] for route in ("/changes", "/changes/stream"))
    filters = {"kind", "operation", "type", "owner", "uuid"}
    assert parameter_names(feed) == {"after", "limit", "wait", *filters}
    assert parameter_names(stream) == {"after", *filters} and "Last-Event-ID" in parameter_names(stream, "header")
    assert set(feed["responses"]["200"]["content"]) == {"application/ld+json", "application/json"}
    assert "Link" in feed["responses"]["200"]["headers"]  # the JSON-LD answer links the API documentation
    assert set(stream["responses"]["200"]["content"]) == {"text/event-stream"}
    expired = document["components"]["schemas"]["CursorExpiredProblem"]
    assert {"oldest", "head"} <= set(expired["allOf"][1]["required"])
    for operation in (feed, stream):
        assert {"400", "403", "410"} <= set(operation["responses"])
        gone = operation["responses"]["410"]["content"]["application/problem+json"]["schema"]
        assert gone == {"$ref": "#/components/schemas/CursorExpiredProblem"}
