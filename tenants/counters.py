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
    return raise_counters(tenant_id, {name: count})[name][0]


def raise_counters(tenant_id, counts: dict[str, int], *, returning: str = "", params=()) -> dict[str, tuple]:
    """Raise several of the tenant's counters (name → by how much) in ONE statement: name → (the range of
    values taken, *the ``returning`` expressions). A create takes its id and raises the quota's count so,
    and may read the tenant's limits in the same round trip (``returning``, with its ``params``).
    """
    sql, counter_params = raising_statement(
        tenant_id, counts, returning=f"name, value{', ' if returning else ''}{returning}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*counter_params, *params])
        rows = cursor.fetchall()
    return {name: (range(last - counts[name] + 1, last + 1), *rest) for name, last, *rest in rows}


def raising_statement(tenant_id, counts: dict[str, int], *, returning: str = "value") -> tuple[str, list]:
    """The SQL (and its parameters) that raises the counters ``counts``, alone or as a CTE of a larger statement
    (the change feed inserts its event in the statement that takes its seq).

    The rows are locked in name order, so two writers raising overlapping counters never wait crosswise.
    """
    table = connection.ops.quote_name(TenantCounter._meta.db_table)
    tenant = TenantCounter._meta.get_field("tenant").get_db_prep_value(tenant_id, connection)
    names = sorted(counts)
    sql = (
        f"INSERT INTO {table} (tenant_id, name, value) VALUES {', '.join(['(%s, %s, %s)'] * len(names))} "
        f"ON CONFLICT (tenant_id, name) DO UPDATE SET value = {table}.value + excluded.value RETURNING {returning}"
    )
    return sql, [value for name in names for value in (tenant, name, counts[name])]
