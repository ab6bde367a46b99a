"""How the /metadatas API appears in the OpenAPI document (drf-spectacular).

Parameters are derived from the FilterSet, the order filter and the paginator, so that a filter
added there shows up here. Examples use the service's own sample values.
"""

import copy
import re

from django import forms
from django.core.validators import RegexValidator
from django_filters import IsoDateTimeFilter
from drf_spectacular.extensions import OpenApiFilterExtension, OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from metadata_service.conf import service_settings
from metadata_service.openapi import HYDRA_SEARCH, problem_responses, schema_component
from metadatas import hydra, jsonld
from metadatas.filters import AnyOfFilter, MetadataFilterSet, OrderParameterFilter
from metadatas.models import TITLE_MAX_CHARS
from metadatas.serializers import LOCALE_PATTERN, MAX_VERSION, MetadataSerializer

JSON, JSONLD, MERGE_PATCH = "application/json", "application/ld+json", "application/merge-patch+json"
# Strings are trimmed, so one of only spaces is blank (a 400); NUL is refused anywhere.
NOT_BLANK = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
# An RFC 9110 entity-tag list, ``*``, or a bare version: what If-Match and If-None-Match accept.
ENTITY_TAGS = r'^[ \t]*(\*|[0-9]{1,18}|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)[ \t]*$'

# --- Sample values (the documents' own, not a real tenant's) --------------------------------------

SAMPLE = {
    "id": 7,
    "uuid": "6a1d0c52-93f4-4b8e-a7d5-2e9c4f61b03a",
    "createdAt": "2024-03-05T09:15:42+00:00",
    "updatedAt": "2024-03-05T09:15:42+00:00",
    "owner": "Team",
    "ownerUuid": "b84e2f19-0c6d-4d3a-9e57-7f1a2c3d4e5f",
    "title": {"en": "Sign-in providers", "fr": "Fournisseurs de connexion"},
    "slug": "sign-in-providers",
    "type": "authentication",
    "data": ["GitLab", "Microsoft", "Apple"],
    "version": 1,
    "tenant": "d2c7e9a4-5b18-4f60-8c3e-91a0b7f4e626",
    "deletedAt": None,
}
SAMPLE_NEW = {key: SAMPLE[key] for key in ("owner", "ownerUuid", "title", "slug", "type", "data")}
SAMPLE_CHANGE = {"data": ["GitLab", "Microsoft"], "version": 1}
SAMPLE_UPDATED = {**SAMPLE, **SAMPLE_CHANGE, "version": 2, "updatedAt": "2024-03-06T16:02:11+00:00"}

# --- Schemas the serializers cannot express -------------------------------------------------------

TITLE_SCHEMA = {
    "type": "object",
    "description": "Locale code to title; at least one entry. The list filter `title` searches every locale.",
    "minProperties": 1,
    "propertyNames": {"pattern": LOCALE_PATTERN.pattern},
    "additionalProperties": {"type": "string", "minLength": 1, "maxLength": TITLE_MAX_CHARS, "pattern": NOT_BLANK},
    "examples": [SAMPLE["title"]],
}
# oneOf two typed branches, not ``"type": ["object", "array"]``: generators turn each branch into a
# type (an open object, a list of anything) where a list of types gives them nothing to build.
DATA_SCHEMA = {
    "oneOf": [{"type": "object", "additionalProperties": True}, {"type": "array", "items": {}}],
    "description": f"Any JSON object or array (not a bare scalar), nested at most "
    f"{service_settings.JSON_MAX_DEPTH} levels; strings may not hold NUL.",
    "examples": [SAMPLE["data"]],
}
LOCALIZED_TITLE = {
    "type": "string",
    "description": "With `?locale=` or `Accept-Language`: the title in the locale RFC 4647 lookup picks "
    "(then `TITLE_FALLBACK_LOCALES`, then the first locale by name); `titleLocale` says which.",
}
TITLE_LOCALE = {"type": "string", "description": "With `?locale=` or `Accept-Language`: the locale of `title`."}
LOCALE = OpenApiParameter(
    "locale",
    {"type": "string", "pattern": "^[A-Za-z0-9-]{0,35}$"},
    OpenApiParameter.QUERY,
    description="A BCP 47 tag such as `fr` or `pt-BR` (a malformed one is a 400): renders each `title` as one "
    "string chosen by RFC 4647 lookup and adds `titleLocale`. Without it, `Accept-Language` does the same; "
    "without either (or blank), titles are locale maps. Example: `fr-CA`.",
)


def partial_responses_text(names):
    """How ``properties[]=`` selects fields (metadata_service/partial_responses.py), for an operation's description.

    It is told, not listed as a parameter: the response schemas say every field is present (generated
    clients type them as such), which a partial answer would contradict.
    """
    return (
        "\n\n**Partial responses**: `properties[]=uuid&properties[]=title` returns only those fields of each item "
        "(JSON-LD keeps `@context`, `@id` and `@type`; `title` keeps `titleLocale`); `properties=` and "
        f"`properties[0]=` work too. The names: {', '.join(f'`{name}`' for name in names)}. Blank values are "
        "ignored; an unknown name, or a nested selection such as `properties[data][]=`, is a 400 naming it. "
        "A partial item has the same ETag. Without it, every field is returned."
    )


PARTIAL_RESPONSES = partial_responses_text(MetadataSerializer.Meta.fields)
VARY_BY_LANGUAGE = OpenApiParameter(
    "Vary",
    {"type": "string", "pattern": "Accept-Language"},
    OpenApiParameter.HEADER,
    response=[200],
    description="`Accept, Accept-Language` (and `Origin`, for CORS): a read's body depends on both headers "
    "(the format, and the title's locale).",
)
VARY_BY_FORMAT = {
    "description": "`Accept` (and `Origin`, for CORS) where the format was negotiated: the body's format depends "
    "on the Accept header. A path no route matches (a 404 of Django's resolver) varies by `Origin` only.",
    "schema": {"type": "string"},
}
# Answered before DRF negotiates a format (the body-size guard, gunicorn): they do not vary by Accept.
UNNEGOTIATED_STATUSES = ("411", "413", "414")
CONTENT_LANGUAGE = OpenApiParameter(
    "Content-Language",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description="With a locale asked for: the locale every title of the answer used, when they all agree.",
)
JSONLD_KEYS = {
    "@id": {"type": "string", "description": "`/metadatas/{uuid}`", "examples": [jsonld.resource_path(SAMPLE["uuid"])]},
    "@type": {"const": jsonld.RESOURCE_TYPE},
}
METADATA_REF = {"$ref": "#/components/schemas/Metadata"}
JSONLD_MEMBER = schema_component(
    "MetadataJsonLdMember",
    {
        "description": "A resource inside a Hydra collection: its fields plus `@id` and `@type`.",
        "allOf": [METADATA_REF, {"type": "object", "required": ["@id", "@type"], "properties": JSONLD_KEYS}],
    },
)
JSONLD_ITEM = schema_component(
    "MetadataJsonLd",
    {
        "description": "A resource in JSON-LD: its fields plus `@context`, `@id` and `@type`.",
        "allOf": [
            METADATA_REF,
            {
                "type": "object",
                "required": ["@context", "@id", "@type"],
                "properties": {"@context": {"const": jsonld.CONTEXT_PATH}, **JSONLD_KEYS},
            },
        ],
    },
)
HYDRA_VIEW_LINKS = ("hydra:first", "hydra:last", "hydra:previous", "hydra:next")
HYDRA_COLLECTION = schema_component(
    "MetadataHydraCollection",
    {
        "type": "object",
        "description": "A page of resources in JSON-LD. `hydra:view` appears when there is more than one page "
        "(or the page asked for is not the first).",
        "required": ["@context", "@id", "@type", "hydra:member", "hydra:totalItems", "hydra:search"],
        "properties": {
            "@context": {"const": jsonld.CONTEXT_PATH},
            "@id": {"const": jsonld.COLLECTION_PATH},
            "@type": {"const": "hydra:Collection"},
            "hydra:member": {"type": "array", "items": JSONLD_MEMBER},
            "hydra:totalItems": {"type": "integer", "minimum": 0, "description": "Every match, not just this page."},
            "hydra:search": HYDRA_SEARCH,
            "hydra:view": {
                "type": "object",
                "required": ["@id", "@type", "hydra:first", "hydra:last"],
                "properties": {
                    "@id": {"type": "string", "description": "This page's path and query."},
                    "@type": {"const": "hydra:PartialCollectionView"},
                    **{link: {"type": "string"} for link in HYDRA_VIEW_LINKS},
                },
            },
        },
    },
)
CONTEXT = schema_component(
    "JsonLdContext",
    {
        "type": "object",
        "required": ["@context"],
        "properties": {"@context": {"type": "object", "description": "Term definitions of the Metadata resource."}},
    },
)


class TitleFieldSchema(OpenApiSerializerFieldExtension):
    """``title``: locale code to a non-blank title."""

    target_class = "metadatas.serializers.TitleField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":  # a read that names a locale gets the one string (metadata_service/locales.py)
            return {"anyOf": [dict(TITLE_SCHEMA), LOCALIZED_TITLE]}
        return dict(TITLE_SCHEMA)


class DataFieldSchema(OpenApiSerializerFieldExtension):
    """``data``: a JSON object or array."""

    target_class = "metadatas.serializers.DataField"

    def map_serializer_field(self, auto_schema, direction):
        return dict(DATA_SCHEMA)


class StrictCharFieldSchema(OpenApiSerializerFieldExtension):
    """A string field that must be a JSON string and not blank once trimmed."""

    target_class = "metadatas.serializers.StrictCharField"

    def map_serializer_field(self, auto_schema, direction):
        patterns = [v.regex.pattern for v in self.target.validators if isinstance(v, RegexValidator)]
        return {"type": "string", "minLength": 1, "pattern": patterns[0] if patterns else NOT_BLANK}


# --- Query parameters of the list ------------------------------------------------------------------

FILTER_MEANINGS = {
    "id": ("the id (numbered per tenant)", 7),
    "uuid": ("the uuid", SAMPLE["uuid"]),
    "owner": ("the owner", SAMPLE["owner"]),
    "ownerUuid": ("the owner's uuid", SAMPLE["ownerUuid"]),
    "slug": ("the slug", SAMPLE["slug"]),
    "type": ("the type", SAMPLE["type"]),
    "title": ("part of the title, in any locale, ignoring case", "sign-in"),
}
DATE_MEANINGS = {
    "before": "at or before",
    "after": "at or after",
    "strictly_before": "strictly before",
    "strictly_after": "strictly after",
}


def value_schema(form_field):
    """The JSON Schema of one value of a multi-value filter, from the form field that cleans it."""
    if isinstance(form_field, forms.IntegerField):
        return {"type": "integer", "minimum": 1, "maximum": MAX_VERSION}
    if isinstance(form_field, forms.UUIDField):
        return {"type": "string", "format": "uuid"}
    return {"type": "string", "maxLength": form_field.max_length}


def or_blank(schema):
    """A parameter value that may also be blank (``owner=``), which the service ignores."""
    return {"anyOf": [schema, {"const": ""}]}


def parameter(name, schema, description, example=None, **extra):
    """An optional query parameter. Its example is told in the description, never given as ``example``:
    Swagger UI's "Try it out" sends every example it is given, and a list filtered by samples is empty."""
    if example is not None:
        value = example[0] if isinstance(example, list) else example
        description = f"{description} Example: `{name}={value}`."
    document = {"in": "query", "name": name, "required": False, "schema": schema, "description": description}
    return {**document, **extra}


def any_of_parameters(name, filter_):
    """One multi-value filter. Its bracket spellings are told, not listed: ``x[]`` and ``x`` would be one
    argument in a generated client (generators drop the operation), and ``x[0]`` stands for a family."""
    meaning, sample = FILTER_MEANINGS[name]
    value = value_schema(filter_.extra["child"])
    if "format" in value or value["type"] != "string":
        # A blank string is already one of the plain string values; an `anyOf` naming it again only gives a
        # fuzzer a "neither" branch it cannot send in a query string (every query value is a string).
        value = or_blank(value)
    values = {"type": "array", "items": value, "maxItems": service_settings.FILTER_VALUES_MAX}
    match = "contains" if name == "title" else "equals"
    return [
        parameter(
            name,
            values,
            f"Keeps resources whose {meaning} {match} one of the values. Repeat it for several (OR'ed); blank "
            f"values are ignored. The same filter may be spelt `{name}[]=a&{name}[]=b` or "
            f"`{name}[0]=a&{name}[1]=b` (any indexes).",
            [sample],
            style="form",
            explode=True,
        )
    ]


def date_parameter(name, filter_):
    field, operator = name.rstrip("]").split("[")
    when = "created" if field == "createdAt" else "last updated"
    schema = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}, {"const": ""}]}
    return parameter(
        name,
        schema,
        f"Keeps resources {when} {DATE_MEANINGS[operator]} this moment: an ISO 8601 "
        "date (midnight UTC) or date-time; blank is ignored. A malformed value is a 400 naming "
        "the parameter.",
        "2024-03-05T09:15:42Z",
    )


class MetadataFilterParameters(OpenApiFilterExtension):
    """The list filters, from ``MetadataFilterSet`` (each multi-value filter names its other spellings)."""

    target_class = "metadatas.filters.MetadataFilterBackend"
    priority = 1  # before drf-spectacular's own django-filter extension

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        documented = []
        for name, filter_ in MetadataFilterSet.base_filters.items():
            if isinstance(filter_, AnyOfFilter):
                documented += any_of_parameters(name, filter_)
            elif isinstance(filter_, IsoDateTimeFilter):
                documented.append(date_parameter(name, filter_))
        return documented


class OrderParameters(OpenApiFilterExtension):
    """``order[field]=asc|desc`` for every field ``OrderParameterFilter`` sorts on."""

    target_class = "metadatas.filters.OrderParameterFilter"

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        locale = service_settings.TITLE_DEFAULT_LOCALE
        return [
            parameter(
                f"order[{field}]",
                {"type": "string", "enum": ["asc", "desc"]},
                f"Sort by `{field}`"
                + (f" (the `{locale}` title; titles without it come last)" if field == "title" else "")
                + ". Several order parameters apply in the order given; `id` breaks ties; "
                "the default is `order[id]=asc`. Any other direction is a 400.",
                "asc",
            )
            for field in OrderParameterFilter.fields
        ]


class PageParameters(OpenApiFilterExtension):
    """``page`` and ``limit`` of ``PageLimitPagination``."""

    target_class = "metadatas.pagination.PageLimitPagination"

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        options = service_settings
        whole = or_blank({"type": "integer", "minimum": 1, "maximum": 10**18 - 1})
        return [
            parameter(
                "page",
                {**whole, "default": 1},
                "The page, from 1 (blank means 1). A page past the end is "
                "empty. Anything but a whole number of at least 1 is a 400.",
                2,
            ),
            parameter(
                "limit",
                {**whole, "default": options["PAGE_SIZE_DEFAULT"]},
                f"Resources per page (blank means the default); more than {options['PAGE_SIZE_MAX']} "
                f"(`PAGE_SIZE_MAX`) gives {options['PAGE_SIZE_MAX']}. Anything but a whole number of at "
                "least 1 is a 400.",
                25,
            ),
        ]


# --- Headers ---------------------------------------------------------------------------------------


def conditional_header(name, description):
    return OpenApiParameter(
        name,
        {"type": "string", "pattern": ENTITY_TAGS},
        OpenApiParameter.HEADER,
        description=description,
        examples=[OpenApiExample("version 1", '"1"')],
    )


IF_MATCH = conditional_header(
    "If-Match",
    'The ETag (`"<version>"`) the change is based on. A stale one is a 412. '
    "A PUT or PATCH needs this header or `version` in the body.",
)
IF_MATCH_DELETE = conditional_header("If-Match", "Optional: delete only while the ETag is still this one; else a 412.")
IF_NONE_MATCH = conditional_header("If-None-Match", "The ETag you hold: a 304 without a body when it is current.")
ETAG = OpenApiParameter(
    "ETag",
    {"type": "string", "pattern": r'^"[0-9]+"$'},
    OpenApiParameter.HEADER,
    response=[200, 201, 304],
    required=True,
    description='The resource\'s version as a strong entity tag: `"3"`.',
)
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[201],
    required=True,
    description="The new resource's URL.",
)
TOTAL_COUNT = OpenApiParameter(
    "X-Total-Count",
    {"type": "string", "pattern": "^[0-9]+$"},
    OpenApiParameter.HEADER,
    response=[200],
    description="Plain JSON only: every match, not just this page.",
)
LINK = OpenApiParameter(
    "Link",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description="Plain JSON: RFC 8288 links `first`, `prev`, `next`, `last` "
    '(`<http://…/metadatas?page=2>; rel="next"`). JSON-LD: the Hydra API documentation '
    f'(`<http://…{hydra.DOCS_PATH}>; rel="{hydra.DOCUMENTATION_REL}"`), the pages being in `hydra:view`.',
)

DELETED_LIST = OpenApiParameter(
    "deleted",
    {"type": "string", "enum": ["true", "false"], "default": "false"},
    OpenApiParameter.QUERY,
    description="`true` lists only deleted resources, `false` (the default) only live ones. Anything else is a 400.",
)
DELETED_ITEM = OpenApiParameter(
    "deleted",
    {"type": "string", "enum": ["true", "false"], "default": "false"},
    OpenApiParameter.QUERY,
    description="`true` reads a deleted resource (a live one is then a 404), `false` (the default) a live one. "
    "Anything else is a 400.",
)
PURGE = OpenApiParameter(
    "purge",
    {"type": "string", "enum": ["true", "false"], "default": "false"},
    OpenApiParameter.QUERY,
    description="`true` removes the resource (live or deleted) and all its revisions for good, and needs "
    "`metadata:purge` (not granted by `metadata:delete`). Anything but true or false is a 400.",
)
IF_MATCH_OPTIONAL = conditional_header(
    "If-Match", "Optional: only while the ETag is still this one (else a 412); or send `version` in the body."
)
IF_MATCH_RESTORE = conditional_header(
    "If-Match",
    'The resource\'s current ETag (`"<version>"`); a stale one is a 412. Needed unless the body has `version`.',
)
CONFLICT_PROBLEM = schema_component(
    "ConflictProblem",
    {
        "description": "A 409: a stale body `version` (`/problems/version_conflict`, with `currentVersion`), "
        "a resource that is not deleted (`/problems/not_deleted`), or a slug another live resource holds now "
        "(`/problems/slug_taken`, with `slug`).",
        "allOf": [
            {"$ref": "#/components/schemas/Problem"},
            {
                "type": "object",
                "properties": {
                    "currentVersion": {"type": "integer", "minimum": 1},
                    "slug": {"type": "string"},
                },
            },
        ],
    },
)


def conflict_response():
    return {
        (409, "application/problem+json"): OpenApiResponse(
            CONFLICT_PROBLEM, "Stale `version`, a resource that is not deleted, or its slug taken by a live one."
        )
    }


# --- Operations ------------------------------------------------------------------------------------

VERSION_BODY = schema_component(
    "VersionBody",
    {
        "type": "object",
        "description": "The version you last read; other fields are ignored.",
        "properties": {"version": {"type": "integer", "minimum": 1, "maximum": MAX_VERSION}},
    },
)


def item_responses(status, description, sample):
    """A resource in both formats: JSON-LD (the default) and plain JSON."""
    return {
        (status, JSONLD): OpenApiResponse(
            JSONLD_ITEM,
            description,
            examples=[
                OpenApiExample("JSON-LD", jsonld.item_document(sample), media_type=JSONLD, status_codes=[status])
            ],
        ),
        (status, JSON): OpenApiResponse(
            MetadataSerializer,
            description,
            examples=[OpenApiExample("plain JSON", sample, media_type=JSON, status_codes=[status])],
        ),
    }


def write_body(serializer, sample, media_types):
    return {media_type: serializer for media_type in media_types}, [
        OpenApiExample("sample", sample, request_only=True, media_type=media_type) for media_type in media_types
    ]


LOCKING = (
    'Send the version you last read, as `version` in the body or as `If-Match: "<version>"`; neither is '
    "a 400. A stale body `version` is a 409, a stale `If-Match` a 412, both with `currentVersion`. "
    "The check and the write are one atomic compare-and-swap; a write that changes nothing keeps the "
    "version. `uuid` and read-only fields in the body are ignored."
)
PUT_REQUEST, PUT_EXAMPLES = write_body(MetadataSerializer(partial=True), SAMPLE_CHANGE, [JSON, JSONLD])
PATCH_REQUEST, PATCH_EXAMPLES = write_body(MetadataSerializer(partial=True), SAMPLE_CHANGE, [MERGE_PATCH, JSON, JSONLD])
POST_REQUEST, POST_EXAMPLES = write_body(MetadataSerializer, SAMPLE_NEW, [JSON, JSONLD])
HYDRA_SAMPLE = hydra.searchable_collection([SAMPLE], 1)
UNCHANGED = OpenApiResponse(description="Not modified: `If-None-Match` names the current version.")
CHANGE_RESPONSES = {  # PUT and PATCH
    **item_responses(200, "The resource as stored.", SAMPLE_UPDATED),
    **problem_responses(400, 401, 403, 404, 406, 409, 411, 412, 413, 415, 429, 503),
}

METADATA_OPERATIONS = {
    "list": extend_schema(
        summary="List the tenant's resources",
        description=(
            "A page of the caller's tenant's resources, filtered and ordered. Each multi-value filter takes three "
            "spellings (`owner=A`, `owner[]=A&owner[]=B`, `owner[0]=A&owner[1]=B`); values of one filter are "
            "OR'ed, filters AND'ed; unknown parameters are ignored. JSON-LD gives a Hydra collection; plain JSON "
            "a bare array with `X-Total-Count` and `Link` headers.\n\n"
            "**Filters inside `data`**: `data.<path>=<value>` (`data.provider=github`, `data.settings.region=eu`; "
            "member names joined by `.`, none holding `.`, `[`, `]` or `=`) keeps resources whose `data` holds the "
            "value at that path, or an array there that contains it. The value matches the JSON string, and also "
            'the number, `true`, `false` or `null` it spells (`data.retries=3` matches `3` and `"3"`). '
            "`data.x[]=a&data.x[]=b` OR's values; several paths are AND'ed, and combine with every other filter. "
            "At most 10 paths and 100 values (400 beyond); a malformed path is a 400 naming it. Served by a GIN "
            "index (jsonb containment) on PostgreSQL." + PARTIAL_RESPONSES
        ),
        parameters=[DELETED_LIST, TOTAL_COUNT, LINK, LOCALE, CONTENT_LANGUAGE, VARY_BY_LANGUAGE],
        responses={
            # Both bodies are written by describe_collections_and_links (spectacular would wrap them in arrays).
            (200, JSONLD): OpenApiResponse(MetadataSerializer(many=True), "A page of resources."),
            (200, JSON): OpenApiResponse(MetadataSerializer(many=True), "A page of resources."),
            **problem_responses(400, 401, 403, 406, 429, 503),
            (414, "text/html"): OpenApiResponse(
                OpenApiTypes.STR,
                "The request line is longer than gunicorn accepts (`GUNICORN_LIMIT_REQUEST_LINE`, 8190 bytes): "
                "send fewer or shorter filter values. gunicorn answers this one in HTML.",
            ),
        },
    ),
    "retrieve": extend_schema(
        summary="Read one resource",
        description="The resource of the caller's tenant with this uuid; `ETag` carries its version."
        + PARTIAL_RESPONSES,
        parameters=[DELETED_ITEM, IF_NONE_MATCH, ETAG, LOCALE, CONTENT_LANGUAGE, VARY_BY_LANGUAGE],
        responses={
            **item_responses(200, "The resource; `ETag` carries its version.", SAMPLE),
            304: UNCHANGED,
            **problem_responses(400, 401, 403, 404, 406, 429, 503),
        },
    ),
    "create": extend_schema(
        summary="Create a resource",
        description=(
            "Stores a new resource at version 1. `uuid` is optional (generated when absent); `slug` and `uuid` are "
            "unique in the tenant (a duplicate is a 400, also when two requests race). `version` and read-only "
            "fields in the body are ignored."
        ),
        request=POST_REQUEST,
        examples=POST_EXAMPLES,
        parameters=[ETAG, LOCATION],
        responses={
            **item_responses(201, "Created; `Location` is its URL.", SAMPLE),
            **problem_responses(400, 401, 403, 406, 411, 413, 415, 429, 503),
        },
    ),
    "update": extend_schema(
        summary="Change a resource (fields not sent keep their value)",
        description=LOCKING,
        request=PUT_REQUEST,
        examples=PUT_EXAMPLES,
        parameters=[IF_MATCH, ETAG],
        responses=CHANGE_RESPONSES,
    ),
    "partial_update": extend_schema(
        summary="Merge-patch a resource (RFC 7396)",
        description=(
            "Objects in `title` and `data` merge key by key and `null` removes a key (RFC 7396, also when sent as "
            "`application/json`); other fields are replaced. " + LOCKING
        ),
        request=PATCH_REQUEST,
        examples=PATCH_EXAMPLES,
        parameters=[IF_MATCH, ETAG],
        responses=CHANGE_RESPONSES,
    ),
    "destroy": extend_schema(
        summary="Delete a resource (kept as deleted; purge=true removes it for good)",
        description=(
            "Marks the resource deleted: `deletedAt` is set and `version` bumped; it is then absent from every "
            "route but `?deleted=true`, its revisions stay readable, and `POST /metadatas/{uuid}/undelete` "
            "brings it back. `purge=true` (permission `metadata:purge`) removes a live or deleted resource and "
            "its revisions for good."
        ),
        parameters=[PURGE, IF_MATCH_DELETE],
        responses={
            204: OpenApiResponse(description="Deleted (or purged)."),
            **problem_responses(400, 401, 403, 404, 406, 412, 429, 503),
        },
    ),
    "undelete": extend_schema(
        summary="Undelete a deleted resource",
        description=(
            "Makes a deleted resource live again as a new version (`deletedAt: null`). Permission "
            "`metadata:delete`. Optionally the version you last read, as `version` in the body (stale: 409) or "
            "`If-Match` (stale: 412). A live resource is a 409 `/problems/not_deleted`; a slug that another live "
            "resource took meanwhile is a 409 `/problems/slug_taken`, and nothing changes."
        ),
        request={JSON: VERSION_BODY, JSONLD: VERSION_BODY},
        parameters=[IF_MATCH_OPTIONAL, ETAG],
        responses={
            **item_responses(200, "The live resource.", SAMPLE_UPDATED),
            **conflict_response(),
            **problem_responses(400, 401, 403, 404, 406, 411, 412, 413, 415, 429, 503),
        },
    ),
}

BATCH_OPERATION_SCHEMA = {
    "type": "object",
    "required": ["op"],
    "properties": {
        "op": {"type": "string", "enum": ["create", "update", "patch", "delete"]},
        "uuid": {"type": "string", "format": "uuid", "description": "The resource (update, patch, delete)."},
        "version": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_VERSION,
            "description": "The version it expects (update, patch, delete: required).",
        },
        "body": {"type": "object", "description": "The resource (create), its changes (update) or a merge patch."},
    },
}
BATCH_REQUEST = schema_component(
    "MetadataBatch",
    {
        "type": "object",
        "required": ["operations"],
        "properties": {
            "operations": {"type": "array", "minItems": 1, "maxItems": 100, "items": BATCH_OPERATION_SCHEMA}
        },
    },
)
BATCH_RESULTS = schema_component(
    "MetadataBatchResults",
    {
        "type": "object",
        "required": ["results", "batchId"],
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["status", "resource"],
                    "properties": {
                        "status": {"type": "integer", "enum": [200, 201, 204]},
                        "resource": {"oneOf": [METADATA_REF, {"type": "null"}]},
                    },
                },
            },
            "batchId": {"type": "string", "format": "uuid", "description": "Also on each operation's revision."},
        },
    },
)
BATCH_SAMPLE = {
    "operations": [{"op": "create", "body": SAMPLE_NEW}, {"op": "delete", "uuid": SAMPLE["uuid"], "version": 1}]
}
METADATA_OPERATIONS["batch"] = extend_schema(
    summary="Run several writes at once, all or nothing",
    description=(
        "1 to `BATCH_MAX_OPERATIONS` (100) operations, run in order in one transaction: a later one sees what "
        "an earlier one did. Each needs its own permission (owner scopes included) and makes its own revision; "
        "all carry the answer's `batchId`. The first failing operation ends the batch and nothing of it is "
        "stored: the answer has that operation's status and problem fields, and `operation`, its 0-based index. "
        "The body limit (`REQUEST_BODY_MAX_BYTES`) applies to the whole batch."
    ),
    request={JSON: BATCH_REQUEST, JSONLD: BATCH_REQUEST},
    examples=[OpenApiExample("sample", BATCH_SAMPLE, request_only=True, media_type=JSON)],
    responses={
        (200, JSON): OpenApiResponse(BATCH_RESULTS, "Every operation's result, in order."),
        (200, JSONLD): OpenApiResponse(BATCH_RESULTS, "Every operation's result, in order."),
        **problem_responses(400, 401, 403, 404, 406, 409, 411, 413, 415, 429, 503),
    },
)

CONTEXT_OPERATION = extend_schema(
    summary="The JSON-LD context of Metadata",
    description="Public: JSON-LD processors fetch it without a token.",
    responses={(200, JSONLD): CONTEXT, (200, JSON): CONTEXT, **problem_responses(406)},
)


ENTRYPOINT = schema_component(
    "HydraEntrypoint",
    {
        "type": "object",
        "description": "The Hydra entrypoint: the IRI of each collection of the API.",
        "required": ["@context", "@id", "@type", hydra.COLLECTION_TERM],
        "properties": {
            "@context": {"const": hydra.ENTRYPOINT_CONTEXT_PATH},
            "@id": {"const": hydra.ENTRYPOINT_PATH},
            "@type": {"const": "Entrypoint"},
            hydra.COLLECTION_TERM: {"const": jsonld.COLLECTION_PATH, "description": "The metadata collection."},
        },
    },
)
API_DOCUMENTATION = schema_component(
    "HydraApiDocumentation",
    {
        "type": "object",
        "description": "A `hydra:ApiDocumentation`: the `Metadata` and `Entrypoint` classes, their properties "
        "(`hydra:readable`, `hydra:writeable`, `hydra:required`) and operations.",
        "required": ["@context", "@id", "@type", "hydra:supportedClass"],
        "properties": {
            "@context": {"type": "object", "additionalProperties": True},
            "@id": {"const": hydra.DOCS_PATH},
            "@type": {"const": "hydra:ApiDocumentation"},
            "hydra:title": {"type": "string"},
            "hydra:description": {"type": "string"},
            "hydra:entrypoint": {"type": "object", "additionalProperties": True},
            "hydra:supportedClass": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
        },
    },
)
# The pattern is not anchored: a JSON-LD list may add its own links after this one.
LINK_TO_DOCUMENTATION = {
    "required": True,
    "description": f'`<http://…{hydra.DOCS_PATH}>; rel="{hydra.DOCUMENTATION_REL}"`: the Hydra API documentation, '
    "announced on every JSON-LD answer as API Platform does.",
    "schema": {"type": "string", "pattern": f'<[^>]+{re.escape(hydra.DOCS_PATH)}>; rel="{hydra.DOCUMENTATION_REL}"'},
}


def public_jsonld_operation(operation_id, summary, description, schema):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description + " Public: no token.",
        tags=["hydra"],
        responses={(200, JSONLD): schema, (200, JSON): schema, **problem_responses(406)},
    )


ENTRYPOINT_OPERATION = public_jsonld_operation(
    "hydra_entrypoint",
    "The Hydra entrypoint",
    "Where Hydra clients (API Platform's Admin and client generator) start: the collections of the API.",
    ENTRYPOINT,
)
ENTRYPOINT_CONTEXT_OPERATION = public_jsonld_operation(
    "hydra_entrypoint_context", "The JSON-LD context of the entrypoint", "Term definitions of the entrypoint.", CONTEXT
)
DOCUMENTATION_OPERATION = public_jsonld_operation(
    "hydra_documentation",
    "The Hydra API documentation",
    "The `Metadata` class with every field (readable, writable, required) and its operations; the collection's "
    "operations on the entrypoint's `metadata` link.",
    API_DOCUMENTATION,
)


FIELD_DESCRIPTIONS = {
    "id": "Numbered per tenant (1, 2, 3, ...), ascending in creation order; says nothing of other tenants.",
    "uuid": "Generated when absent on POST; unique in the tenant; fixed afterwards (ignored on PUT and PATCH).",
    "createdAt": "UTC, to the second.",
    "updatedAt": "UTC, to the second; changes with every version.",
    "owner": "The kind of platform entity that owns the resource, e.g. `Team`.",
    "ownerUuid": "The owning entity's uuid, or null.",
    "slug": "Unique in the tenant: letters, digits and `. _ ~ -`.",
    "type": "What kind of metadata this is, e.g. `authentication`.",
    "version": "Starts at 1, +1 with every change. On PUT and PATCH: the version you last read (or send "
    "`If-Match`); ignored on POST.",
    "tenant": "The caller's tenant, from the token.",
    "deletedAt": "Null while live; when it was deleted (UTC, to the second) for a deleted one (`?deleted=true`).",
}


RESOURCE_FIELD_DESCRIPTIONS = {
    **FIELD_DESCRIPTIONS,
    "title": TITLE_SCHEMA["description"],
    "data": DATA_SCHEMA["description"],
}


def describe_collections_and_links(result, generator, request, public):
    """Postprocessing hook for what spectacular cannot say of /metadatas (see the comments)."""
    schemas = result["components"]["schemas"]
    for name in ("Metadata", "MetadataRequest", "PatchedMetadataRequest"):
        for field, schema in schemas[name]["properties"].items():
            if field in FIELD_DESCRIPTIONS:
                schema.setdefault("description", FIELD_DESCRIPTIONS[field])
    # Every field of a resource is always present in a response (unless the caller asks for fewer with
    # `properties[]`, which the operations tell); titleLocale only when a locale was asked for.
    schemas["Metadata"]["required"] = list(schemas["Metadata"]["properties"])
    schemas["Metadata"]["properties"]["titleLocale"] = TITLE_LOCALE
    # A resource keeps its uuid: PUT and PATCH ignore one in the body, like any field they do not know.
    schemas["PatchedMetadataRequest"]["properties"].pop("uuid")
    # A PATCH body is a merge patch: in `title`, null removes a locale and {} changes nothing.
    merge_patch = copy.deepcopy(schemas["PatchedMetadataRequest"])
    title = merge_patch["properties"]["title"]
    title.pop("minProperties")
    title["additionalProperties"] = {"anyOf": [title["additionalProperties"], {"type": "null"}]}
    title["description"] = "Locales to add or change; a locale set to null is removed (at least one must remain)."
    schemas["MetadataMergePatch"] = merge_patch
    for media_type in result["paths"]["/metadatas/{uuid}"]["patch"]["requestBody"]["content"].values():
        media_type["schema"] = {"$ref": "#/components/schemas/MetadataMergePatch"}
    # The list: a Hydra collection in JSON-LD, a bare array in plain JSON.
    listing = result["paths"]["/metadatas"]["get"]["responses"]["200"]["content"]
    listing[JSONLD] = {"schema": HYDRA_COLLECTION, "examples": {"JSON-LD": {"value": HYDRA_SAMPLE}}}
    listing[JSON] = {"schema": {"type": "array", "items": METADATA_REF}, "examples": {"PlainJSON": {"value": [SAMPLE]}}}
    schemas.pop("PaginatedMetadataList")
    # The revision list, like the resource list: a Hydra collection in JSON-LD, a bare array in plain JSON.
    revision_listing = result["paths"]["/metadatas/{uuid}/revisions"]["get"]["responses"]["200"]["content"]
    revision_listing[JSONLD] = {
        "schema": REVISION_COLLECTION,
        "examples": {"JSON-LD": {"value": jsonld.revision_collection(SAMPLE["uuid"])([SAMPLE_REVISION], 1)}},
    }
    revision_listing[JSON] = {
        "schema": {"type": "array", "items": REVISION},
        "examples": {"PlainJSON": {"value": [SAMPLE_REVISION]}},
    }
    # Every JSON-LD answer links the Hydra API documentation (MetadataJSONLDRenderer); every answer of a route
    # that negotiates the format varies by Accept (DRF's finalize_response), reads of titles by language too.
    for path_item in result["paths"].values():
        for operation in path_item.values():
            negotiated = any(JSONLD in response.get("content", {}) for response in operation["responses"].values())
            for status, response in operation["responses"].items():
                if status.startswith("2") and JSONLD in response.get("content", {}):
                    response.setdefault("headers", {}).setdefault("Link", LINK_TO_DOCUMENTATION)
                if negotiated and status not in UNNEGOTIATED_STATUSES:
                    response.setdefault("headers", {}).setdefault("Vary", VARY_BY_FORMAT)
    # A created resource can be read, changed and deleted: links let clients (and schemathesis) follow on.
    created = result["paths"]["/metadatas"]["post"]["responses"]["201"]
    created["links"] = {
        f"{verb}Created": {"operationId": operation_id, "parameters": {"uuid": "$response.body#/uuid", **extra}}
        for verb, operation_id, extra in (
            ("Read", "metadatas_retrieve", {}),
            ("Change", "metadatas_update", {"header.If-Match": "$response.header.ETag"}),
            ("Patch", "metadatas_partial_update", {"header.If-Match": "$response.header.ETag"}),
            ("Delete", "metadatas_destroy", {}),
        )
    }
    return result


# --- Revisions ----------------------------------------------------------------------------------------

SAMPLE_REVISION = {
    "version": 2,
    "operation": "updated",
    "changed": ["data"],
    "actor": {"type": "Staff", "uuid": "3f0c5a7e-1d2b-4c8e-9a6f-5b4d3c2e1f0a", "user": None},
    "requestId": "b3c1f0e2a4d54f6e8a7b9c0d1e2f3a4b",
    "batchId": None,
    "createdAt": "2024-03-06T16:02:11+00:00",
}
SAMPLE_DIFF = {"from": 1, "version": 2, "patch": [{"op": "remove", "path": "/data/2"}]}
NULLABLE_UUID = {"type": ["string", "null"], "format": "uuid"}
REVISION = schema_component(
    "MetadataRevision",
    {
        "type": "object",
        "description": "One change of a resource, written in the same transaction as the change.",
        "required": list(SAMPLE_REVISION),
        "properties": {
            "version": {"type": "integer", "minimum": 1, "description": "The resource's version after the change."},
            "operation": {"type": "string", "enum": ["created", "updated", "deleted", "undeleted", "restored"]},
            "changed": {
                "type": "array",
                "items": {"type": "string"},
                "description": 'The fields the change touched (camelCase), e.g. `["data", "title"]`.',
            },
            "actor": {
                "type": "object",
                "required": ["type", "uuid", "user"],
                "description": "Who: the token's identity type and uuid, or the admin's user.",
                "properties": {
                    "type": {"type": "string"},
                    "uuid": NULLABLE_UUID,
                    "user": {"type": ["string", "null"]},
                },
            },
            "requestId": {"type": ["string", "null"], "description": "The `X-Request-ID` of the change."},
            "batchId": {**NULLABLE_UUID, "description": "The batch the change was part of, else null."},
            "createdAt": {"type": "string", "format": "date-time", "description": "UTC, to the second."},
        },
    },
)
REVISION_WITH_RESOURCE = schema_component(
    "MetadataRevisionWithResource",
    {
        "description": "A revision and the full resource as it was right after that change.",
        "allOf": [REVISION, {"type": "object", "required": ["resource"], "properties": {"resource": METADATA_REF}}],
    },
)
REVISION_JSONLD_KEYS = {
    "@id": {"type": "string", "description": "`/metadatas/{uuid}/revisions/{version}`"},
    "@type": {"const": jsonld.REVISION_TYPE},
}
REVISION_COLLECTION = schema_component(
    "MetadataRevisionHydraCollection",
    {
        "type": "object",
        "description": "A page of revisions, newest first, in JSON-LD.",
        "required": ["@context", "@id", "@type", "hydra:member", "hydra:totalItems"],
        "properties": {
            "@context": {"const": jsonld.REVISION_CONTEXT_PATH},
            "@id": {"type": "string"},
            "@type": {"const": "hydra:Collection"},
            "hydra:member": {
                "type": "array",
                "items": {"allOf": [REVISION, {"type": "object", "properties": REVISION_JSONLD_KEYS}]},
            },
            "hydra:totalItems": {"type": "integer", "minimum": 0},
            "hydra:view": {"type": "object"},
        },
    },
)
DIFF = schema_component(
    "MetadataRevisionDiff",
    {
        "type": "object",
        "description": "An RFC 6902 JSON Patch over the writable fields (owner, ownerUuid, title, slug, type, "
        "data): applied to the resource's writable fields at `from`, it gives those at `version` exactly.",
        "required": ["from", "version", "patch"],
        "properties": {
            "from": {"type": "integer", "minimum": 1},
            "version": {"type": "integer", "minimum": 1},
            "patch": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["op", "path"],
                    "properties": {
                        "op": {"enum": ["add", "remove", "replace", "move", "copy", "test"]},
                        "path": {"type": "string"},
                        "from": {"type": "string"},
                        "value": {},
                    },
                },
            },
        },
    },
)
UUID_IN_PATH = OpenApiParameter(
    "uuid", {"type": "string", "format": "uuid"}, OpenApiParameter.PATH, description="The resource's uuid."
)
VERSION_IN_PATH = OpenApiParameter(
    "version",
    {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},
    OpenApiParameter.PATH,
    description="A version of the resource; anything but a whole number of at least 1 is a 400 naming `version`.",
)
FROM = OpenApiParameter(
    "from",
    {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},
    OpenApiParameter.QUERY,
    description="The older version (default: `version` − 1). Not a whole number ≥ 1, or a version the resource "
    "has no revision of (pruned, never written), is a 400 naming `from`.",
)
READ_PROBLEMS = problem_responses(400, 401, 403, 404, 406, 429, 503)

REVISION_OPERATIONS = {
    "list": extend_schema(
        summary="List a resource's revisions, newest first",
        description="Every kept revision (`REVISIONS_KEEP` newest) of a live or deleted resource. Permission "
        "`metadata:read` on its current owner. `page`/`limit` or `cursor` as in the resource list.",
        parameters=[UUID_IN_PATH, TOTAL_COUNT, LINK],
        responses={
            # Both bodies are written by describe_collections_and_links (spectacular would wrap them in arrays).
            (200, JSONLD): OpenApiResponse(REVISION_COLLECTION, "A page of revisions."),
            (200, JSON): OpenApiResponse({"type": "array", "items": REVISION}, "A page of revisions."),
            **READ_PROBLEMS,
        },
    ),
    "retrieve": extend_schema(
        summary="Read one revision, with the resource as it was",
        parameters=[UUID_IN_PATH, VERSION_IN_PATH],
        responses={
            (200, JSONLD): OpenApiResponse(
                {"allOf": [REVISION_WITH_RESOURCE, {"type": "object", "properties": REVISION_JSONLD_KEYS}]},
                "The revision.",
            ),
            (200, JSON): OpenApiResponse(REVISION_WITH_RESOURCE, "The revision."),
            **READ_PROBLEMS,
        },
    ),
    "diff": extend_schema(
        summary="The change between two revisions, as an RFC 6902 JSON Patch",
        parameters=[UUID_IN_PATH, VERSION_IN_PATH, FROM],
        responses={
            (200, JSONLD): OpenApiResponse(DIFF, "The patch from `from` to `version`."),
            (200, JSON): OpenApiResponse(
                DIFF,
                "The patch from `from` to `version`.",
                examples=[OpenApiExample("plain JSON", SAMPLE_DIFF, media_type=JSON, status_codes=[200])],
            ),
            **READ_PROBLEMS,
        },
    ),
    "restore": extend_schema(
        summary="Restore a revision's fields as a new version",
        description="The resource's writable fields become those of the revision, as a new version (operation "
        "`restored`), through the same compare-and-swap as PUT: send the current version as `version` in the "
        "body or as `If-Match` (neither: 400; stale: 409/412). Permission `metadata:edit` on the current and on "
        "the restored owner. A deleted resource is a 404 (undelete it first); a slug that another live resource "
        "holds now is a 409 `/problems/slug_taken`.",
        request={JSON: VERSION_BODY, JSONLD: VERSION_BODY},
        parameters=[UUID_IN_PATH, VERSION_IN_PATH, IF_MATCH_RESTORE, ETAG],
        responses={
            **item_responses(200, "The resource as restored.", SAMPLE_UPDATED),
            **conflict_response(),
            **problem_responses(400, 401, 403, 404, 406, 411, 412, 413, 415, 429, 503),
        },
    ),
}

REVISION_CONTEXT_OPERATION = extend_schema(
    operation_id="contexts_metadatarevision_retrieve",  # one spelling whether a generator snake-cases it or not
    summary="The JSON-LD context of MetadataRevision",
    description="Public: JSON-LD processors fetch it without a token.",
    responses={(200, JSONLD): CONTEXT, (200, JSON): CONTEXT, **problem_responses(406)},
)
