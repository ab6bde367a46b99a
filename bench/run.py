"""The benchmark: load data, serve it with gunicorn, drive it with wrk, write bench/RESULTS.md.

Usage (from the repository root; README "Benchmark"):

    bench/run                                  # 10k, 100k and 1M rows, 10 s per wrk run
    bench/run --rows 10000 --duration 3        # a quick check
    bench/run --compare-workers sync:2,sync:4,gthread:2:4   # also compare gunicorn set-ups
    bench/run --replica --rows 10000 --duration 5          # a standby and pgbouncer of its own (bench/REPLICA.md)

For each size it (re)uses a database ms_bench_<rows> (--database-prefix; bench/load.py), saves the EXPLAIN of every
list query (bench/explain-<rows>.md), starts the service and the bare "floor" app (bench/floor.py)
on free ports, and runs each request of the table with wrk -t2 -c16, floor then service, so every
figure is a ratio to a floor measured moments before. Servers are stopped on exit, however it ends.
"""

import argparse
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VAR = BENCH / "var"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import load  # noqa: E402  (sets up Django with the default settings, for its folding function)

from tests.support.gunicorn_launcher import SERVICE_CONFIG, Gunicorn  # noqa: E402

TYPE = "type-07"
TITLE_WORD = "ledger"
DEEP_OFFSET = 4990  # page=500&limit=10
# The yardstick at 1M rows (floor, req/s), for the "10 x the floor figures" targets.
YARDSTICK_1M = {"type": 145, "title": 86, "deep_page": 75}
PG_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "random_page_cost",
    "max_connections",
    "jit",
    "synchronous_commit",
    "max_parallel_workers_per_gather",
)
BATCH_SIZE = 100  # creates per POST /metadatas/batch (batch.lua's default)
RUNNING = []  # process groups to stop on exit
TEXTBOOK_CASES = {"item", "list", "type", "title"}  # the reads the textbook server is compared on
# The gevent servers run as gunicorn.conf.py runs the service outside a container: a worker per CPU. Four
# gevent workers on two cores measured slower, with longer tails, than two (bench/RESULTS.md's set-ups).
CPUS = len(os.sched_getaffinity(0))


@dataclass
class Case:
    """One row of the results table: a request, how wrk makes it, and whether the floor has it."""

    name: str
    label: str
    script: str = "get.lua"
    path: str = "/"
    floor: bool = False
    read: bool = True
    env: dict = field(default_factory=dict)
    connections: int = 16


# --- processes ------------------------------------------------------------------------------


def stop_all(*_):
    while RUNNING:
        RUNNING.pop().stop()
    (VAR / "pids").write_text("")


def stop_leftovers():
    """Stop servers a previous, interrupted run left behind (their pids are in bench/var/pids)."""
    pids = VAR / "pids"
    for line in pids.read_text().split() if pids.exists() else []:
        try:
            command = Path(f"/proc/{line}/cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in command and b"bench-server" in command:
            os.killpg(int(line), signal.SIGTERM)
    pids.write_text("")


CONFIGS = {
    "floor": BENCH / "floor_gunicorn.conf.py",
    "floor_sync": BENCH / "floor_gunicorn.conf.py",
    "textbook": BENCH / "textbook" / "gunicorn.conf.py",
}


def start_server(name, app, env, workers, worker_class=None, threads=1):
    """A gunicorn of ``name`` serving ``app``, once it answers HTTP (its log: bench/var/<name>.log)."""
    environment = {**env, "GUNICORN_THREADS": str(threads)}
    if worker_class:
        environment["GUNICORN_WORKER_CLASS"] = worker_class
    try:
        server = Gunicorn(
            workers=workers,
            env=environment,
            args=["--name", f"bench-server-{name}"],
            app=app,
            config=CONFIGS.get(name, SERVICE_CONFIG),
            log_path=VAR / f"{name}.log",
            own_session=True,  # stop_leftovers() stops an interrupted run's servers by process group
        )
    except RuntimeError as exc:
        raise SystemExit(f"{name} did not start: {exc}") from None
    RUNNING.append(server)
    with open(VAR / "pids", "a") as pids:
        pids.write(f"{server.pid}\n")
    try:  # any HTTP answer will do: the floor and the textbook have no /health/live
        server.wait_until_answering("/", any_status=True, seconds=60)
    except RuntimeError as exc:
        raise SystemExit(f"{name} did not answer on port {server.port}: {exc}") from None
    return server


def worker_peak_rss_mib(server):
    """Peak resident memory (VmHWM) of each worker of a gunicorn master, in MiB."""
    peaks = []
    for pid in server.children():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        peaks.append(round(kib / 1024, 1))
    return peaks


# --- wrk ------------------------------------------------------------------------------------


def wrk(url, case, duration, token, connections=16, threads=2, extra_env=None, mode="keepalive"):
    env = {
        "BENCH_CONNECTION": mode,
        **os.environ,
        "BENCH_TOKEN": token,
        "BENCH_LUA_DIR": str(BENCH / "wrk"),
        "BENCH_THREADS": str(threads),
        "BENCH_RUN_ID": f"{int(time.time())}{random.randrange(1000)}",
        **case.env,
        **(extra_env or {}),
    }
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "-s",
        str(BENCH / "wrk" / case.script),
        url + case.path,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 60).stdout
    line = next((line for line in output.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no summary for {case.name}:\n{output}")
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    result["p50_ms"], result["p99_ms"] = result["p50_us"] / 1000, result["p99_us"] / 1000
    return result


def pgbench(database, script, duration):
    """Transactions per second of the service's own SQL for one request, PostgreSQL alone (16 clients)."""
    command = [
        "pgbench",
        "-h",
        "127.0.0.1",
        "-U",
        "postgres",
        "-n",
        "-T",
        str(duration),
        "-c",
        "16",
        "-j",
        "2",
        "-f",
        str(script),
        database,
    ]
    output = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60).stdout
    line = next((line for line in output.splitlines() if line.startswith("tps = ")), None)
    return round(float(line.split()[2]), 1) if line else None


def request(url, token, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "Content-Type": "application/json"}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers, method=method), timeout=10) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def graphql_available(server, token):
    query = {"query": "{ __typename }"}
    status, body = request(f"{server.url}/v1/graphql/", token, "POST", query)
    return status == 200 and b"__typename" in body


# --- one data size --------------------------------------------------------------------------


def fixtures(database, rows):
    """Token, item uuids, PUT rows and the deep-page cursor for the bench tenant (the first one)."""
    tenant = load.tenant_ids()[0]
    connection = load.connect(database)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT uuid, version FROM metadatas_metadata WHERE tenant_id = %s ORDER BY random() LIMIT 1000", [tenant]
        )
        (VAR / "uuids.txt").write_text("".join(f"{uuid} {version}\n" for uuid, version in cursor.fetchall()))
        cursor.execute("SELECT count(*) FROM metadatas_metadata WHERE tenant_id = %s", [tenant])
        tenant_rows = cursor.fetchone()[0]
        position = min(DEEP_OFFSET, tenant_rows // 2)
        cursor.execute(
            "SELECT id FROM metadatas_metadata WHERE tenant_id = %s ORDER BY id OFFSET %s LIMIT 1",
            [tenant, position - 1],
        )
        deep_id = cursor.fetchone()[0]
    connection.close()
    env = {**os.environ, "DATABASE_URL": load.database_url(database)}
    token = subprocess.run(
        [sys.executable, "manage.py", "issue_token", "--tenant", tenant, "--ttl", "14400"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return tenant, tenant_rows, position, deep_cursor(deep_id), token


def deep_cursor(last_id):
    """The cursor the service issues after the row ``last_id`` in the default order (id ascending)."""
    from django.db.models import F

    from metadatas import keyset
    from metadatas.models import Metadata

    keys = keyset.order_keys(Metadata.objects.order_by(F("id").asc()))
    row = type("Row", (), {keys[0].alias: last_id})()
    return keyset.encode(keys, row)


def put_rows(database, tenant):
    """The rows put.lua updates, with their versions once they stop changing.

    wrk stops at its deadline with up to one PUT per connection still in the service; read before those
    commit, and each of their rows answers 409 to every PUT of the next run (put.lua learns a version only
    from a 200, and a 409 does not say which row it is about).
    """
    connection = load.connect(database)
    with connection.cursor() as cursor:
        versions, previous = None, ()
        while versions != previous:
            previous = versions
            time.sleep(0.5)
            cursor.execute(
                "SELECT uuid, version FROM metadatas_metadata WHERE tenant_id = %s AND slug LIKE 'res-%%' "
                "ORDER BY id LIMIT 2000",
                [tenant],
            )
            versions = cursor.fetchall()
        (VAR / "put-rows.txt").write_text("".join(f"{uuid} {version}\n" for uuid, version in versions))
    connection.close()


def cases(tenant_rows, position, cursor):
    deep = tenant_rows >= DEEP_OFFSET + 10
    uuids = {"BENCH_UUIDS": str(VAR / "uuids.txt")}
    return [
        Case("item", "GET /metadatas/{uuid}", "item.lua", floor=True, env=uuids),
        Case("not_modified", "GET /metadatas/{uuid} If-None-Match → 304", "item.lua", env={**uuids, "BENCH_ETAG": "1"}),
        Case("list", "GET /metadatas?page=1&limit=10 (+ count)", path="/metadatas?page=1&limit=10", floor=True),
        Case("type", f"GET /metadatas?type={TYPE}", path=f"/metadatas?type={TYPE}", floor=True),
        Case("title", f"GET /metadatas?title={TITLE_WORD}", path=f"/metadatas?title={TITLE_WORD}", floor=True),
        *(
            [Case("deep_page", "GET /metadatas?page=500&limit=10", path="/metadatas?page=500&limit=10", floor=True)]
            if deep
            else []
        ),
        Case(
            "deep_cursor",
            f"GET /metadatas?cursor=<after row {position}>&limit=10",
            path=f"/metadatas?cursor={cursor}&limit=10",
        ),
        Case("post", "POST /metadatas", "post.lua", read=False),
        Case(
            "post_keyed", "POST /metadatas with Idempotency-Key", "post.lua", read=False, env={"BENCH_IDEMPOTENCY": "1"}
        ),
        # Batches of one tenant queue on its id counter: 4 connections keep it busy without queueing for seconds.
        Case("batch", f"POST /metadatas/batch ({BATCH_SIZE} creates)", "batch.lua", read=False, connections=4),
        Case("put", "PUT /metadatas/{uuid}", "put.lua", read=False, env={"BENCH_ROWS": str(VAR / "put-rows.txt")}),
        Case("graphql", "POST /v1/graphql/ updateMetadata (upsert)", "graphql.lua", read=False),
    ]


def service_env(database):
    return {
        "DATABASE_URL": load.database_url(database),
        "DATABASE_CONN_MAX_AGE": "600",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "CACHE_KEY_PREFIX": f"bench-{os.getpid()}",
        "APP_ENV": "development",
        # One token drives thousands of requests a second: limits far above that, still counted (their cost
        # is part of the figures), never reached.
        "THROTTLE_RATE_TENANT": "1000000000/min",
        "THROTTLE_RATE_TOKEN": "1000000000/min",
    }


def run_size(rows, options):
    print(f"== {rows} rows", flush=True)
    database = f"{options.database_prefix}_{rows}"
    started = time.monotonic()
    load.prepare(rows, database)
    load_seconds = round(time.monotonic() - started)  # a few seconds when the data set is reused
    tenant, tenant_rows, position, cursor, token = fixtures(database, rows)
    every_case = cases(tenant_rows, position, cursor)
    size_cases = [c for c in every_case if not options.cases or c.name in options.cases]
    first_read = next(c for c in every_case if c.read and c.floor)  # every server answers it, and it writes nothing
    env = service_env(database)
    item_path = "/metadatas/" + (VAR / "uuids.txt").read_text().split()[0]
    explain_paths = [f"item={item_path}"] + [f"{c.name}={c.path}" for c in size_cases if c.read and c.path != "/"]
    quiet = {**os.environ, **env, "LOG_LEVEL": "WARNING"}
    subprocess.run(
        [sys.executable, str(BENCH / "explain.py"), str(BENCH / f"explain-{rows}.md"), token, *explain_paths],
        cwd=ROOT,
        env=quiet,
        check=True,
    )
    floor = start_server("floor", "bench.floor:application", env, options.workers, options.worker_class)
    floor_sync = start_server("floor_sync", "bench.floor:application", env, options.sync_workers, "sync")
    textbook = start_server("textbook", "bench.textbook.wsgi:application", env, options.sync_workers, "sync")
    service = start_server("service", "metadata_service.wsgi:application", env, options.workers, options.worker_class)
    has_graphql = graphql_available(service, token)
    results = {
        "rows": rows,
        "tenant_rows": tenant_rows,
        "load_seconds": load_seconds,
        "cases": [],
        "load_average_before": os.getloadavg(),
    }
    for server in (floor, floor_sync, textbook, service):  # warm up: connections, caches, imported code
        wrk(server.url, first_read, 1, token)
    for case in size_cases:
        if case.name == "graphql" and not has_graphql:
            results["cases"].append(
                {"name": case.name, "label": case.label, "skipped": "no GraphQL endpoint at /v1/graphql/ in this build"}
            )
            continue
        check_status(service, case, token)
        row = {"name": case.name, "label": case.label, "read": case.read, "modes": {}}
        for mode in options.modes:
            if case.name == "put":  # the versions the PUTs expect, as they stand now
                put_rows(database, tenant)
            servers = {"floor": floor, "floor_sync": floor_sync} if case.floor else {}
            servers.update({"textbook": textbook} if case.floor and case.name in TEXTBOOK_CASES else {})
            servers["service"] = service
            measured = measure_in_rounds(servers, case, options, token, mode)
            row["modes"][mode] = measured
            print(f"  {case.name:12} {mode:9} " + "  ".join(f"{n} {r['rps']:7.0f}" for n, r in measured.items()))
        if (VAR / "sql" / f"{case.name}.sql").exists():
            row["postgres_tps"] = pgbench(database, VAR / "sql" / f"{case.name}.sql", options.duration)
        results["cases"].append(row)
    results["rss_mib"] = {
        "service": worker_peak_rss_mib(service),
        "floor": worker_peak_rss_mib(floor),
        "textbook": worker_peak_rss_mib(textbook),
    }
    if not options.cases:
        results["two_instances"] = two_instances(service, env, size_cases[0], options, token)
    results["load_average_after"] = os.getloadavg()
    stop_all()
    return results


def measure_in_rounds(servers, case, options, token, mode):
    """Each server's median run of ``--rounds`` (reads; a write once), the servers taking turns in each round.

    This machine's speed drifts by a fifth within a minute: one run of each server, one after the other,
    would compare them at different speeds. Turns spread the drift over all of them, the median drops a
    run a burst of other load hit. Every round's rate is kept beside the median (``rounds_rps``).

    Before each run of a read, ``--warmup`` seconds of the same request are sent and not counted: the server
    that ran before left PostgreSQL's buffers holding its pages (the textbook's exact counts at 1M rows read
    many), and a 3-second run that began by reading its own back measured that in its p99 (type= at 1M:
    p99/p50 4.7-6.5 straight after the others, 1.9-2.9 in a second run at once, 2.1 after a 1 s warm-up).
    """
    rounds = options.rounds if case.read else 1
    runs = {name: [] for name in servers}
    for _ in range(rounds):
        for name, server in servers.items():
            if case.read and options.warmup:
                wrk(server.url, case, options.warmup, token, connections=case.connections, mode=mode)
            before = cpu_seconds(server)
            result = wrk(server.url, case, options.duration, token, connections=case.connections, mode=mode)
            runs[name].append({**result, "cpu_ms": cpu_per_request(before, cpu_seconds(server), result["requests"])})
    measured = {}
    for name, results in runs.items():
        median = sorted(results, key=lambda result: result["rps"])[len(results) // 2]
        measured[name] = {**median, "rounds_rps": [result["rps"] for result in results]}
    return measured


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(server):
    """CPU seconds used so far by ``server``'s workers and by every PostgreSQL process, by pid."""
    workers, postgres, children = {}, {}, server.children()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
        if int(pid) in children:
            workers[pid] = seconds
        elif name.startswith("postgres"):
            postgres[pid] = seconds
    return workers, postgres


def cpu_per_request(before, after, requests):
    """Milliseconds of CPU per request of the workers and of PostgreSQL between two ``cpu_seconds``."""
    spent = [
        sum(seconds - earlier.get(pid, 0) for pid, seconds in later.items())
        for earlier, later in zip(before, after, strict=True)
    ]
    return {
        "workers": round(1000 * spent[0] / max(requests, 1), 3),
        "postgres": round(1000 * spent[1] / max(requests, 1), 3),
    }


GRAPHQL_CHECK = {
    "query": "mutation U($input: MetadataInput!) { updateMetadata(input: $input) { metadata { key value } } }",
    "variables": {"input": {"linkedObjectType": "ACCOUNT", "identifier": "A-000001", "key": "bench", "value": "{}"}},
}


def check_status(server, case, token):
    """One request before the run: a benchmark of error responses would measure nothing."""
    if case.script == "get.lua":
        status, body = request(server.url + case.path, token)
    elif case.name == "graphql":  # GraphQL errors come with HTTP 200
        status, body = request(f"{server.url}/v1/graphql/", token, "POST", GRAPHQL_CHECK)
        status = status if b'"errors"' not in body else 500
    else:
        return
    if status != 200:
        raise SystemExit(f"{case.name}: HTTP {status} {body[:300]!r}")


def two_instances(first, env, case, options, token):
    """The same request against two gunicorn instances at once (one database): the sum scales out."""
    second = start_server("service2", "metadata_service.wsgi:application", env, options.workers, options.worker_class)
    wrk(second.url, case, 2, token)  # every worker up and warm, as the first instance is
    processes = []
    for server in (first, second):
        environment = {**os.environ, "BENCH_TOKEN": token, "BENCH_LUA_DIR": str(BENCH / "wrk"), **case.env}
        command = [
            "wrk",
            "-t1",
            "-c16",
            f"-d{options.duration}s",
            "-s",
            str(BENCH / "wrk" / case.script),
            server.url + case.path,
        ]
        processes.append(subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True))
    rates = []
    for process in processes:
        output = process.communicate(timeout=options.duration + 60)[0]
        summary = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))[11:])
        rates.append(round(summary["requests"] / (summary["duration_us"] / 1e6), 1))
    return {"case": case.label, "instances": rates, "sum": round(sum(rates), 1)}


SLOW_CLIENT_REQUEST = (
    b"POST /metadatas HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
)


def slow_client_probe(server, slow=50, idle=1000):
    """Seconds an ordinary GET /health/live takes while ``slow`` clients send headers and never their body,
    then while ``idle`` more connections stay open and silent (long-poll waiters hold connections so); None: > 5 s.
    """
    answers = {}
    held = []
    try:
        for count, payload in ((slow, SLOW_CLIENT_REQUEST), (idle, b"")):
            for _ in range(count):
                sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                sock.sendall(payload)
                held.append(sock)
            time.sleep(0.5)  # every connection accepted and stuck where it will stay
            started = time.monotonic()
            try:
                urllib.request.urlopen(f"{server.url}/health/live", timeout=5).close()
                answers["slow" if payload else "slow_and_idle"] = round(time.monotonic() - started, 3)
            except OSError:
                answers["slow" if payload else "slow_and_idle"] = None
    finally:
        for sock in held:
            sock.close()
    return answers


def cpu_profiles(database, env):
    """bench/profile-item.md: CPU per request of each app in-process (a figure other load barely moves), and
    the top frames of the service's item read."""
    environment = {**os.environ, **env, "DATABASE_URL": load.database_url(database), "LOG_LEVEL": "WARNING"}
    lines = ["| app | item ms CPU | 304 ms CPU | list ms CPU |", "|---|---:|---:|---:|"]
    frames = ""
    figures = {}
    for app in ("floor", "textbook", "service"):
        cells = figures[app] = []
        for path in ("item", "not_modified", "list"):
            if path == "not_modified" and app != "service":
                cells.append("–")
                continue
            command = [sys.executable, str(BENCH / "profile_item.py"), "--app", app, "--path", path, "--top", "25"]
            output = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True).stdout
            cpu = next((line.split()[3] for line in output.splitlines() if line.startswith("CPU per request")), "?")
            cells.append(cpu)
            if (app, path) == ("service", "item"):
                frames = output[output.index("CPU per request") :]
        lines.append(f"| {app} | " + " | ".join(cells) + " |")
    write_lines, write_frames = write_profiles(environment)
    text = "\n".join(
        [
            f"CPU time of one request in-process (`bench/profile_item.py`, least of 5 batches of 400; load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}):",
            "",
            *lines,
            "",
            *modelled_ratios(figures),
            "",
            "The service's item read under cProfile (CPU clock), top frames:",
            "",
            "```",
            frames.strip(),
            "```",
            "",
            *write_lines,
            "",
            "The service's POST under cProfile (CPU clock), top frames:",
            "",
            "```",
            write_frames.strip(),
            "```",
        ]
    )
    (BENCH / "profile-item.md").write_text(text + "\n")


# Requests per write profile: a batch stores BATCH_SIZE resources, so it runs fewer.
WRITE_PROFILE_REQUESTS = {"post": 300, "put": 300, "graphql": 300, "batch": 20}


def write_profiles(environment):
    """The service's CPU per write in-process (``profile_item.py``'s writes) and the POST's frames."""
    cells, frames = [], ""
    for path, requests in WRITE_PROFILE_REQUESTS.items():
        command = [sys.executable, str(BENCH / "profile_item.py"), "--path", path, "--requests", str(requests)]
        output = subprocess.run([*command, "--top", "25"], cwd=ROOT, env=environment, capture_output=True, text=True)
        lines = output.stdout.splitlines()
        cells.append(next((line.split()[3] for line in lines if line.startswith("CPU per request")), "?"))
        if path == "post" and "CPU per request" in output.stdout:
            frames = output.stdout[output.stdout.index("CPU per request") :]
    header = "| service write | POST ms CPU | PUT ms CPU | GraphQL upsert ms CPU | batch of {} creates ms CPU |"
    row = "| in-process, least of 5 batches | " + " | ".join(cells) + " |"
    return [header.format(BATCH_SIZE), "|---|---:|---:|---:|---:|", row], frames


GUNICORN_MS = 0.2  # gunicorn's own CPU per request (sync worker, measured in round 1), added to every app


def modelled_ratios(figures):
    """Throughput ratios the CPU figures imply on a CPU-bound machine: each app's CPU plus gunicorn's."""
    item, not_modified, page = 0, 1, 2  # the columns of ``figures``

    def faster(app, column, than, than_column):
        try:
            cost, other = float(figures[app][column]), float(figures[than][than_column])
        except ValueError:  # a profile that did not run ("?")
            return "?"
        return f"{(other + GUNICORN_MS) / (cost + GUNICORN_MS):.2f}"

    return [
        f"With gunicorn's ~{GUNICORN_MS} ms per request added to each, these CPU figures make the service's rate "
        f"{faster('service', item, 'floor', item)} × the floor's and {faster('service', item, 'textbook', item)} × "
        f"the textbook's on an item read, {faster('service', page, 'floor', page)} × and "
        f"{faster('service', page, 'textbook', page)} × on the list page, and a 304 "
        f"{faster('service', not_modified, 'floor', item)} × the floor's item read."
    ]


def compare_workers(rows, options, setups):
    """Item and list rates for several gunicorn set-ups (WORKERS, CLASS:WORKERS or gthread:W:T)."""
    database = f"{options.database_prefix}_{rows}"
    load.prepare(rows, database)
    tenant, tenant_rows, position, cursor, token = fixtures(database, rows)
    size_cases = [case for case in cases(tenant_rows, position, cursor) if case.name in ("item", "list")]
    comparison = []
    for setup in setups:
        worker_class, workers, threads = (setup.split(":") + ["1"])[:3]
        service = start_server(
            "service",
            "metadata_service.wsgi:application",
            service_env(database),
            int(workers),
            worker_class,
            int(threads),
        )
        wrk(service.url, size_cases[0], 1, token)
        rates = {
            f"{case.name}_{mode}": wrk(service.url, case, options.duration, token, mode=mode)
            for mode in options.modes
            for case in size_cases
        }
        rates["slow_clients"] = slow_client_probe(service)
        comparison.append({"setup": setup, "rates": rates, "rss_mib": worker_peak_rss_mib(service)})
        print(f"  {setup:14} " + "  ".join(f"{n} {r['rps']:.0f}" for n, r in rates.items() if "rps" in r), flush=True)
        print(f"  {setup:14} slow clients: {rates['slow_clients']}", flush=True)
        stop_all()
    return comparison


# --- the report -----------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description="Benchmark of the metadata service against a bare floor app.")
    parser.add_argument("--rows", default="10000,100000,1000000", help="comma-separated data sizes")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument(
        "--workers", type=int, default=CPUS, help="gunicorn workers of the service and the floor (one per CPU)"
    )
    parser.add_argument(
        "--sync-workers", type=int, default=4, help="gunicorn workers of the sync floor and the textbook"
    )
    parser.add_argument("--rounds", type=int, default=3, help="runs of each read per server, taking turns (median)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of each read sent, uncounted, before its run")
    parser.add_argument("--worker-class", default=None, help="of the service and the floor (gunicorn.conf.py's)")
    parser.add_argument("--modes", default="keepalive,close", help="HTTP connections: keepalive, close or both")
    parser.add_argument("--profile", action="store_true", help="also write bench/profile-item.md (first size)")
    parser.add_argument("--cases", default="", help="only these requests (e.g. item,list), for a quick look")
    parser.add_argument("--compare-workers", default="", help="e.g. sync:2,sync:4,gthread:2:4 (on the first size)")
    parser.add_argument(
        "--database-prefix",
        default="ms_bench",
        help="databases are <prefix>_<rows>: give one of your own when others bench on the same server",
    )
    parser.add_argument(
        "--replica", action="store_true", help="standby vs primary reads, lag, pgbouncer (bench/replica.py)"
    )
    parser.add_argument(
        "--changes", action="store_true", help="change feed: 1,000 waiters, delivery, publisher (bench/change_feed.py)"
    )
    parser.add_argument("--waiters", type=int, default=1000, help="long-poll readers of --changes")
    parser.add_argument("--changes-workers", type=int, default=2, help="gunicorn workers of --changes (one per core)")
    options = parser.parse_args()
    VAR.mkdir(exist_ok=True)
    stop_leftovers()
    if options.replica:
        import replica

        return replica.main(options)
    if options.changes:
        import change_feed

        return change_feed.main(options)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sizes = [int(size) for size in options.rows.split(",")]
        options.modes = options.modes.split(",")
        options.cases = [name for name in options.cases.split(",") if name]
        options.health_checks = os.environ.get("DATABASE_CONN_HEALTH_CHECKS", "true (default)")
        options.log_level = os.environ.get("LOG_LEVEL", "INFO (default: a line per request)")
        report = {
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "options": vars(options),
            "sizes": [run_size(rows, options) for rows in sizes],
            "postgres": postgres_settings(),
        }
        if options.profile:
            cpu_profiles(f"{options.database_prefix}_{sizes[0]}", service_env(f"{options.database_prefix}_{sizes[0]}"))
        if options.compare_workers:
            comparison = compare_workers(sizes[0], options, options.compare_workers.split(","))
            workers_file = VAR / "workers.json"
            workers_file.write_text(json.dumps({"started": report["started"], "setups": comparison}, indent=2))
    finally:
        stop_all()
    (VAR / "results.json").write_text(json.dumps(report, indent=2))
    from report import write_results

    write_results(report, BENCH / "RESULTS.md", VAR / "workers.json", BENCH / "profile-item.md")
    print(f"Wrote {BENCH / 'RESULTS.md'}")


def postgres_settings():
    connection = load.connect("postgres")
    values = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        values["version"] = cursor.fetchone()[0].split(" on ")[0]
        for name in PG_SETTINGS:
            cursor.execute(f"SHOW {name}")
            values[name] = cursor.fetchone()[0]
    connection.close()
    values["machine"] = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    return values


if __name__ == "__main__":
    main()
