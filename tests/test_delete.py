"""DELETE /metadatas/{uuid}."""

import pytest

from metadatas.models import Metadata
from tests.conftest import JSON

pytestmark = pytest.mark.django_db


def test_delete_answers_204_with_no_body_and_the_resource_is_gone_from_the_api(api, make_metadata):
    metadata = make_metadata()

    response = api.delete(f"/metadatas/{metadata.uuid}")

    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"/metadatas/{metadata.uuid}", **JSON).status_code == 404


def test_delete_with_a_current_if_match_deletes(api, make_metadata):
    metadata = make_metadata(version=2)

    response = api.delete(f"/metadatas/{metadata.uuid}", HTTP_IF_MATCH='"2"')

    assert response.status_code == 204


def test_delete_with_a_stale_if_match_is_a_412_and_keeps_the_row(api, make_metadata):
    metadata = make_metadata(version=2)

    response = api.delete(f"/metadatas/{metadata.uuid}", HTTP_IF_MATCH='"1"')

    assert response.status_code == 412
    assert Metadata.objects.filter(pk=metadata.pk).exists()


def test_delete_of_an_absent_uuid_is_a_404(api):
    response = api.delete("/metadatas/70e6171c-c1ea-47d1-b24c-4b93328908fc")

    assert response.status_code == 404


def test_delete_leaves_other_resources_alone(api, make_metadata):
    doomed, kept = make_metadata(), make_metadata()

    api.delete(f"/metadatas/{doomed.uuid}")

    assert list(Metadata.objects.filter(deleted_at=None).values_list("pk", flat=True)) == [kept.pk]
    assert Metadata.objects.get(pk=kept.pk).version == 1
