"""Who may do what: the one module that answers for the REST API, GraphQL and the admin.

Questions are asked about a ``TokenIdentity`` (see ``tenants.identity``). Tenant isolation is not
decided here: other tenants' rows are never in the querysets (``tenants.scoping``).
"""

from rest_framework.permissions import BasePermission

from tenants.identity import TokenIdentity

SYSTEM = "System"
ACCOUNT_USER = "AccountUser"
CAN_MUTATE_METADATA = "CAN_MUTATE_METADATA"
CAN_VIEW_METADATA = "CAN_VIEW_METADATA"
LINKED_ACCOUNT = "ACCOUNT"
LINKED_ACCOUNT_USER = "ACCOUNT_USER"


def granted_permissions(identity):
    """Every permission the identity holds: its ``permissions`` claim (roles join in the access-control work)."""
    return identity.permissions


def holds(identity, permission):
    """Whether the identity holds ``permission`` outright (System holds every permission)."""
    return identity.type == SYSTEM or permission in granted_permissions(identity)


def owns_linked_object(identity, linked_object_type, identifier):
    """Account-user level access: an AccountUser reaches its own accounts and its own email."""
    if identity.type != ACCOUNT_USER:
        return False
    if linked_object_type == LINKED_ACCOUNT:
        return identifier in identity.accounts
    if linked_object_type == LINKED_ACCOUNT_USER:
        return identity.email is not None and identifier.casefold() == identity.email.casefold()
    return False


def may_view_linked_metadata(identity, linked_object_type, identifier):
    """GraphQL metadata queries on one linked object (ACCOUNT by number, ACCOUNT_USER by email)."""
    return (
        holds(identity, CAN_VIEW_METADATA)
        or holds(identity, CAN_MUTATE_METADATA)
        or (owns_linked_object(identity, linked_object_type, identifier))
    )


def may_mutate_linked_metadata(identity, linked_object_type, identifier):
    """GraphQL create/update/delete of metadata on one linked object."""
    return holds(identity, CAN_MUTATE_METADATA) or owns_linked_object(identity, linked_object_type, identifier)


class IsTenantIdentity(BasePermission):
    """Allows callers authenticated by a tenant token (``request.user`` is a ``TokenIdentity``)."""

    def has_permission(self, request, view):
        return isinstance(request.user, TokenIdentity)
