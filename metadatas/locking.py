"""The HTTP side of optimistic locking: ETags, If-Match and If-None-Match."""

import re
from contextlib import contextmanager
from dataclasses import dataclass

from rest_framework.exceptions import ValidationError

from metadatas.exceptions import PreconditionFailed, VersionConflict

ANY = "*"
ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|\Z)')
BARE_VERSION = re.compile(r"\s*(\d{1,18})\s*")
VERSION_REQUIRED = "The version you last read is required, as 'version' in the body or as an If-Match header."


def etag_for(version):
    return f'"{version}"'


@dataclass(frozen=True)
class ExpectedVersion:
    """The version a write expects, and whether it came from If-Match (412) or the body (409)."""

    version: int
    from_if_match: bool


def parse_entity_tags(header, name):
    """``*``, or the (strong, weak) entity-tag values of a conditional header; 400 if malformed."""
    if not header.strip():
        raise ValidationError({name: [f'{name} is empty; send * or a quoted entity tag, like "3".']})
    if header.strip() == ANY:
        return ANY
    bare = BARE_VERSION.fullmatch(header)
    if bare:  # lenient: a version without quotes
        return [(False, bare.group(1))]
    tags, position = [], 0
    while position < len(header):
        match = ENTITY_TAG.match(header, position)
        if not match:
            raise ValidationError({name: [f'{name} must be * or a list of quoted entity tags, like "3".']})
        tags.append((bool(match.group(1)), match.group(2)))
        position = match.end()
    return tags


def if_match_versions(request):
    """Versions named by strong ETags in If-Match; ``ANY`` for ``*``; None without the header."""
    header = request.META.get("HTTP_IF_MATCH")  # not request.headers: that builds a dict of every header
    if header is None:
        return None
    tags = parse_entity_tags(header, "If-Match")
    if tags == ANY:
        return ANY
    return {int(value) for weak, value in tags if not weak and is_version_text(value)}


def is_version_text(value):
    """ASCII digits that fit a version (``str.isdigit`` alone also takes "²", which ``int`` refuses)."""
    return value.isascii() and value.isdigit() and len(value) < 19


def expected_version(request, body_version, current_version):
    """Which version a PUT/PATCH expects: from If-Match or the body's ``version``; 400 if neither."""
    versions = if_match_versions(request)
    if versions is None or versions == ANY:
        if body_version is None:
            raise ValidationError({"version": [VERSION_REQUIRED]})
        return ExpectedVersion(body_version, from_if_match=False)
    if body_version is not None and body_version not in versions:
        raise ValidationError({"version": ["The body's version and the If-Match header disagree."]})
    chosen = current_version if current_version in versions else min(versions, default=0)
    return ExpectedVersion(chosen, from_if_match=True)


def optional_expected_version(request, body_version, current_version):
    """Which version an undelete expects (If-Match or the body's ``version``), or None when it names none."""
    versions = if_match_versions(request)
    if (versions is None or versions == ANY) and body_version is None:
        return None
    return expected_version(request, body_version, current_version)


def delete_expected_version(request, current_version):
    """The version a DELETE expects from its optional If-Match; None for no condition."""
    versions = if_match_versions(request)
    if versions is None or versions == ANY:
        return None
    return current_version if current_version in versions else min(versions, default=0)


def is_not_modified(request, version):
    """Whether If-None-Match already names this version (weak comparison), so a 304 will do."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if header is None:
        return False
    tags = parse_entity_tags(header, "If-None-Match")
    return tags == ANY or any(value == str(version) for _, value in tags)


@contextmanager
def stale_if_match_as_412(expected):
    """A stale version is a 409 when it came in the body, a 412 when it came from If-Match."""
    try:
        yield
    except VersionConflict as conflict:
        if expected is not None and expected.from_if_match:
            raise PreconditionFailed(current_version=conflict.current_version) from None
        raise
