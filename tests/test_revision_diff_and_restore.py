"""The diff between two revisions (RFC 6902) and the restore of a revision (a compare-and-swap like PUT)."""

import itertools
import uuid

import jsonpatch
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metadatas.models import Metadata
from tests.conftest import JSON, client_with, token_for, violation_paths
from tests.support.history import create, delete, put, revisions, writable

pytestmark = pytest.mark.django_db


def diff(api, resource, version, **params):
    response = api.get(f"/metadatas/{resource['uuid']}/revisions/{version}/diff", params, **JSON)
    assert response.status_code == 200, response.content
    return response.json()


def at(api, resource, version):
    return api.get(f"/metadatas/{resource['uuid']}/revisions/{version}", **JSON).json()["resource"]


def restore(api, resource, version, **kwargs):
    return api.post(f"/metadatas/{resource['uuid']}/revisions/{version}/restore", format="json", **kwargs, **JSON)


# --- Diff -----------------------------------------------------------------------------------------------


def test_the_diff_turns_the_previous_version_into_this_one(api):
    first = create(api, data={"keep": 1, "drop": 2}, title={"en": "One"})
    put(api, first, data={"keep": 1, "add": [3]}, title={"en": "One", "fr": "Un"})

    body = diff(api, first, 2)

    assert (body["from"], body["version"]) == (1, 2)
    assert jsonpatch.apply_patch(writable(at(api, first, 1)), body["patch"]) == writable(at(api, first, 2))
    assert {"op": "remove", "path": "/data/drop"} in body["patch"]


def test_the_diff_from_any_older_version(api):
    resource = create(api, type="a")
    for letter in "bcd":
        resource = put(api, resource, type=letter)

    body = diff(api, resource, 4, **{"from": 1})

    assert body["patch"] == [{"op": "replace", "path": "/type", "value": "d"}]


def test_a_diff_of_a_version_with_itself_is_empty(api):
    resource = create(api)

    assert diff(api, resource, 1, **{"from": 1})["patch"] == []


# Text the API stores (no NUL, no lone surrogates: refused elsewhere, see test_hostile_input).
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)
titles = st.dictionaries(st.sampled_from(["en", "fr", "de", "pt-BR"]), texts.filter(str.strip), min_size=1)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
documents = st.dictionaries(texts, json_values, max_size=5) | st.lists(json_values, max_size=5)
numbers = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old_title=titles, new_title=titles, old_data=documents, new_data=documents)
def test_the_diff_applied_to_the_old_revision_gives_the_new_one(api, old_title, new_title, old_data, new_data):
    resource = create(api, slug=f"prop-{next(numbers)}", title=old_title, data=old_data)
    put(api, resource, title=new_title, data=new_data, type="changed")  # a new version even if the rest is equal

    patch = diff(api, resource, 2)["patch"]

    assert jsonpatch.apply_patch(writable(at(api, resource, 1)), patch) == writable(at(api, resource, 2))


@pytest.mark.parametrize("value", ["x", "0", "-2", "1e3", ""])
def test_a_malformed_from_is_a_400_naming_it(api, value):
    resource = put(api, create(api), type="b")

    response = api.get(f"/metadatas/{resource['uuid']}/revisions/2/diff", {"from": value}, **JSON)

    assert response.status_code == 400
    assert violation_paths(response) == {"from"}


def test_an_unknown_from_is_a_400_naming_it(api):
    resource = put(api, create(api), type="b")

    response = api.get(f"/metadatas/{resource['uuid']}/revisions/2/diff", {"from": 9}, **JSON)

    assert response.status_code == 400
    assert violation_paths(response) == {"from"}


def test_the_diff_of_the_first_version_needs_a_from(api):
    resource = create(api)

    response = api.get(f"/metadatas/{resource['uuid']}/revisions/1/diff", **JSON)

    assert response.status_code == 400
    assert violation_paths(response) == {"from"}


def test_the_diff_of_an_absent_version_is_a_404_and_a_malformed_one_a_400(api):
    resource = create(api)

    assert api.get(f"/metadatas/{resource['uuid']}/revisions/5/diff?from=1", **JSON).status_code == 404
    bad = api.get(f"/metadatas/{resource['uuid']}/revisions/v1/diff?from=1", **JSON)
    assert (bad.status_code, violation_paths(bad)) == (400, {"version"})


# --- Restore --------------------------------------------------------------------------------------------


def test_restoring_version_1_after_three_updates_gives_version_5_equal_to_version_1(api):
    first = create(api, title={"en": "Original"}, data={"n": 1}, type="t1")
    resource = first
    for number in range(2, 5):
        resource = put(api, resource, title={"en": f"Edit {number}"}, data={"n": number}, type=f"t{number}")

    response = restore(api, resource, 1, data={"version": 4})

    assert response.status_code == 200
    assert response["ETag"] == '"5"'
    restored = response.json()
    assert restored["version"] == 5
    assert writable(restored) == writable(first)
    latest = revisions(api, resource)[0]
    assert (latest["version"], latest["operation"]) == (5, "restored")
    assert latest["changed"] == ["data", "title", "type"]


def test_a_restore_with_a_current_if_match_succeeds(api):
    resource = put(api, create(api), type="b")

    assert restore(api, resource, 1, HTTP_IF_MATCH='"2"').status_code == 200


def test_a_restore_without_a_version_is_a_400_naming_it(api):
    resource = put(api, create(api), type="b")

    response = restore(api, resource, 1)

    assert response.status_code == 400
    assert violation_paths(response) == {"version"}
    assert Metadata.objects.get(uuid=resource["uuid"]).version == 2


def test_a_stale_restore_is_a_409_by_body_and_a_412_by_if_match(api):
    resource = put(api, create(api), type="b")

    assert restore(api, resource, 1, data={"version": 1}).status_code == 409
    assert restore(api, resource, 1, HTTP_IF_MATCH='"1"').status_code == 412
    assert len(revisions(api, resource)) == 2


def test_a_deleted_resource_cannot_be_restored(api):
    resource = put(api, create(api), type="b")
    delete(api, resource)

    assert restore(api, resource, 1, data={"version": 3}).status_code == 404


def test_restoring_an_absent_revision_is_a_404(api):
    resource = create(api)

    assert restore(api, resource, 7, data={"version": 1}).status_code == 404


def test_a_restore_whose_slug_another_live_resource_holds_is_a_409_slug_taken(api):
    resource = put(api, create(api, slug="first-name"), slug="second-name")
    create(api, slug="first-name")

    response = restore(api, resource, 1, data={"version": 2})

    assert response.status_code == 409
    assert response.json()["type"] == "/problems/slug_taken"
    assert Metadata.objects.get(uuid=resource["uuid"]).slug == "second-name"
    assert len(revisions(api, resource)) == 2


def test_a_restore_needs_metadata_edit_on_the_current_and_the_restored_owner(api, tenant):
    owner_uuid = str(uuid.uuid4())
    resource = put(api, create(api, owner="Old", ownerUuid=owner_uuid), owner="New")

    def as_editor_of(*owners):
        permissions = [f"metadata:edit@{owner}:{owner_uuid}" for owner in owners]
        return client_with(token_for(tenant.uuid, "Staff", permissions=permissions))

    only_new = restore(as_editor_of("New"), resource, 1, data={"version": 2})
    read_only = restore(client_with(token_for(tenant.uuid, "Staff", permissions=["metadata:read"])), resource, 1)
    both = restore(as_editor_of("New", "Old"), resource, 1, data={"version": 2})

    assert (only_new.status_code, only_new.json()["permission"]) == (403, "metadata:edit")
    assert read_only.status_code == 403
    assert both.status_code == 200
    assert both.json()["owner"] == "Old"


def test_a_restore_that_the_types_current_schema_rejects_is_a_400_naming_the_place_and_writes_nothing(api):
    first = create(api, type="provider", data={"providers": ["github"], "retries": "many"})
    resource = put(api, first, data={"providers": ["github"], "retries": 3})
    schema = {"type": "object", "properties": {"retries": {"type": "integer"}}}
    assert api.post("/metadata-types", {"name": "provider", "schema": schema}, format="json").status_code == 201

    response = restore(api, resource, 1, data={"version": 2})

    assert response.status_code == 400 and violation_paths(response) == {"data/retries"}
    stored = Metadata.objects.get(uuid=resource["uuid"])
    assert (stored.version, stored.data["retries"]) == (2, 3)
    assert [revision["version"] for revision in revisions(api, resource)] == [2, 1]
