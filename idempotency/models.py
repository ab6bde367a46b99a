"""The stored outcome of a write sent with an ``Idempotency-Key`` (contract: automation.md)."""

from django.db import models

from tenants.scoping import TenantScopedQuerySet


class IdempotencyRecord(models.Model):
    """One key's first request (its fingerprint) and the response it got, for ``IDEMPOTENCY_KEY_HOURS``.

    A key is scoped to (tenant, caller, method, path): the unique constraint is the last guard against
    two runs of one key, behind the advisory lock the view takes (``idempotency/records.py``).
    """

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False)
    caller = models.CharField(max_length=300)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=2000)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    headers = models.TextField()  # JSON: the stored response's Content-Type, ETag and Location
    body = models.BinaryField()
    created_at = models.DateTimeField()

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "caller", "method", "path", "key"], name="idempotency_record_unique_scope"
            )
        ]
        # Led by the tenant, as every index of a data table (tests/test_tenant_locality.py): pruning goes by tenant.
        indexes = [models.Index(fields=["tenant", "created_at"], name="idempotency_tenant_created")]

    def __str__(self):
        return f"{self.method} {self.path} key {self.key!r} ({self.status})"
