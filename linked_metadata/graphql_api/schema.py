"""The schema of contract graphql.md: key/value metadata on accounts and account users, as Kraken serves it.

Resolvers stay thin: who asks (``access``), then one service call (``linked_metadata.services``) or one
tenant-scoped query. Errors are the services' exceptions, shaped for clients by ``errors``.
"""

import json
from contextlib import contextmanager

import graphene
from graphql import StringValueNode, Undefined
from rest_framework.exceptions import ValidationError

from linked_metadata.exceptions import LinkedMetadataKeyNotFound
from linked_metadata.graphql_api.access import caller, require_mutate, require_view
from linked_metadata.graphql_api.errors import at_input_path
from linked_metadata.models import LinkedMetadata
from linked_metadata.models import LinkedObjectType as LinkedObjectTypes
from linked_metadata.rules import JSONText, clean_linked_input
from linked_metadata.services import (
    linked_metadata_create,
    linked_metadata_delete,
    linked_metadata_upsert,
    linked_revisions,
)
from metadata_service.conf import service_settings
from metadata_service.timestamps import utc_seconds
from tenants.identity import actor_of_identity


class JSONString(graphene.Scalar):
    """A JSON document written as a string, e.g. "{\\"pet_type\\": \\"dog\\"}".

    Input is handed to the services as ``JSONText`` and parsed there, so that text that is not JSON is
    an "Invalid data." error naming ``value``. Output is the JSON text of the stored document.
    """

    @staticmethod
    def serialize(value):
        return value if isinstance(value, str) else json.dumps(value)

    @staticmethod
    def parse_value(value):
        return JSONText(value)

    @staticmethod
    def parse_literal(node, _variables=None):
        return JSONText(node.value) if isinstance(node, StringValueNode) else Undefined


# The model's choices, the one definition of the linked-object types (a resolver gets the model's member).
LinkedObjectType = graphene.Enum.from_enum(
    LinkedObjectTypes,
    description="What the metadata hangs on: ACCOUNT (identifier: account number) or ACCOUNT_USER (identifier: email).",
)


class Metadata(graphene.ObjectType):
    """One key of a linked object's metadata and its JSON value."""

    key = graphene.String(required=True)
    value = JSONString(required=True)

    @staticmethod
    def resolve_value(row, info):
        return json.dumps(row.value)  # text, so that a stored JSON null is "null", not a missing value


class MetadataInput(graphene.InputObjectType):
    """A key and value for one account or account user."""

    linked_object_type = LinkedObjectType(required=True)
    identifier = graphene.String(required=True, description="Account number for ACCOUNT, email for ACCOUNT_USER.")
    key = graphene.String(required=True, description="1 to 255 characters.")
    value = JSONString(required=True, description="A JSON document as a string, at most 64 KiB.")


class DeleteMetadataInput(graphene.InputObjectType):
    """The key to remove from one account or account user."""

    linked_object_type = LinkedObjectType(required=True)
    identifier = graphene.String(required=True)
    key = graphene.String(required=True)


@contextmanager
def input_errors_at(*prefix):
    """Validation errors raised inside name their fields under ``prefix`` in ``validationErrors``."""
    try:
        yield
    except ValidationError as exc:
        raise at_input_path(exc, *prefix) from None


def write_metadata(info, service, data, **extra):
    """Check the caller may change the object's metadata, then call ``service`` in the caller's tenant."""
    identity = caller(info.context)
    require_mutate(identity, data.linked_object_type.value, data.identifier)
    with input_errors_at("input"):
        return service(
            tenant_id=identity.tenant_id,
            linked_object_type=data.linked_object_type.value,
            identifier=data.identifier,
            key=data.key,
            actor=actor_of_identity(identity, request_id=getattr(info.context, "request_id", None)),
            **extra,
        )


def readable_rows(info, linked_object_type, identifier, key=None):
    """The caller's tenant's rows of one linked object (and key), once it may view them."""
    identity = caller(info.context)
    require_view(identity, linked_object_type.value, identifier)
    with input_errors_at():
        clean = clean_linked_input(linked_object_type=linked_object_type.value, identifier=identifier, key=key)
    rows = LinkedMetadata.objects.for_tenant(identity.tenant_id).filter(
        linked_object_type=clean.linked_object_type, identifier=clean.identifier
    )
    return rows if key is None else rows.filter(key=clean.key)


class RevisionActor(graphene.ObjectType):
    """Who made a change: the token's identity type and uuid, or the admin's user."""

    type = graphene.String(required=True)
    uuid = graphene.String()
    user = graphene.String()


class MetadataRevision(graphene.ObjectType):
    """One change of a key: its version after the change, what it did, the value then, who, when."""

    version = graphene.Int(required=True)
    operation = graphene.String(required=True, description="created, updated or deleted")
    value = JSONString(description="The value after the change; null for a deletion.")
    actor = graphene.Field(RevisionActor, required=True)
    created_at = graphene.String(required=True, description="UTC, to the second: 2018-07-18T19:20:17+00:00")

    @staticmethod
    def resolve_value(revision, info):
        return None if revision.operation == "deleted" else json.dumps(revision.value)

    @staticmethod
    def resolve_actor(revision, info):
        uuid = None if revision.actor_uuid is None else str(revision.actor_uuid)
        return RevisionActor(type=revision.actor_type, uuid=uuid, user=revision.actor_user or None)

    @staticmethod
    def resolve_created_at(revision, info):
        return utc_seconds(revision.created_at)


def readable_revisions(info, linked_object_type, identifier, key, first):
    """The newest ``first`` revisions of one key (a deleted key's too), with the access of metadataForKey."""
    identity = caller(info.context)
    require_view(identity, linked_object_type.value, identifier)
    most = service_settings.PAGE_SIZE_MAX
    with input_errors_at():
        if first is None or not 1 <= first <= most:
            raise ValidationError({"first": [f"Must be a whole number from 1 to {most}."]})
        clean = clean_linked_input(linked_object_type=linked_object_type.value, identifier=identifier, key=key)
    return linked_revisions(identity.tenant_id, clean.linked_object_type, clean.identifier, clean.key)[:first]


class CreateMetadata(graphene.Mutation):
    """Add a key to an account or account user; KT-CT-8414 if the key exists."""

    class Arguments:
        input = MetadataInput(required=True)

    metadata = graphene.Field(Metadata)

    @staticmethod
    def mutate(root, info, input):
        return CreateMetadata(metadata=write_metadata(info, linked_metadata_create, input, value=input.value))


class UpdateMetadata(graphene.Mutation):
    """Create a key on an account or account user, or replace its value (an upsert, as the seed documents)."""

    class Arguments:
        input = MetadataInput(required=True)

    metadata = graphene.Field(Metadata)

    @staticmethod
    def mutate(root, info, input):
        return UpdateMetadata(metadata=write_metadata(info, linked_metadata_upsert, input, value=input.value))


class DeleteMetadata(graphene.Mutation):
    """Remove a key from an account or account user and return it as it was; KT-CT-8415 if absent."""

    class Arguments:
        input = DeleteMetadataInput(required=True)

    metadata = graphene.Field(Metadata)

    @staticmethod
    def mutate(root, info, input):
        return DeleteMetadata(metadata=write_metadata(info, linked_metadata_delete, input))


class Query(graphene.ObjectType):
    """Reading metadata of one account or account user."""

    metadata = graphene.List(
        graphene.NonNull(Metadata),
        required=True,
        linked_object_type=LinkedObjectType(required=True),
        identifier=graphene.String(required=True),
        description="Every key of the object, ordered by key.",
    )
    metadata_for_key = graphene.Field(
        Metadata,
        linked_object_type=LinkedObjectType(required=True),
        identifier=graphene.String(required=True),
        key=graphene.String(required=True),
        description="One key of the object; KT-CT-8415 if absent.",
    )
    metadata_revisions = graphene.List(
        graphene.NonNull(MetadataRevision),
        required=True,
        linked_object_type=LinkedObjectType(required=True),
        identifier=graphene.String(required=True),
        key=graphene.String(required=True),
        first=graphene.Int(default_value=20, description="How many, newest first: 1 to PAGE_SIZE_MAX (100)."),
        description="The key's revisions, newest first (a deleted key's too); the access of metadataForKey.",
    )

    @staticmethod
    def resolve_metadata(root, info, linked_object_type, identifier):
        return readable_rows(info, linked_object_type, identifier).order_by("key")

    @staticmethod
    def resolve_metadata_for_key(root, info, linked_object_type, identifier, key):
        row = readable_rows(info, linked_object_type, identifier, key).first()
        if row is None:
            raise LinkedMetadataKeyNotFound()
        return row

    @staticmethod
    def resolve_metadata_revisions(root, info, linked_object_type, identifier, key, first=20):
        return readable_revisions(info, linked_object_type, identifier, key, first)


class Mutation(graphene.ObjectType):
    """Writing metadata of accounts and account users."""

    create_metadata = CreateMetadata.Field()
    update_metadata = UpdateMetadata.Field()
    delete_metadata = DeleteMetadata.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
