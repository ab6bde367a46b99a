"""What a stored JSON document may contain: what PostgreSQL's jsonb and SQLite both hold faithfully."""

import math

SURROGATES = range(0xD800, 0xE000)


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
