"""Every error as an RFC 9457 problem document (application/problem+json).

One exception handler maps DRF's exceptions, Django's ``Http404``/``PermissionDenied`` and
database outages to problem documents; the Django-level error views reuse the same response.
"""

import json
import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from rest_framework import exceptions
from rest_framework.views import set_rollback

PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8"
DATABASE_RETRY_AFTER_SECONDS = 5
QUERY_CANCELED = "57014"  # PostgreSQL's code when statement_timeout ends a statement

logger = logging.getLogger(__name__)


class ServiceUnavailable(exceptions.APIException):
    """The database does not answer; the client should retry later."""

    status_code = 503
    default_detail = "The service cannot reach its database; retry later."
    default_code = "service_unavailable"


class ProblemResponse(HttpResponse):
    """An RFC 9457 problem document; ``code`` names the problem type, extensions ride along."""

    def __init__(self, status, detail, *, code=None, headers=None, **extensions):
        body = {
            "type": f"/problems/{code or HTTPStatus(status).name.lower()}",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
            **extensions,
        }
        super().__init__(
            _problem_json(body),
            status=status,
            content_type=PROBLEM_CONTENT_TYPE,
            headers=headers,
        )


def _problem_json(body):
    """UTF-8 JSON; ASCII escapes when a value holds text UTF-8 cannot carry (a lone surrogate a client sent)."""
    text = json.dumps(body, ensure_ascii=False)
    try:
        return text.encode()
    except UnicodeEncodeError:
        return json.dumps(body).encode()


def problem_exception_handler(exc, context):
    """DRF exception handler: the problem document for ``exc``, or None for a real bug (500)."""
    exc = as_api_exception(exc)
    if exc is None:
        return None
    set_rollback()
    return problem_for(exc)


def problem_for(exc, **more_extensions):
    """The problem response of one ``APIException``; ``more_extensions`` join its own (a batch's ``operation``)."""
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait + 0.999))
    if isinstance(exc, ServiceUnavailable):
        headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    extensions = {**more_extensions, **getattr(exc, "problem_extensions", {})}
    if isinstance(exc, exceptions.ValidationError):
        violations = violations_from(exc.detail)
        extensions["violations"] = violations
        detail = "\n".join(_violation_line(v) for v in violations)
        code = "validation_error"
    else:
        detail = _detail_text(exc.detail)
        code = _code_of(exc)
    return ProblemResponse(exc.status_code, detail, code=code, headers=headers, **extensions)


def as_api_exception(exc):
    """The ``APIException`` an exception answers as, or None for a bug; GraphQL's errors classify by it too."""
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages})
    if isinstance(exc, (OperationalError, InterfaceError)):
        return _database_outage(exc)
    return None


def _database_outage(exc):
    """A 503 for a database that is gone or too slow; logged, since only operators can act on it."""
    logger.warning("database unavailable: %s", str(exc).strip().splitlines()[0] if str(exc).strip() else exc)
    if getattr(exc.__cause__, "pgcode", None) == QUERY_CANCELED:
        return ServiceUnavailable("The database did not answer in time; retry later.", code="database_timeout")
    return ServiceUnavailable()


def _detail_text(detail):
    """The words of an error's detail: simplejwt's ``InvalidToken`` carries a dict (detail, code, messages)."""
    if isinstance(detail, dict):
        return _detail_text(detail["detail"]) if "detail" in detail else "; ".join(map(_detail_text, detail.values()))
    if isinstance(detail, list):
        return "; ".join(map(_detail_text, detail))
    return str(detail)


def _code_of(exc):
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def violations_from(detail, path=""):
    """Flatten DRF's nested error detail into ``[{"propertyPath", "message"}]``."""
    if isinstance(detail, dict):
        return [violation for key, value in detail.items() for violation in violations_from(value, _join(path, key))]
    if isinstance(detail, list) and all(isinstance(item, str) for item in detail):
        return [{"propertyPath": path, "message": str(item)} for item in detail]
    if isinstance(detail, list):
        return [
            violation for index, item in enumerate(detail) for violation in violations_from(item, f"{path}[{index}]")
        ]
    return [{"propertyPath": path, "message": str(detail)}]


def _join(path, key):
    key = "" if key in ("non_field_errors", "__all__") else str(key)
    if not path or not key:
        return path or key
    return f"{path}.{key}"


def _violation_line(violation):
    path = violation["propertyPath"]
    return f"{path}: {violation['message']}" if path else violation["message"]


# Django-level error views (routes outside DRF), wired in urls.py.


def not_found_view(request, exception=None):
    return ProblemResponse(404, "No resource lives at this address.", code="not_found")


def bad_request_view(request, exception=None):
    return ProblemResponse(400, "The request is malformed.", code="bad_request")


def permission_denied_view(request, exception=None):
    return ProblemResponse(403, "You may not do this.", code="permission_denied")


def server_error_view(request):
    return ProblemResponse(500, "The service failed to answer; the failure is logged.", code="server_error")
