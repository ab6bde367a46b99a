"""The problems of an idempotency key (automation.md): in use (409, retry after 1 s) and reused (422)."""

from rest_framework.exceptions import APIException

IN_USE_RETRY_SECONDS = 1


class IdempotencyKeyInUse(APIException):
    """Another request with this key is still running; retry once it has answered."""

    status_code = 409
    default_detail = "A request with this Idempotency-Key is still running; retry in a moment."
    default_code = "idempotency_key_in_use"
    wait = IN_USE_RETRY_SECONDS


class IdempotencyKeyReused(APIException):
    """The key was used for another request (another body or query string) within its retention."""

    status_code = 422
    default_detail = "This Idempotency-Key was used for a different request; use a new key for a new request."
    default_code = "idempotency_key_reused"
