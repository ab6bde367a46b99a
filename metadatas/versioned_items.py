"""What the viewsets of versioned resources (``/metadatas``, ``/metadata-types``) share on an item.

Every item answer carries its version as the ETag, a read whose ``If-None-Match`` names the current
version is a 304, and a PATCH body may be a JSON merge patch. The ETag rules are in ``metadatas/locking.py``.
"""

from typing import TYPE_CHECKING

from rest_framework import status
from rest_framework.response import Response

from metadata_service.parsers import MergePatchParser
from metadatas.locking import etag_for, is_not_modified

if TYPE_CHECKING:  # what the mixin below is mixed into, for mypy only (at run time its base is object)
    from rest_framework.generics import GenericAPIView as ViewBase
else:
    ViewBase = object


class VersionedItemMixin(ViewBase):
    """ETags on item answers, conditional GET (304) and merge-patch PATCH bodies for a DRF viewset.

    Hooks: ``get_item()`` finds the item of a read (``get_object()`` by default); ``get_item_data(item)`` is
    its representation (the serializer's by default)."""

    def initialize_request(self, request, *args, **kwargs):
        drf_request = super().initialize_request(request, *args, **kwargs)
        if request.method == "PATCH":  # only PATCH takes application/merge-patch+json
            drf_request.parsers = [*drf_request.parsers, MergePatchParser()]
        return drf_request

    def retrieve(self, request, *args, **kwargs):
        item = self.get_item()
        if is_not_modified(request, item.version):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag_for(item.version)})
        return Response(self.get_item_data(item), headers={"ETag": etag_for(item.version)})

    def get_item(self):
        return self.get_object()

    def get_item_data(self, item):
        return self.get_serializer(item).data

    def item_response(self, item, status_code=status.HTTP_200_OK, headers=None):
        """An item after a write, with its new ETag (and e.g. a ``Location`` for a 201): the same body as a
        read's (``get_item_data``), so a viewset that writes its representation directly saves a write the
        serializer it would build just to call that."""
        headers = {"ETag": etag_for(item.version), **(headers or {})}
        return Response(self.get_item_data(item), status=status_code, headers=headers)
