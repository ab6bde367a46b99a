"""The title search's index becomes one of the tenant's own 3-character substrings, on PostgreSQL only.

The trigram index of migration 0003 (``tenant_id, title_search gin_trgm_ops``) intersects the posting
list of each trigram of the term, which holds the rows of every tenant, with the tenant's: at a million
rows over a hundred tenants a search of one tenant read fifty thousand entries per trigram to keep five
hundred. ``metadata_title_grams(tenant, text)`` is the set of the text's 3-character substrings, each
hashed together with the tenant (``hashtext``, an int), so a posting list holds one tenant's rows only
and a search reads what the tenant has, whatever the table holds. The filter asks for the rows whose
set contains every substring of the term, then ``LIKE`` keeps the real matches (a hash may collide, and
the substrings may be out of order): see ``metadatas.title_search``.

The substrings are characters, not pg_trgm's words, so the query side needs no knowledge of how pg_trgm
splits words. ``hashtext`` is PostgreSQL's text hash (hash partitioning relies on it staying the same);
a release that changed it would need ``REINDEX INDEX metadata_tenant_title_grams``.
"""

from django.db import migrations

from metadata_service.migration_operations import RunSQLOnVendor

GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION metadata_title_grams(tenant uuid, title text) RETURNS integer[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT coalesce(array_agg(DISTINCT hashtext(tenant::text || substr(title, i, 3))), '{}')
    FROM generate_series(1, length(title) - 2) AS i
$$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("metadatas", "0008_live_resource_counts"),
    ]

    operations = [
        RunSQLOnVendor(
            "postgresql",
            sql=[
                # Building the index reads the whole table: the service's statement timeout is not for this.
                "SET LOCAL statement_timeout = 0",
                GRAMS_FUNCTION,
                "CREATE INDEX metadata_tenant_title_grams ON metadatas_metadata "
                "USING gin (metadata_title_grams(tenant_id, title_search)) WHERE deleted_at IS NULL",
                "DROP INDEX IF EXISTS metadata_tenant_title_trgm",
            ],
            reverse_sql=[
                "CREATE INDEX metadata_tenant_title_trgm ON metadatas_metadata "
                "USING gin (tenant_id, title_search gin_trgm_ops) WHERE deleted_at IS NULL",
                "DROP INDEX IF EXISTS metadata_tenant_title_grams",
                "DROP FUNCTION IF EXISTS metadata_title_grams(uuid, text)",
            ],
        ),
    ]
