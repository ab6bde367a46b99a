from django.db import models

from metadata_service.timestamps import now_to_the_second
from tenants.identity import ChangeAuthorship
from tenants.models import Tenant
from tenants.scoping import TenantScopedQuerySet


class LinkedObjectType(models.TextChoices):
    """What a piece of linked metadata hangs on: an account (by number) or an account user (by email)."""

    ACCOUNT = "ACCOUNT", "Account"
    ACCOUNT_USER = "ACCOUNT_USER", "Account user"


class LinkedMetadata(models.Model):
    """One key of JSON metadata on an account or account user of a tenant (the Kraken-style GraphQL API).

    Written only through ``linked_metadata.services``: the upsert is one
    ``INSERT ... ON CONFLICT ... DO UPDATE``, so one key never has two rows.
    The table keeps the name it had when the model lived in ``metadatas`` (its migration 0002).
    """

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", db_index=False)
    linked_object_type = models.CharField(max_length=16, choices=LinkedObjectType.choices)
    identifier = models.CharField(max_length=254, help_text="The account number, or the account user's email.")
    key = models.CharField(max_length=255)
    value = models.JSONField(help_text="Any JSON document, at most LINKED_METADATA_VALUE_MAX_BYTES when compact.")
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(default=now_to_the_second)
    updated_at = models.DateTimeField(default=now_to_the_second)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        db_table = "metadatas_linkedmetadata"
        verbose_name = "linked metadata"
        verbose_name_plural = "linked metadata"
        constraints = [
            # Also the index of every read: (tenant, object) lists keys in order, (tenant, object, key) finds one.
            models.UniqueConstraint(
                fields=["tenant", "linked_object_type", "identifier", "key"], name="linked_metadata_unique_key"
            ),
            models.CheckConstraint(
                condition=models.Q(linked_object_type__in=LinkedObjectType.values),
                name="linked_metadata_object_type_known",
            ),
        ]

    def __str__(self):
        return f"{self.linked_object_type} {self.identifier}: {self.key}"


class LinkedRevisionOperation(models.TextChoices):
    """What a change did to a linked key."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


class LinkedMetadataRevision(ChangeAuthorship):
    """One change of a linked key, written by ``linked_metadata.services`` in the transaction of the change.

    Keyed by the key itself (tenant, object type, identifier, key), not by the row: a deleted key's row is
    gone, its revisions stay readable. ``value`` is the value after the change, null for a deletion.
    A key deleted and created again starts at version 1 again; its revisions are ordered by ``id``.
    """

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", db_index=False)
    linked_object_type = models.CharField(max_length=16, choices=LinkedObjectType.choices)
    identifier = models.CharField(max_length=254)
    key = models.CharField(max_length=255)
    version = models.PositiveBigIntegerField()
    operation = models.CharField(max_length=16, choices=LinkedRevisionOperation.choices)
    value = models.JSONField(null=True, blank=True, help_text="The value after the change; null for a deletion.")
    created_at = models.DateTimeField(default=now_to_the_second)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "linked metadata revision"
        indexes = [
            # Every read and the pruning: one key's revisions, newest first.
            models.Index(
                fields=["tenant", "linked_object_type", "identifier", "key", "-id"], name="linked_revision_key"
            ),
        ]

    def __str__(self):
        return f"{self.key} v{self.version} {self.operation}"
