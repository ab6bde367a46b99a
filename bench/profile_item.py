"""Where an item read's time goes: cProfile over the real WSGI application, in this process (no gunicorn).

Usage (from the repository root, against a bench database bench/run.py loaded):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ms_bench_10000 REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/profile_item.py [--app service|floor|textbook] [--path item|list|not_modified] [--top 25]

The requests go through the app's WSGI callable (for the service: Django's handler with the full
middleware chain, PostgreSQL and Redis), one after another, each with a new WSGI environ as gunicorn
builds it. Prints the CPU time of one request (process time, so waits on PostgreSQL and Redis are not in
it: a figure the machine's other load barely moves) and the top frames by own and total time.
"""

import argparse
import cProfile
import importlib
import io
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
application = None


def environ_for(path, query, token, extra):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_ACCEPT": "application/json",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        **extra,
    }


def call(environ):
    statuses = []
    body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    return statuses[0]


def first_item(tenant):
    url = urlparse(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username, dbname=url.path[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT uuid, version FROM metadatas_metadata WHERE tenant_id = %s ORDER BY id LIMIT 1", [tenant]
        )
        uuid, version = cursor.fetchone()
    connection.close()
    return SimpleNamespace(uuid=uuid, version=version)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--path", default="item", choices=["item", "list", "not_modified"])
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
    item = first_item(tenant)
    path, query, extra = {
        "item": (f"/metadatas/{item.uuid}", "", {}),
        "not_modified": (f"/metadatas/{item.uuid}", "", {"HTTP_IF_NONE_MATCH": f'"{item.version}"'}),
        "list": ("/metadatas", "page=1&limit=10", {}),
    }[options.path]
    for _ in range(200):  # warm: connections, compiled statements, the token cache
        status = call(environ_for(path, query, token, extra))
    print(f"{options.app} {options.path}: {path}?{query} -> {status}")
    batches = []  # the least of five batches: other processes on the machine only ever add to it
    for _ in range(5):
        started = time.process_time()
        for _ in range(options.requests // 5):
            call(environ_for(path, query, token, extra))
        batches.append((time.process_time() - started) * 1000 / (options.requests // 5))
    cpu_ms = min(batches)
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for _ in range(options.requests):
        call(environ_for(path, query, token, extra))
    profile.disable()
    print(f"CPU per request: {cpu_ms:.3f} ms (without the profiler; least of 5 batches)")
    if options.save:
        profile.dump_stats(options.save)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(options.top)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main()
