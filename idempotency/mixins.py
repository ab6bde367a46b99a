"""``IdempotentWritesMixin``: the ``Idempotency-Key`` of automation.md on a DRF view's write methods."""

import hashlib
import json
import re
from typing import TYPE_CHECKING

from django.db import transaction
from rest_framework.exceptions import ValidationError

from idempotency import records
from idempotency.exceptions import IdempotencyKeyInUse, IdempotencyKeyReused
from metadata_service.problems import problem_for

HEADER = "Idempotency-Key"
META_HEADER = "HTTP_IDEMPOTENCY_KEY"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")
NOT_STORED = 429  # a throttled request had no outcome; its retry must run

if TYPE_CHECKING:  # what the mixin is mixed into, for mypy only (at run time its base is object)
    from rest_framework.views import APIView as ViewBase
else:
    ViewBase = object


class StoredAnswer(Exception):
    """Raised when the key's first run answered already: the view answers with ``response``."""

    def __init__(self, response):
        super().__init__("replay")
        self.response = response


class IdempotentWritesMixin(ViewBase):
    """A write sent with ``Idempotency-Key`` runs once; its response is stored with the write, in one transaction.

    The whole request runs in one transaction. Before the permission check the key is claimed (an advisory
    lock and the stored record, one statement: ``idempotency.records``): a stored record answers again
    (same request) or is a 422 (another request); a key held by a running request is a 409. A 2xx or 3xx is
    stored in the write's transaction, so a crash keeps both or neither; a 4xx rolls the transaction back and
    is stored after it (except a 429, which is no outcome). A request without the header costs nothing more.
    """

    idempotency: tuple[records.KeyScope, str] | None = None
    after_rollback = None  # a 4xx outcome to store once the transaction is rolled back
    lost_race = False

    def dispatch(self, request, *args, **kwargs):
        if request.method not in WRITE_METHODS or META_HEADER not in request.META:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
        return self.perform_after_transaction(response)

    def check_permissions(self, request):
        if request.method in WRITE_METHODS and META_HEADER in request.META:
            self.claim_idempotency_key(request)
        super().check_permissions(request)

    def claim_idempotency_key(self, request):
        """Take the key for this transaction, or answer as its first run did (``StoredAnswer``)."""
        identity = request.user
        if getattr(identity, "tenant_id", None) is None:
            return  # no tenant yet: the permission check answers 401
        scope = self.get_key_scope(request, valid_key(request.META[META_HEADER]))
        fingerprint = request_fingerprint(request)
        claimed = records.claim(scope)
        if not claimed.locked:
            raise IdempotencyKeyInUse()
        if claimed.response is not None:
            raise StoredAnswer(answer_for(claimed.fingerprint, fingerprint, claimed.response))
        self.idempotency = scope, fingerprint

    def get_key_scope(self, request, key):
        subject = (getattr(request.auth, "payload", None) or {}).get("sub")
        return key_scope(request, request.user, key, subject=subject)

    def handle_exception(self, exc):
        if isinstance(exc, StoredAnswer):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.idempotency is not None:
            self.perform_store(response, *self.idempotency)
        return response

    def perform_store(self, response, scope, fingerprint):
        """Store the outcome in the write's transaction (2xx, 3xx), or after its rollback (4xx but 429)."""
        if response.status_code >= 400:
            transaction.set_rollback(True)
        if response.status_code >= 500 or response.status_code == NOT_STORED:
            return
        if hasattr(response, "render"):
            response.render()  # the stored bytes are the bytes sent
        if response.status_code >= 400:
            self.after_rollback = response
        elif not records.store(scope, fingerprint, response):
            transaction.set_rollback(True)  # another run of the key committed first: answer as it did
            self.lost_race = True

    def perform_after_transaction(self, response):
        if self.idempotency is None:
            return response
        scope, fingerprint = self.idempotency
        if self.after_rollback is not None:
            records.store(scope, fingerprint, self.after_rollback)
        if self.lost_race:
            stored = records.stored_response(scope)
            if stored is not None:
                return answer_for(stored[0], fingerprint, stored[1])
        return response


def key_scope(request, identity, key, *, subject=None):
    """(tenant, caller, method, path): the caller is the identity's uuid, or the token's subject."""
    return records.KeyScope(
        tenant_id=identity.tenant_id,
        caller=f"{identity.type}:{identity.uuid or subject or ''}",
        method=request.method,
        path=request.path.rstrip("/") or "/",
        key=key,
    )


def valid_key(value):
    """The header's value: 1 to 255 visible ASCII characters, else a 400 naming the header."""
    if not VALID_KEY.fullmatch(value):
        raise ValidationError({HEADER: ["Must be 1 to 255 visible ASCII characters (0x21-0x7E)."]})
    return value


def request_fingerprint(request):
    """A hash of the query string, ``If-Match`` and the body as canonical JSON (key order and spacing do not
    count). ``If-Match`` is part of the request: the same body under another condition is another request."""
    raw = request.body
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, RecursionError):
        body = raw  # not JSON (or empty): compared as sent
    meta = request.META
    head = "\n".join((meta.get("QUERY_STRING", ""), meta.get("HTTP_IF_MATCH", ""))).encode("latin-1", "replace")
    return hashlib.sha256(head + b"\n" + body).hexdigest()


def answer_for(stored_fingerprint, fingerprint, response):
    """The stored response for the same request; the 422 for another."""
    if stored_fingerprint != fingerprint:
        return problem_for(IdempotencyKeyReused())
    return response
