"""The change feed's capacity and the publisher's throughput (contract changes.md), into bench/RESULTS.md.

Usage: bench/run --changes [--duration 10] [--waiters 1000]

1. The service under `gunicorn -c gunicorn.conf.py` (its default workers: one gevent worker per core), over
   the 10,000-row bench data set. wrk reads items alone: the rate without waiters.
2. bench/waiters.py opens 1,000 long-poll readers (`GET /changes?wait=60`) from one asyncio process, and the
   item rate is measured again while they wait: the ratio is the capacity target (at least 0.80).
3. One write (POST /metadatas); each reader's delay from the moment the POST was sent (an upper bound on the
   delay from its commit) to its event: p50, p99, max (target: every reader within 1 s).
   Steps 1-3 again with 1,000 SSE readers (`GET /changes/stream`).
4. The publisher: N events written, then `publish_changes` started against the local NATS JetStream; events/s
   until its recorded position reaches them.
The section between the markers in RESULTS.md is replaced; the rest of the file is bench/run's.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime

import load
from run import BENCH, ROOT, VAR, Case, fixtures, service_env, start_server, stop_all, wrk

MARK_BEGIN, MARK_END = "<!-- change feed: bench/change_feed.py -->", "<!-- end of change feed -->"
ROWS = 10000
PUBLISHED_EVENTS = 5000


def waiting_readers(server):
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as response:
        text = response.read().decode()
    match = re.search(r"^changes_waiting_readers (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def post(server, token):
    body = {"owner": "Bench", "title": {"en": "Change"}, "slug": f"change-{uuid.uuid4()}", "type": "bench", "data": {}}
    request = urllib.request.Request(
        f"{server.url}/metadatas",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def head(server, token):
    request = urllib.request.Request(
        f"{server.url}/changes?limit=1", headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["head"]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def capacity(options, server, token, item, mode):
    wrk(server.url, item, 2, token)  # warm up
    alone = wrk(server.url, item, options.duration, token)
    cursor = head(server, token)
    waiters = subprocess.Popen(
        [sys.executable, str(BENCH / "waiters.py"), server.url, token, str(options.waiters), str(cursor), mode],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert waiters.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 60
    while waiting_readers(server) < options.waiters and time.monotonic() < deadline:
        time.sleep(0.5)
    connected = waiting_readers(server)
    load_before = os.getloadavg()
    beside = wrk(server.url, item, options.duration, token)
    sent = time.time()
    post(server, token)
    arrivals = json.loads(waiters.stdout.readline())["arrivals"]
    waiters.wait(timeout=60)
    delays = [arrival - sent for arrival in arrivals if arrival is not None]
    return {
        "mode": mode,
        "waiters": options.waiters,
        "waiting_when_measured": connected,
        "item_rps_alone": alone["rps"],
        "item_rps_with_waiters": beside["rps"],
        "ratio": round(beside["rps"] / alone["rps"], 2),
        "item_p99_ms_alone": alone["p99_ms"],
        "item_p99_ms_with_waiters": beside["p99_ms"],
        "delivered": len(delays),
        "delay_p50_s": round(percentile(delays, 0.5), 3) if delays else None,
        "delay_p99_s": round(percentile(delays, 0.99), 3) if delays else None,
        "delay_max_s": round(max(delays), 3) if delays else None,
        "load_average": load_before,
    }


def publisher_throughput(database, tenant):
    """Events/s of publish_changes to the local JetStream (NATS_URL, default nats://127.0.0.1:4222)."""
    url = os.environ.get("NATS_URL", "nats://127.0.0.1:4222")
    stream = f"BENCH_CHANGES_{os.getpid()}"
    env = {**os.environ, **service_env(database), "NATS_URL": url, "NATS_STREAM": stream, "LOG_LEVEL": "WARNING"}
    connection = load.connect(database)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(max(value), 0) FROM tenants_tenantcounter WHERE tenant_id = %s AND name = 'changes'",
            [tenant],
        )
        start = cursor.fetchone()[0]
    subprocess.run(
        [sys.executable, str(BENCH / "write_events.py"), tenant, str(PUBLISHED_EVENTS)], cwd=ROOT, env=env, check=True
    )
    with connection.cursor() as cursor:  # every tenant published up to its head except the bench tenant
        cursor.execute(
            "INSERT INTO changes_publishposition (tenant_id, seq, updated_at) "
            "SELECT tenant_id, CASE WHEN tenant_id = %s THEN %s ELSE value END, now() "
            "FROM tenants_tenantcounter WHERE name = 'changes' "
            "ON CONFLICT (tenant_id) DO UPDATE SET seq = EXCLUDED.seq",
            [tenant, start],
        )
    target = start + PUBLISHED_EVENTS
    publisher = subprocess.Popen(
        [sys.executable, "manage.py", "publish_changes"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    started = time.monotonic()
    position = start
    try:
        while position < target and time.monotonic() - started < 300:
            time.sleep(0.1)
            with connection.cursor() as cursor:
                cursor.execute("SELECT seq FROM changes_publishposition WHERE tenant_id = %s", [tenant])
                position = cursor.fetchone()[0]
        seconds = time.monotonic() - started
    finally:
        publisher.terminate()
        publisher.wait(timeout=30)
        subprocess.run([sys.executable, str(BENCH / "write_events.py"), "--drop-stream", stream], cwd=ROOT, env=env)
    connection.close()
    return {
        "events": position - start,
        "seconds": round(seconds, 2),
        "events_per_s": round((position - start) / seconds),
    }


def main(options):
    database = f"{options.database_prefix}_{ROWS}"
    load.prepare(ROWS, database)
    tenant, _, _, _, token = fixtures(database, ROWS)
    # No worker recycling during the run: a recycled worker would drop its waiting readers mid-measurement.
    env = {**service_env(database), "LOG_LEVEL": "WARNING", "GUNICORN_MAX_REQUESTS": "0"}
    env.pop("WEB_CONCURRENCY", None)
    try:
        # gunicorn.conf.py's own worker count (one per core) unless --workers is given with --changes-workers
        server = start_server("service", "metadata_service.wsgi:application", env, options.changes_workers)
        item = Case("item", "GET /metadatas/{uuid}", script="item.lua", env={"BENCH_UUIDS": str(VAR / "uuids.txt")})
        result = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "workers": options.changes_workers}
        result["capacity"] = capacity(options, server, token, item, "long-poll")
        result["capacity_sse"] = capacity(options, server, token, item, "sse")
        stop_all()
        result["publisher"] = publisher_throughput(database, tenant)
    finally:
        stop_all()
    (VAR / "changes.json").write_text(json.dumps(result, indent=2))
    write_section(result, options)
    print(json.dumps(result, indent=2))


def held(condition):
    return "(holds)" if condition else "(missed)"


def capacity_rows(c):
    readers = f"{c['waiters']} {c['mode']} readers"
    within_a_second = c["delay_max_s"] is not None and c["delay_max_s"] < 1
    return [
        f"| item reads alone (wrk -t2 -c16), req/s | {c['item_rps_alone']} | |",
        f"| item reads with {readers} waiting ({c['waiting_when_measured']:.0f} counted), req/s "
        f"| {c['item_rps_with_waiters']} | |",
        f"| ratio ({c['mode']}) | {c['ratio']} | ≥ 0.80 {held(c['ratio'] >= 0.8)} |",
        f"| item p99 alone / with waiters, ms | {c['item_p99_ms_alone']:.1f} / {c['item_p99_ms_with_waiters']:.1f} | |",
        f"| {c['mode']} readers that got the event | {c['delivered']} of {c['waiters']} | all |",
        f"| delay from the POST sent to the event ({c['mode']}), p50 / p99 / max, s | {c['delay_p50_s']} / "
        f"{c['delay_p99_s']} / {c['delay_max_s']} | < 1 {held(within_a_second)} |",
    ]


def write_section(result, options):
    c, p = result["capacity"], result["publisher"]
    lines = [
        MARK_BEGIN,
        "## Change feed: 1,000 waiting readers, delivery, publisher",
        "",
        f"Written by `bench/run --changes --duration {options.duration}` ({result['started']}), "
        f"{ROWS:,}-row data set, the service with {result['workers']} gevent workers (gunicorn.conf.py). "
        f"Load average when the long-poll readers were connected: {' '.join(f'{x:.2f}' for x in c['load_average'])}; "
        f"the SSE readers: {' '.join(f'{x:.2f}' for x in result['capacity_sse']['load_average'])}.",
        "",
        "| measure | value | target |",
        "|---|---:|---|",
        *capacity_rows(c),
        *capacity_rows(result["capacity_sse"]),
        f"| publish_changes to JetStream, events/s | {p['events_per_s']} "
        f"({p['events']} events in {p['seconds']} s) | |",
        "",
        MARK_END,
    ]
    path = BENCH / "RESULTS.md"
    text = path.read_text() if path.exists() else ""
    section = "\n".join(lines)
    if MARK_BEGIN in text:
        text = re.sub(re.escape(MARK_BEGIN) + ".*?" + re.escape(MARK_END), lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)
