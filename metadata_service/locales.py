"""Titles in the caller's language: ``?locale=`` or ``Accept-Language``, chosen by RFC 4647 lookup.

A title is a map of locale to text. When a read names a locale (``?locale=fr-CA``) or, without that
parameter, sends ``Accept-Language``, each title is rendered as the one string that lookup picks: the
requested tags in preference order, each followed by its less specific prefixes (``de-CH`` → ``de``),
then the ``TITLE_FALLBACK_LOCALES`` chain, then the title's first locale in alphabetical order. Tags
compare caselessly, and ``_`` as ``-`` (titles may be keyed ``pt_BR``). The views' mixin in this module
applies it to any response whose items carry ``title``; it knows nothing of the resources themselves.
"""

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.cache import patch_vary_headers
from rest_framework.exceptions import ValidationError

from metadata_service.conf import service_settings

if TYPE_CHECKING:  # what the mixin below is mixed into, for mypy only (at run time its base is object)
    from rest_framework.views import APIView as ViewBase
else:
    ViewBase = object

# RFC 5646 language tags (langtag and private use; the irregular grandfathered tags are not accepted).
BCP47 = re.compile(
    r"^(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[\da-wy-z](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?"
    r"|x(?:-[a-z\d]{1,8})+)$",
    re.IGNORECASE,
)
LANGUAGE_RANGE = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z\d]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([01](?:\.\d{0,3})?))?\s*$")
RANGES_MAX = 20  # of an Accept-Language header; the rest are ignored


def normalized(tag: str) -> str:
    return tag.replace("_", "-").lower()


def is_well_formed(tag: str) -> bool:
    return bool(BCP47.match(tag))


def accept_language_ranges(header: str) -> list[str]:
    """The language ranges of an ``Accept-Language`` header, best first (q=0 and ``*`` dropped, bad ones skipped)."""
    weighted = []
    for position, part in enumerate(header.split(",")[:RANGES_MAX]):
        match = LANGUAGE_RANGE.match(part)
        if not match or match.group(1) == "*":
            continue
        quality = float(match.group(2)) if match.group(2) else 1.0
        if quality > 0:
            weighted.append((-quality, position, match.group(1)))
    return [tag for _, _, tag in sorted(weighted)]


def lookup_chain(tag: str) -> Iterable[str]:
    """RFC 4647 §3.4: the tag, then shorter and shorter prefixes; a prefix ending in a singleton loses it too."""
    subtags = normalized(tag).split("-")
    while subtags:
        yield "-".join(subtags)
        subtags.pop()
        if len(subtags) > 1 and len(subtags[-1]) == 1:
            subtags.pop()
        elif len(subtags) == 1 and len(subtags[0]) == 1:  # a lone "x" (private use) is no language
            subtags.pop()


def choose_locale(available: Iterable[str], ranges: list[str], fallbacks: list[str]) -> str | None:
    """The key of ``available`` that lookup picks for ``ranges``, then ``fallbacks``, then the first by name."""
    keys = sorted(available)
    by_tag: dict[str, str] = {}
    for key in keys:
        by_tag.setdefault(normalized(key), key)
    for tag in [*ranges, *fallbacks]:
        for candidate in lookup_chain(tag):
            if candidate in by_tag:
                return by_tag[candidate]
    return keys[0] if keys else None


def requested_ranges(request) -> list[str] | None:
    """The caller's preferred locales, or None when it asked for none (then titles stay locale maps)."""
    locale = request.query_params.get("locale")
    if locale:  # a blank one (an unfilled form) asks for nothing
        if not is_well_formed(locale):
            raise ValidationError({"locale": ["Must be a well-formed BCP 47 language tag, such as fr or pt-BR."]})
        return [locale]
    header = request.META.get("HTTP_ACCEPT_LANGUAGE")
    if header is None:
        return None
    return accept_language_ranges(header)


def localize_item(item: dict, ranges: list[str], fallbacks: list[str]) -> str | None:
    """Replace the item's title map by one string and add ``titleLocale``; returns the locale used."""
    title = item.get("title")
    if not isinstance(title, dict):
        return None
    locale = choose_locale(title, ranges, fallbacks)
    item["title"] = None if locale is None else title[locale]
    item["titleLocale"] = locale
    return locale


def items_of(data: Any) -> list[dict]:
    """The items of a response body: one item, a plain JSON list, or a Hydra collection's members."""
    if isinstance(data, list):
        return [item for item in data if isinstance(item, dict)]
    if isinstance(data, dict):
        members = data.get("hydra:member")
        if isinstance(members, list):
            return [item for item in members if isinstance(item, dict)]
        if "title" in data:
            return [data]
    return []


class LocalizedTitlesMixin(ViewBase):
    """Views whose responses carry ``title`` maps: render them in the caller's locale when it asks for one.

    Reads that name no locale take one dictionary look-up more than before and keep their bodies; every
    successful read says ``Vary: Accept-Language``. A ``locale`` parameter on a write is a 400.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS") and "locale" in request.query_params:
            raise ValidationError({"locale": ["Writes take and store the whole locale map; drop ?locale=."]})
        self.title_ranges = requested_ranges(request) if request.method in ("GET", "HEAD") else None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code >= 300:
            return response
        patch_vary_headers(response, ["Accept-Language"])
        ranges = getattr(self, "title_ranges", None)
        if ranges is not None:
            fallbacks = list(service_settings.TITLE_FALLBACK_LOCALES)
            used = {localize_item(item, ranges, fallbacks) for item in items_of(response.data)}
            if len(used) == 1 and None not in used:
                response["Content-Language"] = used.pop()
        return response
