"""Request body parsing: strict JSON (``metadata_service.json_policy``) in the three media types the API accepts."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from metadata_service.json_policy import strict_loads


class StrictJSONParser(JSONParser):
    """DRF's JSON parser reading by the service's policy: NaN, infinities, bad UTF-8 and runaway nesting are a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            text = stream.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("The request body is not valid UTF-8.") from None
        try:
            return strict_loads(text)
        except RecursionError:
            raise ParseError("The request body is nested too deeply.") from None
        except ValueError as exc:
            raise ParseError(f"The request body is not valid JSON: {exc}.") from None


class JSONLDParser(StrictJSONParser):
    """A JSON-LD body, read as plain JSON."""

    media_type = "application/ld+json"


class MergePatchParser(StrictJSONParser):
    """An RFC 7396 JSON merge patch."""

    media_type = "application/merge-patch+json"
