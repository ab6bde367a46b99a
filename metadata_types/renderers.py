"""The two formats of /metadata-types, chosen by the Accept header."""

from metadata_service.renderers import JSONLDRenderer, UTF8JSONRenderer
from metadata_types import jsonld


class MetadataTypeJSONLDRenderer(JSONLDRenderer):
    """JSON-LD, the default: a type gains ``@context``, ``@id`` and ``@type``; the list is a Hydra collection
    (the ``Link`` to the API documentation comes with ``JSONLDRenderer``)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return super().render(self.jsonld_document(data), accepted_media_type, renderer_context)

    @staticmethod
    def jsonld_document(data):
        """The JSON-LD document of a body: the list becomes a Hydra collection, a type gains its keywords."""
        if isinstance(data, list):
            return jsonld.collection_document(data)
        if isinstance(data, dict) and "@context" not in data and "name" in data and "version" in data:
            return jsonld.item_document(data)
        return data


class MetadataTypeJSONRenderer(UTF8JSONRenderer):
    """Plain JSON: a type is an object, the list a bare array."""

    format = "json"
