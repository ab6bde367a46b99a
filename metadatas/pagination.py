"""page/limit pagination of GET /metadatas."""

from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from metadatas import jsonld

HYDRA_RELATIONS = {"first": "hydra:first", "previous": "hydra:previous", "next": "hydra:next", "last": "hydra:last"}
LINK_RELATIONS = {"first": "first", "previous": "prev", "next": "next", "last": "last"}


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
    """

    def paginate_queryset(self, queryset, request, view=None):
        options = settings.METADATA_SERVICE
        self.request = request
        self.page = positive_int_parameter(request.query_params, "page", 1)
        requested_limit = positive_int_parameter(request.query_params, "limit", options["PAGE_SIZE_DEFAULT"])
        self.limit = min(requested_limit, options["PAGE_SIZE_MAX"])
        self.total = queryset.count()
        offset = (self.page - 1) * self.limit
        if offset >= self.total:
            return []
        return list(queryset[offset : offset + self.limit])

    def get_paginated_response(self, data):
        if self.request.accepted_renderer.format == "jsonld":
            return Response(jsonld.collection_document(data, self.total, self._hydra_view()))
        return Response(data, headers={"X-Total-Count": str(self.total), "Link": self._link_header()})

    @property
    def last_page(self):
        return max(1, -(-self.total // self.limit))

    def _page_numbers(self):
        numbers = {"first": 1, "last": self.last_page}
        if self.page > 1:
            numbers["previous"] = min(self.page - 1, self.last_page)
        if self.page < self.last_page:
            numbers["next"] = self.page + 1
        return numbers

    def _page_path(self, page):
        params = self.request.query_params.copy()
        params["page"] = str(page)
        return f"{self.request.path}?{params.urlencode()}"

    def _hydra_view(self):
        if self.last_page == 1 and self.page == 1:
            return None
        view = {"@id": self._page_path(self.page)}
        for name, page in self._page_numbers().items():
            view[HYDRA_RELATIONS[name]] = self._page_path(page)
        return view

    def _link_header(self):
        return ", ".join(
            f'<{self.request.build_absolute_uri(self._page_path(page))}>; rel="{LINK_RELATIONS[name]}"'
            for name, page in self._page_numbers().items()
        )
