"""JSON rendering shared by every API view."""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Datetimes go through DRF's encoder, so that orjson and the fallback write them the same way.
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
# DRF escapes these two for JavaScript; so does this renderer, byte for byte the same output.
JS_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


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
