"""The revision routes of a resource: list, one revision, the diff between two, and restore."""

from drf_spectacular.utils import extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from idempotency.mixins import IdempotentWritesMixin
from metadata_service.parsers import JSONLDParser, StrictJSONParser
from metadatas import jsonld
from metadatas.exceptions import RevisionNotFound
from metadatas.locking import etag_for, expected_version, stale_if_match_as_412
from metadatas.models import Metadata, MetadataRevision
from metadatas.openapi import REVISION_CONTEXT_OPERATION, REVISION_OPERATIONS
from metadatas.pagination import PageLimitPagination
from metadatas.renderers import MetadataJSONRenderer, RevisionJSONLDRenderer
from metadatas.revisions import diff, model_changes, resource_at, revision_fields
from metadatas.serializers import MetadataSerializer
from metadatas.services import metadata_restore
from metadatas.views import PublicJSONLDView, version_in_body
from tenants.identity import actor_of_request
from tenants.permissions import EDIT, READ, IsTenantIdentity, require_on_owner


def version_from(raw, name):
    """A version number from the path or the query; a 400 naming ``name`` when it is not one."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18 or int(raw) < 1:  # "²".isdigit() too
        raise ValidationError({name: ["Must be a whole number of at least 1."]})
    return int(raw)


def from_version(request, version):
    """The older version of a diff: ``from``, by default the one before ``version``."""
    raw = request.query_params.get("from")
    if raw is None:
        if version == 1:
            raise ValidationError({"from": ["Version 1 is the first: name the version to compare with in from."]})
        return version - 1
    return version_from(raw, "from")


@extend_schema_view(list=REVISION_OPERATIONS["list"], retrieve=REVISION_OPERATIONS["retrieve"])
class MetadataRevisionViewSet(IdempotentWritesMixin, GenericViewSet):
    """The revisions of one resource of the caller's tenant, newest first; a deleted resource's too.

    Reading needs ``metadata:read`` on the resource's current owner; a restore needs ``metadata:edit``
    on both its current owner and the owner it restores.
    """

    permission_classes = [IsTenantIdentity]
    pagination_class = PageLimitPagination
    renderer_classes = [RevisionJSONLDRenderer, MetadataJSONRenderer]
    parser_classes = [StrictJSONParser, JSONLDParser]
    serializer_class = MetadataSerializer  # the resource a restore answers with

    def get_queryset(self):
        return MetadataRevision.objects.for_tenant(self.request.user.tenant_id)

    def resource(self, operation, *, deleted=None):
        """The resource named in the path, once the caller may do ``operation`` on it (404 before 403)."""
        rows = Metadata.objects.for_tenant(self.request.user.tenant_id, deleted=deleted)
        metadata = get_object_or_404(rows, uuid=self.kwargs["uuid"])
        require_on_owner(self.request.user, operation, metadata.owner, metadata.owner_uuid)
        return metadata

    def revision(self, metadata, version):
        found = self.get_queryset().filter(metadata_id=metadata.pk, version=version).first()
        if found is None:
            raise RevisionNotFound()
        return found

    @property
    def jsonld_collection(self):
        return jsonld.revision_collection(self.kwargs["uuid"])

    def list(self, request, uuid):
        metadata = self.resource(READ)
        rows = self.get_queryset().filter(metadata_id=metadata.pk).newest_first()
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([revision_fields(revision) for revision in page])

    def retrieve(self, request, uuid, version):
        version = version_from(version, "version")
        metadata = self.resource(READ)
        revision = self.revision(metadata, version)
        return Response({**revision_fields(revision), "resource": resource_at(revision, metadata)})

    @REVISION_OPERATIONS["diff"]
    def diff(self, request, uuid, version):
        version = version_from(version, "version")
        older = from_version(request, version)
        metadata = self.resource(READ)
        newer_revision = self.revision(metadata, version)
        older_revision = self.get_queryset().filter(metadata_id=metadata.pk, version=older).first()
        if older_revision is None:
            raise ValidationError({"from": [f"This resource has no revision {older} (never written, or pruned)."]})
        patch = diff(older_revision.state, newer_revision.state)
        return Response({"from": older, "version": version, "patch": patch})

    @REVISION_OPERATIONS["restore"]
    def restore(self, request, uuid, version):
        version = version_from(version, "version")
        metadata = self.resource(EDIT, deleted=False)
        revision = self.revision(metadata, version)
        restored = model_changes(revision.state)
        require_on_owner(request.user, EDIT, restored["owner"], restored["owner_uuid"])
        expected = expected_version(request, version_in_body(request), metadata.version)
        with stale_if_match_as_412(expected):
            metadata_restore(
                metadata=metadata, revision=revision, expected_version=expected.version, actor=actor_of_request(request)
            )
        body = MetadataSerializer(metadata).data
        return Response(body, status=status.HTTP_200_OK, headers={"ETag": etag_for(metadata.version)})


@extend_schema_view(get=REVISION_CONTEXT_OPERATION)
class MetadataRevisionContextView(PublicJSONLDView):
    """The JSON-LD context of a revision (public, like the resource's)."""

    renderer_classes = [RevisionJSONLDRenderer, MetadataJSONRenderer]
    document = jsonld.REVISION_CONTEXT_DOCUMENT
