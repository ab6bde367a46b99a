"""How big the revisions table grows: insert N revisions into a scratch database, measure, extrapolate.

Usage (from the repository root; docs/scaling.md quotes a run):

    .venv/bin/python bench/revisions_size.py [--revisions 100000] [--database ms_bench_revisions]

The database is created when absent, migrated, and its revisions table emptied first. The revisions are
shaped like the benchmark's resources (bench/load.py: a two-locale title, a two-key ``data``), ten per
resource over 100 tenants, written in a shuffled order as changes of many resources interleave in
production, then VACUUM ANALYZE. Prints the size of the table (with TOAST) and of each index, in total
and per revision, and the figures for a million revisions.
"""

import argparse
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import load  # noqa: E402  (sets up Django with the default settings)

TABLE = "metadatas_metadatarevision"
INSERT = f"""
INSERT INTO {TABLE} (tenant_id, metadata_id, version, operation, changed, state, actor_type, actor_uuid,
                     actor_user, request_id, batch_id, created_at)
SELECT t.uuid, r.n / 10 + 1, r.n %% 10 + 1, CASE WHEN r.n %% 10 = 0 THEN 'created' ELSE 'updated' END,
       '["data"]'::jsonb,
       jsonb_build_object(
           'owner', 'BusinessUnit', 'ownerUuid', md5(r.n::text)::uuid::text,
           'title', jsonb_build_object('en', 'Ledger entry ' || r.n, 'fr', 'Entrée du registre ' || r.n),
           'slug', 'res-' || (r.n / 10), 'type', 'type-' || lpad((r.n %% 17)::text, 2, '0'),
           'data', jsonb_build_object('n', r.n, 'flag', r.n %% 2 = 0)),
       'System', md5('actor' || (r.n %% 50))::uuid, '', md5('request' || r.n), NULL,
       now() - (r.n || ' seconds')::interval
FROM generate_series(0, %s - 1) AS r(n)
JOIN (SELECT uuid, row_number() OVER (ORDER BY uuid) - 1 AS position FROM tenants_tenant) AS t
  ON t.position = (r.n / 10) %% 100
ORDER BY random()
"""


def sizes(cursor):
    cursor.execute(
        "SELECT c.relname, pg_relation_size(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass ORDER BY 2 DESC",
        [TABLE],
    )
    indexes = cursor.fetchall()
    cursor.execute("SELECT pg_table_size(%s::regclass)", [TABLE])  # heap, TOAST and free-space maps
    return cursor.fetchone()[0], indexes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--database", default="ms_bench_revisions")
    options = parser.parse_args()
    load.ensure_database(options.database)
    load.migrate(options.database)
    connection = load.connect(options.database)
    connection.autocommit = True
    with connection.cursor() as cursor:
        for number, tenant in enumerate(load.tenant_ids()):
            cursor.execute(
                "INSERT INTO tenants_tenant (uuid, name, enabled, created) VALUES (%s, %s, true, now()) "
                "ON CONFLICT DO NOTHING",
                [tenant, f"Bench tenant {number}"],
            )
        cursor.execute(f"TRUNCATE {TABLE}")
        cursor.execute(INSERT, [options.revisions])
        cursor.execute(f"VACUUM ANALYZE {TABLE}")
        table, indexes = sizes(cursor)
    connection.close()
    scale = 1_000_000 / options.revisions
    total = table + sum(size for _, size in indexes)
    print(f"{options.revisions} revisions; per 1M revisions (x{scale:g}):")
    for name, size in [("table (heap + TOAST)", table), *indexes, ("all", total)]:
        per_revision = size / options.revisions
        print(f"  {name:40} {size / 2**20:8.1f} MiB {per_revision:6.0f} B/rev {size * scale / 2**20:8.0f} MiB at 1M")


if __name__ == "__main__":
    main()
