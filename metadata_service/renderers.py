"""JSON rendering shared by every API view."""

import orjson
from django.urls import NoReverseMatch, reverse
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Datetimes go through DRF's encoder, so that orjson and the fallback write them the same way.
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
# DRF escapes these two for JavaScript; so does this renderer, byte for byte the same output.
JS_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))
# The Hydra API documentation, found by its URL name: the app that serves it (metadatas) says what is in it.
DOCUMENTATION_URL_NAME = "hydra-documentation"
DOCUMENTATION_REL = "http://www.w3.org/ns/hydra/core#apiDocumentation"


class UTF8JSONRenderer(JSONRenderer):
    """Compact UTF-8 JSON written by orjson; ``Content-Type`` says ``charset=utf-8``.

    The bytes are those DRF's own renderer writes. What orjson refuses (integers beyond 64 bits,
    an ``indent`` asked for in the Accept header) falls back to DRF's renderer.
    """

    charset = "utf-8"
    _encoder = JSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=self._encoder.default, option=ORJSON_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError is a TypeError
            return super().render(data, accepted_media_type, renderer_context)
        for raw, escaped in JS_LINE_SEPARATORS:
            if raw in rendered:
                rendered = rendered.replace(raw, escaped)
        return rendered


class JSONLDRenderer(UTF8JSONRenderer):
    """JSON-LD: every answer links the Hydra API documentation, as API Platform's do (that ``Link`` header
    is how Hydra clients find it). Subclasses shape the documents; the link is the same for every route."""

    media_type = "application/ld+json"
    format = "jsonld"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        self.announce_documentation(renderer_context or {})
        return super().render(data, accepted_media_type, renderer_context)

    @staticmethod
    def announce_documentation(renderer_context):
        response, request = renderer_context.get("response"), renderer_context.get("request")
        if response is None or request is None:
            return
        try:
            path = reverse(DOCUMENTATION_URL_NAME)
        except NoReverseMatch:  # no app serves the documentation: nothing to announce
            return
        links = [f'<{request.build_absolute_uri(path)}>; rel="{DOCUMENTATION_REL}"']
        if response.has_header("Link"):
            links.append(response["Link"])
        response["Link"] = ", ".join(links)
