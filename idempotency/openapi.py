"""How idempotency keys and rate-limit headers appear in the OpenAPI document (a postprocessing hook)."""

from idempotency.mixins import HEADER, WRITE_METHODS, IdempotentWritesMixin
from metadata_service.openapi import ANSWERED_BY_GUNICORN, PROBLEM

KEY_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "description": "Optional: 1-255 visible ASCII characters naming this write, so that a retry runs it once. "
    "The first request runs; its answer (any status below 500 but 429) is stored with the write, in one "
    "transaction, for `IDEMPOTENCY_KEY_HOURS`. The same key again, with the same method, path, query and body "
    "(compared as canonical JSON), gets that answer back with `Idempotent-Replayed: true` and writes nothing; "
    "with another request it is a 422; while the first still runs, a 409 with `Retry-After: 1`. A key belongs to "
    "the tenant and the caller (the token's identity) that sent it.",
}
REPLAYED = {
    "description": "`true` when this is the stored answer of an earlier request with the same Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}
RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": {
        "description": 'Each rate limit that applies, as `<limit>;w=<seconds>;comment="tenant|token"`.',
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": "The tightest limit after this request: `limit=<n>, remaining=<n>, reset=<seconds>`.",
        "schema": {"type": "string"},
    },
}
IN_USE = " Or (`/problems/idempotency_key_in_use`, with `Retry-After: 1`) the Idempotency-Key's first request runs."


def document_idempotency_keys(result, generator, request, public):
    """Postprocessing hook: the key on every idempotent write, its answers, and the RateLimit headers."""
    keyed = {
        (path.rstrip("/") or "/", method.lower())
        for path, _, method, callback in generator.endpoints or ()
        if method in WRITE_METHODS and issubclass(getattr(callback, "cls", object), IdempotentWritesMixin)
    }
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            if (path, method) in keyed:
                add_key(operation)
            if operation.get("security"):
                for status, response in operation["responses"].items():
                    if status != "401" and status not in ANSWERED_BY_GUNICORN:  # no token counted: no numbers
                        response.setdefault("headers", {}).update(RATE_LIMIT_HEADERS)
    return result


def add_key(operation):
    operation.setdefault("parameters", []).append(dict(KEY_PARAMETER))
    responses = operation["responses"]
    for status, response in responses.items():
        if status.startswith("2"):
            response.setdefault("headers", {})["Idempotent-Replayed"] = REPLAYED
    if "409" in responses:
        responses["409"]["description"] += IN_USE
    else:
        responses["409"] = {
            "description": IN_USE.strip().removeprefix("Or "),
            "content": {"application/problem+json": {"schema": PROBLEM}},
        }
    responses["422"] = {
        "description": "`/problems/idempotency_key_reused`: the Idempotency-Key was used for another request.",
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }
