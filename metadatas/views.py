"""The /metadatas REST API, its JSON-LD context, and the Hydra entrypoint and API documentation."""

import uuid

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from idempotency.mixins import IdempotentWritesMixin
from metadata_service.locales import LocalizedTitlesMixin
from metadata_service.parsers import JSONLDParser, StrictJSONParser
from metadata_service.partial_responses import PartialResponsesMixin
from metadata_service.problems import problem_for
from metadatas import hydra, jsonld
from metadatas.batch import BatchOperationFailed, BatchRunner, parse_batch
from metadatas.filters import MetadataFilterBackend, MetadataFilterSet, OrderParameterFilter, boolean_parameter
from metadatas.item_read import ITEM
from metadatas.locking import (
    delete_expected_version,
    expected_version,
    optional_expected_version,
    stale_if_match_as_412,
)
from metadatas.merge_patch import merge_patch_body
from metadatas.models import Metadata
from metadatas.openapi import (
    CONTEXT_OPERATION,
    DOCUMENTATION_OPERATION,
    ENTRYPOINT_CONTEXT_OPERATION,
    ENTRYPOINT_OPERATION,
    METADATA_OPERATIONS,
    RESOURCE_FIELD_DESCRIPTIONS,
)
from metadatas.pagination import PageLimitPagination
from metadatas.renderers import MetadataJSONLDRenderer, MetadataJSONRenderer
from metadatas.serializers import MetadataSerializer, VersionBodySerializer, metadata_representation
from metadatas.services import (
    metadata_create,
    metadata_delete,
    metadata_purge,
    metadata_undelete,
    metadata_update,
)
from metadatas.versioned_items import VersionedItemMixin
from tenants.identity import actor_of_request
from tenants.permissions import ADD, EDIT, IsTenantIdentity, MetadataPermission, browsable_metadata, require_on_owner
from tenants.scoping import TenantScopedViewMixin


@extend_schema_view(**METADATA_OPERATIONS)
class MetadataViewSet(
    IdempotentWritesMixin,
    PartialResponsesMixin,
    LocalizedTitlesMixin,
    VersionedItemMixin,
    TenantScopedViewMixin,
    viewsets.ModelViewSet,
):
    """The caller's tenant's metadata resources: list, read, create, update (PUT, PATCH), delete (soft),
    undelete and purge. ``?deleted=true`` lists or reads deleted ones; every other route sees live ones."""

    queryset = Metadata.objects.all()
    permission_classes = [IsTenantIdentity, MetadataPermission]
    serializer_class = MetadataSerializer
    lookup_field = "uuid"
    filter_backends = [MetadataFilterBackend, OrderParameterFilter]
    filterset_class = MetadataFilterSet
    pagination_class = PageLimitPagination
    renderer_classes = [MetadataJSONLDRenderer, MetadataJSONRenderer]
    parser_classes = [StrictJSONParser, JSONLDParser]
    partial_properties = tuple(MetadataSerializer.Meta.fields)
    jsonld_collection = staticmethod(hydra.searchable_collection)  # PageLimitPagination's JSON-LD document

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":  # owner-scoped browse lists only its owners, in the query
            return queryset.filter(browsable_metadata(self.request.user))
        return queryset

    def get_tenant_scope(self):
        """Which rows this request sees: live ones, deleted ones (``?deleted=true``), or both (undelete, purge)."""
        if self.action in ("list", "retrieve"):
            return {"deleted": boolean_parameter(self.request.query_params, "deleted")}
        if self.operation_name() in ("undelete", "purge"):
            return {"deleted": None}
        return {}

    def operation_name(self):
        """The action, except that DELETE with ``purge=true`` is a purge (its own permission)."""
        if self.action == "destroy" and boolean_parameter(self.request.query_params, "purge"):
            return "purge"
        return self.action

    def filter_queryset(self, queryset):
        """Filters and orders apply to the list; an item is found by its uuid alone (no FilterSet built)."""
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_item(self):
        """``get_object()`` of a read or an update, by the statement compiled once from the tenant-scoped queryset
        (item_read).

        The compiled statement is the live-only one; ``?deleted=true`` reads go through ``get_object()``."""
        if self.get_tenant_scope().get("deleted", False) is not False:
            return self.get_object()
        try:
            item_uuid = uuid.UUID(self.kwargs[self.lookup_field])
        except ValueError:
            raise Http404 from None
        metadata = ITEM.get(tenant_id=self.request.user.tenant_id, uuid=item_uuid)
        if metadata is None:
            raise Http404
        self.check_object_permissions(self.request, metadata)
        return metadata

    def get_item_data(self, item):
        return metadata_representation(item)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        location = reverse("metadata-detail", kwargs={"uuid": serializer.instance.uuid}, request=request)
        return self.item_response(serializer.instance, status.HTTP_201_CREATED, {"Location": location})

    def update(self, request, *args, **kwargs):
        metadata = self.get_item()  # the read's compiled statement: building the queryset cost more than it
        return self.write(metadata, request.data)

    def partial_update(self, request, *args, **kwargs):
        metadata = self.get_item()
        if not isinstance(request.data, dict):
            raise ValidationError({"": ["A merge patch must be a JSON object."]})
        current = {"title": metadata.title, "data": metadata.data}
        return self.write(metadata, merge_patch_body(current, request.data, object_fields=current))

    def destroy(self, request, *args, **kwargs):
        metadata = self.get_object()
        expected = delete_expected_version(request, metadata.version)
        if self.operation_name() == "purge":
            metadata_purge(metadata=metadata, expected_version=expected, actor=actor_of_request(request))
        else:
            metadata_delete(metadata=metadata, expected_version=expected, actor=actor_of_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=False, methods=["post"])
    def batch(self, request, *args, **kwargs):
        """Run ``operations`` in order in one transaction, all or nothing (``metadatas.batch``)."""
        runner = BatchRunner(self)
        try:
            results = runner.run(parse_batch(request.data))
        except BatchOperationFailed as failed:
            return problem_for(failed.error, operation=failed.index)
        return Response({"results": results, "batchId": str(runner.batch_id)})

    @action(detail=True, methods=["post"])
    def undelete(self, request, *args, **kwargs):
        """Make a deleted resource live again; its optional ``version`` (or If-Match) must be current."""
        metadata = self.get_object()
        expected = optional_expected_version(request, version_in_body(request), metadata.version)
        with stale_if_match_as_412(expected):
            metadata = metadata_undelete(
                metadata=metadata,
                expected_version=None if expected is None else expected.version,
                actor=actor_of_request(request),
            )
        return self.item_response(metadata)

    def write(self, metadata, body):
        """Validate a (partial) body and store it with compare-and-swap; PUT and PATCH both end here."""
        serializer = self.get_serializer(metadata, data=body, partial=True)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self.item_response(metadata)

    def perform_create(self, serializer):
        fields = {name: value for name, value in serializer.validated_data.items() if name != "version"}
        require_on_owner(self.request.user, ADD, fields["owner"], fields.get("owner_uuid"))
        serializer.instance = metadata_create(
            tenant_id=self.request.user.tenant_id, fields=fields, actor=actor_of_request(self.request)
        )

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        metadata = serializer.instance
        if "owner" in changes or "owner_uuid" in changes:  # the new owner must be editable too
            new_owner = changes.get("owner", metadata.owner), changes.get("owner_uuid", metadata.owner_uuid)
            require_on_owner(self.request.user, EDIT, *new_owner)
        expected = expected_version(self.request, changes.pop("version", None), metadata.version)
        with stale_if_match_as_412(expected):
            metadata_update(
                metadata=metadata,
                expected_version=expected.version,
                changes=changes,
                actor=actor_of_request(self.request),
            )


def version_in_body(request):
    """The optional ``version`` of a body that may be empty; 400 naming it when it is not a version."""
    data = request.data
    if isinstance(data, dict) and not data:  # no body (or {})
        return None
    if not isinstance(data, dict):  # JSON null, an array, a scalar
        raise ValidationError({"": ["The body must be a JSON object."]})
    serializer = VersionBodySerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data.get("version")


class PublicJSONLDView(APIView):
    """A public JSON-LD document (plain JSON too): what Hydra clients read before they have a token."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    renderer_classes = [MetadataJSONLDRenderer, MetadataJSONRenderer]
    document: dict | None = None

    def get(self, request):
        return Response(self.get_document())

    def get_document(self):
        return self.document


@extend_schema_view(get=CONTEXT_OPERATION)
class MetadataContextView(PublicJSONLDView):
    """The JSON-LD context of the Metadata resource (public: JSON-LD processors fetch it unauthenticated)."""

    document = jsonld.CONTEXT_DOCUMENT


@extend_schema_view(get=ENTRYPOINT_OPERATION)
class EntrypointView(PublicJSONLDView):
    """``/``: the Hydra entrypoint, naming the collections of the API."""

    document = hydra.ENTRYPOINT_DOCUMENT


@extend_schema_view(get=ENTRYPOINT_CONTEXT_OPERATION)
class EntrypointContextView(PublicJSONLDView):
    """The JSON-LD context of the entrypoint."""

    document = hydra.ENTRYPOINT_CONTEXT


@extend_schema_view(get=DOCUMENTATION_OPERATION)
class ApiDocumentationView(PublicJSONLDView):
    """``/docs.jsonld``: the Hydra API documentation (classes, properties, operations)."""

    def get_document(self):
        return hydra.api_documentation(
            title=settings.SPECTACULAR_SETTINGS["TITLE"],
            description=settings.SPECTACULAR_SETTINGS["DESCRIPTION"],
            field_descriptions=RESOURCE_FIELD_DESCRIPTIONS,
        )
