"""The hot reads take the short chain (metadata_service/short_routes.py) and answer as Django's whole path does."""

import re
from unittest import mock

import pytest
from django.urls import resolve
from django.urls.resolvers import URLResolver

from tests.conftest import DJANGO_PATH_HANDLER, JSON, JSONLD

# What differs between two answers to the same request: the request id is new, one less request remains, and
# the window's reset (in seconds) may have ticked between the two.
PER_REQUEST = {"X-Request-ID": re.compile(".*"), "RateLimit": re.compile(r"(remaining|reset)=\d+")}


def headers_and_body(response):
    headers = dict(response.items())
    for name, varying in PER_REQUEST.items():
        if name in headers:
            headers[name] = varying.sub("…", headers[name])
    return response.status_code, headers, response.content


def through_django(client):
    """The same client, its requests through Django's resolver and the whole MIDDLEWARE."""
    client.handler = DJANGO_PATH_HANDLER(enforce_csrf_checks=False)
    return client


@pytest.fixture
def resolver_calls():
    """How many times Django's URL resolver ran."""
    calls = []
    real = URLResolver.resolve

    def counted(self, path):
        calls.append(path)
        return real(self, path)

    with mock.patch.object(URLResolver, "resolve", counted):
        yield calls


def test_a_plain_item_read_is_answered_without_the_url_resolver(api, make_metadata, resolver_calls):
    response = api.get(f"/metadatas/{make_metadata().uuid}", **JSON)

    assert response.status_code == 200
    assert resolver_calls == []


def test_a_plain_list_page_is_answered_without_the_url_resolver(api, make_metadata, resolver_calls):
    make_metadata()

    assert api.get("/metadatas?page=1&limit=10", **JSON).status_code == 200
    assert resolver_calls == []


@pytest.mark.parametrize(
    "request_",
    [
        {"QUERY_STRING": "locale=en"},
        {"HTTP_ACCEPT_LANGUAGE": "fr"},
        {"CONTENT_LENGTH": "2", "CONTENT_TYPE": "application/json"},
    ],
    ids=["query", "language", "body"],
)
def test_a_read_the_short_route_does_not_take_goes_through_the_resolver(api, make_metadata, resolver_calls, request_):
    body = b"{}" if "CONTENT_LENGTH" in request_ else b""
    api.generic("GET", f"/metadatas/{make_metadata().uuid}", data=body, **JSON, **request_)

    assert resolver_calls != []


def test_a_chunked_read_meets_the_body_limit_of_django_s_whole_path(api, make_metadata):
    response = api.get(f"/metadatas/{make_metadata().uuid}", HTTP_TRANSFER_ENCODING="chunked", **JSON)

    assert response.status_code == 411


@pytest.mark.parametrize("path", ["/metadatas/{uuid}", "/metadatas/{uuid}/", "/metadatas"])
def test_the_short_route_s_resolver_match_is_django_s(api, make_metadata, path):
    path = path.format(uuid=make_metadata().uuid)
    query = "page=1" if path == "/metadatas" else ""
    request = api.get(path, QUERY_STRING=query, **JSON).wsgi_request
    django = resolve(path)

    short = request.resolver_match
    assert (short.func, short.kwargs, short.url_name, short.route) == (
        django.func,
        django.kwargs,
        django.url_name,
        django.route,
    )


@pytest.mark.parametrize("accept", [JSON, JSONLD], ids=["json", "jsonld"])
@pytest.mark.parametrize("origin", [{}, {"HTTP_ORIGIN": "https://app.example"}], ids=["no-origin", "origin"])
def test_an_item_read_has_every_header_and_byte_of_django_s_whole_path(api, make_metadata, accept, origin):
    url = f"/metadatas/{make_metadata(data={'k': [1]}).uuid}"

    short = api.get(url, **accept, **origin)
    whole = through_django(api).get(url, **accept, **origin)

    assert headers_and_body(short) == headers_and_body(whole)


def test_a_304_has_every_header_of_django_s_whole_path(api, make_metadata):
    url, condition = f"/metadatas/{make_metadata().uuid}", {"HTTP_IF_NONE_MATCH": '"1"'}

    short = api.get(url, **JSON, **condition)
    whole = through_django(api).get(url, **JSON, **condition)

    assert short.status_code == 304
    assert headers_and_body(short) == headers_and_body(whole)


def test_a_problem_on_the_short_route_has_every_header_of_django_s_whole_path(api, other_tenant, make_metadata):
    url = f"/metadatas/{make_metadata(tenant=other_tenant).uuid}"  # another tenant's: 404

    short = api.get(url, **JSON)
    whole = through_django(api).get(url, **JSON)

    assert short.status_code == 404
    assert headers_and_body(short) == headers_and_body(whole)


def test_a_list_page_has_every_header_and_byte_of_django_s_whole_path(api, make_metadata):
    for _ in range(3):
        make_metadata()

    short = api.get("/metadatas?page=2&limit=1", **JSON)
    whole = through_django(api).get("/metadatas?page=2&limit=1", **JSON)

    assert headers_and_body(short) == headers_and_body(whole)
