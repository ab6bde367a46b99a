"""Who may do what: the one module that answers for the REST API, GraphQL and the admin."""

from rest_framework.permissions import BasePermission

from tenants.identity import TokenIdentity


class IsTenantIdentity(BasePermission):
    """Allows callers authenticated by a tenant token (``request.user`` is a ``TokenIdentity``)."""

    def has_permission(self, request, view):
        return isinstance(request.user, TokenIdentity)
