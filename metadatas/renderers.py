"""The two formats of the metadata API, chosen by the Accept header."""

from metadata_service.renderers import JSONLDRenderer, UTF8JSONRenderer
from metadatas import jsonld


class MetadataJSONLDRenderer(JSONLDRenderer):
    """JSON-LD, the default: an item gains ``@context``, ``@id`` and ``@type``; collections come as Hydra
    (the ``Link`` to the API documentation comes with ``JSONLDRenderer``)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return super().render(self.jsonld_document(data), accepted_media_type, renderer_context)

    @staticmethod
    def jsonld_document(data):
        """The JSON-LD document of a body: an item gains its keywords; a collection is one already."""
        if isinstance(data, dict) and "@context" not in data and "uuid" in data:
            return jsonld.item_document(data)
        return data


class RevisionJSONLDRenderer(MetadataJSONLDRenderer):
    """JSON-LD of the revision routes: a revision gains ``@context``, ``@id`` and ``@type``; a restored
    resource is rendered as the resource routes render it."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        if isinstance(data, dict) and "@context" not in data and "operation" in data and view is not None:
            data = jsonld.revision_document(view.kwargs["uuid"], data)
        return super().render(data, accepted_media_type, renderer_context)


class MetadataJSONRenderer(UTF8JSONRenderer):
    """Plain JSON: an item is an object, a list a bare array (counts and links ride in headers)."""

    format = "json"
