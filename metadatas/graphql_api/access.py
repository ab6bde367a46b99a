"""Who asks, and may they: the request's token verified once, the permission module's verdicts as errors."""

from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, PermissionDenied

from tenants.authentication import TenantJWTAuthentication
from tenants.permissions import may_mutate_linked_metadata, may_view_linked_metadata

VERIFIED_CALLER = "_graphql_caller"


def caller(request):
    """The request's ``TokenIdentity``; ``NotAuthenticated`` without a header, ``AuthenticationFailed`` for a bad token.

    Verified once per request, on the first field that needs it: introspection needs no token.
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
    return authenticated[0]


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
