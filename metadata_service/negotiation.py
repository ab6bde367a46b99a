"""DRF's content negotiation, remembering its answers instead of parsing the same Accept header again."""

from rest_framework.negotiation import DefaultContentNegotiation

ANSWERS_MAX = 256  # distinct (Accept, format, renderers) answers kept; all are forgotten when it is reached


class RememberingContentNegotiation(DefaultContentNegotiation):
    """``DefaultContentNegotiation``'s choice of renderer, remembered per Accept header, format and renderer
    classes: clients send the same few headers, and parsing one (through ``request.headers``, a dict of
    every header) took more of a write's CPU than the rest of DRF's dispatch around it.

    What is remembered is which of the view's renderers DRF chose and the media type it accepted; a refusal
    (406, or 404 for an unknown format) is not, so it is DRF's own answer every time.
    """

    _answers: dict[tuple, tuple[int, str]] = {}

    def select_renderer(self, request, renderers, format_suffix=None):
        format_parameter = self.settings.URL_FORMAT_OVERRIDE
        chosen_format = format_suffix or (request.query_params.get(format_parameter) if format_parameter else None)
        key = (
            request.META.get("HTTP_ACCEPT", "*/*"),  # what DRF reads as request.headers.get("accept", "*/*")
            chosen_format,
            tuple((type(renderer), renderer.media_type, renderer.format) for renderer in renderers),
        )
        answer = self._answers.get(key)
        if answer is None:
            renderer, media_type = super().select_renderer(request, renderers, format_suffix)
            answer = next(i for i, candidate in enumerate(renderers) if candidate is renderer), media_type
            if len(self._answers) >= ANSWERS_MAX:
                self._answers.clear()
            self._answers[key] = answer
        index, media_type = answer
        return renderers[index], media_type
