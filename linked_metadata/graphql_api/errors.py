"""GraphQL errors in Kraken's shape: ``extensions.errorType``, ``errorCode``, ``errorDescription``.

Resolvers raise the service's DRF-shaped exceptions (``linked_metadata.exceptions``, DRF's auth errors);
``formatted_error`` maps each to its code. Errors the view finds before running a query (bad request,
syntax, unknown fields, limits) are built with ``document_error``. Anything else is a bug: it is logged
and answered as ``MS-GQL-5001`` without its text, so no SQL or stack trace reaches a client.
"""

import logging
from dataclasses import dataclass

from graphql import GraphQLError
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotAuthenticated,
    PermissionDenied,
    Throttled,
    ValidationError,
)

from linked_metadata.exceptions import LinkedMetadataKeyExists, LinkedMetadataKeyNotFound
from metadata_service.problems import ServiceUnavailable, as_api_exception, violations_from
from tenants.quotas import QuotaExceeded

logger = logging.getLogger("linked_metadata.graphql")

AUTHORIZATION = "AUTHORIZATION"
VALIDATION = "VALIDATION"
NOT_FOUND = "NOT_FOUND"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL = "INTERNAL"
RATE_LIMITED = "RATE_LIMITED"


@dataclass(frozen=True)
class KrakenCode:
    """One row of the README's table of GraphQL error codes."""

    code: str
    error_type: str
    message: str


AUTHORIZATION_HEADER_MISSING = KrakenCode("KT-CT-1112", AUTHORIZATION, "'Authorization' header not provided.")
TOKEN_REFUSED = KrakenCode("KT-CT-1111", AUTHORIZATION, "Unauthorized.")
OBJECT_FORBIDDEN = KrakenCode("KT-CT-4123", AUTHORIZATION, "Unauthorized.")
KEY_EXISTS = KrakenCode("KT-CT-8414", VALIDATION, "Key already exists.")
KEY_DOES_NOT_EXIST = KrakenCode("KT-CT-8415", NOT_FOUND, "Key does not exist.")
INVALID_DATA = KrakenCode("MS-GQL-1001", VALIDATION, "Invalid data.")
SYNTAX_ERROR = KrakenCode("MS-GQL-1002", VALIDATION, "Syntax error.")
INVALID_QUERY = KrakenCode("MS-GQL-1003", VALIDATION, "Invalid query.")
QUERY_TOO_LARGE = KrakenCode("MS-GQL-1004", VALIDATION, "Query too large.")
QUERY_TOO_DEEP = KrakenCode("MS-GQL-1005", VALIDATION, "Query too deep.")
BAD_REQUEST = KrakenCode("MS-GQL-1006", VALIDATION, "Bad request.")
DATABASE_UNAVAILABLE = KrakenCode("MS-GQL-5031", SERVICE_UNAVAILABLE, "Service unavailable.")
INTERNAL_ERROR = KrakenCode("MS-GQL-5001", INTERNAL, "Internal error.")
TOO_MANY_REQUESTS = KrakenCode("MS-GQL-4291", RATE_LIMITED, "Too many requests.")
QUOTA_EXCEEDED = KrakenCode("MS-GQL-4031", VALIDATION, "Quota exceeded.")
IDEMPOTENCY_KEY_IN_USE = KrakenCode("MS-GQL-4091", VALIDATION, "Idempotency key in use.")
IDEMPOTENCY_KEY_REUSED = KrakenCode("MS-GQL-4221", VALIDATION, "Idempotency key reused.")
# Answers that are no outcome of the mutation: a retry with the same Idempotency-Key must run it again.
NOT_STORED_CODES = {INTERNAL_ERROR.code, DATABASE_UNAVAILABLE.code, TOO_MANY_REQUESTS.code}

# Checked in order, on the exception as the REST API would answer it (``as_api_exception``: a database
# outage is ``ServiceUnavailable`` there too): the first class it is an instance of gives its code.
EXCEPTION_CODES = (
    (NotAuthenticated, AUTHORIZATION_HEADER_MISSING),
    (AuthenticationFailed, TOKEN_REFUSED),
    (QuotaExceeded, QUOTA_EXCEEDED),  # a PermissionDenied too: checked first
    (PermissionDenied, OBJECT_FORBIDDEN),
    (Throttled, TOO_MANY_REQUESTS),
    (LinkedMetadataKeyExists, KEY_EXISTS),
    (LinkedMetadataKeyNotFound, KEY_DOES_NOT_EXIST),
    (ValidationError, INVALID_DATA),
    (ServiceUnavailable, DATABASE_UNAVAILABLE),
)
INTERNAL_ERROR_DESCRIPTION = "The service failed to answer this field; the failure is logged."


def kraken_extensions(kraken_code, description, validation_errors=None):
    extensions = {
        "errorType": kraken_code.error_type,
        "errorCode": kraken_code.code,
        "errorDescription": description,
        "errorClass": kraken_code.error_type,
    }
    if validation_errors:
        extensions["validationErrors"] = validation_errors
    return extensions


def document_error(kraken_code, description, nodes=None, source=None, positions=None):
    """An error found before execution (request, syntax, schema validation, limits), already in Kraken's shape."""
    return GraphQLError(
        kraken_code.message,
        nodes,
        source=source,
        positions=positions,
        extensions=kraken_extensions(kraken_code, description),
    )


def formatted_error(error):
    """The JSON of one error in Kraken's shape: message, locations, path and extensions."""
    if isinstance(error, GraphQLError) and "errorCode" in (error.extensions or {}):
        return error.formatted
    if not isinstance(error, GraphQLError):  # raised outside graphql-core (e.g. the request body)
        error = GraphQLError(str(error), original_error=error)
    kraken_code, description, validation_errors = _classify(error)
    formatted = error.formatted
    formatted["message"] = kraken_code.message
    formatted["extensions"] = kraken_extensions(kraken_code, description, validation_errors)
    return formatted


def _classify(error):
    original = error.original_error
    if original is None or error.path is None or isinstance(original, GraphQLError):
        # graphql-core's own verdict on the document or its variables: a wrong type, an unknown operation...
        return INVALID_QUERY, error.message, None
    known = as_api_exception(original)
    for exception_class, kraken_code in EXCEPTION_CODES:
        if isinstance(known, exception_class):
            return kraken_code, _description(known), _validation_errors(known)
    logger.error("GraphQL field %s failed", error.path, exc_info=(type(original), original, original.__traceback__))
    return INTERNAL_ERROR, INTERNAL_ERROR_DESCRIPTION, None


def _description(exc):
    if isinstance(exc, ValidationError):
        return " ".join(violation["message"] for violation in violations_from(exc.detail))
    return str(exc.detail)


def _validation_errors(exc):
    if not isinstance(exc, ValidationError):
        return None
    prefix = tuple(getattr(exc, "input_path_prefix", ()))
    return [
        {
            "message": violation["message"],
            "inputPath": [*prefix, _camel_case(violation["propertyPath"])]
            if violation["propertyPath"]
            else list(prefix),
        }
        for violation in violations_from(exc.detail)
    ]


def _camel_case(name):
    first, *rest = str(name).split("_")
    return first + "".join(part.title() for part in rest)


def at_input_path(exc, *prefix):
    """Mark a validation error as one of the arguments under ``prefix`` (e.g. ``"input"``) and return it."""
    exc.input_path_prefix = prefix
    return exc
