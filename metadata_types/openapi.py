"""How /metadata-types appears in the OpenAPI document (drf-spectacular)."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from metadata_service.openapi import HYDRA_SEARCH, PROBLEM, PROBLEM_MEDIA_TYPE, problem_responses, schema_component
from metadata_types.schemas import SCHEMA_MAX_BYTES
from metadata_types.serializers import RESPONSE_FIELDS, MetadataTypeSerializer
from metadatas.openapi import (
    CONTENT_LANGUAGE,
    CONTEXT,
    ETAG,
    IF_MATCH,
    IF_MATCH_DELETE,
    IF_NONE_MATCH,
    LOCALE,
    LOCALIZED_TITLE,
    LOCATION,
    LOCKING,
    TITLE_LOCALE,
    VARY_BY_LANGUAGE,
    partial_responses_text,
)

JSON, JSONLD = "application/json", "application/ld+json"

VIOLATION = {
    "type": "object",
    "required": ["propertyPath", "message"],
    "properties": {"propertyPath": {"type": "string"}, "message": {"type": "string"}},
}
REPORT = schema_component(
    "SchemaCompatibilityReport",
    {
        "type": "object",
        "description": "How many stored resources of the type fail the schema, with up to 10 examples.",
        "required": ["failing", "examples"],
        "properties": {
            "failing": {"type": "integer", "minimum": 0},
            "examples": {
                "type": "array",
                "maxItems": 10,
                "items": {
                    "type": "object",
                    "required": ["uuid", "violation"],
                    "properties": {"uuid": {"type": "string", "format": "uuid"}, "violation": VIOLATION},
                },
            },
        },
    },
)
INCOMPATIBLE_FIELDS = {"type": "object", "properties": {"failing": {"type": "integer"}, "examples": {"type": "array"}}}
INCOMPATIBLE = schema_component(
    "SchemaIncompatibleProblem",
    {
        "description": "409 `/problems/schema_incompatible` (stored resources fail the new schema), "
        "`/problems/version_conflict` (stale `version`, with `currentVersion`) or `/problems/type_in_use`.",
        "allOf": [
            PROBLEM,
            {"type": "object", "properties": {"failing": {"type": "integer"}, "examples": {"type": "array"}}},
        ],
    },
)
TYPE_IN_USE = schema_component(
    "TypeInUseProblem",
    {
        "description": "409 `/problems/type_in_use`: resources still have this type.",
        "allOf": [PROBLEM, {"type": "object", "required": ["count"], "properties": {"count": {"type": "integer"}}}],
    },
)
TITLE = {
    "type": "object",
    "description": "Locale code to title (may be empty).",
    "additionalProperties": {"type": "string"},
}
TYPE = schema_component(
    "MetadataTypeDocument",
    {
        "type": "object",
        "description": "A metadata type as the service answers it.",
        "required": ["name", "title", "schema", "version", "createdAt", "updatedAt"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 255, "description": "The `type` it governs."},
            "title": {"anyOf": [TITLE, LOCALIZED_TITLE, {"type": "null"}]},
            "titleLocale": {"anyOf": [TITLE_LOCALE, {"type": "null"}]},
            "schema": {"type": ["object", "boolean"], "description": "JSON Schema draft 2020-12."},
            "version": {"type": "integer", "minimum": 1},
            "createdAt": {"type": "string", "format": "date-time"},
            "updatedAt": {"type": "string", "format": "date-time"},
        },
    },
)
JSONLD_KEYS = {"@id": {"type": "string"}, "@type": {"const": "MetadataType"}}
TYPE_JSONLD = schema_component(
    "MetadataTypeJsonLd",
    {
        "allOf": [
            TYPE,
            {
                "type": "object",
                "required": ["@context", "@id", "@type"],
                "properties": {"@context": {"const": "/contexts/MetadataType"}, **JSONLD_KEYS},
            },
        ]
    },
)
TYPE_COLLECTION = schema_component(
    "MetadataTypeHydraCollection",
    {
        "type": "object",
        "required": ["@context", "@id", "@type", "hydra:member", "hydra:totalItems", "hydra:search"],
        "properties": {
            "hydra:search": HYDRA_SEARCH,
            "@context": {"const": "/contexts/MetadataType"},
            "@id": {"const": "/metadata-types"},
            "@type": {"const": "hydra:Collection"},
            "hydra:member": {
                "type": "array",
                "items": {"allOf": [TYPE, {"type": "object", "required": ["@id", "@type"], "properties": JSONLD_KEYS}]},
            },
            "hydra:totalItems": {"type": "integer", "minimum": 0},
        },
    },
)
FORCE = OpenApiParameter(
    "force",
    {"type": "string", "enum": ["true", "false"]},
    OpenApiParameter.QUERY,
    description="`true` stores a schema even though stored resources of the type fail it (they stay as they "
    "are until their next write). Without it such a change is a 409 `schema_incompatible`.",
)
TYPE_DESCRIPTION = (
    "A type's `schema` (JSON Schema draft 2020-12, at most "
    f"{SCHEMA_MAX_BYTES // 1024} KiB, `$ref` only inside itself) governs the `data` of every resource whose "
    "`type` is the type's `name`: each write (POST, PUT, PATCH, admin, batch, restore) is a 400 naming each "
    "failing place as `data/<JSON Pointer>`."
)


def item(status, description):
    """A type in both formats (JSON-LD adds ``@context``, ``@id`` and ``@type``)."""
    return {(status, media_type): OpenApiResponse(MetadataTypeSerializer, description) for media_type in (JSONLD, JSON)}


def conflicts(schema, description):
    return {(409, PROBLEM_MEDIA_TYPE): OpenApiResponse(schema, description)}


PARTIAL_RESPONSES = partial_responses_text(RESPONSE_FIELDS)
CHANGE_PROBLEMS = problem_responses(400, 401, 403, 404, 406, 412, 413, 415, 429, 503)
TYPE_OPERATIONS = {
    "list": extend_schema(
        summary="List the tenant's metadata types",
        parameters=[LOCALE, CONTENT_LANGUAGE, VARY_BY_LANGUAGE],
        description=TYPE_DESCRIPTION
        + " JSON-LD gives a Hydra collection, plain JSON a bare array, by name."
        + PARTIAL_RESPONSES,
        responses={
            # Both bodies are written by describe_type_collection (spectacular would wrap them in arrays).
            (200, JSONLD): OpenApiResponse(TYPE_COLLECTION, "Every type of the tenant."),
            (200, JSON): OpenApiResponse(TYPE, "Every type of the tenant."),
            **problem_responses(400, 401, 403, 406, 429, 503),
        },
    ),
    "retrieve": extend_schema(
        summary="Read one metadata type",
        description="The type of the caller's tenant with this name." + PARTIAL_RESPONSES,
        parameters=[IF_NONE_MATCH, ETAG, LOCALE, CONTENT_LANGUAGE, VARY_BY_LANGUAGE],
        responses={
            **item(200, "The type; `ETag` carries its version."),
            304: OpenApiResponse(description="Not modified."),
            **problem_responses(400, 401, 403, 404, 406, 429, 503),
        },
    ),
    "create": extend_schema(
        summary="Define a metadata type",
        description=TYPE_DESCRIPTION + " Resources of that type already stored must satisfy the schema.",
        parameters=[FORCE, ETAG, LOCATION],
        responses={
            **item(201, "Defined."),
            **conflicts(INCOMPATIBLE, "Stored resources of the type fail the schema."),
            **problem_responses(400, 401, 403, 406, 413, 415, 429, 503),
        },
    ),
    "update": extend_schema(
        summary="Change a metadata type",
        request=MetadataTypeSerializer(partial=True),
        description=LOCKING + " A new schema is first checked against every stored resource of the type.",
        parameters=[FORCE, IF_MATCH, ETAG],
        responses={
            **item(200, "Stored."),
            **conflicts(INCOMPATIBLE, "Stale version, or stored resources fail the new schema."),
            **CHANGE_PROBLEMS,
        },
    ),
    "partial_update": extend_schema(
        summary="Merge-patch a metadata type (RFC 7396)",
        description="`title` merges locale by locale; `schema` is replaced whole. " + LOCKING,
        parameters=[FORCE, IF_MATCH, ETAG],
        responses={
            **item(200, "Stored."),
            **conflicts(INCOMPATIBLE, "Stale version, or stored resources fail the new schema."),
            **CHANGE_PROBLEMS,
        },
    ),
    "destroy": extend_schema(
        summary="Delete a metadata type",
        parameters=[IF_MATCH_DELETE],
        responses={
            204: OpenApiResponse(description="Deleted."),
            **conflicts(TYPE_IN_USE, "Resources still have this type."),
            **problem_responses(400, 401, 403, 404, 406, 412, 429, 503),
        },
    ),
}
CHECK_OPERATION = extend_schema(
    summary="Check a candidate schema against the stored resources (dry run)",
    description="The report a PUT of this schema would give, without storing anything. Needs metadata-type:edit.",
    responses={
        (200, JSONLD): REPORT,
        (200, JSON): REPORT,
        **problem_responses(400, 401, 403, 404, 406, 413, 415, 429, 503),
    },
)
CONTEXT_OPERATION = extend_schema(
    operation_id="contexts_metadatatype_retrieve",
    summary="The JSON-LD context of MetadataType",
    description="Public: JSON-LD processors fetch it without a token.",
    responses={(200, JSONLD): CONTEXT, (200, JSON): CONTEXT, **problem_responses(406)},
)


def describe_type_collection(result, generator, request, public):
    """Postprocessing hook: the list is a Hydra collection in JSON-LD and a bare array in plain JSON
    (spectacular would wrap each in another array)."""
    listing = result["paths"]["/metadata-types"]["get"]["responses"]["200"]["content"]
    listing[JSONLD] = {"schema": TYPE_COLLECTION}
    listing[JSON] = {"schema": {"type": "array", "items": TYPE}}
    # One tag that is also an identifier (generators make a module of it; the path's "metadata-types" is not).
    for path, item in result["paths"].items():
        if path.startswith("/metadata-types") or path == "/contexts/MetadataType":
            for operation in item.values():
                operation["tags"] = ["metadata_types"]
    # A type as answered (spectacular would describe the serializer's input fields instead).
    items = [("/metadata-types", "post", "201")] + [
        ("/metadata-types/{name}", method, "200") for method in ("get", "put", "patch")
    ]
    for path, method, status in items:
        content = result["paths"][path][method]["responses"][status]["content"]
        content[JSONLD] = {"schema": TYPE_JSONLD}
        content[JSON] = {"schema": TYPE}
    return result
