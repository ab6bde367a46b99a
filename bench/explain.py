"""EXPLAIN (ANALYZE, BUFFERS) of the SQL the service sends for each list request of the benchmark.

Usage: DATABASE_URL=postgres://.../ms_bench_1000000 python bench/explain.py OUT.md TOKEN NAME=PATH [...]

Each PATH is requested through Django's test client against that database; every SELECT on the
metadata table it sends is captured and explained, so the file shows which index serves it. The
statements are also written to bench/var/sql/NAME.sql, for pgbench ("PostgreSQL alone").
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metadata_service.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def explain(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main(out, token, named_paths):
    # The SQL itself, not EXECUTE of a statement prepared on the connection (metadatas/compiled_lookups.py):
    # the text is what is explained here and what pgbench sends for "PostgreSQL alone".
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT="application/json")
    sections = [f"# EXPLAIN of the list queries ({os.environ['DATABASE_URL'].rsplit('/', 1)[-1]})", ""]
    sql_dir = Path(__file__).resolve().parent / "var" / "sql"
    sql_dir.mkdir(parents=True, exist_ok=True)
    for named_path in named_paths:
        name, path = named_path.split("=", 1)
        statements = []
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        sections += [f"## GET {path[:120]}", "", f"HTTP {response.status_code}", ""]
        for query in captured.captured_queries:
            sql = query["sql"]
            if "metadatas_metadata" not in sql or not sql.lstrip().upper().startswith(("SELECT", "EXPLAIN")):
                continue
            if sql.lstrip().upper().startswith("EXPLAIN"):
                sections += ["(count beyond the cap: the planner's estimate, from EXPLAIN)", ""]
                continue
            sections += ["```sql", sql, "```", "```", explain(sql), "```", ""]
            statements.append(sql + ";")
        (sql_dir / f"{name}.sql").write_text("\n".join(statements) + "\n")
    Path(out).write_text("\n".join(sections) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
