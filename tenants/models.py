import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tenants.grants import InvalidPermission, parse_grant
from tenants.identity import IDENTITY_TYPES
from tenants.scoping import TenantRegistryQuerySet, TenantScopedQuerySet


class TenantQuerySet(TenantRegistryQuerySet):
    """Bulk updates announce the changed tenants to every worker too (saves do it by signal)."""

    def update(self, **kwargs):
        from tenants.registry import announce_tenant_change, prepare_tenant_change

        ids = list(self.values_list("pk", flat=True))
        for tenant_id in ids:
            prepare_tenant_change(tenant_id)
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
    # Quotas (tenants/quotas.py): empty means the setting's default (QUOTA_MAX_*).
    max_resources = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Live metadata resources at most; empty: QUOTA_MAX_RESOURCES."
    )
    max_resource_bytes = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Bytes of one resource's title and data; empty: QUOTA_MAX_RESOURCE_BYTES."
    )
    max_linked_keys_per_object = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Linked metadata keys of one account or user; empty: the setting's default."
    )
    max_metadata_types = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Metadata types at most; empty: QUOTA_MAX_METADATA_TYPES."
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.uuid})"


def validate_permission_list(value):
    """A list of permission strings this service knows, each optionally limited to one owner."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Must be a list of permission strings.")
    problems = []
    for text in value:
        try:
            parse_grant(text)
        except InvalidPermission as exc:
            problems.append(str(exc))
    if problems:
        raise ValidationError(problems)


def validate_string_list(value):
    """A list of non-empty strings (account numbers)."""
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValidationError("Must be a list of non-empty strings.")


class Role(models.Model):
    """A tenant's named set of permissions; a token naming the role in ``identity.roles`` holds them."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=255, help_text="The name tokens carry in identity.roles.")
    permissions = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_permission_list],
        help_text='A list such as ["metadata:browse", "metadata:edit@BusinessUnit:<ownerUuid>"].',
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="role_tenant_name_unique")]

    def __str__(self):
        return self.name


class TenantMember(models.Model):
    """A Django user who belongs to one tenant: obtains tokens at POST /tokens; as staff, administers that tenant."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tenant_member")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="members")
    identity_type = models.CharField(max_length=32, choices=[(name, name) for name in IDENTITY_TYPES], default="Staff")
    identity_uuid = models.UUIDField(default=uuid.uuid4, help_text="The identity.uuid of the user's tokens.")
    roles = models.ManyToManyField(Role, blank=True, related_name="members")
    accounts = models.JSONField(
        default=list, blank=True, validators=[validate_string_list], help_text="Account numbers (AccountUser)."
    )

    objects = TenantScopedQuerySet.as_manager()

    def __str__(self):
        return f"{self.user} in {self.tenant.name}"


from tenants.counters import TenantCounter  # noqa: E402,F401  (registers the model with the app)
