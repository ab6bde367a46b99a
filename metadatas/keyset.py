"""Keyset ("cursor") positions in an ordered queryset: where a page ended, and what comes after it.

A cursor is the ordering's key values of the last row a page showed, plus a fingerprint of that
ordering, as URL-safe base64 of JSON. The rows after it are found with an index range condition,
so a page a million rows deep costs what the first page costs (OFFSET would read every row before it).
It is not signed: a tampered cursor can only move the position inside the caller's own rows.
"""

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from rest_framework.exceptions import ValidationError

from metadata_service.json_policy import InvalidJSONDocument, check_json_document

MAX_BIGINT = 2**63 - 1


def in_utc(moment):
    """``moment`` in UTC, the one form in which PostgreSQL takes every value Python reads.

    PostgreSQL refuses offsets beyond ±15:59 and offsets with seconds (``+19:23``, ``+00:06:44.5``),
    which Python accepts. ``ValueError`` for a naive moment or one UTC cannot hold (the year 1 at +01:00).
    The date filters and the cursors both pass their date-times through here.
    """
    if moment.tzinfo is None:
        raise ValueError("a date-time needs a UTC offset")
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("this date-time is out of range") from None


class InvalidCursor(ValidationError):
    """A ``cursor`` parameter this service did not issue for this ordering: 400 naming ``cursor``."""

    def __init__(self, message="The cursor is not valid for this list; start again without it."):
        super().__init__({"cursor": [message]})


class OrderKey:
    """One term of the list's ORDER BY: its expression, direction and where its NULLs sort."""

    def __init__(self, index, order_by):
        self.alias = f"_keyset_{index}"
        self.expression = order_by.expression
        # Compared as plain values (a JSON key's text would otherwise take JSON lookups on SQLite).
        self.value_expression = (
            self.expression if isinstance(self.expression, F) else Cast(self.expression, TextField())
        )
        self.descending = order_by.descending
        # PostgreSQL's default: NULLs sort as if larger than any value.
        self.nulls_first = order_by.nulls_first if order_by.nulls_first or order_by.nulls_last else self.descending

    def output_field(self, model):
        if isinstance(self.expression, F):
            return model._meta.get_field(self.expression.name)
        return TextField()

    def nullable(self, model):
        return not isinstance(self.expression, F) or self.output_field(model).null


def order_keys(queryset):
    """The ordering of ``queryset`` (OrderBy expressions, as the order filter sets it) as keys."""
    return [OrderKey(index, term) for index, term in enumerate(queryset.query.order_by)]


def fingerprint(keys):
    """A short digest of the ordering, so that a cursor is not replayed under another order."""
    text = repr([(repr(key.expression), key.descending, key.nulls_first) for key in keys])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def with_key_values(queryset, keys):
    """``queryset`` with each order key's value selected too, to build the next cursor from."""
    return queryset.annotate(**{key.alias: key.value_expression for key in keys})


def encode(keys, row):
    values = [_to_json(getattr(row, key.alias)) for key in keys]
    document = json.dumps({"o": fingerprint(keys), "v": values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(document.encode()).decode().rstrip("=")


def decode(keys, model, cursor):
    """The key values a cursor holds, checked against the ordering; ``InvalidCursor`` otherwise."""
    try:
        document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursor() from None
    if not isinstance(document, dict) or document.get("o") != fingerprint(keys):
        raise InvalidCursor("The cursor was issued for another order; start again without it.")
    values = document.get("v")
    if not isinstance(values, list) or len(values) != len(keys):
        raise InvalidCursor()
    return [_from_json(key, model, value) for key, value in zip(keys, values, strict=True)]


def rows_after(queryset, keys, values):
    """The rows of ``queryset`` (annotated by ``with_key_values``) placed strictly after ``values``."""
    terms, equal_so_far = [], Q()
    for key, value in zip(keys, values, strict=True):
        after = _strictly_after(key, value)
        if after is not None:
            terms.append(equal_so_far & after)
        equal_so_far &= Q(**{f"{key.alias}__isnull": True}) if value is None else Q(**{key.alias: value})
    if not terms:
        return queryset.none()
    return queryset.filter(_leading_bound(queryset.model, keys[0], values[0]), reduce(or_, terms))


def _strictly_after(key, value):
    if value is None:  # after a NULL come the non-NULLs only when NULLs sort first
        return Q(**{f"{key.alias}__isnull": False}) if key.nulls_first else None
    after = Q(**{f"{key.alias}__{'lt' if key.descending else 'gt'}": value})
    if not key.nulls_first:
        after |= Q(**{f"{key.alias}__isnull": True})
    return after


def _leading_bound(model, key, value):
    """A plain range on the first key (redundant with the OR above) that an index scan can start from."""
    if value is None or key.nullable(model):
        return Q()
    return Q(**{f"{key.alias}__{'lte' if key.descending else 'gte'}": value})


def _to_json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _from_json(key, model, value):
    if value is None:
        if not key.nullable(model):
            raise InvalidCursor()
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidCursor()
    try:
        converted = key.output_field(model).to_python(value)
    except (DjangoValidationError, ValueError, TypeError):
        raise InvalidCursor() from None
    if isinstance(converted, int) and not -MAX_BIGINT <= converted <= MAX_BIGINT:
        raise InvalidCursor()
    try:
        if isinstance(converted, datetime):
            converted = in_utc(converted)
        if isinstance(converted, str):
            check_json_document(converted, max_depth=1)  # no NUL, no lone surrogate
    except (ValueError, InvalidJSONDocument):
        raise InvalidCursor() from None
    return converted
