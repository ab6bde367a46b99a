"""``POST /metadatas/batch``: many writes in one transaction, all or nothing (contract automation.md).

Operations run in order, each through the same serializer, permission checks and write service as its
own REST route, each with its own revision carrying the batch's id. The first failing operation ends
the batch: the transaction rolls back whole, and the answer is that operation's problem with its index.
"""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from django.db import transaction
from rest_framework.exceptions import NotFound, ValidationError

from metadata_service.conf import service_settings
from metadata_service.problems import as_api_exception
from metadatas.data_rules import rules_may_remember
from metadatas.exceptions import VersionConflict
from metadatas.merge_patch import merge_patch_body
from metadatas.models import Metadata
from metadatas.serializers import MAX_VERSION
from metadatas.services import metadata_create, metadata_create_many, metadata_delete, metadata_update
from tenants.identity import actor_of_request
from tenants.permissions import ADD, DELETE, EDIT, require_attempt_metadata, require_on_owner

OPERATIONS = ("create", "update", "patch", "delete")
NEEDS_BODY = {"create", "update", "patch"}


class BatchOperationFailed(Exception):
    """The operation at ``index`` failed with ``error`` (an ``APIException``); nothing of the batch is kept."""

    def __init__(self, index, error):
        super().__init__(f"operation {index} failed")
        self.index = index
        self.error = error


@dataclass
class Operation:
    """One checked entry of ``operations``."""

    op: str
    uuid: UUID | None = None
    version: int | None = None
    body: dict[str, Any] = field(default_factory=dict)


def parse_batch(data) -> list[Operation]:
    """The batch's operations, each checked for shape; a 400 naming the first bad field (and its index)."""
    if not isinstance(data, dict):
        raise ValidationError({"": ["A batch must be a JSON object with an 'operations' array."]})
    entries = data.get("operations")
    most = service_settings.BATCH_MAX_OPERATIONS
    if not isinstance(entries, list) or not 1 <= len(entries) <= most:
        raise ValidationError({"operations": [f"Must be an array of 1 to {most} operations."]})
    operations = []
    for index, entry in enumerate(entries):
        try:
            operations.append(parse_operation(entry))
        except ValidationError as exc:
            raise BatchOperationFailed(index, exc) from None
    return operations


def parse_operation(entry) -> Operation:
    if not isinstance(entry, dict):
        raise ValidationError({"": ["An operation must be a JSON object."]})
    op = entry.get("op")
    if op not in OPERATIONS:
        raise ValidationError({"op": [f"Must be one of {', '.join(OPERATIONS)}."]})
    body = entry.get("body")
    if op in NEEDS_BODY and not isinstance(body, dict):
        raise ValidationError({"body": ["Must be a JSON object."]})
    body = body if isinstance(body, dict) else {}  # a delete's body is not read
    if op == "create":
        return Operation(op, body=body)
    return Operation(op, uuid=operation_uuid(entry.get("uuid")), version=operation_version(entry), body=body)


def operation_uuid(value):
    try:
        return UUID(value) if isinstance(value, str) else UUID(int=-1)
    except ValueError:
        raise ValidationError({"uuid": ["Must be the uuid of a resource."]}) from None


def operation_version(entry):
    version = entry.get("version")
    if "version" not in entry:
        raise ValidationError({"version": ["This operation needs the version it expects."]})
    if type(version) is not int or not 1 <= version <= MAX_VERSION:
        raise ValidationError({"version": [f"Must be an integer from 1 to {MAX_VERSION}."]})
    return version


class BatchRunner:
    """Runs checked operations for one request of ``view`` (a ``MetadataViewSet``) in one transaction."""

    def __init__(self, view):
        self.view = view
        self.request = view.request
        self.identity = view.request.user
        self.actor = actor_of_request(view.request)
        self.batch_id = uuid4()

    def run(self, operations: list[Operation]) -> list[dict]:
        """Every operation's result, in order; a run of consecutive creates is stored in one go."""
        results: list[dict] = []
        with transaction.atomic(), rules_may_remember():
            for start, run in runs_of(operations):
                if run[0].op == "create" and len(run) > 1:
                    results.extend(self.perform_creates(start, run))
                else:
                    results.extend(
                        self.guarded(start + offset, getattr(self, f"perform_{op.op}"), op)
                        for offset, op in enumerate(run)
                    )
        return results

    def guarded(self, index, perform, *args):
        """``perform(*args)``; a failure it answers for becomes the batch's, naming ``index``."""
        try:
            return perform(*args)
        except Exception as exc:
            error = as_api_exception(exc)
            if error is None:
                raise  # a bug stays a 500
            raise BatchOperationFailed(index, error) from exc

    def perform_creates(self, start, run):
        """Creates checked one by one, stored together (``metadata_create_many``). When storing fails, they are
        created again one by one, so that the answer names the operation that fails."""
        fields_list = [self.guarded(start + offset, self.create_fields, op) for offset, op in enumerate(run)]
        try:
            created = metadata_create_many(
                tenant_id=self.identity.tenant_id, fields_list=fields_list, actor=self.actor, batch_id=self.batch_id
            )
        except Exception as exc:
            if as_api_exception(exc) is None:
                raise
            created = [
                self.guarded(start + offset, self.create_one, fields) for offset, fields in enumerate(fields_list)
            ]
        return [{"status": 201, "resource": self.view.get_serializer(metadata).data} for metadata in created]

    def perform_create(self, operation):
        metadata = self.create_one(self.create_fields(operation))
        return {"status": 201, "resource": self.view.get_serializer(metadata).data}

    def create_fields(self, operation):
        """The fields of a create, validated, once the caller may add a resource of that owner."""
        require_attempt_metadata(self.identity, ADD)
        serializer = self.view.get_serializer(data=operation.body)
        serializer.is_valid(raise_exception=True)
        fields = {name: value for name, value in serializer.validated_data.items() if name != "version"}
        require_on_owner(self.identity, ADD, fields["owner"], fields.get("owner_uuid"))
        return fields

    def create_one(self, fields):
        return metadata_create(
            tenant_id=self.identity.tenant_id, fields=fields, actor=self.actor, batch_id=self.batch_id
        )

    def perform_update(self, operation, body=None):
        metadata = self.resource(operation, EDIT)
        serializer = self.view.get_serializer(metadata, data=operation.body if body is None else body, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {name: value for name, value in serializer.validated_data.items() if name != "version"}
        if "owner" in changes or "owner_uuid" in changes:  # the new owner must be editable too
            require_on_owner(
                self.identity,
                EDIT,
                changes.get("owner", metadata.owner),
                changes.get("owner_uuid", metadata.owner_uuid),
            )
        metadata_update(
            metadata=metadata,
            expected_version=operation.version,
            changes=changes,
            actor=self.actor,
            batch_id=self.batch_id,
        )
        return {"status": 200, "resource": self.view.get_serializer(metadata).data}

    def perform_patch(self, operation):
        metadata = self.resource(operation, EDIT)
        current = {"title": metadata.title, "data": metadata.data}
        return self.perform_update(operation, merge_patch_body(current, operation.body, object_fields=current))

    def perform_delete(self, operation):
        metadata = self.resource(operation, DELETE)
        if metadata.version != operation.version:
            raise VersionConflict(current_version=metadata.version, given_version=operation.version)
        metadata_delete(metadata=metadata, expected_version=operation.version, actor=self.actor, batch_id=self.batch_id)
        return {"status": 204, "resource": None}

    def resource(self, operation, permission):
        """The live resource of the operation in the caller's tenant (404 otherwise), if the caller may change it."""
        metadata = Metadata.objects.for_tenant(self.identity.tenant_id).filter(uuid=operation.uuid).first()
        if metadata is None:
            raise NotFound("No live resource of this tenant has this uuid.")
        require_on_owner(self.identity, permission, metadata.owner, metadata.owner_uuid)
        return metadata


def runs_of(operations):
    """``(index of the first, operations)`` of each run of consecutive operations of one kind, in order."""
    runs: list[tuple[int, list[Operation]]] = []
    for index, operation in enumerate(operations):
        if runs and runs[-1][1][0].op == operation.op:
            runs[-1][1].append(operation)
        else:
            runs.append((index, [operation]))
    return runs
