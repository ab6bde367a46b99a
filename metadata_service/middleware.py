"""Request guards that run before any view."""

from django.conf import settings

from metadata_service.problems import ProblemResponse


class RequestBodyLimitMiddleware:
    """Answers 413 to a body whose declared length exceeds ``REQUEST_BODY_MAX_BYTES``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.METADATA_SERVICE["REQUEST_BODY_MAX_BYTES"]
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not (declared.isascii() and declared.isdigit()):  # "²".isdigit() is true, int("²") fails
            return ProblemResponse(400, "The Content-Length header is not a number.", code="bad_request")
        if int(declared) > limit:
            return ProblemResponse(
                413, f"The request body exceeds the limit of {limit} bytes.", code="request_too_large"
            )
        return self.get_response(request)
