"""Bad input and content negotiation: every failure is a clear problem+json 4xx, never a 500."""

import json

import pytest

from metadatas.models import Metadata
from tests.conftest import JSON, metadata_body, violation_paths

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json; charset=utf-8"


def post_raw(api, raw, content_type="application/json"):
    return api.post("/metadatas", raw, content_type=content_type, **JSON)


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert body["title"] and body["detail"]
    assert "Traceback" not in response.content.decode()
    return body


@pytest.mark.parametrize("accept", ["application/xml", "text/plain", "image/png"])
def test_an_unsupported_accept_is_a_406(api, accept):
    response = api.get("/metadatas", HTTP_ACCEPT=accept)

    assert_problem(response, 406)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_an_unsupported_body_type_is_a_415(api, content_type):
    response = post_raw(api, json.dumps(metadata_body()), content_type)

    assert_problem(response, 415)
    assert Metadata.objects.count() == 0


def test_json_with_a_charset_parameter_is_accepted(api):
    response = post_raw(api, json.dumps(metadata_body()), "application/json; charset=utf-8")

    assert response.status_code == 201


@pytest.mark.parametrize(
    "raw",
    [b'{"owner": ', b"{'owner': 'x'}", b"not json", b'{"a": 1}}', b"\xff\xfe\x00"],
)
def test_malformed_json_is_a_400(api, raw):
    response = post_raw(api, raw)

    assert_problem(response, 400)


@pytest.mark.parametrize(
    "raw", [b'{"data": [NaN]}', b'{"data": [Infinity]}', b'{"data": [1e999]}', b'{"data": [-1e400]}']
)
def test_numbers_json_cannot_hold_are_a_400(api, raw):
    response = post_raw(api, raw)

    assert_problem(response, 400)


def test_a_huge_integer_is_a_400(api):
    response = post_raw(api, b'{"data": [' + b"9" * 5000 + b"]}")

    assert_problem(response, 400)


def test_runaway_nesting_is_a_400(api):
    response = post_raw(api, b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")

    assert_problem(response, 400)


def test_data_deeper_than_the_limit_is_a_400_on_data(api, settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "JSON_MAX_DEPTH": 4}
    deep = {"a": {"b": {"c": {"d": {"e": 1}}}}}

    response = api.post("/metadatas", metadata_body(data=deep), format="json", **JSON)

    assert violation_paths(response) == {"data"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("data", {"key": "nul\u0000inside"}),
        ("data", {"nul\u0000key": 1}),
        ("title", {"en": "nul\u0000"}),
        ("owner", "nul\u0000"),
        ("slug", "nul\u0000"),
    ],
)
def test_nul_characters_are_a_400_naming_the_field(api, field, value):
    response = api.post("/metadatas", metadata_body(**{field: value}), format="json", **JSON)

    assert_problem(response, 400)
    assert violation_paths(response) in ({field}, {f"{field}.en"})


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("data", b'{"owner":"o","title":{"en":"t"},"slug":"s","type":"x","data":{"x":"\\ud800"}}'),
        ("owner", b'{"owner":"\\udfff","title":{"en":"t"},"slug":"s","type":"x"}'),
        ("title", b'{"owner":"o","title":{"en":"\\ud83d"},"slug":"s","type":"x"}'),
    ],
)
def test_lone_surrogates_are_a_400_naming_the_field(api, field, raw):
    response = post_raw(api, raw)

    assert_problem(response, 400)
    assert violation_paths(response) == {field}
    assert Metadata.objects.count() == 0


def test_a_body_over_the_size_limit_is_a_413(api, settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "REQUEST_BODY_MAX_BYTES": 1000}

    response = api.post("/metadatas", metadata_body(data=["x" * 2000]), format="json", **JSON)

    assert_problem(response, 413)
    assert Metadata.objects.count() == 0


def test_a_non_object_body_is_a_400(api):
    response = api.post("/metadatas", [metadata_body()], format="json", **JSON)

    assert_problem(response, 400)


def test_an_empty_post_body_names_the_required_fields(api):
    response = api.post("/metadatas", b"", content_type="application/json", **JSON)

    assert violation_paths(response) == {"owner", "title", "slug", "type"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "/metadatas"), ("put", "/metadatas"), ("post", "/metadatas/70e6171c-c1ea-47d1-b24c-4b93328908fc")],
)
def test_a_method_the_route_lacks_is_a_405(api, method, path):
    response = getattr(api, method)(path, **JSON)

    assert_problem(response, 405)


def test_an_unknown_route_is_a_404_problem(api):
    response = api.get("/nothing-here")

    assert_problem(response, 404)


def test_validation_problems_list_violations_and_summarise_them(api):
    response = api.post("/metadatas", metadata_body(slug="bad slug", owner=""), format="json", **JSON)

    body = assert_problem(response, 400)
    assert {v["propertyPath"] for v in body["violations"]} == {"slug", "owner"}
    assert "slug: " in body["detail"] and "owner: " in body["detail"]


def test_success_responses_declare_utf8(api):
    response = api.post("/metadatas", metadata_body(title={"en": "Überall ✓"}), format="json", **JSON)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Überall ✓".encode() in response.content
