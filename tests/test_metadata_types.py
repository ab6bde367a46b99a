"""/metadata-types: a JSON Schema per resource type, checked on every write of such a resource."""

import socket
import threading

import pytest

from metadata_types.models import MetadataType, TypePolicy
from metadata_types.schemas import SCHEMA_MAX_BYTES, compiled, data_violations, validators
from metadatas.models import Metadata
from tests.conftest import JSON, client_with, metadata_body, token_for, violation_paths
from tests.support.history import TEST_ACTOR

PROVIDERS = {
    "type": "object",
    "required": ["providers"],
    "properties": {"providers": {"type": "array", "items": {"type": "string", "minLength": 2}}},
}


def define(api, name="authentication", schema=PROVIDERS, **extra):
    return api.post("/metadata-types", {"name": name, "schema": schema, **extra}, format="json", **JSON)


@pytest.fixture(autouse=True)
def fresh_validator_cache():
    validators.clear()


@pytest.fixture
def typed(api):
    response = define(api)
    assert response.status_code == 201, response.content
    return response.json()


# --- The type resource -----------------------------------------------------------------------------------------


def test_a_defined_type_reads_back_with_version_dates_and_etag(api, typed):
    response = api.get("/metadata-types/authentication", **JSON)
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body["name"] == "authentication" and body["schema"] == PROVIDERS and body["version"] == 1
    assert body["title"] == {} and body["createdAt"].endswith("+00:00")


def test_a_type_in_json_ld_has_context_id_and_type(api, typed):
    body = api.get("/metadata-types/authentication").json()
    assert body["@id"] == "/metadata-types/authentication" and body["@type"] == "MetadataType"
    listing = api.get("/metadata-types").json()
    assert listing["@type"] == "hydra:Collection" and listing["hydra:totalItems"] == 1


def test_the_list_holds_the_tenants_types_by_name(api):
    define(api, "zeta", {})
    define(api, "alpha", {})
    assert [item["name"] for item in api.get("/metadata-types", **JSON).json()] == ["alpha", "zeta"]


def test_a_name_is_unique_in_the_tenant(api, typed):
    response = define(api)
    assert response.status_code == 400 and violation_paths(response) == {"name"}


def test_a_name_with_a_slash_is_refused(api):
    response = define(api, "a/b", {})
    assert response.status_code == 400 and violation_paths(response) == {"name"}


def test_another_tenants_type_is_a_404_on_every_route(other_api, api, typed):
    name = "/metadata-types/authentication"
    assert other_api.get(name).status_code == 404
    assert other_api.put(name, {"schema": {}, "version": 1}, format="json").status_code == 404
    assert other_api.patch(name, {"schema": {}, "version": 1}, format="json").status_code == 404
    assert other_api.delete(name).status_code == 404
    assert other_api.post(f"{name}/check", {"schema": {}}, format="json").status_code == 404
    assert other_api.get("/metadata-types", **JSON).json() == []


def test_a_stale_version_is_a_409_and_a_stale_if_match_a_412(api, typed):
    name = "/metadata-types/authentication"
    assert api.patch(name, {"title": {"en": "Sign-in"}, "version": 1}, format="json").status_code == 200
    stale = api.patch(name, {"title": {"en": "Other"}, "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["currentVersion"] == 2
    precondition = api.patch(name, {"title": {"en": "Other"}}, format="json", HTTP_IF_MATCH='"1"')
    assert precondition.status_code == 412


def test_a_change_needs_the_version(api, typed):
    response = api.put("/metadata-types/authentication", {"schema": {}}, format="json")
    assert response.status_code == 400 and violation_paths(response) == {"version"}


def test_if_none_match_of_the_current_version_is_a_304(api, typed):
    assert api.get("/metadata-types/authentication", HTTP_IF_NONE_MATCH='"1"').status_code == 304


# --- Which schemas may be stored --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "strange"},
        {"minLength": -1},
        {"properties": []},
        "not a schema",
        [1, 2],
    ],
)
def test_a_schema_that_is_not_a_schema_is_a_400_on_schema(api, schema):
    response = define(api, schema=schema)
    assert response.status_code == 400
    assert violation_paths(response) == {"schema"}


def test_a_schema_of_another_draft_is_refused(api):
    response = define(api, schema={"$schema": "http://json-schema.org/draft-07/schema#"})
    assert response.status_code == 400 and violation_paths(response) == {"schema"}


def test_a_reference_inside_the_schema_is_allowed(api):
    schema = {"$defs": {"name": {"type": "string"}}, "properties": {"a": {"$ref": "#/$defs/name"}}}
    assert define(api, schema=schema).status_code == 201


def test_a_reference_to_nowhere_inside_the_schema_is_refused(api):
    response = define(api, schema={"properties": {"a": {"$ref": "#/$defs/missing"}}})
    assert response.status_code == 400 and "#/$defs/missing" in response.json()["detail"]


def test_a_remote_reference_is_refused_and_never_fetched(api):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    connections = []

    def accept():
        try:
            connections.append(listener.accept())
        except TimeoutError:
            pass

    watcher = threading.Thread(target=accept)
    watcher.start()
    schema = {"properties": {"a": {"$ref": f"http://127.0.0.1:{port}/schema.json"}}}
    response = define(api, schema=schema)
    watcher.join()
    listener.close()
    assert response.status_code == 400 and violation_paths(response) == {"schema"}
    assert connections == []


def test_compiling_a_remote_reference_that_skipped_the_store_check_connects_nowhere():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    connections = []
    watcher = threading.Thread(target=lambda: connections.append(accepted(listener)))
    watcher.start()
    compiled_schema = compiled({"$ref": f"http://127.0.0.1:{listener.getsockname()[1]}/schema.json"})
    violations = data_violations(compiled_schema, {"a": 1})
    watcher.join()
    listener.close()
    assert connections == [None] and list(violations) == ["data"]


def accepted(listener):
    try:
        return listener.accept()
    except TimeoutError:
        return None


def test_a_reference_to_an_anchor_that_does_not_exist_is_refused_when_stored(api):
    response = define(api, schema={"properties": {"a": {"$ref": "#nowhere"}}})
    assert response.status_code == 400 and "nowhere" in response.json()["detail"]


def test_a_pattern_outside_json_schemas_regex_dialect_is_refused_when_stored(api):
    response = define(api, schema={"properties": {"a": {"type": "string", "pattern": "^a\\Z"}}})
    assert response.status_code == 400 and violation_paths(response) == {"schema"}


def test_a_pattern_is_read_as_json_schema_reads_it_even_where_python_reads_it_otherwise(api):
    define(api, schema={"properties": {"code": {"type": "string", "pattern": "^\\d+$"}}})
    assert api.post("/metadatas", metadata_body(data={"code": "42"}), format="json").status_code == 201
    response = api.post("/metadatas", metadata_body(slug="arabic", data={"code": "\u0663"}), format="json")
    assert response.status_code == 400 and violation_paths(response) == {"data/code"}  # ECMA-262 \d is ASCII only
    assert Metadata.objects.count() == 1


def test_a_file_reference_and_a_nested_id_are_refused(api):
    assert define(api, schema={"$ref": "file:///etc/passwd"}).status_code == 400
    assert define(api, schema={"properties": {"a": {"$id": "https://example.com/a"}}}).status_code == 400


def test_a_schema_over_64_kib_is_refused(api):
    schema = {"description": "x" * SCHEMA_MAX_BYTES}
    response = define(api, schema=schema)
    assert response.status_code == 400 and "at most" in response.json()["detail"]


def test_a_10_mb_schema_is_a_413_problem(api):
    response = define(api, schema={"description": "x" * 10_000_000})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/problem+json")


# --- Validation of resources ---------------------------------------------------------------------------------------


def test_a_resource_that_satisfies_its_types_schema_is_stored(api, typed):
    response = api.post("/metadatas", metadata_body(data={"providers": ["github"]}), format="json")
    assert response.status_code == 201


def test_a_failing_resource_is_a_400_naming_each_place_by_json_pointer(api, typed):
    response = api.post("/metadatas", metadata_body(data={"providers": ["github", "x", 3]}), format="json")
    assert response.status_code == 400
    assert violation_paths(response) == {"data/providers/1", "data/providers/2"}
    assert Metadata.objects.count() == 0


def test_a_failure_at_the_root_is_named_data(api, typed):
    response = api.post("/metadatas", metadata_body(data={}), format="json")
    assert response.status_code == 400 and violation_paths(response) == {"data"}


def test_a_pointer_escapes_slash_and_tilde(api):
    define(api, schema={"properties": {"a/b~c": {"type": "integer"}}})
    response = api.post("/metadatas", metadata_body(data={"a/b~c": "no"}), format="json")
    assert violation_paths(response) == {"data/a~1b~0c"}


def test_put_and_patch_are_validated_and_change_nothing_when_refused(api, typed):
    created = api.post("/metadatas", metadata_body(data={"providers": ["github"]}), format="json").json()
    path = f"/metadatas/{created['uuid']}"
    put = api.put(path, {"data": {"providers": [1]}, "version": 1}, format="json")
    assert put.status_code == 400 and violation_paths(put) == {"data/providers/0"}
    patch = api.patch(path, {"data": {"providers": None}, "version": 1}, format="json")
    assert patch.status_code == 400 and violation_paths(patch) == {"data"}
    assert Metadata.objects.get().version == 1


def test_changing_a_resources_type_checks_the_new_types_schema(api, typed):
    created = api.post("/metadatas", metadata_body(type="free", data=["a"]), format="json").json()
    response = api.patch(f"/metadatas/{created['uuid']}", {"type": "authentication", "version": 1}, format="json")
    assert response.status_code == 400 and violation_paths(response) == {"data"}


def test_a_type_without_definition_is_not_checked(api, typed):
    assert api.post("/metadatas", metadata_body(type="free", data=[1]), format="json").status_code == 201


def test_another_tenants_type_does_not_govern_this_tenants_resources(api, other_api):
    define(other_api)
    assert api.post("/metadatas", metadata_body(data=[1]), format="json").status_code == 201


def test_a_new_schema_version_is_used_at_once(api, typed, make_metadata):
    api.put("/metadata-types/authentication", {"schema": {"type": "array"}, "version": 1}, format="json")
    assert api.post("/metadatas", metadata_body(data=["a"]), format="json").status_code == 201


def test_a_redefined_type_does_not_reuse_the_old_compiled_schema(api, typed):
    assert api.delete("/metadata-types/authentication").status_code == 204
    define(api, schema={"type": "array"})
    assert api.post("/metadatas", metadata_body(data=["a"]), format="json").status_code == 201


# --- require_defined_types ---------------------------------------------------------------------------------------


def test_a_tenant_that_requires_definitions_refuses_an_undefined_type(api, tenant, typed):
    TypePolicy.objects.create(tenant=tenant, require_defined_types=True)
    response = api.post("/metadatas", metadata_body(type="free"), format="json")
    assert response.status_code == 400 and violation_paths(response) == {"type"}
    ok = api.post("/metadatas", metadata_body(slug="x", data={"providers": []}), format="json")
    assert ok.status_code == 201


def test_definitions_are_not_required_by_default(api):
    assert api.post("/metadatas", metadata_body(type="free"), format="json").status_code == 201


# --- Schema changes: compatibility --------------------------------------------------------------------------------


def stored(make_metadata, count, data):
    return [make_metadata(type="authentication", data=data) for _ in range(count)]


def test_a_schema_that_stored_resources_fail_is_a_409_with_count_and_examples(api, typed, make_metadata):
    failing = stored(make_metadata, 12, {"providers": ["github"]})
    stored(make_metadata, 2, {"providers": ["github"], "region": "eu"})
    strict = {**PROVIDERS, "required": ["providers", "region"]}
    response = api.put("/metadata-types/authentication", {"schema": strict, "version": 1}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "/problems/schema_incompatible"
    assert body["failing"] == 12 and len(body["examples"]) == 10
    assert {example["uuid"] for example in body["examples"]} <= {str(m.uuid) for m in failing}
    assert body["examples"][0]["violation"]["propertyPath"] == "data"
    assert MetadataType.objects.get().schema == PROVIDERS and MetadataType.objects.get().version == 1


def test_force_stores_an_incompatible_schema_and_leaves_documents_alone(api, typed, make_metadata):
    (resource,) = stored(make_metadata, 1, {"providers": ["github"]})
    strict = {**PROVIDERS, "required": ["region"]}
    response = api.put("/metadata-types/authentication?force=true", {"schema": strict, "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    resource.refresh_from_db()
    assert resource.data == {"providers": ["github"]}


def test_a_malformed_force_is_a_400(api, typed):
    response = api.put("/metadata-types/authentication?force=maybe", {"schema": {}, "version": 1}, format="json")
    assert response.status_code == 400 and violation_paths(response) == {"force"}


def test_defining_a_type_checks_the_resources_already_stored(api, make_metadata):
    stored(make_metadata, 3, ["not", "an", "object"])
    response = define(api)
    assert response.status_code == 409 and response.json()["failing"] == 3
    forced = api.post("/metadata-types?force=true", {"name": "authentication", "schema": PROVIDERS}, format="json")
    assert forced.status_code == 201


def test_check_reports_without_storing(api, typed, make_metadata):
    stored(make_metadata, 2, {"providers": ["github"]})
    candidate = {"schema": {"type": "array"}}
    response = api.post("/metadata-types/authentication/check", candidate, format="json", **JSON)
    assert response.status_code == 200
    assert response.json()["failing"] == 2 and len(response.json()["examples"]) == 2
    assert MetadataType.objects.get().schema == PROVIDERS


def test_check_of_a_compatible_schema_reports_nothing_failing(api, typed, make_metadata):
    stored(make_metadata, 2, {"providers": ["github"]})
    response = api.post("/metadata-types/authentication/check", {"schema": {}}, format="json", **JSON)
    assert response.json() == {"failing": 0, "examples": []}


def test_check_of_an_invalid_schema_is_a_400(api, typed):
    response = api.post("/metadata-types/authentication/check", {"schema": {"type": 5}}, format="json")
    assert response.status_code == 400 and violation_paths(response) == {"schema"}


# --- Delete ---------------------------------------------------------------------------------------------------------


def test_deleting_a_type_in_use_is_a_409_with_the_count(api, typed, make_metadata):
    stored(make_metadata, 2, {"providers": []})
    response = api.delete("/metadata-types/authentication")
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/type_in_use" and response.json()["count"] == 2
    assert MetadataType.objects.exists()


def test_deleting_an_unused_type_with_a_stale_if_match_is_a_412(api, typed):
    assert api.delete("/metadata-types/authentication", HTTP_IF_MATCH='"9"').status_code == 412
    assert api.delete("/metadata-types/authentication", HTTP_IF_MATCH='"1"').status_code == 204


# --- Permissions ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "permission"),
    [
        ("get", "/metadata-types", "metadata-type:browse"),
        ("get", "/metadata-types/authentication", "metadata-type:read"),
        ("post", "/metadata-types", "metadata-type:add"),
        ("put", "/metadata-types/authentication", "metadata-type:edit"),
        ("patch", "/metadata-types/authentication", "metadata-type:edit"),
        ("post", "/metadata-types/authentication/check", "metadata-type:edit"),
        ("delete", "/metadata-types/authentication", "metadata-type:delete"),
    ],
)
def test_each_route_needs_its_permission(tenant, typed, method, path, permission):
    without = client_with(token_for(tenant.uuid, "Staff", permissions=["metadata:browse"]))
    refused = getattr(without, method)(path, {"schema": {}, "version": 1, "name": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["permission"] == permission
    holder = client_with(token_for(tenant.uuid, "Staff", permissions=[permission]))
    allowed = getattr(holder, method)(path, {"schema": {}, "version": 1, "name": "x"}, format="json")
    assert allowed.status_code < 400, allowed.content


# --- Under concurrency ------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_schema_change_waits_for_a_write_in_flight_and_then_sees_it(require_postgres, tenant):
    from django.db import connections, transaction

    from metadatas.services import metadata_create

    define(client_with(token_for(tenant.uuid)))
    written, release = threading.Event(), threading.Event()
    outcome = {}

    def write_and_hold():
        try:
            with transaction.atomic():
                fields = {"owner": "BU", "title": {"en": "t"}, "slug": "in-flight", "type": "authentication"}
                metadata_create(
                    tenant_id=tenant.uuid, fields={**fields, "data": {"providers": ["github"]}}, actor=TEST_ACTOR
                )
                written.set()
                release.wait(10)
        finally:
            connections.close_all()

    def change_schema():
        try:
            strict = {**PROVIDERS, "required": ["region"]}
            client = client_with(token_for(tenant.uuid))
            outcome["response"] = client.put(
                "/metadata-types/authentication", {"schema": strict, "version": 1}, format="json"
            )
        finally:
            connections.close_all()

    writer = threading.Thread(target=write_and_hold)
    writer.start()
    assert written.wait(10)
    changer = threading.Thread(target=change_schema)
    changer.start()
    changer.join(0.5)
    assert changer.is_alive()  # it waits for the write in flight
    release.set()
    writer.join(10)
    changer.join(10)
    assert outcome["response"].status_code == 409 and outcome["response"].json()["failing"] == 1


def test_the_openapi_document_describes_the_list_as_a_collection_and_an_array(client):
    listing = client.get("/docs/openapi.json").json()["paths"]["/metadata-types"]["get"]["responses"]["200"]
    content = listing["content"]
    assert content["application/ld+json"]["schema"] == {"$ref": "#/components/schemas/MetadataTypeHydraCollection"}
    assert content["application/json"]["schema"]["type"] == "array"
