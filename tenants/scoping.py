"""The one place where data is narrowed to the caller's tenant."""

from django.db import models


class TenantScopedQuerySet(models.QuerySet):
    """A queryset of rows that carry a ``tenant``; ``for_tenant`` keeps one tenant's rows."""

    def for_tenant(self, tenant_id):
        return self.filter(tenant_id=tenant_id)


class TenantRegistryQuerySet(models.QuerySet):
    """The tenant table itself; ``for_tenant`` keeps the tenant's own row."""

    def for_tenant(self, tenant_id):
        return self.filter(pk=tenant_id)


class TenantScopedViewMixin:
    """Narrows a generic view's queryset to the authenticated caller's tenant.

    Every API view over tenant data inherits this, so that ``get_object()`` of another
    tenant's row is a 404 and no list can show a foreign row.
    """

    def get_queryset(self):
        return super().get_queryset().for_tenant(self.request.user.tenant_id)
