"""Where a request's time goes: cProfile over the real WSGI application, in this process (no gunicorn).

Usage (from the repository root, against a bench database bench/run.py loaded):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ms_bench_10000 REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/profile_item.py [--app service|floor|textbook] \\
        [--path item|list|not_modified|put|post|graphql|batch] [--top 25]

The requests go through the app's WSGI callable (for the service: Django's handler with the full
middleware chain, PostgreSQL and Redis), one after another, each with a new WSGI environ as gunicorn
builds it. Prints the CPU time of one request (process time, so waits on PostgreSQL and Redis are not in
it: a figure the machine's other load barely moves), its wall-clock time, and the top frames by own and
total time.

The writes (service only) send what bench/wrk's scripts send: ``put`` ``{"data": {"n": …}, "version": …}``
to the 2000 rows bench/run.py's PUTs take in turn, each with the version its last response gave; ``post`` a
resource with a new slug (``bench-profile-…``, which bench/load.py's cleanup removes); ``graphql`` the
``updateMetadata`` upsert of key ``bench`` on 100 accounts in turn, a new value each time; ``batch`` a
``POST /metadatas/batch`` of 100 such creates. Each run writes ``200 + 2 × --requests`` times: keep
--requests to a few hundred (a few dozen for ``batch``).
"""

import argparse
import cProfile
import importlib
import io
import itertools
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")
APPS = {
    "service": ("metadata_service.wsgi", "metadata_service.settings"),
    "floor": ("bench.floor", "metadata_service.settings"),
    "textbook": ("bench.textbook.wsgi", "bench.textbook.settings"),
}
BENCH_TENANT = "be7c0000-0000-0000-0000-000000000000"  # bench/load.py's first tenant
GRAPHQL_UPSERT = "mutation U($input: MetadataInput!) { updateMetadata(input: $input) { metadata { key value } } }"
WRITES = ("put", "post", "graphql", "batch")
BATCH_SIZE = 100  # bench/wrk/batch.lua's default
application = None


def environ_for(path, query, token, extra, method="GET", body=b""):
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_ACCEPT": "application/json",
        "wsgi.input": io.BytesIO(body),
        **({"CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body))} if body else {}),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        **extra,
    }


def call(environ):
    return call_for_body(environ)[0]


def call_for_body(environ):
    statuses = []
    body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    return statuses[0], b"".join(body)


def write_requests(kind, tenant, token):
    """A function that sends the next request of a write and returns its status (bodies as bench/wrk/*.lua's)."""
    counter = itertools.count(1)
    run = f"{os.getpid()}-{int(time.time())}"
    versions = dict(rows_of(tenant, 2000)) if kind == "put" else {}
    uuids = list(versions)

    def put():
        n = next(counter)
        uuid = uuids[n % len(uuids)]
        body = json.dumps({"data": {"n": n}, "version": versions[uuid]}, separators=(",", ":"))
        status, response = call_for_body(environ_for(f"/metadatas/{uuid}", "", token, {}, "PUT", body.encode()))
        if status.startswith("200"):  # the next PUT of the row expects the version this one made
            versions[uuid] = json.loads(response)["version"]
        return status

    def post():
        n = next(counter)
        body = post_body(f"{run}-{n}", n)
        return call(environ_for("/metadatas", "", token, {}, "POST", json.dumps(body).encode()))

    def graphql():
        n = next(counter)
        account = {"linkedObjectType": "ACCOUNT", "identifier": f"A-{n % 100 + 1:06d}", "key": "bench"}
        body = {"query": GRAPHQL_UPSERT, "variables": {"input": {**account, "value": json.dumps({"n": n})}}}
        return call(environ_for("/v1/graphql/", "", token, {}, "POST", json.dumps(body).encode()))

    def batch():
        n = next(counter)
        operations = [{"op": "create", "body": post_body(f"{run}-{n}-{i}", i)} for i in range(1, BATCH_SIZE + 1)]
        body = json.dumps({"operations": operations}).encode()
        return call(environ_for("/metadatas/batch", "", token, {}, "POST", body))

    return {"put": put, "post": post, "graphql": graphql, "batch": batch}[kind]


def post_body(name, n):
    """A new resource as bench/wrk/post.lua and batch.lua send it, with the slug ``bench-profile-<name>``."""
    title = {"en": f"Bench resource {n}", "fr": "Ressource"}
    return {"owner": "BenchOwner", "title": title, "slug": f"bench-profile-{name}", "type": "bench", "data": {"n": n}}


def first_item(tenant):
    return SimpleNamespace(**dict(zip(("uuid", "version"), rows_of(tenant, 1)[0], strict=True)))


def rows_of(tenant, count):
    """The tenant's first ``count`` loaded rows (uuid, version): the rows bench/run.py's PUTs cycle through."""
    url = urlparse(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username, dbname=url.path[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT uuid, version FROM metadatas_metadata WHERE tenant_id = %s AND slug LIKE 'res-%%' "
            "ORDER BY id LIMIT %s",
            [tenant, count],
        )
        rows = cursor.fetchall()
    connection.close()
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--path", default="item", choices=["item", "list", "not_modified", *WRITES])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--app", default="service", choices=sorted(APPS))
    parser.add_argument("--save", help="also write the raw profile here (for pstats: callers, callees)")
    options = parser.parse_args()
    global application
    module, settings_module = APPS[options.app]
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    application = importlib.import_module(module).application
    tenant = BENCH_TENANT
    token = subprocess.run(
        [sys.executable, "manage.py", "issue_token", "--tenant", tenant, "--ttl", "3600"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "metadata_service.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if options.path in WRITES:
        one_request = write_requests(options.path, tenant, token)
        path, query = options.path, ""
    else:
        item = first_item(tenant)
        path, query, extra = {
            "item": (f"/metadatas/{item.uuid}", "", {}),
            "not_modified": (f"/metadatas/{item.uuid}", "", {"HTTP_IF_NONE_MATCH": f'"{item.version}"'}),
            "list": ("/metadatas", "page=1&limit=10", {}),
        }[options.path]

        def one_request():
            return call(environ_for(path, query, token, extra))

    for _ in range(20 if options.path == "batch" else 200):  # warm: connections, compiled statements, token cache
        status = one_request()
    print(f"{options.app} {options.path}: {path}{'?' if query else ''}{query} -> {status}")
    cpu, wall = [], []  # the least of five batches: other processes on the machine only ever add to it
    for _ in range(5):
        started, started_wall = time.process_time(), time.perf_counter()
        for _ in range(options.requests // 5):
            one_request()
        cpu.append((time.process_time() - started) * 1000 / (options.requests // 5))
        wall.append((time.perf_counter() - started_wall) * 1000 / (options.requests // 5))
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for _ in range(options.requests):
        one_request()
    profile.disable()
    print(f"CPU per request: {min(cpu):.3f} ms (without the profiler; least of 5 batches)")
    print(f"wall-clock per request: {min(wall):.3f} ms (least of 5 batches; with PostgreSQL's and Redis's time)")
    if options.save:
        profile.dump_stats(options.save)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(options.top)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main()
