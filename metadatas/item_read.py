"""The hot read, ``GET /metadatas/{uuid}``, answered without DRF's generic request cycle.

Services read one resource on every request they serve, so this one request is answered by a short
path: the same token check (``TenantJWTAuthentication``: the verified-token cache, the tenant's state
and both rate counters in one Redis round trip), the same rate limits (``TenantAndTokenRateThrottle``),
the same tenant-scoped query (``MetadataViewSet``'s, compiled once: ``metadatas.compiled_lookups``), the
same permission decision (``tenants.permissions``), the same representation, renderers, ETag and
problem documents. Only the machinery around them is skipped: the DRF ``Request`` wrapper, content
negotiation in general, the serializer and the queryset build.

Whatever the short path does not know how to answer exactly as the viewset would (another method, an
Accept header other than the three plain ones, any query parameter such as ``locale`` or ``deleted``, an
``Accept-Language`` header that asks for one title) goes to the viewset itself.
"""

import uuid
from types import SimpleNamespace

from django.http import Http404, HttpResponse
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, Throttled

from metadata_service.problems import problem_exception_handler
from metadatas.compiled_lookups import CompiledLookup
from metadatas.locking import etag_for, is_not_modified
from metadatas.models import Metadata
from metadatas.renderers import MetadataJSONLDRenderer, MetadataJSONRenderer
from metadatas.serializers import metadata_representation
from tenants.authentication import TenantJWTAuthentication
from tenants.permissions import READ, require_on_owner
from tenants.throttling import TenantAndTokenRateThrottle

# Accept headers answered here, and the renderer DRF's negotiation would pick for each (the first: JSON-LD).
RENDERERS = {
    None: MetadataJSONLDRenderer(),
    "*/*": MetadataJSONLDRenderer(),
    "application/ld+json": MetadataJSONLDRenderer(),
    "application/json": MetadataJSONRenderer(),
}
# The headers DRF's finalize_response adds to every answer of the item route.
ROUTE_HEADERS = {"Allow": "GET, PUT, PATCH, DELETE, HEAD, OPTIONS", "Vary": "Accept"}
# A successful read also varies by language (metadata_service.locales.LocalizedTitlesMixin says so on the viewset).
READ_VARY = "Accept, Accept-Language"
AUTHENTICATION = TenantJWTAuthentication()
# The item's query, for this path and the viewset's retrieve alike: the queryset layer's tenant scoping, one uuid.
ITEM = CompiledLookup(Metadata, lambda *, tenant_id, uuid: Metadata.objects.for_tenant(tenant_id).filter(uuid=uuid))
# A conditional read's first query: the same scoped row, only its version and what the permission check reads.
ITEM_VERSION = CompiledLookup(
    Metadata,
    lambda *, tenant_id, uuid: (
        Metadata.objects.for_tenant(tenant_id).filter(uuid=uuid).only("version", "owner", "owner_uuid")
    ),
)


def answer_lean_read(request, uuid):
    """The short route's answer to a request ``takes_lean_read`` took (``metadata_service.short_routes``)."""
    return lean_read(request, uuid, RENDERERS[request.META.get("HTTP_ACCEPT")])


def takes_lean_read(request):
    """A plain GET: one of the three plain Accept headers, no query string, no ``Accept-Language``."""
    meta = request.META
    plain = not meta.get("QUERY_STRING") and "HTTP_ACCEPT_LANGUAGE" not in meta
    return request.method == "GET" and meta.get("HTTP_ACCEPT") in RENDERERS and plain


def lean_read(request, item_uuid, renderer):
    """The resource ``item_uuid`` of the caller's tenant, a 304, or the problem the viewset would answer."""
    try:
        identity = counted_identity(request)
        if "HTTP_IF_NONE_MATCH" in request.META:  # a 304 is told by the version: no document read, none built
            known = readable_item(identity, item_uuid, ITEM_VERSION)
            if is_not_modified(request, known.version):
                return not_modified(request, known.version, renderer)
        return item_response(request, readable_item(identity, item_uuid, ITEM), renderer)
    except Exception as exc:  # what the problem mapping knows (400 ... 503) is answered; a bug stays a 500
        response = problem(request, exc)
        if response is None:
            raise
        return response


def not_modified(request, version, renderer):
    """304 with the version's ETag: the client's copy is current."""
    response = HttpResponse(status=304, headers={"ETag": etag_for(version), **ROUTE_HEADERS})
    del response["Content-Type"]  # an empty body has no type (as DRF answers)
    renderer.render(None, renderer_context={"request": request, "response": response})  # JSON-LD's Link
    return response


def item_response(request, metadata, renderer):
    """200 with the representation (``lean_read`` answered a 304 already when If-None-Match names the version)."""
    headers = {"ETag": etag_for(metadata.version), **ROUTE_HEADERS}
    response = HttpResponse(content_type=f"{renderer.media_type}; charset=utf-8", headers=headers)
    response["Vary"] = READ_VARY
    context = {"request": request, "response": response}
    response.content = renderer.render(metadata_representation(metadata), renderer_context=context)
    return response


def counted_identity(request):
    """Authenticate, then count: the viewset's first checks (401, 429)."""
    identity, token = authenticated(request)
    count_request(identity, token)
    return identity


def readable_item(identity, item_uuid, lookup):
    """Find in the tenant, check the permission: the viewset's next checks (404, 403)."""
    metadata = find(identity.tenant_id, item_uuid, lookup)
    require_on_owner(identity, READ, metadata.owner, metadata.owner_uuid)
    return metadata


def authenticated(request):
    """``(identity, token)`` of the request's token (401 without one); ``request.user`` set as DRF leaves it."""
    authenticated = AUTHENTICATION.authenticate(request)
    if authenticated is None:
        raise NotAuthenticated()
    identity, token = authenticated
    request.user = identity  # for the request log
    return identity, token


def count_request(identity, token):
    """The viewset's rate limits (``TenantAndTokenRateThrottle``): 429 over either."""
    limit = TenantAndTokenRateThrottle()
    if not limit.allow_request(SimpleNamespace(user=identity, auth=token), view=None):
        raise Throttled(limit.wait())


def find(tenant_id, item_uuid, lookup):
    """The resource's record (its field values: no model instance is needed to answer)."""
    try:
        metadata = lookup.record(tenant_id=tenant_id, uuid=uuid.UUID(item_uuid))
    except ValueError:
        metadata = None
    if metadata is None:
        raise Http404
    return metadata


def problem(request, exc, route_headers=ROUTE_HEADERS):
    """The problem document DRF's exception handling would give (401 with ``WWW-Authenticate``)."""
    if isinstance(exc, (NotAuthenticated, AuthenticationFailed)):
        exc.auth_header = AUTHENTICATION.authenticate_header(request)
    response = problem_exception_handler(exc, {})
    if response is None:
        return None
    for name, value in route_headers.items():
        response[name] = value
    return response
