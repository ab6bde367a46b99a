"""How the change feed's two routes appear in the OpenAPI document (drf-spectacular)."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from changes.parameters import FILTERS, LIMIT_DEFAULT, LIMIT_MAX, OPERATIONS, SEQ_MAX, WAIT_MAX
from metadata_service.openapi import problem_responses, schema_component

JSON, JSONLD, EVENT_STREAM = "application/json", "application/ld+json", "text/event-stream"

EVENT = schema_component(
    "ChangeEvent",
    {
        "type": "object",
        "description": "One committed change. Metadata events carry the resource fields and `resource` (the "
        "resource after the change); linked metadata events carry `linkedObjectType`, `identifier`, `key` and "
        "`value` (JSON text, null once deleted). A purge's `purged` event and the events it redacted (`redacted`) "
        "keep only `seq`, `kind`, `operation`, `uuid`, (`version`) and `occurredAt`.",
        "required": ["seq", "kind", "operation", "occurredAt"],
        "properties": {
            "seq": {"type": "integer", "minimum": 1, "description": "The tenant's position: gap-free, commit order."},
            "kind": {"enum": ["metadata", "linked_metadata"]},
            "operation": {"enum": list(OPERATIONS)},
            "uuid": {"type": ["string", "null"], "format": "uuid"},
            "version": {"type": "integer"},
            "type": {"type": "string"},
            "owner": {"type": "string"},
            "ownerUuid": {"type": ["string", "null"]},
            "changed": {"type": "array", "items": {"type": "string"}},
            "actor": {"type": "object", "additionalProperties": True},
            "requestId": {"type": ["string", "null"]},
            "batchId": {"type": ["string", "null"]},
            "occurredAt": {"type": "string"},
            "resource": {"type": "object", "additionalProperties": True},
            "linkedObjectType": {"type": "string"},
            "identifier": {"type": "string"},
            "key": {"type": "string"},
            "value": {"type": ["string", "null"]},
            "redacted": {"type": "boolean"},
        },
        "additionalProperties": True,
    },
)
POSITIONS = {
    "next": {"type": "integer", "minimum": 0, "description": "The `after` of the next request."},
    "head": {"type": "integer", "minimum": 0, "description": "The tenant's latest seq."},
}
PAGE = schema_component(
    "ChangePage",
    {
        "type": "object",
        "required": ["events", "next", "head"],
        "properties": {"events": {"type": "array", "items": EVENT}, **POSITIONS},
    },
)
PAGE_JSONLD = schema_component(
    "ChangePageHydraCollection",
    {
        "type": "object",
        "required": ["@context", "@id", "@type", "hydra:member", "next", "head"],
        "properties": {
            "@context": {"type": "object", "additionalProperties": True},
            "@id": {"type": "string"},
            "@type": {"const": "hydra:Collection"},
            "hydra:totalItems": {"type": "integer", "minimum": 0},
            "hydra:member": {"type": "array", "items": EVENT},
            **POSITIONS,
        },
    },
)
EXPIRED = schema_component(
    "CursorExpiredProblem",
    {
        "allOf": [
            {"$ref": "#/components/schemas/Problem"},
            {
                "type": "object",
                "required": ["oldest", "head"],
                "properties": {"oldest": {"type": "integer"}, "head": {"type": "integer"}},
            },
        ]
    },
)


def integer(name, least, most, description):
    return OpenApiParameter(
        name, {"type": "integer", "minimum": least, "maximum": most}, OpenApiParameter.QUERY, description=description
    )


FILTER_SCHEMAS = {
    "kind": {"enum": ["metadata", "linked_metadata"]},
    "operation": {"enum": list(OPERATIONS)},
    "type": {"type": "string", "minLength": 1, "maxLength": 255},
    "owner": {"type": "string", "minLength": 1, "maxLength": 255},
    "uuid": {"type": "string", "format": "uuid"},
}
FILTER_PARAMETERS = [
    OpenApiParameter(
        name,
        FILTER_SCHEMAS[name],
        OpenApiParameter.QUERY,
        description=f"Only events whose `{name}` is this; several values as `{name}[]=a&{name}[]=b` or "
        f"`{name}[0]=a&{name}[1]=b` (OR'ed). Filtered-out events still advance `next`.",
    )
    for name in FILTERS
]
AFTER = integer("after", 0, SEQ_MAX, "The last seq seen; 0 (the default): from the oldest retained event.")
PROBLEMS = problem_responses(400, 401, 403, 406, 429, 503)
GONE = {
    (410, "application/problem+json"): OpenApiResponse(
        EXPIRED, "The cursor is older than the retention window: relist, then follow from `head`."
    )
}
SAMPLE_PAGE = {"events": [], "next": 12, "head": 12}

LIST = extend_schema(
    summary="Read the change feed: the tenant's events after a cursor",
    description="Events in commit order, gap-free. With `wait`, answers as soon as an event the caller may see "
    "commits, or after `wait` seconds with an empty page. Metadata events need `metadata:browse` (owner scopes "
    "filter them); linked ones `CAN_VIEW_METADATA` (or an AccountUser's own objects).",
    parameters=[
        AFTER,
        integer("limit", 1, LIMIT_MAX, f"Events per page (default {LIMIT_DEFAULT})."),
        integer("wait", 1, WAIT_MAX, "Seconds to wait for an event when none is after the cursor."),
        *FILTER_PARAMETERS,
    ],
    responses={
        (200, JSONLD): OpenApiResponse(PAGE_JSONLD, "A page of events."),
        (200, JSON): OpenApiResponse(
            PAGE, "A page of events.", examples=[OpenApiExample("nothing new", SAMPLE_PAGE, response_only=True)]
        ),
        **PROBLEMS,
        **GONE,
    },
)
STREAM = extend_schema(
    summary="Follow the change feed as Server-Sent Events",
    description="`id:` the seq, `event:` `<kind>.<operation>`, `data:` the event JSON; a comment heartbeat every "
    "`CHANGES_HEARTBEAT_SECONDS`. Resumes after `Last-Event-ID` (or `after`); with neither it starts at head.",
    parameters=[
        AFTER,
        OpenApiParameter(
            "Last-Event-ID",
            {"type": "string", "pattern": "^[0-9]{1,19}$"},
            OpenApiParameter.HEADER,
            description="The last seq the client received (browsers send it when they reconnect).",
        ),
        *FILTER_PARAMETERS,
    ],
    responses={
        (200, EVENT_STREAM): OpenApiResponse(
            {"type": "string"}, "The event stream; it ends only when the server stops (resume with `Last-Event-ID`)."
        ),
        **PROBLEMS,
        **GONE,
    },
)
