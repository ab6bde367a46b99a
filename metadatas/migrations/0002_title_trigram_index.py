"""A trigram GIN index on (tenant_id, title_search), and a tenant-led primary key, on PostgreSQL only.

The title filter is ``title_search LIKE '%<folded term>%'`` inside one tenant; pg_trgm answers that
from the index, and btree_gin lets the same index lead with the tenant (so it stays tenant-local
when the table is distributed by tenant). Both extensions are trusted: the database owner may
create them. SQLite has no GIN: there the filter scans the tenant's rows, as before.

The primary key becomes (tenant_id, id): ids stay unique (one sequence) and Django still knows the
row by ``id``, but every unique constraint of the table now holds the tenant, as Citus requires to
distribute the table by tenant. Nothing references a metadata row by foreign key.
"""

from django.db import migrations

from metadata_service.migration_operations import RunSQLOnVendor


class Migration(migrations.Migration):

    dependencies = [
        ("metadatas", "0001_initial"),
    ]

    operations = [
        RunSQLOnVendor(
            "postgresql",
            sql=[
                "ALTER TABLE metadatas_metadata DROP CONSTRAINT metadatas_metadata_pkey, "
                "ADD CONSTRAINT metadatas_metadata_pkey PRIMARY KEY (tenant_id, id)",
            ],
            reverse_sql=[
                "ALTER TABLE metadatas_metadata DROP CONSTRAINT metadatas_metadata_pkey, "
                "ADD CONSTRAINT metadatas_metadata_pkey PRIMARY KEY (id)",
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
