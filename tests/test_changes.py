"""The change feed, GET /changes (contract changes.md): events of every change, cursors, filters, permissions."""

import uuid
from datetime import UTC, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from changes.models import ChangeEvent
from linked_metadata.services import linked_metadata_delete, linked_metadata_upsert
from tests.conftest import JSON, JSONLD, client_with, metadata_body, token_for
from tests.support.history import TEST_ACTOR, create, delete, put

pytestmark = pytest.mark.django_db
OWNER_UUID = "c11c546e-bd01-47cf-97da-e25388357b5a"
OTHER_OWNER_UUID = "5f0c7f3a-7d7e-4c1b-9a55-3c2b1a0d9e8f"


def feed(api, status=200, **params):
    response = api.get("/changes", params, **JSON)
    assert response.status_code == status, response.content
    return response.json()


def operations(page):
    return [(event["kind"], event["operation"]) for event in page["events"]]


def link(tenant, value="blue", identifier="A-1"):
    return linked_metadata_upsert(
        tenant_id=tenant.uuid,
        linked_object_type="ACCOUNT",
        identifier=identifier,
        key="k",
        value=value,
        actor=TEST_ACTOR,
    )


def test_every_change_of_a_resource_is_an_event_in_commit_order(api):
    resource = create(api)
    resource = put(api, resource, title={"en": "New"})
    delete(api, resource)
    api.post(f"/metadatas/{resource['uuid']}/undelete", **JSON)
    page = feed(api)
    assert operations(page) == [("metadata", op) for op in ("created", "updated", "deleted", "undeleted")]
    assert [event["seq"] for event in page["events"]] == [1, 2, 3, 4]
    assert [event["version"] for event in page["events"]] == [1, 2, 3, 4]
    assert page["next"] == page["head"] == 4


def test_an_event_carries_who_what_and_the_resource_after_the_change(api):
    resource = create(api)
    updated = put(api, resource, data={"a": 1})
    event = feed(api)["events"][1]
    assert event["changed"] == ["data"]
    assert event["uuid"] == resource["uuid"] and event["type"] == "authentication"
    assert event["owner"] == "BusinessUnit" and event["ownerUuid"] == OWNER_UUID
    assert event["actor"]["type"] == "System" and event["batchId"] is None
    assert event["resource"] == updated
    assert event["occurredAt"] == updated["updatedAt"]


def test_a_restore_is_an_event(api):
    resource = create(api)
    resource = put(api, resource, title={"en": "New"})
    response = api.post(f"/metadatas/{resource['uuid']}/revisions/1/restore", {"version": 2}, format="json", **JSON)
    assert response.status_code == 200, response.content
    assert operations(feed(api))[-1] == ("metadata", "restored")


def test_a_write_that_fails_makes_no_event(api):
    resource = create(api)
    response = api.put(f"/metadatas/{resource['uuid']}", {"title": {"en": "x"}, "version": 7}, format="json", **JSON)
    assert response.status_code == 409
    assert feed(api)["head"] == 1


def test_a_purge_redacts_the_earlier_events_and_keeps_their_places(api):
    resource = create(api)
    put(api, resource, data={"secret": 1})
    assert api.delete(f"/metadatas/{resource['uuid']}?purge=true").status_code == 204
    created, updated, purged = feed(api)["events"]
    assert updated == {
        "seq": 2,
        "kind": "metadata",
        "operation": "updated",
        "uuid": resource["uuid"],
        "version": 2,
        "occurredAt": updated["occurredAt"],
        "redacted": True,
    }
    assert created["redacted"] is True and "resource" not in created
    assert set(purged) == {"seq", "kind", "operation", "uuid", "occurredAt"} and purged["operation"] == "purged"


def test_linked_metadata_changes_are_events_with_the_key_and_its_value_as_json_text(api, tenant):
    link(tenant, value={"colour": "blue"})
    linked_metadata_delete(
        tenant_id=tenant.uuid, linked_object_type="ACCOUNT", identifier="A-1", key="k", actor=TEST_ACTOR
    )
    created, deleted = feed(api)["events"]
    assert (created["kind"], created["operation"], created["version"]) == ("linked_metadata", "created", 1)
    assert created["linkedObjectType"] == "ACCOUNT" and created["identifier"] == "A-1" and created["key"] == "k"
    assert created["value"] == '{"colour": "blue"}' and "resource" not in created
    assert (deleted["operation"], deleted["value"], deleted["version"]) == ("deleted", None, 2)


def test_after_and_limit_page_through_the_feed(api):
    for number in range(5):
        create(api, slug=f"r{number}")
    first = feed(api, limit=2)
    assert [event["seq"] for event in first["events"]] == [1, 2] and first["next"] == 2 and first["head"] == 5
    second = feed(api, after=first["next"], limit=10)
    assert [event["seq"] for event in second["events"]] == [3, 4, 5] and second["next"] == 5


def test_filters_take_the_three_spellings_and_filtered_out_events_still_advance_next(api):
    create(api, slug="a", type="one")
    create(api, slug="b", type="two")
    create(api, slug="c", type="three")
    for params in ({"type": "two"}, {"type[]": "two"}, {"type[0]": "two"}):
        page = feed(api, **params)
        assert [event["type"] for event in page["events"]] == ["two"] and page["next"] == 3
    assert len(feed(api, **{"type[]": ["one", "three"]})["events"]) == 2


def test_filters_by_kind_operation_owner_and_uuid(api, tenant):
    resource = create(api, slug="a")
    delete(api, resource)
    create(api, slug="b", owner="Team")
    link(tenant)
    assert operations(feed(api, kind="linked_metadata")) == [("linked_metadata", "created")]
    assert operations(feed(api, operation="deleted")) == [("metadata", "deleted")]
    assert [event["owner"] for event in feed(api, owner="Team")["events"]] == ["Team"]
    assert [event["seq"] for event in feed(api, uuid=resource["uuid"])["events"]] == [1, 2]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"after": "x"}, "after"),
        ({"after": "-1"}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"wait": "0"}, "wait"),
        ({"wait": "61"}, "wait"),
        ({"wait": "1.5"}, "wait"),
        ({"kind": "types"}, "kind"),
        ({"operation": "renamed"}, "operation"),
        ({"uuid": "not-a-uuid"}, "uuid"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api, params, field):
    response = api.get("/changes", params, **JSON)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in {violation["propertyPath"] for violation in response.json()["violations"]}


def test_a_cursor_beyond_head_is_a_400(api):
    create(api)
    response = api.get("/changes", {"after": 2}, **JSON)
    assert response.status_code == 400
    assert {violation["propertyPath"] for violation in response.json()["violations"]} == {"after"}


def test_a_cursor_older_than_the_retention_window_is_a_410_with_oldest_and_head(api, settings):
    for number in range(4):
        create(api, slug=f"r{number}")
    ChangeEvent.objects.filter(seq__lte=2).update(occurred_at=timezone.now() - timedelta(hours=200))
    call_command("prune_changes", verbosity=0)
    response = api.get("/changes", {"after": 1}, **JSON)
    assert response.status_code == 410
    problem = response.json()
    assert problem["type"] == "/problems/cursor_expired" and (problem["oldest"], problem["head"]) == (3, 4)
    assert [event["seq"] for event in feed(api, after=2)["events"]] == [3, 4]
    assert [event["seq"] for event in feed(api)["events"]] == [3, 4]  # after=0: from the oldest retained


def test_pruning_keeps_the_events_the_publisher_has_not_sent(api, tenant):
    from changes.models import PublishPosition

    for number in range(3):
        create(api, slug=f"r{number}")
    PublishPosition.objects.create(tenant=tenant, seq=1)
    ChangeEvent.objects.update(occurred_at=timezone.now() - timedelta(hours=200))
    call_command("prune_changes", verbosity=0)
    assert list(ChangeEvent.objects.values_list("seq", flat=True).order_by("seq")) == [2, 3]


def test_json_ld_is_a_hydra_collection_of_the_events(api):
    create(api)
    response = api.get("/changes", **JSONLD)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/ld+json")
    body = response.json()
    assert body["@type"] == "hydra:Collection" and body["hydra:member"][0]["seq"] == 1
    assert (body["next"], body["head"]) == (1, 1)


def test_another_tenant_sees_none_of_the_events(api, other_api):
    create(api)
    page = feed(other_api)
    assert page == {"events": [], "next": 0, "head": 0}
    assert other_api.get("/changes", {"after": 1}, **JSON).status_code == 400


def test_a_token_that_may_view_neither_kind_is_a_403(tenant):
    reader = client_with(token_for(tenant.uuid, "Staff", permissions=["metadata:read"]))
    assert reader.get("/changes", **JSON).status_code == 403


def test_owner_scopes_filter_metadata_events_by_the_owner_at_the_time(api, tenant):
    mine = create(api, slug="mine")
    create(api, slug="theirs", ownerUuid=OTHER_OWNER_UUID)
    put(api, mine, ownerUuid=OTHER_OWNER_UUID)  # it leaves the scope: this event is not the scoped reader's
    scoped = client_with(token_for(tenant.uuid, "Staff", permissions=[f"metadata:browse@BusinessUnit:{OWNER_UUID}"]))
    page = feed(scoped)
    assert [event["seq"] for event in page["events"]] == [1] and page["next"] == 3


def test_redacted_and_purged_events_are_shown_to_every_metadata_reader(api, tenant):
    resource = create(api)
    api.delete(f"/metadatas/{resource['uuid']}?purge=true")
    scoped = client_with(token_for(tenant.uuid, "Staff", permissions=[f"metadata:browse@Team:{OTHER_OWNER_UUID}"]))
    assert operations(feed(scoped)) == [("metadata", "created"), ("metadata", "purged")]


def test_linked_events_need_a_linked_view_right_and_an_account_user_sees_its_own(api, tenant):
    link(tenant, identifier="A-1")
    link(tenant, identifier="A-2")
    create(api)
    viewer = client_with(token_for(tenant.uuid, "Staff", permissions=["CAN_VIEW_METADATA"]))
    assert operations(feed(viewer)) == [("linked_metadata", "created")] * 2
    account_user = client_with(token_for(tenant.uuid, "AccountUser", accounts=["A-2"]))
    assert [event["identifier"] for event in feed(account_user)["events"]] == ["A-2"]
    browser = client_with(token_for(tenant.uuid, "Staff", permissions=["metadata:browse"]))
    assert operations(feed(browser)) == [("metadata", "created")]


def test_purge_deleted_makes_purged_events(api, settings):
    from datetime import datetime

    from metadatas.services import purge_deleted

    resource = create(api)
    delete(api, resource)
    assert purge_deleted(deleted_before=datetime(2999, 1, 1, tzinfo=UTC)) == 1
    assert operations(feed(api))[-1] == ("metadata", "purged")


def test_an_unknown_uuid_filter_matches_nothing(api):
    create(api)
    assert feed(api, uuid=str(uuid.uuid4()))["events"] == []


def test_a_write_rolled_back_after_its_event_leaves_no_gap(api, tenant):
    from django.db import transaction

    from metadatas.services import metadata_create

    create(api, slug="a")
    fields = {"owner": "BusinessUnit", "title": {"en": "T"}, "slug": "gone", "type": "t", "data": {}}
    with pytest.raises(RuntimeError), transaction.atomic():
        metadata_create(tenant_id=tenant.uuid, fields=fields, actor=TEST_ACTOR)
        raise RuntimeError("the caller's transaction fails after the event was written")
    create(api, slug="b")
    page = feed(api)
    assert [event["seq"] for event in page["events"]] == [1, 2]
    assert "gone" not in [event["resource"]["slug"] for event in page["events"]]


def test_a_batch_makes_one_event_per_change_in_order_with_its_batch_id(api):
    operations = [{"op": "create", "body": metadata_body(slug=f"batch-{number}")} for number in range(3)]
    response = api.post("/metadatas/batch", {"operations": operations}, format="json", **JSON)
    assert response.status_code == 200, response.content
    results = response.json()
    events = feed(api)["events"]
    assert [event["seq"] for event in events] == [1, 2, 3]
    assert [event["resource"] for event in events] == [result["resource"] for result in results["results"]]
    assert {event["batchId"] for event in events} == {results["batchId"]}


def test_a_failed_batch_makes_no_event(api):
    operations = [{"op": "create", "body": metadata_body(slug="same")} for _ in range(2)]
    response = api.post("/metadatas/batch", {"operations": operations}, format="json", **JSON)
    assert response.status_code == 400
    assert feed(api) == {"events": [], "next": 0, "head": 0}


def test_json_ld_answers_link_the_hydra_api_documentation(api):
    create(api)
    response = api.get("/changes", **JSONLD)
    assert response["Link"] == '<http://testserver/docs.jsonld>; rel="http://www.w3.org/ns/hydra/core#apiDocumentation"'


def test_plain_json_answers_carry_no_documentation_link(api):
    response = api.get("/changes", **JSON)
    assert response.status_code == 200 and "Link" not in response


SSE = {"HTTP_ACCEPT": "text/event-stream"}


@pytest.fixture(autouse=True)
def no_listener(monkeypatch):
    """These tests read only what is committed already: no LISTEN session (it would outlive the test database)."""
    monkeypatch.setattr("changes.listener.ensure_listening", lambda timeout=5: None)


def stream_problem(api, status, path="/changes/stream", **headers):
    response = api.get(path, **SSE, **headers)
    assert response.status_code == status and not response.streaming, response
    assert response["Content-Type"].startswith("application/problem+json")
    return response.json()


def first_stream_chunks(api, count, **headers):
    """The first ``count`` chunks the stream writes (reading more would wait for the next change)."""
    response = api.get("/changes/stream", **SSE, **headers)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/event-stream")
    chunks = iter(response.streaming_content)
    try:
        return [next(chunks) for _ in range(count)]
    finally:
        response.close()


@pytest.mark.parametrize(
    "path, headers, field",
    [
        ("/changes/stream", {"HTTP_LAST_EVENT_ID": "x"}, "Last-Event-ID"),
        ("/changes/stream", {"HTTP_LAST_EVENT_ID": "-1"}, "Last-Event-ID"),
        ("/changes/stream?after=1.5", {}, "after"),
        ("/changes/stream?kind=types", {}, "kind"),
        ("/changes/stream?operation[]=renamed", {}, "operation"),
        ("/changes/stream?uuid=nope", {}, "uuid"),
    ],
)
def test_a_stream_with_a_bad_parameter_is_a_400_naming_it(api, path, headers, field):
    problem = stream_problem(api, 400, path, **headers)
    assert field in {violation["propertyPath"] for violation in problem["violations"]}


@pytest.mark.parametrize(
    "path, headers, field",
    [("/changes/stream?after=2", {}, "after"), ("/changes/stream", {"HTTP_LAST_EVENT_ID": "2"}, "Last-Event-ID")],
)
def test_a_stream_from_beyond_head_is_a_400_naming_the_cursor_it_was_given(api, path, headers, field):
    create(api)
    problem = stream_problem(api, 400, path, **headers)
    assert {violation["propertyPath"] for violation in problem["violations"]} == {field}


def test_a_stream_asked_for_json_is_a_406(api):
    response = api.get("/changes/stream", **JSON)
    assert response.status_code == 406 and response["Content-Type"].startswith("application/problem+json")


def test_a_stream_from_a_cursor_older_than_the_retention_window_is_a_410(api):
    for number in range(4):
        create(api, slug=f"r{number}")
    ChangeEvent.objects.filter(seq__lte=2).update(occurred_at=timezone.now() - timedelta(hours=200))
    call_command("prune_changes", verbosity=0)
    problem = stream_problem(api, 410, HTTP_LAST_EVENT_ID="1")
    assert problem["type"] == "/problems/cursor_expired" and (problem["oldest"], problem["head"]) == (3, 4)


def test_a_stream_for_a_token_that_may_view_neither_kind_is_a_403(tenant):
    reader = client_with(token_for(tenant.uuid, "Staff", permissions=["metadata:read"]))
    stream_problem(reader, 403)


def test_a_stream_resumes_after_last_event_id_with_the_tenants_own_events_only(api, other_api):
    create(other_api, slug="elsewhere")
    mine = [create(api, slug=f"mine-{number}") for number in range(2)]
    retry, second = first_stream_chunks(api, 2, HTTP_LAST_EVENT_ID="1")
    assert retry == b"retry: 2000\n\n"
    assert second.startswith(b"id: 2\nevent: metadata.created\n") and mine[1]["uuid"].encode() in second


def test_a_stream_applies_the_filters(api):
    create(api, slug="skipped")
    wanted = create(api, slug="wanted", type="wanted-type")
    _, event = first_stream_chunks(api, 2, HTTP_LAST_EVENT_ID="0", QUERY_STRING="type=wanted-type")
    assert event.startswith(b"id: 2\n") and wanted["uuid"].encode() in event
