"""Request body parsing: strict JSON in the three media types the API accepts."""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text):
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


class StrictJSONParser(BaseParser):
    """Parses a UTF-8 JSON body; NaN, infinities, bad UTF-8 and runaway nesting are a 400."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            text = stream.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("The request body is not valid UTF-8.") from None
        try:
            return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
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
