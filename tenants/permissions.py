"""Who may do what: the one module that answers for the REST API, GraphQL and the admin.

Questions are asked about a ``TokenIdentity`` (see ``tenants.identity``). An identity holds the
permissions of its token's ``permissions`` claim and those of its roles (the tenant's ``Role`` rows);
identity type System holds every permission. Tenant isolation is not decided here: other tenants'
rows are never in the querysets (``tenants.scoping``), so they are a 404 before any question is asked.
"""

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from tenants.grants import CAN_MUTATE_METADATA, CAN_VIEW_METADATA, readable_grants
from tenants.identity import TokenIdentity, normalize_email
from tenants.models import Role

SYSTEM = "System"
ACCOUNT_USER = "AccountUser"
LINKED_ACCOUNT = "ACCOUNT"
LINKED_ACCOUNT_USER = "ACCOUNT_USER"
BROWSE, READ, ADD, EDIT, DELETE = "browse", "read", "add", "edit", "delete"
# Removing a resource and its revisions for good; not implied by DELETE (which keeps them).
PURGE = "purge"
# A batch of writes: no permission of its own, each operation needs its own (metadatas/batch.py asks).
PER_OPERATION = "per-operation"


class MissingPermission(PermissionDenied):
    """The token is valid but does not grant this operation (403); the problem names the permission."""

    default_code = "permission_denied"

    def __init__(self, permission, detail=None):
        super().__init__(detail or f"This token does not grant {permission}.")
        self.problem_extensions = {"permission": permission}


# --- What an identity holds --------------------------------------------------------------------------------------


def granted_permissions(identity: TokenIdentity) -> frozenset[str]:
    """Every permission the identity holds: its ``permissions`` claim and those of its roles."""
    if not identity.roles:
        return identity.permissions  # no roles, no query
    return identity.permissions | role_permissions(identity)


def role_permissions(identity: TokenIdentity) -> frozenset[str]:
    """The permissions of the identity's roles in its tenant: one query, made once per identity (per request)."""
    if "role_permissions" not in identity.memo:
        rows = Role.objects.for_tenant(identity.tenant_id).filter(name__in=identity.roles)
        identity.memo["role_permissions"] = frozenset(
            permission
            for permissions in rows.values_list("permissions", flat=True)
            if isinstance(permissions, list)  # the admin validates; a row written by other means grants nothing
            for permission in permissions
            if isinstance(permission, str)
        )
    return identity.memo["role_permissions"]


def holds(identity: TokenIdentity, permission: str) -> bool:
    """Whether the identity holds ``permission`` outright (System holds every permission)."""
    return identity.type == SYSTEM or permission in granted_permissions(identity)


def owner_scopes(identity: TokenIdentity, operation: str) -> frozenset:
    """The owners that the identity's ``metadata:<operation>@<owner>:<ownerUuid>`` permissions name."""
    permission = f"metadata:{operation}"
    return frozenset(
        grant.scope
        for grant in readable_grants(granted_permissions(identity))
        if grant.name == permission and grant.scope is not None
    )


# --- Metadata resources (REST and admin) ------------------------------------------------------------------------


def may_attempt_metadata(identity: TokenIdentity, operation: str) -> bool:
    """Whether the identity holds ``metadata:<operation>`` for every owner or for at least one."""
    return holds(identity, f"metadata:{operation}") or bool(owner_scopes(identity, operation))


def may_on_owner(identity: TokenIdentity, operation: str, owner: str, owner_uuid: Any) -> bool:
    """Whether the identity may do ``operation`` to a resource of this owner."""
    if holds(identity, f"metadata:{operation}"):
        return True
    return any(scope.owner == owner and scope.owner_uuid == owner_uuid for scope in owner_scopes(identity, operation))


def require_attempt_metadata(identity: TokenIdentity, operation: str) -> None:
    """Raise a 403 unless the identity holds ``metadata:<operation>`` in some form."""
    if not may_attempt_metadata(identity, operation):
        raise MissingPermission(f"metadata:{operation}")


def require_on_owner(identity: TokenIdentity, operation: str, owner: str, owner_uuid: Any) -> None:
    """Raise a 403 unless the identity may do ``operation`` to a resource of this owner."""
    if not may_on_owner(identity, operation, owner, owner_uuid):
        raise MissingPermission(
            f"metadata:{operation}",
            f"This token grants metadata:{operation} only for other owners than this resource's.",
        )


def browsable_metadata(identity: TokenIdentity) -> Q:
    """The condition on Metadata rows that the identity may list: all, or only its owner-scoped owners."""
    if holds(identity, "metadata:browse"):
        return Q()
    scopes = owner_scopes(identity, BROWSE)
    if not scopes:
        return Q(pk__in=[])
    return reduce(or_, (Q(owner=scope.owner, owner_uuid=scope.owner_uuid) for scope in scopes))


# --- Metadata types ----------------------------------------------------------------------------------------------


def require_type_permission(identity: TokenIdentity, operation: str) -> None:
    """Raise a 403 unless the identity holds ``metadata-type:<operation>`` (System holds them all)."""
    if not holds(identity, f"metadata-type:{operation}"):
        raise MissingPermission(f"metadata-type:{operation}")


# --- Linked (account) metadata, for GraphQL ----------------------------------------------------------------------


def owns_linked_object(identity: TokenIdentity, linked_object_type: str, identifier: str) -> bool:
    """Account-user level access: an AccountUser reaches its own accounts and its own email."""
    if identity.type != ACCOUNT_USER:
        return False
    if linked_object_type == LINKED_ACCOUNT:
        return identifier in identity.accounts
    if linked_object_type == LINKED_ACCOUNT_USER:
        return identity.email is not None and normalize_email(identifier) == normalize_email(identity.email)
    return False


def may_view_linked_metadata(identity: TokenIdentity, linked_object_type: str, identifier: str) -> bool:
    """GraphQL metadata queries on one linked object (ACCOUNT by number, ACCOUNT_USER by email)."""
    return (
        holds(identity, CAN_VIEW_METADATA)
        or holds(identity, CAN_MUTATE_METADATA)
        or (owns_linked_object(identity, linked_object_type, identifier))
    )


def viewable_linked_metadata(identity: TokenIdentity) -> Q | None:
    """The condition on rows naming a linked object (``linked_object_type``, ``identifier``) that the identity
    may view: all of them, its own accounts and email (an AccountUser), or None when it may view none."""
    if holds(identity, CAN_VIEW_METADATA) or holds(identity, CAN_MUTATE_METADATA):
        return Q()
    if identity.type != ACCOUNT_USER:
        return None
    own = Q(linked_object_type=LINKED_ACCOUNT, identifier__in=list(identity.accounts))
    if identity.email is not None:
        own |= Q(linked_object_type=LINKED_ACCOUNT_USER, identifier=normalize_email(identity.email))
    return own


def may_mutate_linked_metadata(identity: TokenIdentity, linked_object_type: str, identifier: str) -> bool:
    """GraphQL create/update/delete of metadata on one linked object."""
    return holds(identity, CAN_MUTATE_METADATA) or owns_linked_object(identity, linked_object_type, identifier)


# --- Django admin (rows are narrowed to the staff user's tenant in tenants.scoping) ------------------------------


def may_use_admin(user: Any) -> bool:
    """Superusers always; a staff user only while its tenant (if it has one) is enabled."""
    if user.is_superuser:
        return True
    member = getattr(user, "tenant_member", None)
    return member is None or member.tenant.enabled


def may_change_tenant_state(user: Any) -> bool:
    """Enabling or disabling a tenant is for superusers: a tenant's staff could otherwise re-enable it."""
    return user.is_active and user.is_superuser


def may_manage_tenants(user: Any) -> bool:
    """Registering or deleting tenants and tying users to them is for superusers, never for one tenant's staff."""
    return user.is_active and user.is_superuser


# --- DRF permission classes (thin: they ask the functions above) -------------------------------------------------


class IsTenantIdentity(BasePermission):
    """Allows callers authenticated by a tenant token (``request.user`` is a ``TokenIdentity``)."""

    def has_permission(self, request, view):
        return isinstance(request.user, TokenIdentity)


class MetadataPermission(BasePermission):
    """The REST operations need ``metadata:browse|read|add|edit|delete|purge``, for every owner or the object's.

    Undelete needs ``metadata:delete``; DELETE with ``purge=true`` needs ``metadata:purge`` (the view's
    ``operation_name`` says which one a request is).

    List and create are checked before the view runs; read, edit and delete on the object that
    ``get_object()`` found in the caller's tenant, so another tenant's uuid stays a 404.
    """

    operations = {
        "list": BROWSE,
        "retrieve": READ,
        "create": ADD,
        "update": EDIT,
        "partial_update": EDIT,
        "destroy": DELETE,
        "undelete": DELETE,
        "purge": PURGE,
        "batch": PER_OPERATION,
    }
    # OPTIONS asks whether the other methods would be allowed: then the method says which operation.
    method_operations = {"GET": READ, "POST": ADD, "PUT": EDIT, "PATCH": EDIT, "DELETE": DELETE}

    def has_permission(self, request, view):
        operation = self.operation(request, view)
        if operation in (BROWSE, ADD):
            require_attempt_metadata(request.user, operation)
        return True

    def has_object_permission(self, request, view, obj):
        operation = self.operation(request, view)
        if operation is None:
            return False
        require_on_owner(request.user, operation, obj.owner, obj.owner_uuid)
        return True

    def operation(self, request, view):
        name = view.operation_name() if hasattr(view, "operation_name") else view.action
        return self.operations.get(name) or self.method_operations.get(request.method)


class MetadataTypePermission(BasePermission):
    """The REST operations on /metadata-types need ``metadata-type:browse|read|add|edit|delete``.

    The dry run ``check`` previews an edit, so it needs ``edit``. Checked before the lookup: the answer
    is the same whether or not the name exists, so it tells nothing of the tenant's types.
    """

    operations = {**MetadataPermission.operations, "check": EDIT}

    def has_permission(self, request, view):
        operation = self.operations.get(view.action) or MetadataPermission.method_operations.get(request.method)
        require_type_permission(request.user, operation or READ)
        return True
