"""The request id of the request being served, on every log record made while serving it.

``RequestLogMiddleware`` sets it for the request's duration; ``RequestIdFilter`` (on the console
handler, see LOGGING) copies it onto each record, so a warning from a database fault or a traceback
carries the same id as the request's own log line. A context variable, so threads and greenlets each
see their own request's id. Loaded while logging is configured: no app imports here.
"""

import logging
from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to records made while a request is served that do not carry one already."""

    def filter(self, record):
        request_id = current_request_id.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True
