from django.db import models

from metadata_service.timestamps import now_to_the_second
from tenants.models import Tenant
from tenants.scoping import TenantScopedQuerySet

NAME_MAX_CHARS = 255


class MetadataType(models.Model):
    """A tenant's definition of one resource ``type``: a title and the JSON Schema its ``data`` must satisfy."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    name = models.CharField(max_length=NAME_MAX_CHARS, help_text="The resource type it governs.")
    title = models.JSONField(default=dict, blank=True, help_text='Locale code to title, e.g. {"en": "Sign-in"}.')
    schema = models.JSONField(default=dict, blank=True, help_text="A JSON Schema (draft 2020-12); {} allows any.")
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(default=now_to_the_second)
    updated_at = models.DateTimeField(default=now_to_the_second)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "metadata type"
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="metadata_type_tenant_name_unique")]

    def __str__(self):
        return self.name


class TypePolicy(models.Model):
    """How strictly a tenant's resources are typed; a tenant without a row has the defaults."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, primary_key=True, related_name="type_policy")
    require_defined_types = models.BooleanField(
        default=False,
        help_text="Refuse writes of resources whose type has no definition under /metadata-types.",
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "type policy"
        verbose_name_plural = "type policy"

    def __str__(self):
        return "require defined types" if self.require_defined_types else "any type"
