"""A GIN index on (tenant_id, data jsonb_path_ops), on PostgreSQL only: the data.<path> filters.

Each such filter is a jsonb containment (``data @> '{...}'``) inside one tenant; ``jsonb_path_ops``
answers containment from a smaller index than the default operator class, and btree_gin (created in
0003) lets it lead with the tenant. SQLite has no GIN: there the filter scans the tenant's rows.
"""

from django.db import migrations

from metadata_service.migration_operations import RunSQLOnVendor


class Migration(migrations.Migration):
    dependencies = [
        ("metadatas", "0005_per_tenant_ids"),
    ]

    operations = [
        RunSQLOnVendor(
            "postgresql",
            sql=[
                "CREATE EXTENSION IF NOT EXISTS btree_gin",
                "CREATE INDEX IF NOT EXISTS metadata_tenant_data_gin ON metadatas_metadata "
                "USING gin (tenant_id, data jsonb_path_ops)",
            ],
            reverse_sql=["DROP INDEX IF EXISTS metadata_tenant_data_gin"],
        ),
    ]
