"""The plain list page, ``GET /metadatas?page=N&limit=M`` in plain JSON, answered without DRF's generic cycle,
with or without the filters services poll by (``type``, ``owner``, ``slug``, ``title``: one value each).

Services page through a tenant's resources with nothing but ``page`` and ``limit``, or ``type=`` and the
like; that request is answered here with the checks of the viewset in its order: the token
(``metadatas.item_read.authenticated``), ``metadata:browse`` in some form (``tenants.permissions``), the rate
limits, the filters (their own FilterSet, ``metadatas.filters``), the two page parameters (the pagination's
own parsing), then one query. The query is the viewset's list queryset (the tenant scoping of
``MetadataQuerySet.for_tenant``, the identity's ``browsable_metadata`` condition, the filter backends, the
capped total of ``metadatas.counting``), compiled once per database and per browse condition
(``metadatas.compiled_lookups.CompiledPage``), and for a filtered page once per set of filter values (a
bounded number of them, their SQL planned for its values each time). Its answer is the viewset's byte for
byte: the same body, ``X-Total-Count``, ``Link``, ``Allow`` and ``Vary``, and the same 400 for a bad
value (tests/test_lean_list.py).

Whatever else (JSON-LD, another Accept header, ``Accept-Language``, any other query parameter: other
filters, a filter given twice or in a list spelling, ordering, ``cursor``, ``locale``, ``properties[]``,
``deleted``) goes to the viewset itself.
"""

import functools
from types import SimpleNamespace

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, QueryDict

from metadata_service.conf import service_settings
from metadatas.compiled_lookups import CompiledPage
from metadatas.counting import TOTAL_ALIAS, total_of_counted, with_capped_total
from metadatas.filters import MetadataFilterBackend, MetadataFilterSet, OrderParameterFilter
from metadatas.item_read import authenticated, count_request, problem
from metadatas.models import Metadata
from metadatas.pagination import (
    MAX_OFFSET,
    last_page_number,
    numbered_page_links,
    page_limit,
    plain_list_headers,
    positive_int_parameter,
)
from metadatas.renderers import MetadataJSONRenderer
from metadatas.serializers import metadata_representation
from tenants.permissions import BROWSE, browsable_metadata, require_attempt_metadata

PAGE_PARAMETERS = frozenset({"page", "limit"})
# The filters a short-path page may carry (metadatas.filters.MetadataFilterSet), by their plain names.
LEAN_FILTERS = frozenset({"type", "owner", "slug", "title"})
SHORT_PATH_PARAMETERS = PAGE_PARAMETERS | LEAN_FILTERS
# Compiled statements of filtered pages kept per process: one per database, browse condition and filter values.
FILTERED_KEYS_MAX = 256
RENDERER = MetadataJSONRenderer()
CONTENT_TYPE = f"{RENDERER.media_type}; charset=utf-8"
# What DRF's finalize_response and LocalizedTitlesMixin add to the list route's answers (a problem: no language).
ROUTE_HEADERS = {"Allow": "GET, POST, HEAD, OPTIONS", "Vary": "Accept"}
LIST_VARY = "Accept, Accept-Language"
PAGES = CompiledPage(Metadata, TOTAL_ALIAS)
# A generic plan of a title search could not know its pattern: these are planned for their values.
FILTERED_PAGES = CompiledPage(Metadata, TOTAL_ALIAS, keys_max=FILTERED_KEYS_MAX, prepared=False)
LIST_VIEW = SimpleNamespace(filterset_class=MetadataFilterSet)  # what the filter backends read of the viewset


def takes_lean_list(request):
    """A plain JSON GET (no ``Accept-Language``) whose query names only the page and the short path's filters."""
    meta = request.META
    plain = meta.get("HTTP_ACCEPT") == RENDERER.media_type and "HTTP_ACCEPT_LANGUAGE" not in meta
    return request.method == "GET" and plain and only_short_path_parameters(request)


def only_short_path_parameters(request):
    """Whether the query string names nothing but ``page``, ``limit`` and ``LEAN_FILTERS``, each once."""
    if not request.META.get("QUERY_STRING"):
        return True
    try:
        lists = request.GET.lists()
    except SuspiciousOperation:  # too many fields: the viewset's path answers its 400
        return False
    return all(name in SHORT_PATH_PARAMETERS and len(values) == 1 for name, values in lists)


def lean_list(request):
    """The page of the caller's tenant's resources the viewset would answer, or its problem document."""
    try:
        return page_response(request, *page_of(request))
    except Exception as exc:  # what the problem mapping knows (400 ... 503) is answered; a bug stays a 500
        response = problem(request, exc, ROUTE_HEADERS)
        if response is None:
            raise
        return response


def page_of(request):
    """Authenticate, check ``metadata:browse``, count, read the page: the viewset's order of checks."""
    identity, token = authenticated(request)
    require_attempt_metadata(identity, BROWSE)
    count_request(identity, token)
    browsable, filters = browsable_metadata(identity), filter_parameters(request)
    pages, key, build = compiled_pages(browsable, filters)
    if filters is not None:  # a filter's 400 comes before the page's, as in the viewset
        pages.compile(key, build, tenant_id=identity.tenant_id)
    page = positive_int_parameter(request.GET, "page", 1)
    limit = page_limit(request)

    def queryset():  # only when the total needs a query of its own (an empty page) or the planner's estimate
        return list_queryset(tenant_id=identity.tenant_id, browsable=browsable, filters=filters)

    offset = (page - 1) * limit
    if offset > MAX_OFFSET:  # beyond any table: no page to read, only the total
        return page, limit, [], total_of_counted(None, queryset)
    rows, counted = pages.page(key, build, offset=offset, limit=limit, tenant_id=identity.tenant_id)
    return page, limit, rows, total_of_counted(counted, queryset, estimate_key=(__name__, key, identity.tenant_id))


def filter_parameters(request):
    """The page's filters as a query of their own (``QueryDict``), or None for an unfiltered page."""
    if not any(name in LEAN_FILTERS for name in request.GET):
        return None
    filters = QueryDict(mutable=True)
    for name in sorted(LEAN_FILTERS & request.GET.keys()):
        filters[name] = request.GET[name]
    return filters


def compiled_pages(browsable, filters):
    """``(compiled pages, key, build)`` of the page's statement: what it depends on beyond the tenant, and how
    its queryset is built."""
    key = (browsable, service_settings.COUNT_EXACT_MAX)
    build = functools.partial(counted_list_queryset, browsable=browsable, filters=filters)
    if filters is None:
        return PAGES, key, build
    return FILTERED_PAGES, (*key, tuple(filters.items())), build


def list_queryset(*, tenant_id, browsable, filters=None):
    """The viewset's list queryset for a request with only ``filters`` (the tenant's rows the identity may
    browse, filtered); a malformed filter value is the FilterSet's ValidationError."""
    query = filters if filters is not None else QueryDict()
    parameters = SimpleNamespace(query_params=query, GET=query)
    rows = Metadata.objects.for_tenant(tenant_id).filter(browsable)
    for backend in (MetadataFilterBackend(), OrderParameterFilter()):
        rows = backend.filter_queryset(parameters, rows, LIST_VIEW)
    return rows


def counted_list_queryset(**values):
    """The list queryset with the capped total on each row (the page's one query, as the pagination runs it)."""
    rows = list_queryset(**values)
    return with_capped_total(rows, rows)


def page_response(request, page, limit, rows, total):
    """The plain JSON page: the resources, and the total and page links in headers."""
    links = numbered_page_links(request, page, last_page_number(total, limit))
    headers = {**plain_list_headers(request, total, links), **ROUTE_HEADERS, "Vary": LIST_VARY}
    body = RENDERER.render([metadata_representation(row) for row in rows])
    return HttpResponse(body, content_type=CONTENT_TYPE, headers=headers)
