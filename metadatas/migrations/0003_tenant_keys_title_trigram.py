"""A trigram GIN index on (tenant_id, title_search), and tenant-led primary keys, on PostgreSQL only.

The title filter is ``title_search LIKE '%<folded term>%'`` inside one tenant; pg_trgm answers that
from the index, and btree_gin lets the same index lead with the tenant (so it stays tenant-local
when the table is distributed by tenant). Both extensions are trusted: the database owner may
create them. SQLite has no GIN: there the filter scans the tenant's rows, as before.

The primary keys of both tenant tables become (tenant_id, id): ids stay unique (one sequence each) and
Django still knows a row by ``id``, but every unique constraint now holds the tenant, as Citus requires
to distribute the tables by tenant. Nothing references these rows by foreign key.
"""

from django.db import migrations

from metadata_service.migration_operations import RunSQLOnVendor

TENANT_TABLES = ("metadatas_metadata", "metadatas_linkedmetadata")


class Migration(migrations.Migration):
    dependencies = [
        ("metadatas", "0002_linked_metadata"),
    ]

    operations = [
        RunSQLOnVendor(
            "postgresql",
            sql=[
                f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey, ADD CONSTRAINT {table}_pkey PRIMARY KEY (tenant_id, id)"
                for table in TENANT_TABLES
            ],
            reverse_sql=[
                f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey, ADD CONSTRAINT {table}_pkey PRIMARY KEY (id)"
                for table in TENANT_TABLES
            ],
        ),
        RunSQLOnVendor(
            "postgresql",
            sql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE EXTENSION IF NOT EXISTS btree_gin",
                "CREATE INDEX IF NOT EXISTS metadata_tenant_title_trgm ON metadatas_metadata "
                "USING gin (tenant_id, title_search gin_trgm_ops)",
            ],
            reverse_sql=["DROP INDEX IF EXISTS metadata_tenant_title_trgm"],
        ),
    ]
