"""OpenAPI pieces every API module shares: problem documents, named schemas, and the finishing hooks.

drf-spectacular builds the document from the views; modules describe what it cannot see (raw
schemas registered with ``schema_component``, problem responses from ``problem_responses``), and
the hooks below give every path its canonical spelling and every response its ``X-Request-ID``.
"""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.views import SpectacularJSONAPIView

from metadata_service.request_log import REQUEST_ID_HEADER

PROBLEM_MEDIA_TYPE = "application/problem+json"
ANSWERED_BY_GUNICORN = {"414"}  # refused before the application sees the request
EXTRA_COMPONENTS: dict[str, dict] = {}


def schema_component(name, schema):
    """Register a named schema for ``components.schemas``; returns a reference to it."""
    EXTRA_COMPONENTS[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


HYDRA_SEARCH = schema_component(
    "HydraIriTemplate",
    {
        "type": "object",
        "description": "`hydra:search`, as API Platform writes it: the collection's query parameters as an IRI "
        "template, one `hydra:mapping` per variable (`property` is null for one that filters no field).",
        "required": ["@type", "hydra:template", "hydra:variableRepresentation", "hydra:mapping"],
        "properties": {
            "@type": {"const": "hydra:IriTemplate"},
            "hydra:template": {"type": "string"},
            "hydra:variableRepresentation": {"const": "BasicRepresentation"},
            "hydra:mapping": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["@type", "variable", "property", "required"],
                    "properties": {
                        "@type": {"const": "IriTemplateMapping"},
                        "variable": {"type": "string"},
                        "property": {"type": ["string", "null"]},
                        "required": {"type": "boolean"},
                    },
                },
            },
        },
    },
)
PROBLEM = schema_component(
    "Problem",
    {
        "type": "object",
        "description": "An RFC 9457 problem document; every error of the service has this shape.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {
                "type": "string",
                "format": "uri-reference",
                "description": "`/problems/<code>`",
                "examples": ["/problems/not_found"],
            },
            "title": {"type": "string", "description": "The HTTP status phrase.", "examples": ["Not Found"]},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "What went wrong, for a person to read."},
        },
    },
)
VALIDATION_PROBLEM = schema_component(
    "ValidationProblem",
    {
        "description": "A 400. Invalid fields or parameters are listed in `violations`; a body that is not JSON "
        "(or not UTF-8) has no `violations`.",
        "allOf": [
            PROBLEM,
            {
                "type": "object",
                "properties": {
                    "violations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["propertyPath", "message"],
                            "properties": {
                                "propertyPath": {
                                    "type": "string",
                                    "description": "The field or query parameter, e.g. "
                                    "`slug`, `title.en`, `createdAt[before]`; empty for the body as a whole.",
                                },
                                "message": {"type": "string"},
                            },
                        },
                    }
                },
            },
        ],
    },
)
VERSION_PROBLEM = schema_component(
    "VersionProblem",
    {
        "description": "A 409 (stale `version` in the body) or 412 (stale `If-Match`): read the resource again.",
        "allOf": [
            PROBLEM,
            {
                "type": "object",
                "required": ["currentVersion"],
                "properties": {
                    "currentVersion": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "The version the resource is at now.",
                    },
                },
            },
        ],
    },
)

PROBLEM_CASES = {
    400: (VALIDATION_PROBLEM, "Invalid body, field, query parameter or conditional header."),
    401: (PROBLEM, "No token, or a token that does not verify or names an unknown or disabled tenant."),
    403: (PROBLEM, "The token is valid but lacks the permission for this operation."),
    404: (PROBLEM, "No such resource in the caller's tenant (another tenant's resource is a 404 too)."),
    406: (PROBLEM, "The Accept header names no format the service offers."),
    409: (VERSION_PROBLEM, "The body's `version` is stale: someone changed the resource since."),
    411: (PROBLEM, "A chunked body: send the body with a `Content-Length`."),
    412: (VERSION_PROBLEM, "`If-Match` names a version the resource no longer has."),
    413: (PROBLEM, "The body is larger than `REQUEST_BODY_MAX_BYTES`."),
    415: (PROBLEM, "The body's Content-Type is not one the operation accepts."),
    429: (
        PROBLEM,
        "Over a rate limit (per tenant, per token, or password attempts per address); retry after "
        "the `Retry-After` seconds.",
    ),
    501: (PROBLEM, "This install only verifies tokens (RS256/ES256 without `JWT_PRIVATE_KEY`)."),
    503: (
        PROBLEM,
        "The database does not answer, or a statement ran past `DATABASE_STATEMENT_TIMEOUT_MS`; "
        "retry after the `Retry-After` seconds.",
    ),
}


def problem_responses(*statuses):
    """Problem+json responses for ``statuses``, keyed as ``extend_schema(responses=...)`` expects."""
    return {
        (status, PROBLEM_MEDIA_TYPE): OpenApiResponse(PROBLEM_CASES[status][0], PROBLEM_CASES[status][1])
        for status in statuses
    }


def canonical_paths(endpoints, **kwargs):
    """Preprocessing hook: document ``/metadatas``, not ``/metadatas/`` (routes accept both spellings)."""
    return [(path.rstrip("/") or "/", regex, method, callback) for path, regex, method, callback in endpoints]


def header(description):
    return {"required": True, "description": description, "schema": {"type": "string"}}


HEADERS_BY_STATUS = {  # headers every answer of that status carries
    "401": {"WWW-Authenticate": header('`Bearer realm="metadata"`')},
    "429": {"Retry-After": header("Seconds until the rate limit's window ends.")},
    "503": {"Retry-After": header("Seconds to wait before retrying.")},
}
REQUEST_ID = header(
    "The caller's `X-Request-ID` when it is 1-128 plain characters, else a new one; the request's log line carries it."
)


# Every operation takes it. Documented as a parameter, generated clients also let callers set it.
REQUEST_ID_PARAMETER = {
    "in": "header",
    "name": REQUEST_ID_HEADER,
    "required": False,
    "schema": {"type": "string"},
    "description": "Optional: an id to find this request by in the service's log (1-128 of letters, digits and "
    "`._:@/+=-`; anything else is replaced by a new id). The answer echoes it.",
}


def complete_schema(result, generator, request, public):
    """Postprocessing hook: the registered schemas, headers every request and answer has, related interfaces."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(EXTRA_COMPONENTS)
    for operations in result["paths"].values():
        for operation in operations.values():
            operation.setdefault("parameters", []).append(dict(REQUEST_ID_PARAMETER))
            for status, response in operation["responses"].items():
                if status in ANSWERED_BY_GUNICORN:
                    continue
                headers = response.setdefault("headers", {})
                headers.update({REQUEST_ID_HEADER: REQUEST_ID, **HEADERS_BY_STATUS.get(status, {})})
    result["info"]["description"] += related_interfaces()
    return result


def related_interfaces():
    """Markdown links to the service's other interfaces, for those that are routed (URL names below)."""
    links = []
    for url_name, label in (("graphql", "GraphQL endpoint"),):
        try:
            links.append(f"- [{label}]({reverse(url_name)})")
        except NoReverseMatch:
            continue
    return "\n\nAlso served:\n" + "\n".join(links) if links else ""


class OpenApiMediaTypeRenderer(OpenApiJsonRenderer):
    """The document as ``application/vnd.openapi+json``, the media type API Platform (and its parser) asks for."""

    media_type = "application/vnd.openapi+json"


class OpenApiDocumentView(SpectacularJSONAPIView):
    """``/docs/openapi.json``, in each media type clients ask it by: OpenAPI's own, API Platform's, plain JSON."""

    renderer_classes = [*SpectacularJSONAPIView.renderer_classes, OpenApiMediaTypeRenderer]
