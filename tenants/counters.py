"""Per-tenant counters: numbers that count one tenant's events and nothing of any other tenant's.

A counter is one row per (tenant, name). ``next_value`` raises it with one statement in the caller's
transaction, so the row stays locked until that transaction ends: two writers of one tenant get
consecutive numbers, and a transaction that rolls back takes its number back with it (no gap).
Metadata ids use the name ``METADATA_IDS``; other counters (the change feed's sequence) pick their own.
"""

from django.db import connection, models

METADATA_IDS = "metadata"


class TenantCounter(models.Model):
    """The last value handed out by one of a tenant's counters."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False)
    name = models.CharField(max_length=64)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        app_label = "tenants"
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="tenant_counter_unique_name")]

    def __str__(self):
        return f"{self.name} of {self.tenant_id}: {self.value}"


def next_value(*, tenant_id, name: str) -> int:
    """The counter's next value (1 for a new counter), locked until the caller's transaction ends."""
    return next_values(tenant_id=tenant_id, name=name, count=1).start


def next_values(*, tenant_id, name: str, count: int) -> range:
    """The counter's next ``count`` values, taken in one statement (a batch of creates numbers its rows so)."""
    table = connection.ops.quote_name(TenantCounter._meta.db_table)
    tenant = TenantCounter._meta.get_field("tenant").get_db_prep_value(tenant_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (tenant_id, name, value) VALUES (%s, %s, %s) "
            f"ON CONFLICT (tenant_id, name) DO UPDATE SET value = {table}.value + %s RETURNING value",
            [tenant, name, count, count],
        )
        last = cursor.fetchone()[0]
    return range(last - count + 1, last + 1)
