"""Request guards that run before any view."""

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
        return self.get_response(request)
