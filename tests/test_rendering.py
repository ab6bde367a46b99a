"""The fast paths write exactly what DRF's own serializer fields and JSON renderer write."""

import copy
import json

import pytest
from rest_framework.renderers import JSONRenderer

from metadata_service.renderers import UTF8JSONRenderer
from metadatas.field_copies import shallow_copy
from metadatas.serializers import MetadataSerializer

pytestmark = pytest.mark.django_db


def test_the_direct_item_representation_equals_the_field_by_field_one(make_metadata):
    with_owner_uuid = make_metadata(owner_uuid="c11c546e-bd01-47cf-97da-e25388357b5a", data=[1, "two", {"3": None}])
    without = make_metadata(owner_uuid=None, title={"fr": "Élément ß", "en": "x"})

    for metadata in (with_owner_uuid, without):
        serializer = MetadataSerializer(metadata)
        assert list(serializer.data.items()) == list(serializer.fields_representation(metadata).items())


@pytest.mark.parametrize(
    "data",
    [
        {"title": {"fr": "Éléments", "ja": "メタデータ"}, "n": 1, "f": 1.5, "none": None, "list": [True, False]},
        {"separators": "line\u2028paragraph\u2029end", "nested": [{"deep": [[]]}]},
        [{"@id": "/metadatas/x", "createdAt": "2018-07-18T19:20:17+00:00"}],
    ],
)
def test_orjson_writes_the_bytes_drf_writes(data):
    assert UTF8JSONRenderer().render(data) == JSONRenderer().render(data)


def test_integers_beyond_64_bits_fall_back_to_drfs_renderer():
    data = {"big": 2**70}

    assert json.loads(UTF8JSONRenderer().render(data)) == data


def test_an_indent_asked_for_in_accept_is_honoured():
    rendered = UTF8JSONRenderer().render({"a": 1}, "application/json; indent=2")

    assert rendered == b'{\n  "a": 1\n}'


@pytest.mark.parametrize("updating", [False, True])
def test_the_serializers_field_copies_are_what_copy_copy_makes(make_metadata, updating):
    """``shallow_copy`` stands in for ``copy.copy`` on every field the serializer builds once."""
    MetadataSerializer(make_metadata() if updating else None, data={}).fields  # noqa: B018  # builds them
    for field in MetadataSerializer._built_fields[updating].values():
        clone, expected = shallow_copy(field), copy.copy(field)
        assert type(clone) is type(expected) and clone is not field
        assert clone.__dict__ == expected.__dict__
