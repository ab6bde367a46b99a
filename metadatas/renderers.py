"""The two formats of the metadata API, chosen by the Accept header."""

from metadata_service.renderers import UTF8JSONRenderer
from metadatas import hydra, jsonld


class MetadataJSONLDRenderer(UTF8JSONRenderer):
    """JSON-LD, the default: an item gains ``@context``, ``@id`` and ``@type``; collections come as Hydra.

    Every JSON-LD response links the Hydra API documentation, as API Platform's do: that header is how
    Hydra clients find it.
    """

    media_type = "application/ld+json"
    format = "jsonld"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        self.announce_documentation(renderer_context or {})
        return super().render(self.jsonld_document(data), accepted_media_type, renderer_context)

    @staticmethod
    def jsonld_document(data):
        """The JSON-LD document of a body: an item gains its keywords; a collection is one already."""
        if isinstance(data, dict) and "@context" not in data and "uuid" in data:
            return jsonld.item_document(data)
        return data

    @staticmethod
    def announce_documentation(renderer_context):
        response, request = renderer_context.get("response"), renderer_context.get("request")
        if response is None or request is None:
            return
        links = [hydra.documentation_link(request)]
        if response.has_header("Link"):
            links.append(response["Link"])
        response["Link"] = ", ".join(links)


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
