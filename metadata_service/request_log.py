"""One log line per request, and the request id that ties a client's call to it.

The line carries method, path, status, duration, tenant and request id; never a header value
other than the request id, never a query string, never a body (so never a token).
"""

import logging
import os
import re
import time
from urllib.parse import quote

from metadata_service.log_context import current_request_id

logger = logging.getLogger("metadata_service.requests")

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_META = "HTTP_X_REQUEST_ID"
# A client's id is kept when it is short and plain; anything else could forge log lines, so it is replaced.
ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")


def request_id_for(request):
    """The client's ``X-Request-ID`` when it is acceptable, else a new one."""
    given = request.META.get(REQUEST_ID_META, "")  # not request.headers: that builds a dict of every header
    return given if ACCEPTABLE_REQUEST_ID.fullmatch(given) else os.urandom(16).hex()  # as random as uuid4().hex


def tenant_of(request):
    """The tenant a verified token named, or None (anonymous, admin, or a refused token).

    Both REST and GraphQL authenticate through ``tenants.authentication``, which sets ``request.tenant_id``.
    """
    tenant_id = getattr(request, "tenant_id", None)
    return None if tenant_id is None else str(tenant_id)


def logged_path(request):
    """The path as sent on the wire (percent-encoded again), so that no decoded newline can split a line."""
    return quote(request.path, safe="/:@!$&'()*+,;=~")


def level_for(status):
    if status >= 500:
        return logging.ERROR
    return logging.WARNING if status >= 400 else logging.INFO


class RequestLogMiddleware:
    """Logs one line per request and echoes the request id in ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_for(request)
        serving = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(serving)
        response[REQUEST_ID_HEADER] = request.request_id
        level = level_for(response.status_code)
        if logger.isEnabledFor(level):  # below LOG_LEVEL the line would be dropped: skip building it
            self.log(request, response, level, started)
        return response

    def log(self, request, response, level, started):
        fields = {
            "method": request.method,
            "path": logged_path(request),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "tenant": tenant_of(request),
            "request_id": request.request_id,
        }
        message = "{method} {path} {status} {duration_ms}ms tenant={tenant} request_id={request_id}"
        logger.log(level, message.format(**{**fields, "tenant": fields["tenant"] or "-"}), extra=fields)
