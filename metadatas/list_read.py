"""The plain list page, ``GET /metadatas?page=N&limit=M`` in plain JSON, answered without DRF's generic cycle.

Services page through a tenant's resources with nothing but ``page`` and ``limit``; that request is
answered here with the checks of the viewset in its order: the token (``metadatas.item_read.authenticated``),
``metadata:browse`` in some form (``tenants.permissions``), the rate limits, the two page parameters (the
pagination's own parsing), then one query. The query is the viewset's list queryset (the tenant scoping
of ``MetadataQuerySet.for_tenant``, the identity's ``browsable_metadata`` condition, the filter backends
with no parameter, the capped total of ``metadatas.counting``), compiled once per database and per
browse condition (``metadatas.compiled_lookups.CompiledPage``). Its answer is the viewset's byte for
byte: the same body, ``X-Total-Count``, ``Link``, ``Allow`` and ``Vary`` (tests/test_lean_list.py).

Whatever else (JSON-LD, another Accept header, ``Accept-Language``, any other query parameter: filters,
ordering, ``cursor``, ``locale``, ``properties[]``, ``deleted``) goes to the viewset itself.
"""

import functools
from types import SimpleNamespace

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, QueryDict

from metadata_service.conf import service_settings
from metadatas.compiled_lookups import CompiledPage
from metadatas.counting import TOTAL_ALIAS, total_of_counted, with_capped_total
from metadatas.filters import MetadataFilterBackend, OrderParameterFilter
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
RENDERER = MetadataJSONRenderer()
CONTENT_TYPE = f"{RENDERER.media_type}; charset=utf-8"
# What DRF's finalize_response and LocalizedTitlesMixin add to the list route's answers (a problem: no language).
ROUTE_HEADERS = {"Allow": "GET, POST, HEAD, OPTIONS", "Vary": "Accept"}
LIST_VARY = "Accept, Accept-Language"
PAGES = CompiledPage(Metadata, TOTAL_ALIAS)
NO_PARAMETERS = SimpleNamespace(query_params=QueryDict(), GET=QueryDict())


def takes_lean_list(request):
    """A plain JSON GET (no ``Accept-Language``) whose query names only ``page`` and ``limit``."""
    meta = request.META
    plain = meta.get("HTTP_ACCEPT") == RENDERER.media_type and "HTTP_ACCEPT_LANGUAGE" not in meta
    return request.method == "GET" and plain and only_page_parameters(request)


def only_page_parameters(request):
    """Whether the query string names nothing but ``page`` and ``limit``, each once (or nothing at all)."""
    if not request.META.get("QUERY_STRING"):
        return True
    try:
        lists = request.GET.lists()
    except SuspiciousOperation:  # too many fields: the viewset's path answers its 400
        return False
    return all(name in PAGE_PARAMETERS and len(values) == 1 for name, values in lists)


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
    page = positive_int_parameter(request.GET, "page", 1)
    limit = page_limit(request)
    browsable = browsable_metadata(identity)

    def queryset():  # only when the total needs a query of its own (an empty page) or the planner's estimate
        return list_queryset(tenant_id=identity.tenant_id, browsable=browsable)

    offset = (page - 1) * limit
    if offset > MAX_OFFSET:  # beyond any table: no page to read, only the total
        return page, limit, [], total_of_counted(None, queryset)
    key = (browsable, service_settings.COUNT_EXACT_MAX)  # what the compiled SQL depends on beyond the tenant
    build = functools.partial(counted_list_queryset, browsable=browsable)
    rows, counted = PAGES.page(key, build, offset=offset, limit=limit, tenant_id=identity.tenant_id)
    return page, limit, rows, total_of_counted(counted, queryset)


def list_queryset(*, tenant_id, browsable):
    """The viewset's list queryset for a request without parameters (the tenant's rows the identity may browse)."""
    rows = Metadata.objects.for_tenant(tenant_id).filter(browsable)
    for backend in (MetadataFilterBackend(), OrderParameterFilter()):
        rows = backend.filter_queryset(NO_PARAMETERS, rows, None)
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
