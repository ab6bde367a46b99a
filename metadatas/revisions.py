"""What a revision holds and what can be derived from it: the state after a change, the fields it
changed, the resource as it was, and the RFC 6902 diff between two revisions.

Revisions are written only by the write services (``metadatas.services``), in the transaction of
the change; this module holds no write.
"""

import uuid

import jsonpatch

from metadata_service.timestamps import utc_seconds

# The writable fields of a resource: model name -> API (camelCase) name. A revision's ``state`` holds these.
WRITABLE_FIELDS = {
    "owner": "owner",
    "owner_uuid": "ownerUuid",
    "title": "title",
    "slug": "slug",
    "type": "type",
    "data": "data",
}
API_NAMES = {api: model for model, api in WRITABLE_FIELDS.items()}
DELETED_AT = "deletedAt"


def state_of(metadata):
    """The writable fields of ``metadata`` as the API writes them (JSON-ready)."""
    state = {api: getattr(metadata, model) for model, api in WRITABLE_FIELDS.items()}
    if state["ownerUuid"] is not None:
        state["ownerUuid"] = str(state["ownerUuid"])
    return state


def model_changes(state):
    """A revision's ``state`` as model field values, to write back into the resource (a restore)."""
    changes = {API_NAMES[api]: value for api, value in state.items() if api in API_NAMES}
    if changes.get("owner_uuid") is not None:
        changes["owner_uuid"] = uuid.UUID(changes["owner_uuid"])
    return changes


def changed_fields(model_names):
    """The camelCase names of changed model fields, sorted: ``["data", "title"]``."""
    return sorted(WRITABLE_FIELDS[name] for name in model_names if name in WRITABLE_FIELDS)


def resource_at(revision, metadata):
    """The resource as it was right after ``revision`` (the single-revision route's ``resource``).

    id, uuid, createdAt and tenant never change; updatedAt is the revision's time; deletedAt is set
    only by a deletion (every other change leaves a live resource).
    """
    when = utc_seconds(revision.created_at)
    return {
        "id": metadata.id,
        "uuid": str(metadata.uuid),
        "createdAt": utc_seconds(metadata.created_at),
        "updatedAt": when,
        "deletedAt": when if revision.operation == "deleted" else None,
        **revision.state,
        "version": revision.version,
        "tenant": str(metadata.tenant_id),
    }


def diff(older_state, newer_state):
    """The RFC 6902 JSON Patch (a list of operations) that turns ``older_state`` into ``newer_state``."""
    return jsonpatch.make_patch(older_state, newer_state).patch


def revision_fields(revision):
    """A revision as the revision routes show it (without ``resource``)."""
    return {
        "version": revision.version,
        "operation": revision.operation,
        "changed": revision.changed,
        "actor": {
            "type": revision.actor_type,
            "uuid": None if revision.actor_uuid is None else str(revision.actor_uuid),
            "user": revision.actor_user or None,
        },
        "requestId": revision.request_id or None,
        "batchId": None if revision.batch_id is None else str(revision.batch_id),
        "createdAt": utc_seconds(revision.created_at),
    }
