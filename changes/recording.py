"""Writing the change feed: the one function each write service calls, in the transaction of its change.

Gap-free, commit-ordered ``seq`` (contract changes.md): the number comes from the tenant's ``changes``
counter (``tenants.counters.next_value``), whose row stays locked until the write's transaction ends.
A second writer of the tenant waits at that row until the first commits (then it reads the raised value)
or rolls back (then it gets the same number again). So within a tenant seqs are handed out in commit
order and a rolled-back write leaves no hole. The cost: a tenant's writers serialize from their event
insert to their commit (docs/architecture.md). On PostgreSQL a trigger on the event table
(``changes/migrations/0002_notify_trigger_tenant_key.py``) calls ``pg_notify`` in the same transaction,
which reaches the listeners (``changes.listener``) only at commit, never for a rollback: a write pays one
statement for its event (the counter and the insert, one data-modifying CTE; two on SQLite).
"""

import json
import uuid
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from changes.listener import wake_readers
from changes.models import ChangeEvent, EventKind
from metadata_service.statements import PreparedRows, Sql, combines_statements, fetch_all
from metadata_service.timestamps import now_to_the_second, utc_seconds
from tenants.counters import next_value, next_values, raising_statement
from tenants.identity import Actor

COUNTER = "changes"
# What a redacted event keeps of its body (contract changes.md, "A purge").
KEPT_WHEN_REDACTED = ("kind", "operation", "uuid", "version", "occurredAt")


def record_metadata_change(
    *,
    tenant_id: uuid.UUID,
    operation: str,
    resource: dict[str, Any],
    changed: list[str],
    actor: Actor,
    batch_id: uuid.UUID | None,
) -> ChangeEvent:
    """The event of a change that left a metadata resource as ``resource`` (its API representation)."""
    body, columns = _metadata_event(operation, resource, changed, actor, batch_id)
    return _append(tenant_id, body, **columns)


def record_metadata_changes(
    *,
    tenant_id: uuid.UUID,
    operation: str,
    resources: list[dict[str, Any]],
    changed: list[str],
    actor: Actor,
    batch_id: uuid.UUID | None,
) -> list[ChangeEvent]:
    """The events of several resources changed alike in one transaction (a batch of creates), in order,
    their seqs taken and their rows inserted in one statement."""
    events = [
        _event(tenant_id, None, *_metadata_event(operation, resource, changed, actor, batch_id))
        for resource in resources
    ]
    if combines_statements():
        _insert_at_next_seqs(tenant_id, events)
    else:
        for seq, event in zip(next_values(tenant_id=tenant_id, name=COUNTER, count=len(events)), events, strict=True):
            event.seq = seq
        ChangeEvent.objects.bulk_create(events)
    _wake_without_notify(tenant_id)
    return events


def _metadata_event(operation, resource, changed, actor, batch_id):
    """The body of a metadata event and the columns its filters and permissions select on."""
    body = {
        "kind": EventKind.METADATA,
        "operation": operation,
        "uuid": resource["uuid"],
        "version": resource["version"],
        "type": resource["type"],
        "owner": resource["owner"],
        "ownerUuid": resource["ownerUuid"],
        "changed": changed,
        **_who(actor, batch_id),
        "occurredAt": resource["updatedAt"],
        "resource": resource,
    }
    columns = {
        "resource_uuid": resource["uuid"],
        "type": resource["type"],
        "owner": resource["owner"],
        "owner_uuid": resource["ownerUuid"],
    }
    return body, columns


def record_linked_change(
    *,
    tenant_id: uuid.UUID,
    operation: str,
    linked_object_type: str,
    identifier: str,
    key: str,
    value: Any,
    version: int,
    occurred_at: datetime,
    actor: Actor,
    batch_id: uuid.UUID | None,
) -> ChangeEvent:
    """The event of a change of one key of linked metadata; ``value`` None for a deletion."""
    body = {
        "kind": EventKind.LINKED_METADATA,
        "operation": operation,
        "uuid": None,
        "version": version,
        "linkedObjectType": linked_object_type,
        "identifier": identifier,
        "key": key,
        "value": None if value is None else json.dumps(value, ensure_ascii=False),
        **_who(actor, batch_id),
        "occurredAt": utc_seconds(occurred_at),
    }
    return _append(tenant_id, body, linked_object_type=linked_object_type, identifier=identifier)


def record_purge(*, tenant_id: uuid.UUID, resource_uuid: uuid.UUID) -> ChangeEvent:
    """The ``purged`` event of a metadata resource; its earlier events keep their place but lose their content."""
    events = ChangeEvent.objects.for_tenant(tenant_id).filter(
        kind=EventKind.METADATA, resource_uuid=resource_uuid, redacted=False
    )
    redacted = []
    for event in events.only("pk", "body"):
        event.body = {**{name: event.body.get(name) for name in KEPT_WHEN_REDACTED}, "redacted": True}
        event.type, event.owner, event.owner_uuid, event.redacted = "", "", None, True
        redacted.append(event)
    ChangeEvent.objects.bulk_update(redacted, ["body", "type", "owner", "owner_uuid", "redacted"], batch_size=500)
    body = {
        "kind": EventKind.METADATA,
        "operation": "purged",
        "uuid": str(resource_uuid),
        "occurredAt": utc_seconds(now_to_the_second()),
    }
    # Shown, like the redacted events, to whoever may view metadata events (no owner left to scope by).
    return _append(tenant_id, body, resource_uuid=str(resource_uuid), redacted=True)


def event_document(event: ChangeEvent) -> dict[str, Any]:
    """The event as readers get it (the JSON body with its ``seq`` first)."""
    return {"seq": event.seq, **event.body}


def _who(actor: Actor, batch_id: uuid.UUID | None) -> dict[str, Any]:
    return {
        "actor": {"type": actor.type, "uuid": None if actor.uuid is None else str(actor.uuid), "user": actor.user},
        "requestId": actor.request_id,
        "batchId": None if batch_id is None else str(batch_id),
    }


def _append(tenant_id, body, **columns):
    """Insert the event at the tenant's next seq; inside the caller's transaction (a write service's,
    with no savepoint of its own), or in one of its own."""
    with transaction.atomic(savepoint=False):
        event = _event(tenant_id, None, body, columns)
        if combines_statements():
            _insert_at_next_seqs(tenant_id, [event])
        else:
            event.seq = next_value(tenant_id=tenant_id, name=COUNTER)
            event.save(force_insert=True)
        _wake_without_notify(tenant_id)
    return event


def _insert_at_next_seqs(tenant_id, events):
    """Take the events' seqs and insert them at those in ONE statement (the counter as a CTE): the counter's
    row is locked from here to the commit, so this is the last statement of a write, and the only one in
    that stretch that the write's own work needs."""
    counter_sql, counter_params = raising_statement(tenant_id, {COUNTER: len(events)})
    last = len(events) - 1
    seqs = [Sql("SELECT value - %s FROM seq", [last - number]) for number in range(len(events))]
    prepared = PreparedRows(events, later=("seq",))
    sql, params = prepared.sql(seq=seqs, returning=("id", "seq"))
    stored = fetch_all(f"WITH seq AS ({counter_sql}) {sql}", [*counter_params, *params])
    for event, (key, seq) in zip(events, stored, strict=True):
        event.pk, event.seq = key, seq
    prepared.mark_stored()


def _event(tenant_id, seq, body, columns):
    return ChangeEvent(
        tenant_id=tenant_id,
        seq=seq,
        kind=body["kind"],
        operation=body["operation"],
        occurred_at=now_to_the_second(),
        body=body,
        **columns,
    )


def _wake_without_notify(tenant_id):
    """Without PostgreSQL's NOTIFY (SQLite), only this process's readers hear of a change, at its commit."""
    if connection.vendor != "postgresql":
        transaction.on_commit(lambda: wake_readers(str(tenant_id)))
