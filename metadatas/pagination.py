"""Pagination of GET /metadatas: ``page``/``limit`` (numbered pages) or ``cursor``/``limit`` (keyset).

Both formats say the total: ``hydra:totalItems`` in JSON-LD, ``X-Total-Count`` in plain JSON. It is
counted in the page's own query, exact up to ``COUNT_EXACT_MAX`` rows, the planner's estimate beyond
(``totalItemsEstimated: true`` and ``X-Total-Count-Estimated: true`` say so); see ``metadatas.counting``.
"""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from metadata_service.conf import service_settings
from metadatas import jsonld, keyset
from metadatas.counting import list_total, total_of_page, with_capped_total

HYDRA_RELATIONS = {"first": "hydra:first", "previous": "hydra:previous", "next": "hydra:next", "last": "hydra:last"}
LINK_RELATIONS = {"first": "first", "previous": "prev", "next": "next", "last": "last"}
ESTIMATED_HEADER = "X-Total-Count-Estimated"
PAGE_PLACEHOLDER = "PAGE0NUMBER0PLACEHOLDER"
MAX_OFFSET = 2**62  # beyond any table; PostgreSQL's OFFSET is a bigint


def positive_int_parameter(params, name, default):
    """A query parameter that must be a whole number of at least 1; 400 naming it otherwise."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18 or int(raw) < 1:  # "²".isdigit() too
        raise ValidationError({name: ["Must be a whole number of at least 1."]})
    return int(raw)


class PageLimitPagination(BasePagination):
    """``page`` and ``limit`` (capped at ``PAGE_SIZE_MAX``): a Hydra view in JSON-LD, headers in plain JSON.

    Plain JSON lists carry ``X-Total-Count`` and an RFC 8288 ``Link`` header (first, prev, next, last).
    A ``cursor`` parameter switches to ``KeysetPagination`` (``cursor=`` empty starts at the beginning).
    """

    delegate: "KeysetPagination | None" = None  # the keyset pagination a ``cursor`` request hands over to

    def paginate_queryset(self, queryset, request, view=None):
        self.collection = getattr(view, "jsonld_collection", jsonld.collection_document)
        if "cursor" in request.query_params:
            self.delegate = KeysetPagination()
            return self.delegate.paginate_queryset(queryset, request, view)
        self.delegate = None
        self.request = request
        self.page = positive_int_parameter(request.GET, "page", 1)
        self.limit = page_limit(request)
        offset = (self.page - 1) * self.limit
        if offset > MAX_OFFSET:
            self.total = list_total(queryset)
            return []
        rows = list(with_capped_total(queryset, queryset)[offset : offset + self.limit])
        self.total = total_of_page(rows, queryset)
        return rows

    def get_paginated_response(self, data):
        if self.delegate is not None:
            return self.delegate.get_paginated_response(data)
        single_page = self.last_page == 1 and self.page == 1
        return paginated_response(
            self.request, data, self.total, self._links(), hydra_view=not single_page, collection=self.collection
        )

    @property
    def last_page(self):
        return last_page_number(self.total, self.limit)

    def _links(self):
        return numbered_page_links(self.request, self.page, self.last_page)


class KeysetPagination(BasePagination):
    """``cursor`` and ``limit``: the rows after the position a cursor names, in the list's order.

    Every page costs an index range scan, however deep. The response links ``first`` (``cursor=``)
    and, when more rows follow, ``next``; it has no ``last`` or ``previous``.
    """

    def paginate_queryset(self, queryset, request, view=None):
        if "page" in request.query_params:
            raise ValidationError({"cursor": ["Give either cursor or page, not both."]})
        self.request = request
        self.collection = getattr(view, "jsonld_collection", jsonld.collection_document)
        self.limit = page_limit(request)
        keys = keyset.order_keys(queryset)
        cursor = request.query_params["cursor"]
        rows = keyset.with_key_values(queryset, keys)
        if cursor:
            rows = keyset.rows_after(rows, keys, keyset.decode(keys, queryset.model, cursor))
        page = list(with_capped_total(rows, queryset)[: self.limit + 1])
        self.next_cursor = keyset.encode(keys, page[self.limit - 1]) if len(page) > self.limit else None
        self.total = total_of_page(page, queryset)
        return page[: self.limit]

    def get_paginated_response(self, data):
        return paginated_response(self.request, data, self.total, self._links(), collection=self.collection)

    def _links(self):
        links = {"@id": page_path(self.request), "first": page_path(self.request, cursor="")}
        if self.next_cursor:
            links["next"] = page_path(self.request, cursor=self.next_cursor)
        return links


def page_limit(request):
    """``limit``, capped at ``PAGE_SIZE_MAX``. ``request`` is DRF's or Django's (both have ``GET``)."""
    options = service_settings
    requested = positive_int_parameter(request.GET, "limit", options["PAGE_SIZE_DEFAULT"])
    return min(requested, options["PAGE_SIZE_MAX"])


def last_page_number(total, limit):
    return max(1, -(-total.count // limit))


def numbered_page_links(request, page, last_page):
    """``@id`` and the first, previous, next and last pages' paths of page ``page`` of ``last_page``."""
    numbers = {"first": 1, "last": last_page}
    if page > 1:
        numbers["previous"] = min(page - 1, last_page)
    if page < last_page:
        numbers["next"] = page + 1
    path_of = page_paths(request)
    return {"@id": path_of(page), **{name: path_of(number) for name, number in numbers.items()}}


def page_paths(request):
    """A function of a page number to the request's path and query with that ``page`` (others kept).

    The query is encoded once, with a placeholder where the page number goes.
    """
    if PAGE_PLACEHOLDER in request.META.get("QUERY_STRING", ""):
        return lambda page: page_path(request, page=str(page))
    template = page_path(request, page=PAGE_PLACEHOLDER)
    return lambda page: template.replace(PAGE_PLACEHOLDER, str(page))


def page_path(request, **replacements):
    """The request's path and query with some parameters replaced (the others, filters too, kept)."""
    params = request.GET.copy()
    for name, value in replacements.items():
        params[name] = value
    return f"{request.path}?{params.urlencode()}"


def paginated_response(request, data, total, links, hydra_view=True, collection=jsonld.collection_document):
    """A list page in the negotiated format; ``links`` holds ``@id`` and the relations that exist.

    ``collection`` builds the JSON-LD document (the view's ``jsonld_collection``, else the resources').
    """
    relations = {name: path for name, path in links.items() if name in LINK_RELATIONS}
    if request.accepted_renderer.format == "jsonld":
        view = {"@id": links["@id"], **{HYDRA_RELATIONS[name]: path for name, path in relations.items()}}
        document = collection(data, total.count, view if hydra_view else None)
        if total.estimated:
            document["totalItemsEstimated"] = True
        return Response(document)
    return Response(data, headers=plain_list_headers(request, total, links))


def plain_list_headers(request, total, links):
    """A plain JSON list's ``X-Total-Count``, ``Link`` (RFC 8288) and, for an estimate, its flag."""
    relations = {name: path for name, path in links.items() if name in LINK_RELATIONS}
    headers = {"X-Total-Count": str(total.count)}
    if relations:
        headers["Link"] = ", ".join(
            f'<{request.build_absolute_uri(path)}>; rel="{LINK_RELATIONS[name]}"' for name, path in relations.items()
        )
    if total.estimated:
        headers[ESTIMATED_HEADER] = "true"
    return headers
