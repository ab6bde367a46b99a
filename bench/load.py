"""Loads N metadata rows over 100 tenants into a bench database with COPY (minutes for a million).

Usage: python bench/load.py --rows 1000000 [--database ms_bench_1000000] [--force]

Idempotent: a database that already holds exactly this data set (same rows, same seed) is kept.
The secondary indexes are dropped during COPY and rebuilt after it, then the table is analysed.
Titles are {en, fr} from two vocabularies; ~30 types; ~200 owners; created over two years.
"""

import argparse
import csv
import io
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metadata_service.settings")
import django  # noqa: E402

django.setup()
from metadatas.models import title_search_text  # noqa: E402  (the service's own folding)

TENANTS = 100
TYPES = [f"type-{number:02d}" for number in range(30)]
OWNERS = [(f"owner-{number:03d}", str(uuid.UUID(int=number + 1))) for number in range(200)]
EN_WORDS = (
    "account billing invoice payment provider identity token login oauth service catalog price plan "
    "customer contract meter usage report export import region zone cluster storage network gateway "
    "policy role group member team project budget alert notice schedule window backup restore archive "
    "ledger credit debit balance refund coupon tax currency rate tariff discount bundle product offer"
).split()
FR_WORDS = (
    "compte facture paiement fournisseur identite jeton connexion service catalogue prix forfait client "
    "contrat compteur usage rapport export import region zone grappe stockage reseau passerelle regle "
    "role groupe membre equipe projet budget alerte avis horaire fenetre sauvegarde archive registre "
    "credit debit solde remboursement coupon taxe devise taux tarif remise offre produit etagere"
).split()
COLUMNS = (
    "tenant_id",
    "id",
    "uuid",
    "created_at",
    "updated_at",
    "owner",
    "owner_uuid",
    "title",
    "title_search",
    "slug",
    "type",
    "data",
    "version",
)
SEED = 7
MARKER_TABLE = "bench_dataset"


def tenant_ids():
    return [str(uuid.UUID(int=(0xBE7C << 112) + number)) for number in range(TENANTS)]


def rows(count):
    """The data set: deterministic for a given count (so re-runs compare like with like)."""
    rng = random.Random(SEED)
    tenants = tenant_ids()
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for number in range(count):
        owner, owner_uuid = OWNERS[rng.randrange(len(OWNERS))]
        title = {"en": " ".join(rng.sample(EN_WORDS, 3)).capitalize(), "fr": " ".join(rng.sample(FR_WORDS, 3))}
        created = start + timedelta(seconds=rng.randrange(2 * 365 * 86400))
        updated = created + timedelta(seconds=rng.randrange(30 * 86400))
        yield (
            tenants[number % TENANTS],
            number // TENANTS + 1,  # ids are numbered per tenant
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            created.isoformat(),
            updated.isoformat(),
            owner,
            owner_uuid,
            json.dumps(title, ensure_ascii=False),
            title_search_text(title),
            f"res-{number}",
            TYPES[rng.randrange(len(TYPES))],
            json.dumps({"n": number, "tags": ["a", "b"]}),
            1,
        )


class CSVStream(io.RawIOBase):
    """A file-like object that COPY reads, rendering rows as CSV as it goes (no temporary file)."""

    def __init__(self, source):
        self.source, self.buffer = source, b""

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self.buffer) < size:
            chunk = io.StringIO()
            writer = csv.writer(chunk)
            for row in self._take(5000):
                writer.writerow(row)
            if not chunk.getvalue():
                break
            self.buffer += chunk.getvalue().encode()
        data, self.buffer = (self.buffer, b"") if size < 0 else (self.buffer[:size], self.buffer[size:])
        return data

    def _take(self, count):
        for _ in range(count):
            row = next(self.source, None)
            if row is None:
                return
            yield row


def connect(database):
    return psycopg2.connect(host=os.environ.get("PGHOST", "127.0.0.1"), user="postgres", dbname=database)


def ensure_database(name):
    admin = connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def database_url(name):
    return f"postgres://postgres@{os.environ.get('PGHOST', '127.0.0.1')}:{os.environ.get('PGPORT', '5432')}/{name}"


def migrate(name):
    env = {**os.environ, "DATABASE_URL": database_url(name)}
    import subprocess

    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def already_loaded(connection, count):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (rows bigint, seed int)")
        cursor.execute(f"SELECT rows, seed FROM {MARKER_TABLE}")
        marker = cursor.fetchone()
    connection.commit()
    return marker == (count, SEED)


# The tables a reload empties: the rows and all that the bench's writes add beside them.
RELOADED_TABLES = (
    "metadatas_metadata",
    "metadatas_metadatarevision",
    "metadatas_linkedmetadata",
    "linked_metadata_linkedmetadatarevision",
    "changes_changeevent",
    "changes_publishposition",
    "idempotency_idempotencyrecord",
)


def load(connection, count):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        # Everything an earlier run wrote goes with the rows: the tenants' counters are recreated at zero, so
        # kept events, linked keys or idempotency records would collide with the next run's (a seq taken twice).
        cursor.execute(f"TRUNCATE {', '.join(RELOADED_TABLES)}")
        cursor.execute("DELETE FROM tenants_tenantcounter")
        cursor.execute("DELETE FROM tenants_tenant")
        for number, tenant in enumerate(tenant_ids()):
            cursor.execute(
                "INSERT INTO tenants_tenant (uuid, name, enabled, created) VALUES (%s, %s, true, now())",
                [tenant, f"Bench tenant {number}"],
            )
        indexes = secondary_indexes(cursor)
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        started = time.monotonic()
        cursor.copy_expert(
            f"COPY metadatas_metadata ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)", CSVStream(rows(count))
        )
        cursor.execute(
            "INSERT INTO tenants_tenantcounter (tenant_id, name, value) "
            "SELECT tenant_id, 'metadata', MAX(id) FROM metadatas_metadata GROUP BY tenant_id"
        )
        connection.commit()  # runs the deferred foreign-key checks, before the index builds
        print(f"  COPY {count} rows: {time.monotonic() - started:.0f} s", flush=True)
        started = time.monotonic()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        print(f"  indexes rebuilt: {time.monotonic() - started:.0f} s", flush=True)
        cursor.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s)", [count, SEED])
    connection.commit()


def secondary_indexes(cursor):
    """Indexes of the table other than the primary key and unique constraints (which COPY needs)."""
    cursor.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = 'metadatas_metadata'::regclass AND NOT x.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"""
    )
    return cursor.fetchall()


def remove_bench_writes(connection):
    """Rows that earlier benchmark POSTs and batches added (slugs ``bench-…``, ``batch-…``: bench/wrk/*.lua),
    with their revisions: each run starts from the same data, so the list pages of the bench tenant read the
    same 100 rows. Each tenant's count of live resources is set to what is left: it is what the
    ``max_resources`` quota checks, and counted on past the removed rows it refused every create (a 403)
    once runs had posted 100,000 resources."""
    posted = "slug LIKE 'bench-%%' OR slug LIKE 'batch-%%'"
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM metadatas_metadatarevision WHERE metadata_id IN "
            f'(SELECT "row" FROM metadatas_metadata WHERE {posted})'
        )
        cursor.execute(f"DELETE FROM metadatas_metadata WHERE {posted}")
        removed = cursor.rowcount
        cursor.execute(
            "UPDATE tenants_tenantcounter SET value = (SELECT count(*) FROM metadatas_metadata m "
            "WHERE m.tenant_id = tenants_tenantcounter.tenant_id AND m.deleted_at IS NULL) "
            "WHERE name = 'live_resources'"
        )
    connection.commit()
    return removed


def vacuum_analyze(connection):
    """Vacuum and analyze the loaded tables, then checkpoint: the load's dirty pages are written now, not by a
    checkpoint spread over the first minutes of the measurements (at 1M rows, over a gigabyte of them)."""
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE metadatas_metadata")
        cursor.execute("VACUUM ANALYZE tenants_tenant")
        cursor.execute("CHECKPOINT")
    connection.autocommit = False


def prepare(count, database=None, force=False):
    """Make ``database`` hold the ``count``-row data set; returns its URL."""
    database = database or f"ms_bench_{count}"
    ensure_database(database)
    migrate(database)
    connection = connect(database)
    if force or not already_loaded(connection, count):
        print(f"Loading {count} rows into {database} ...", flush=True)
        load(connection, count)
    else:
        print(
            f"Reusing {database} ({count} rows; removed {remove_bench_writes(connection)} rows a previous run posted)",
            flush=True,
        )
    vacuum_analyze(connection)
    connection.close()
    return database_url(database)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--database")
    parser.add_argument("--force", action="store_true", help="reload even if the data set is there")
    arguments = parser.parse_args()
    print(prepare(arguments.rows, arguments.database, arguments.force))


if __name__ == "__main__":
    main()
