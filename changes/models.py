"""The change feed's rows: the events of every tenant, and the JetStream publisher's position per tenant."""

from django.db import models

from tenants.scoping import TenantScopedQuerySet


class EventKind(models.TextChoices):
    METADATA = "metadata"
    LINKED_METADATA = "linked_metadata"


class ChangeEvent(models.Model):
    """One committed change of a tenant at its position ``seq`` (1, 2, 3 ... with no gap, in commit order).

    ``body`` is the event as readers get it, without ``seq``; the columns beside it are what filters and
    permissions select on (the owner at the time of the event, the linked object).
    """

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False)
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    operation = models.CharField(max_length=20)
    resource_uuid = models.UUIDField(null=True)
    type = models.CharField(max_length=255, blank=True, default="")
    owner = models.CharField(max_length=255, blank=True, default="")
    owner_uuid = models.UUIDField(null=True)
    linked_object_type = models.CharField(max_length=20, blank=True, default="")
    identifier = models.CharField(max_length=255, blank=True, default="")
    # Its content was erased by a purge (and the ``purged`` event itself): no owner scope applies to it.
    redacted = models.BooleanField(default=False)
    occurred_at = models.DateTimeField()
    body = models.JSONField()

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "seq"], name="change_event_tenant_seq_unique")]
        indexes = [models.Index(fields=["tenant", "resource_uuid"], name="change_event_resource")]

    def __str__(self):
        return f"{self.kind}.{self.operation} #{self.seq} of {self.tenant_id}"


class PublishPosition(models.Model):
    """The last seq of a tenant that JetStream acknowledged (``publish_changes``): it resumes after it."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="+", primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedQuerySet.as_manager()

    def __str__(self):
        return f"published {self.tenant_id} up to {self.seq}"
