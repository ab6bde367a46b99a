"""The service's one JSON policy: how text is read as JSON, and what a stored document may contain.

Reading refuses what Python's json accepts beyond JSON (NaN, Infinity) and numbers beyond a float's range;
a stored document holds only what PostgreSQL's jsonb and SQLite both keep faithfully (no NUL, no lone
surrogate, a bounded depth). The request parsers (``metadata_service.parsers``), the REST serializer and the
linked-metadata rules all use this module.
"""

import json
import math

SURROGATES = range(0xD800, 0xE000)


class NotJSONConstant(ValueError):
    """NaN, Infinity or -Infinity: Python's json reads them, JSON has no such values."""

    def __init__(self, name):
        super().__init__(f"{name} is not a JSON number")
        self.name = name


class NumberOutOfRange(ValueError):
    """A number too large for a float (it would be read as infinity)."""


def strict_loads(text):
    """The one JSON document in ``text``; ``ValueError`` (or a subclass above) when it is not strict JSON."""
    return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)


def _reject_constant(name):
    raise NotJSONConstant(name)


def _finite_float(text):
    value = float(text)
    if math.isinf(value):
        raise NumberOutOfRange(f"the number {text[:40]} is out of range")
    return value


class InvalidJSONDocument(ValueError):
    """A JSON value that cannot be stored as it is (too deep, NUL, lone surrogate, non-finite)."""


def check_json_document(value, max_depth):
    """Raise ``InvalidJSONDocument`` if ``value`` nests deeper than ``max_depth`` or holds unstorable text."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)) and depth > max_depth:
            raise InvalidJSONDocument(f"nests deeper than {max_depth} levels")
        if isinstance(item, dict):
            for key, child in item.items():
                _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            _check_text(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise InvalidJSONDocument("holds a number out of range")


def _check_text(text):
    if "\x00" in text:
        raise InvalidJSONDocument("holds a NUL character (\\u0000)")
    if any(ord(char) in SURROGATES for char in text):
        raise InvalidJSONDocument("holds a lone UTF-16 surrogate")
