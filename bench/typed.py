"""Benchmark of issue 15 (typed metadata): writes under a schema, and the data.<path> filter.

Usage (from the repository root):

    .venv/bin/python bench/typed.py [--rows 10000,1000000] [--writes 300] [--writes-only]

1. Writes: POST /metadatas of a resource with 2 KiB of ``data`` whose type has a 30-rule JSON Schema,
   against the same POST of a type with no schema; through the whole Django stack (middleware, JWT,
   serializer, write service, PostgreSQL), in rounds that alternate, so the machine's load hits both.
2. Filter: for each row count, a database ``ms_i15_types_<rows>`` (made with generate_series, kept
   between runs), GET /metadatas?data.provider=<one of 100>: its latency and the EXPLAIN (ANALYZE) plan.

Each figure is printed with the load average (``uptime``) beside it; bench/RESULTS-types.md is written.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE = "postgres://postgres@127.0.0.1:5432"
TENANT = uuid.UUID("7d0e4d3c-44a4-4ab4-9b0f-000000000015")

FIELDS = [f"field{number}" for number in range(10)]
# 30 rules: 3 per field (type, a bound, a pattern or enum), plus the object's own.
SCHEMA = {
    "type": "object",
    "required": FIELDS[:5],
    "properties": {
        **{name: {"type": "string", "maxLength": 200, "pattern": "^[a-z0-9 -]*$"} for name in FIELDS[:7]},
        **{name: {"type": "integer", "minimum": 0, "maximum": 10**9} for name in FIELDS[7:9]},
        FIELDS[9]: {"type": "array", "items": {"type": "string", "maxLength": 64}, "maxItems": 100},
    },
}
DATA = {
    **{name: ("lorem ipsum dolor sit amet " * 6)[:150] for name in FIELDS[:7]},
    **{name: 123456 for name in FIELDS[7:9]},
    FIELDS[9]: [f"item-{number:04d}-abcdefghij" for number in range(30)],
}


def load_average():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip().split("load average:")[-1]


def ensure_database(name):
    connection = psycopg2.connect(f"{BASE}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return exists


def setup_django(database):
    os.environ["DATABASE_URL"] = f"{BASE}/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metadata_service.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tenants.models import Tenant

    Tenant.objects.get_or_create(uuid=TENANT, defaults={"name": "bench types"})


def client():
    from rest_framework.test import APIClient

    from tenants.tokens import issue_platform_token

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_platform_token(tenant_id=TENANT, identity_type='System')}")
    return api


def bench_writes(writes):
    from metadata_types.models import MetadataType
    from metadatas.models import Metadata

    MetadataType.objects.filter(tenant_id=TENANT).delete()
    Metadata.objects.filter(tenant_id=TENANT, type__in=["typed", "untyped"]).delete()
    MetadataType.objects.create(tenant_id=TENANT, name="typed", schema=SCHEMA)
    api, counter = client(), iter(range(10**9))

    def post(kind):
        body = {"owner": "o", "title": {"en": "t"}, "slug": f"w-{uuid.uuid4()}", "type": kind, "data": DATA}
        started = time.perf_counter()
        response = api.post("/metadatas", body, format="json", HTTP_ACCEPT="application/json")
        assert response.status_code == 201, response.content
        next(counter)
        return time.perf_counter() - started

    for kind in ("typed", "untyped"):  # warm up: connections, compiled validator
        for _ in range(20):
            post(kind)
    times = {"typed": [], "untyped": []}
    rounds = 10
    for _ in range(rounds):
        for kind in ("untyped", "typed"):
            times[kind] += [post(kind) for _ in range(writes // rounds)]
    medians = {kind: statistics.median(values) * 1000 for kind, values in times.items()}
    throughput = {kind: len(values) / sum(values) for kind, values in times.items()}
    return medians, throughput


def validation_micros():
    """µs per validation of DATA: the service's (jsonschema-rs decides) and jsonschema's alone, alternating."""
    import json

    from metadata_types.schemas import compiled, data_violations, explained

    validator = compiled(SCHEMA)
    assert data_violations(validator, DATA) == {} and explained(validator.explaining, DATA, 50) == {}
    checks = {
        "service": lambda: data_violations(validator, DATA),
        "jsonschema": lambda: explained(validator.explaining, DATA, 50),
    }
    spent = {name: 0.0 for name in checks}
    runs = {"service": 2000, "jsonschema": 200}
    for _ in range(5):
        for name, check in checks.items():
            started = time.perf_counter()
            for _ in range(runs[name]):
                check()
            spent[name] += time.perf_counter() - started
    return {name: spent[name] / (5 * runs[name]) * 1e6 for name in checks}, len(json.dumps(DATA))


def load_rows(database, rows):
    """rows resources in the bench tenant: data {"provider": "p<n mod 100>", "region": ..., "tags": [...]}."""
    connection = psycopg2.connect(f"{BASE}/{database}")
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM metadatas_metadata WHERE tenant_id = %s AND type = 'bench'", [TENANT])
        if cursor.fetchone()[0] == rows:
            return 0.0
        started = time.perf_counter()
        cursor.execute("DELETE FROM metadatas_metadata WHERE tenant_id = %s AND type = 'bench'", [TENANT])
        cursor.execute(
            """
            INSERT INTO metadatas_metadata (tenant_id, uuid, created_at, updated_at, owner, title, title_search,
                                            slug, type, data, version)
            SELECT %s, gen_random_uuid(), now(), now(), 'owner', '{"en": "bench"}', 'bench', 'bench-' || n,
                   'bench',
                   jsonb_build_object('provider', 'p' || (n %% 100), 'region', 'r' || (n %% 7),
                                      'retries', n %% 5, 'tags', jsonb_build_array('t' || (n %% 13), 'all')),
                   1
            FROM generate_series(1, %s) AS n
            """,
            [TENANT, rows],
        )
        cursor.execute("ANALYZE metadatas_metadata")
    connection.close()
    return time.perf_counter() - started


RARE_SLUGS = ["bench-1", "bench-5000", "bench-9999"]


def mark_rare(database):
    """Three rows whose provider is "rare": the query of one resource by what its data says."""
    connection = psycopg2.connect(f"{BASE}/{database}")
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "UPDATE metadatas_metadata SET data = jsonb_set(data, '{provider}', '\"rare\"') "
            "WHERE tenant_id = %s AND slug = ANY(%s)",
            [TENANT, RARE_SLUGS],
        )
    connection.close()


def bench_filter(database, rows, value="p42"):
    load_seconds = load_rows(database, rows) if value == "p42" else 0.0
    api = client()
    path = f"/metadatas?data.provider={value}&limit=10"
    for _ in range(5):
        assert api.get(path, HTTP_ACCEPT="application/json").status_code == 200
    times = []
    for _ in range(50):
        started = time.perf_counter()
        response = api.get(path, HTTP_ACCEPT="application/json")
        times.append(time.perf_counter() - started)
    total = response["X-Total-Count"]
    from django.http import QueryDict

    from metadatas.data_filters import data_filtered
    from metadatas.models import Metadata

    queryset = data_filtered(Metadata.objects.for_tenant(TENANT), QueryDict(f"data.provider={value}")).order_by("id")
    plan = queryset[:10].explain(analyze=True)
    return {"load_s": load_seconds, "p50_ms": statistics.median(times) * 1000, "total": total, "plan": plan}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="10000")
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument(
        "--writes-only",
        action="store_true",
        help="measure validation and writes only; keep the filter sections of bench/RESULTS-types.md as they are",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.rows.split(",")]
    database = f"ms_i15_types_{sizes[0]}"
    ensure_database(database)
    setup_django(database)
    lines = ["# Typed metadata benchmark (bench/typed.py)", ""]
    micros, size = validation_micros()
    lines.append(
        f"- validation of a {size}-byte document under the 30-rule schema: {micros['service']:.1f} µs as the "
        f"service validates (jsonschema-rs decides), {micros['jsonschema']:.0f} µs with jsonschema alone (as "
        f"before): **{micros['jsonschema'] / micros['service']:.0f}× faster** (same run, alternating; load "
        f"average {load_average()})"
    )
    before = load_average()
    medians, throughput = bench_writes(args.writes)
    ratio = throughput["typed"] / throughput["untyped"]
    lines.append(
        f"- POST /metadatas, 2 KiB data, in-process through the whole stack, {args.writes} writes each, "
        f"alternating rounds: typed {throughput['typed']:.1f}/s (median {medians['typed']:.2f} ms), "
        f"untyped {throughput['untyped']:.1f}/s (median {medians['untyped']:.2f} ms): "
        f"**typed / untyped = {ratio:.2f}** (load average before {before}, after {load_average()})"
    )
    if args.writes_only:
        kept = (ROOT / "bench" / "RESULTS-types.md").read_text().split("\n## ", 1)
        note = "(The filter sections below come from an earlier full run: `--writes-only` keeps them.)"
        lines += ["", note, "", f"## {kept[1]}".rstrip("\n")] if len(kept) == 2 else []
        sizes = []
    for rows in sizes:
        from django.db import connections

        if rows != sizes[0]:
            connections.close_all()
            other = f"ms_i15_types_{rows}"
            ensure_database(other)
            from django.conf import settings

            settings.DATABASES["default"]["NAME"] = other
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            from tenants.models import Tenant

            Tenant.objects.get_or_create(uuid=TENANT, defaults={"name": "bench types"})
        name = database if rows == sizes[0] else other
        result = bench_filter(name, rows)
        mark_rare(name)
        rare = bench_filter(name, rows, "rare")
        lines += [
            "",
            f"## data.provider=… at {rows:,} rows (loaded in {result['load_s']:.0f} s)",
            "",
            f"GET /metadatas?data.provider=p42&limit=10 (1 row in 100 matches, in-process): median "
            f"{result['p50_ms']:.2f} ms over 50, X-Total-Count {result['total']} (load average {load_average()})",
            "",
            "```",
            result["plan"],
            "```",
            "",
            f"GET /metadatas?data.provider=rare&limit=10 (3 rows match, in-process): median "
            f"{rare['p50_ms']:.2f} ms over 50, X-Total-Count {rare['total']} (load average {load_average()})",
            "",
            "```",
            rare["plan"],
            "```",
        ]
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "RESULTS-types.md").write_text(text)


if __name__ == "__main__":
    main()
