"""The remembering content negotiation answers what DRF's own does, from memory too."""

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from metadata_service.negotiation import RememberingContentNegotiation
from metadatas.renderers import MetadataJSONLDRenderer, MetadataJSONRenderer

RENDERERS = (MetadataJSONLDRenderer, MetadataJSONRenderer)


def request_accepting(accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(APIRequestFactory().get("/metadatas", **headers))


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "application/json",
        "application/ld+json",
        "application/json; indent=4",
        "text/html, application/json;q=0.9, */*;q=0.8",
        "application/*",
        "",
    ],
)
@pytest.mark.parametrize("format_suffix", [None, "json", "jsonld"])
def test_the_remembered_answer_is_drfs(accept, format_suffix):
    RememberingContentNegotiation._answers.clear()
    for _ in range(2):  # the first answer is DRF's, the second comes from memory
        renderers = [renderer() for renderer in RENDERERS]
        expected = outcome(DefaultContentNegotiation(), accept, renderers, format_suffix)
        assert outcome(RememberingContentNegotiation(), accept, renderers, format_suffix) == expected


def outcome(negotiation, accept, renderers, format_suffix):
    """Which of ``renderers`` and which media type, or the refusal."""
    try:
        renderer, media_type = negotiation.select_renderer(request_accepting(accept), renderers, format_suffix)
    except (NotAcceptable, Http404) as refusal:
        return type(refusal)
    return renderers.index(renderer), media_type


def test_a_refusal_is_not_remembered():
    RememberingContentNegotiation._answers.clear()
    for _ in range(2):
        with pytest.raises(NotAcceptable):
            RememberingContentNegotiation().select_renderer(
                request_accepting("text/csv"), [renderer() for renderer in RENDERERS]
            )
    assert not RememberingContentNegotiation._answers
