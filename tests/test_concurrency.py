"""Optimistic locking and uniqueness under real concurrency: threads, connections, transactions."""

from collections import Counter
from unittest import mock

import pytest

from metadatas import services
from metadatas.models import Metadata
from tests.conftest import JSON, client_with, metadata_body, token_for
from tests.support.concurrency import run_concurrently


@pytest.mark.django_db(transaction=True)
def test_of_twenty_concurrent_puts_with_one_version_exactly_one_wins(tenant, make_metadata):
    metadata = make_metadata(data=[])
    token = token_for(tenant.uuid)

    def put(index):
        client = client_with(token)
        body = {"data": [f"writer-{index}"], "version": 1}
        return client.put(f"/metadatas/{metadata.uuid}", body, format="json", **JSON).status_code

    statuses = run_concurrently(20, put)

    assert statuses == Counter({200: 1, 409: 19})
    stored = Metadata.objects.get(pk=metadata.pk)
    assert stored.version == 2
    assert len(stored.data) == 1


@pytest.mark.django_db(transaction=True)
def test_of_twenty_concurrent_if_match_puts_exactly_one_wins(tenant, make_metadata):
    metadata = make_metadata()
    token = token_for(tenant.uuid)

    def put(index):
        client = client_with(token)
        url = f"/metadatas/{metadata.uuid}"
        return client.put(url, {"type": f"t{index}"}, format="json", HTTP_IF_MATCH='"1"', **JSON).status_code

    assert run_concurrently(20, put) == Counter({200: 1, 412: 19})


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_of_one_slug_give_one_201_and_one_400(tenant):
    token = token_for(tenant.uuid)

    def post(index):
        client = client_with(token)
        return client.post("/metadatas", metadata_body(slug="contested"), format="json", **JSON).status_code

    assert run_concurrently(2, post) == Counter({201: 1, 400: 1})
    assert Metadata.objects.filter(slug="contested").count() == 1


@pytest.mark.django_db(transaction=True)
def test_of_ten_concurrent_conditional_deletes_exactly_one_deletes(tenant, make_metadata):
    metadata = make_metadata()
    token = token_for(tenant.uuid)

    def delete(index):
        return client_with(token).delete(f"/metadatas/{metadata.uuid}", HTTP_IF_MATCH='"1"').status_code

    statuses = run_concurrently(10, delete)

    assert statuses[204] == 1
    assert set(statuses) <= {204, 404, 412}
    stored = Metadata.objects.get(pk=metadata.pk)
    assert (stored.version, stored.deleted_at is not None) == (2, True)
    assert list(stored.revisions.values_list("operation", flat=True)) == ["deleted"]


@pytest.mark.django_db
def test_a_write_that_lands_between_read_and_update_makes_ours_a_409(api, make_metadata):
    """A concurrent writer commits after our read but before our UPDATE: ours must not overwrite it."""
    metadata = make_metadata(type="original")
    real_new_values = services._new_values

    def concurrent_write_first(expected_version, changes):
        Metadata.objects.filter(pk=metadata.pk).update(type="theirs", version=2)
        return real_new_values(expected_version, changes)

    with mock.patch.object(services, "_new_values", side_effect=concurrent_write_first):
        response = api.put(f"/metadatas/{metadata.uuid}", {"type": "ours", "version": 1}, format="json", **JSON)

    assert response.status_code == 409
    assert response.json()["currentVersion"] == 2
    assert Metadata.objects.get(pk=metadata.pk).type == "theirs"


@pytest.mark.django_db
def test_a_delete_that_lands_between_read_and_update_makes_ours_a_404(api, make_metadata):
    metadata = make_metadata()
    real_new_values = services._new_values

    def concurrent_delete_first(expected_version, changes):
        Metadata.objects.filter(pk=metadata.pk).delete()
        return real_new_values(expected_version, changes)

    with mock.patch.object(services, "_new_values", side_effect=concurrent_delete_first):
        response = api.put(f"/metadatas/{metadata.uuid}", {"type": "ours", "version": 1}, format="json", **JSON)

    assert response.status_code == 404
