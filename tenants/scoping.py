"""The one place where data is narrowed to the caller's tenant."""

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:  # what the mixins below are mixed into, for mypy only (at run time their base is object)
    from django.contrib.admin import ModelAdmin as AdminBase
    from rest_framework.generics import GenericAPIView as ViewBase
else:
    AdminBase = ViewBase = object


class TenantScopedQuerySet(models.QuerySet):
    """A queryset of rows that carry a ``tenant``; ``for_tenant`` keeps one tenant's rows.

    ``scoped_tenant_id`` is the tenant it was narrowed to (None before ``for_tenant``), kept through further
    filters: a condition that needs the tenant as a value (an index keyed by tenant) reads it here.
    """

    scoped_tenant_id = None

    def for_tenant(self, tenant_id):
        rows = self.filter(tenant_id=tenant_id)
        rows.scoped_tenant_id = tenant_id
        return rows

    def _clone(self):
        clone = super()._clone()
        clone.scoped_tenant_id = self.scoped_tenant_id
        return clone


class TenantRegistryQuerySet(models.QuerySet):
    """The tenant table itself; ``for_tenant`` keeps the tenant's own row."""

    def for_tenant(self, tenant_id):
        return self.filter(pk=tenant_id)


class TenantScopedViewMixin(ViewBase):
    """Narrows a generic view's queryset to the authenticated caller's tenant.

    Every API view over tenant data inherits this, so that ``get_object()`` of another
    tenant's row is a 404 and no list can show a foreign row.
    """

    def get_queryset(self):
        return super().get_queryset().for_tenant(self.request.user.tenant_id, **self.get_tenant_scope())

    def get_tenant_scope(self):
        """Extra keywords of the queryset's ``for_tenant`` for this request (none by default)."""
        return {}


def for_admin_user(queryset, user, **scope):
    """The rows a Django admin user may see: a superuser every tenant's, a staff user its own tenant's.

    A staff user's tenant is its ``TenantMember`` row; a staff user of no tenant sees no row.
    ``scope`` goes to the queryset's ``for_tenant`` (the admin of a model may widen what it keeps).
    """
    if user.is_superuser:
        return queryset
    member = getattr(user, "tenant_member", None)
    return queryset.none() if member is None else queryset.for_tenant(member.tenant_id, **scope)


class TenantScopedAdminMixin(AdminBase):
    """Narrows a ModelAdmin, and its ``tenant`` choices, to what ``for_admin_user`` lets the user see.

    Another tenant's row is then absent for a staff user: its change page answers as for a deleted row.
    """

    admin_tenant_scope: dict[str, object] = {}  # keywords of for_tenant, see for_admin_user

    def get_queryset(self, request):
        return for_admin_user(super().get_queryset(request), request.user, **self.admin_tenant_scope)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tenant":
            kwargs["queryset"] = for_admin_user(db_field.related_model.objects.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        member = getattr(request.user, "tenant_member", None)
        if member is not None and not request.user.is_superuser:
            initial.setdefault("tenant", member.tenant_id)
        return initial
