"""The /metadata-types REST API."""

from drf_spectacular.utils import extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse

from idempotency.mixins import IdempotentWritesMixin
from metadata_service.locales import LocalizedTitlesMixin
from metadata_service.parsers import JSONLDParser, StrictJSONParser
from metadata_service.partial_responses import PartialResponsesMixin
from metadata_types import jsonld
from metadata_types.models import MetadataType
from metadata_types.openapi import CHECK_OPERATION, CONTEXT_OPERATION, TYPE_OPERATIONS
from metadata_types.renderers import MetadataTypeJSONLDRenderer, MetadataTypeJSONRenderer
from metadata_types.serializers import RESPONSE_FIELDS, MetadataTypeSerializer, SchemaCheckSerializer
from metadata_types.services import (
    compatibility_report,
    metadata_type_create,
    metadata_type_delete,
    metadata_type_update,
)
from metadatas.locking import delete_expected_version, expected_version, stale_if_match_as_412
from metadatas.merge_patch import merge_patch_body
from metadatas.versioned_items import VersionedItemMixin
from metadatas.views import PublicJSONLDView
from tenants.permissions import IsTenantIdentity, MetadataTypePermission
from tenants.scoping import TenantScopedViewMixin

BOOLEAN_WORDS = {"true": True, "1": True, "false": False, "0": False, "": False}


def force_parameter(request) -> bool:
    """``?force=true`` stores a schema that stored resources fail; 400 for a value that is not a boolean."""
    raw = request.query_params.get("force", "false").strip().lower()
    if raw not in BOOLEAN_WORDS:
        raise ValidationError({"force": ["Must be true or false."]})
    return BOOLEAN_WORDS[raw]


@extend_schema_view(**TYPE_OPERATIONS)
class MetadataTypeViewSet(
    IdempotentWritesMixin,
    PartialResponsesMixin,
    LocalizedTitlesMixin,
    VersionedItemMixin,
    TenantScopedViewMixin,
    viewsets.ModelViewSet,
):
    """The caller's tenant's metadata types: list, read, define, change (PUT, PATCH), delete, and check."""

    queryset = MetadataType.objects.order_by("name")
    permission_classes = [IsTenantIdentity, MetadataTypePermission]
    serializer_class = MetadataTypeSerializer
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    pagination_class = None
    renderer_classes = [MetadataTypeJSONLDRenderer, MetadataTypeJSONRenderer]
    parser_classes = [StrictJSONParser, JSONLDParser]
    partial_properties = RESPONSE_FIELDS

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = {name: value for name, value in serializer.validated_data.items() if name != "version"}
        force = force_parameter(request)
        metadata_type = metadata_type_create(tenant_id=request.user.tenant_id, fields=fields, force=force)
        location = reverse("metadata-type-detail", kwargs={"name": metadata_type.name}, request=request)
        return self.item_response(metadata_type, status.HTTP_201_CREATED, {"Location": location})

    def update(self, request, *args, **kwargs):
        return self.write(self.get_object(), request.data)

    def partial_update(self, request, *args, **kwargs):
        metadata_type = self.get_object()
        if not isinstance(request.data, dict):
            raise ValidationError({"": ["A merge patch must be a JSON object."]})
        current = {"title": metadata_type.title, "schema": metadata_type.schema}
        return self.write(metadata_type, merge_patch_body(current, request.data, object_fields=["title"]))

    def destroy(self, request, *args, **kwargs):
        metadata_type = self.get_object()
        expected = delete_expected_version(request, metadata_type.version)
        metadata_type_delete(metadata_type=metadata_type, expected_version=expected)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @CHECK_OPERATION
    @action(detail=True, methods=["post"])
    def check(self, request, *args, **kwargs):
        """The compatibility report of a candidate schema, without storing anything."""
        metadata_type = self.get_object()
        serializer = SchemaCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        schema = serializer.validated_data["schema"]
        report = compatibility_report(tenant_id=metadata_type.tenant_id, name=metadata_type.name, schema=schema)
        return Response(report.as_dict())

    def write(self, metadata_type, body):
        """Validate a (partial) body and store it with compare-and-swap; PUT and PATCH both end here."""
        serializer = self.get_serializer(metadata_type, data=body, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        expected = expected_version(self.request, changes.pop("version", None), metadata_type.version)
        force = force_parameter(self.request)
        with stale_if_match_as_412(expected):
            metadata_type_update(
                metadata_type=metadata_type, expected_version=expected.version, changes=changes, force=force
            )
        return self.item_response(metadata_type)


@extend_schema_view(get=CONTEXT_OPERATION)
class MetadataTypeContextView(PublicJSONLDView):
    """The JSON-LD context of the MetadataType resource (public, like the Metadata context)."""

    renderer_classes = [MetadataTypeJSONLDRenderer, MetadataTypeJSONRenderer]
    document = jsonld.CONTEXT_DOCUMENT
