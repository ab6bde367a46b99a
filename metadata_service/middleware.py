"""Request guards that run before any view."""

from corsheaders.middleware import CorsMiddleware as DjangoCorsMiddleware
from django.conf import settings
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string

from metadata_service.conf import service_settings
from metadata_service.problems import ProblemResponse


class RequestBodyLimitMiddleware:
    """Answers 413 to a body whose declared length exceeds ``REQUEST_BODY_MAX_BYTES``.

    A chunked body (no Content-Length) is a 411: Django would read it as empty, so it could neither
    be checked against the limit nor be parsed; the client is told to send a length instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = service_settings.REQUEST_BODY_MAX_BYTES
        if "HTTP_TRANSFER_ENCODING" in request.META and not request.META.get("CONTENT_LENGTH"):
            return ProblemResponse(
                411, "Send the body with a Content-Length; chunked bodies are not accepted.", code="length_required"
            )
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not (declared.isascii() and declared.isdigit()):  # "²".isdigit() is true, int("²") fails
            return ProblemResponse(400, "The Content-Length header is not a number.", code="bad_request")
        if int(declared) > limit:
            return ProblemResponse(
                413, f"The request body exceeds the limit of {limit} bytes.", code="request_too_large"
            )
        if int(declared):
            # The whole (bounded) body is read before anything takes a database connection: a client that
            # sends it slowly, or never, then holds only its own greenlet, not one of the worker's pool.
            request.body  # noqa: B018
        return self.get_response(request)


class BrowserMiddleware:
    """Runs ``BROWSER_MIDDLEWARE`` (sessions, CSRF, the logged-in user, messages) for browser pages only.

    Requests under ``BROWSER_PATH_PREFIXES`` (the admin) go through that chain; every other request
    (the token-authenticated API, health, metrics, docs) goes straight on, paying for none of it:
    it reads no session cookie, checks no CSRF token and loads no user.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.browser_response = get_response
        for path in reversed(settings.BROWSER_MIDDLEWARE):
            self.browser_response = import_string(path)(self.browser_response)
        self.prefixes = tuple(settings.BROWSER_PATH_PREFIXES)

    def __call__(self, request):
        if request.path_info.startswith(self.prefixes):
            return self.browser_response(request)
        return self.get_response(request)


class CorsMiddleware(DjangoCorsMiddleware):
    """django-cors-headers' middleware, with a request that sends no ``Origin`` answered without reading headers.

    Services calling each other send no ``Origin``; for them the library only adds ``Vary: origin``, but it
    asks ``request.headers`` first, which builds a dict of every header: that was a tenth of an item read.
    """

    def add_response_headers(self, request, response):
        if "HTTP_ORIGIN" in request.META:
            return super().add_response_headers(request, response)
        enabled = getattr(request, "_cors_enabled", None)  # as the library decides it
        if enabled is None:
            enabled = self.is_enabled(request)
        if enabled:
            patch_vary_headers(response, ("origin",))
        return response
