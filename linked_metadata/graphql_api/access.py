"""Who asks, and may they: the request's token verified once, the permission module's verdicts as errors."""

from types import SimpleNamespace

from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, PermissionDenied, Throttled

from tenants.authentication import TenantJWTAuthentication
from tenants.permissions import may_mutate_linked_metadata, may_view_linked_metadata
from tenants.throttling import TenantAndTokenRateThrottle

VERIFIED_CALLER = "_graphql_caller"


def caller(request):
    """The request's ``TokenIdentity``; ``NotAuthenticated`` without a header, ``AuthenticationFailed`` for a bad token,
    ``Throttled`` over the tenant's or the token's rate limit (the REST API's limits count GraphQL requests too).

    Verified and counted once per request, on the first field that needs it: introspection needs no token.
    """
    if not hasattr(request, VERIFIED_CALLER):
        setattr(request, VERIFIED_CALLER, _verify(request))
    verdict = getattr(request, VERIFIED_CALLER)
    if isinstance(verdict, Exception):
        raise verdict
    return verdict


def _verify(request):
    if not request.META.get("HTTP_AUTHORIZATION", "").strip():
        return NotAuthenticated("Send the token as 'Authorization: JWT <token>'.")
    try:
        authenticated = TenantJWTAuthentication().authenticate(request)
    except AuthenticationFailed as exc:
        return exc
    if authenticated is None:
        return AuthenticationFailed("The Authorization header must be 'JWT <token>', 'Bearer <token>' or '<token>'.")
    identity, token = authenticated
    limit = TenantAndTokenRateThrottle()
    if not limit.allow_request(SimpleNamespace(user=identity, auth=token), view=None):
        return Throttled(limit.wait())
    return identity


def require_view(identity, linked_object_type, identifier):
    if not may_view_linked_metadata(identity, linked_object_type, identifier):
        raise PermissionDenied(
            "This token may not read this object's metadata: that needs CAN_VIEW_METADATA, CAN_MUTATE_METADATA "
            "or account user level access to it."
        )


def require_mutate(identity, linked_object_type, identifier):
    if not may_mutate_linked_metadata(identity, linked_object_type, identifier):
        raise PermissionDenied(
            "This token may not change this object's metadata: that needs CAN_MUTATE_METADATA "
            "or account user level access to it."
        )
