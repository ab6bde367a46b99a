"""Defects the schemathesis run found, each pinned by a regression test."""

import pytest

from metadatas.models import Metadata
from tests.conftest import JSON, metadata_body, violation_paths

pytestmark = pytest.mark.django_db


def test_a_format_query_parameter_is_ignored_like_any_unknown_parameter(api, make_metadata):
    make_metadata()

    response = api.get("/metadatas?format=xml", **JSON)  # was a 404 (DRF's format override)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert len(response.json()) == 1


def test_the_accept_header_alone_chooses_the_format(api, make_metadata):
    metadata = make_metadata()

    response = api.get(f"/metadatas/{metadata.uuid}?format=json", HTTP_ACCEPT="application/ld+json")

    assert response["Content-Type"] == "application/ld+json; charset=utf-8"


def test_an_empty_if_match_is_a_400_naming_it_not_a_412(api, make_metadata):
    metadata = make_metadata()

    response = api.put(f"/metadatas/{metadata.uuid}", {"type": "user"}, format="json", HTTP_IF_MATCH="", **JSON)

    assert response.status_code == 400
    assert violation_paths(response) == {"If-Match"}
    assert Metadata.objects.get(pk=metadata.pk).type == metadata.type


def test_an_empty_if_none_match_is_a_400_naming_it(api, make_metadata):
    metadata = make_metadata()

    response = api.get(f"/metadatas/{metadata.uuid}", HTTP_IF_NONE_MATCH="", **JSON)  # was a 200

    assert response.status_code == 400
    assert violation_paths(response) == {"If-None-Match"}


@pytest.mark.parametrize(("field", "value"), [("ownerUuid", False), ("ownerUuid", 7), ("uuid", True), ("uuid", 0)])
def test_a_uuid_field_given_a_json_boolean_or_number_is_a_400(api, field, value):
    response = api.post("/metadatas", metadata_body(**{field: value}), format="json", **JSON)

    assert response.status_code == 400  # DRF read false as the nil UUID, 7 as ...0007
    assert violation_paths(response) == {field}
    assert not Metadata.objects.exists()


@pytest.mark.parametrize("version", [True, "1", "1.0"])
def test_a_version_that_is_not_a_json_integer_is_a_400(api, make_metadata, version):
    metadata = make_metadata()

    response = api.put(f"/metadatas/{metadata.uuid}", {"type": "user", "version": version}, format="json", **JSON)

    assert response.status_code == 400  # DRF read "1" and "1.0" as 1
    assert violation_paths(response) == {"version"}
    assert Metadata.objects.get(pk=metadata.pk).version == 1
