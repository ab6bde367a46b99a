import uuid

from django.db import models


class TenantQuerySet(models.QuerySet):
    """Bulk updates announce the changed tenants to every worker too (saves do it by signal)."""

    def update(self, **kwargs):
        from tenants.registry import announce_tenant_change

        ids = list(self.values_list("pk", flat=True))
        updated = super().update(**kwargs)
        for tenant_id, enabled in Tenant.objects.filter(pk__in=ids).values_list("pk", "enabled"):
            announce_tenant_change(tenant_id, enabled)
        return updated


class Tenant(models.Model):
    """A customer of the platform; every stored row belongs to exactly one tenant."""

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=255)
    enabled = models.BooleanField(default=True, help_text="Disabling a tenant rejects its tokens at once.")
    created = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.uuid})"
