"""``Idempotency-Key`` on GraphQL mutations (contract automation.md), on top of ``idempotency.records``.

As on REST, the key is claimed and the answer stored in the mutation's transaction. GraphQL answers every
request with HTTP 200, so a key in use, a key reused and a malformed key are Kraken errors on a 200
(``MS-GQL-4091`` with ``Retry-After: 1``, ``MS-GQL-4221``, ``MS-GQL-1006``); an answer carrying an internal,
database or rate-limit error is no outcome and is not stored.
"""

import json

from django.db import transaction
from django.http import HttpResponse
from graphql import GraphQLError, OperationType, get_operation_ast
from rest_framework.exceptions import APIException, ValidationError

from idempotency import records
from idempotency.exceptions import IN_USE_RETRY_SECONDS, IdempotencyKeyInUse, IdempotencyKeyReused
from idempotency.mixins import META_HEADER, key_scope, request_fingerprint, valid_key
from linked_metadata.graphql_api.access import caller
from linked_metadata.graphql_api.errors import (
    BAD_REQUEST,
    IDEMPOTENCY_KEY_IN_USE,
    IDEMPOTENCY_KEY_REUSED,
    NOT_STORED_CODES,
    document_error,
    formatted_error,
)
from linked_metadata.graphql_api.limits import DocumentRefused, parse_within_limits


class KeyRefused(Exception):
    """The key cannot be used now: ``response`` is the Kraken error to answer."""

    def __init__(self, response):
        super().__init__("key refused")
        self.response = response


def is_keyed_mutation(request) -> bool:
    """A POST with an Idempotency-Key whose document runs a mutation (anything else runs as usual)."""
    if request.method != "POST" or META_HEADER not in request.META:
        return False
    try:
        data = json.loads(request.body)
        document = parse_within_limits(data["query"])
        operation = get_operation_ast(document, data.get("operationName"))
    except (ValueError, KeyError, TypeError, DocumentRefused, GraphQLError):
        return False  # the view answers the malformed request as it does without a key
    return operation is not None and operation.operation == OperationType.MUTATION


def run_once(request, run):
    """``run()`` (the view's own dispatch) under the request's key: once, or the stored answer again."""
    try:
        identity = caller(request)
    except APIException:
        return run()  # no caller: the mutation's fields answer the token's error, nothing is stored
    try:
        scope = key_scope(request, identity, valid_key(request.META[META_HEADER]))
        fingerprint = request_fingerprint(request)
        with transaction.atomic():
            claimed = records.claim(scope)
            if not claimed.locked:
                raise KeyRefused(kraken_answer(IDEMPOTENCY_KEY_IN_USE, IdempotencyKeyInUse.default_detail, True))
            if claimed.response is not None:
                return answer_for(claimed.fingerprint, claimed.response, fingerprint)
            response = run()
            if storable(response) and not records.store(scope, fingerprint, response):
                transaction.set_rollback(True)  # another run stored its answer first: give that one
                raise KeyRefused(None)
            return response
    except ValidationError as exc:
        return kraken_answer(BAD_REQUEST, f"Idempotency-Key: {exc.detail['Idempotency-Key'][0]}")
    except KeyRefused as refused:
        if refused.response is not None:
            return refused.response
        stored = records.stored_response(scope)
        return answer_for(*stored, fingerprint) if stored else kraken_answer(BAD_REQUEST, "Retry the request.")


def answer_for(stored_fingerprint, stored_response, fingerprint):
    """The stored answer to the same request; the Kraken error of a key reused for another."""
    if stored_fingerprint != fingerprint:
        return kraken_answer(IDEMPOTENCY_KEY_REUSED, IdempotencyKeyReused.default_detail)
    return stored_response


def storable(response) -> bool:
    if response.status_code != 200:
        return False
    errors = json.loads(response.content).get("errors") or []
    return not any((error.get("extensions") or {}).get("errorCode") in NOT_STORED_CODES for error in errors)


def kraken_answer(kraken_code, description, retry=False):
    body = {"errors": [formatted_error(document_error(kraken_code, description))], "data": None}
    response = HttpResponse(json.dumps(body), content_type="application/json")
    if retry:
        response["Retry-After"] = str(IN_USE_RETRY_SECONDS)
    return response
