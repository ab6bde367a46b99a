"""``bench/run --replica``: reads on a streaming standby against reads on the primary, replication lag under a
write load, and the server connections used with and without pgbouncer; writes bench/REPLICA.md.

It starts its own primary and hot standby (tests/support/pg_clusters.py, fsync and synchronous commit on, as in
production) on free ports, loads the data set into the primary, and stops and removes everything at the end.
Both servers share this machine's cores with the service and wrk, so the read rates compare where the reads
run, not what a second machine would add.
"""

import json
import os
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import load
import run

from tests.support.pg_clusters import PgBouncer, ReplicaPair

BENCH = Path(__file__).resolve().parent
DATABASE = "ms_bench_replica"
METADATA_SELECTS = 'SELECT%FROM "metadatas_metadata"%'
POOL_SIZE = 4


def statements(cluster):
    """SELECTs of metadata this server has run (pg_stat_statements)."""
    rows = cluster.query(
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE %s", (METADATA_SELECTS,), DATABASE
    )
    return int(rows[0][0])


class Sampler:
    """Samples a function every ``interval`` seconds on a thread while the block runs."""

    def __init__(self, measure, interval=0.2):
        self.measure, self.interval, self.samples = measure, interval, []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop)

    def loop(self):
        while not self.stop.wait(self.interval):
            self.samples.append(self.measure())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()


def settled(pair, quiet_seconds=1.0):
    """Both servers' counts once they stop moving: requests a finished wrk left queued have been served."""
    counts = None
    while counts != (counts := (statements(pair.primary), statements(pair.standby))):
        time.sleep(quiet_seconds)
    return counts


def reads(pair, server, case, options, token):
    """One read case against one server: its rate, and how many of its SELECTs each database ran."""
    before = settled(pair)
    result = run.wrk(server.url, case, options.duration, token)
    after = settled(pair)
    return {"rps": result["rps"], "p99_ms": result["p99_ms"], "on_primary": after[0] - before[0]} | {
        "on_standby": after[1] - before[1]
    }


def lag_sample(pair):
    with pair.primary.connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), extract(epoch FROM replay_lag)"
            " FROM pg_stat_replication"
        )
        row = cursor.fetchone()
    connection.close()
    return (int(row[0] or 0), float(row[1] or 0)) if row else (None, None)


def lag_under_writes(pair, server, case, options, token):
    with Sampler(lambda: lag_sample(pair)) as sampler:
        result = run.wrk(server.url, case, options.duration, token)
    byte_lags = [sample[0] for sample in sampler.samples if sample[0] is not None]
    time_lags = [sample[1] for sample in sampler.samples if sample[1] is not None]
    return {
        "writes_per_second": result["rps"],
        "samples": len(sampler.samples),
        "lag_bytes_median": int(statistics.median(byte_lags)) if byte_lags else None,
        "lag_bytes_max": max(byte_lags, default=None),
        "replay_lag_ms_median": round(statistics.median(time_lags) * 1000, 2) if time_lags else None,
        "replay_lag_ms_max": round(max(time_lags, default=0) * 1000, 2),
    }


def server_connections(pair):
    rows = pair.primary.query(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
        " AND pid <> pg_backend_pid()",
        (DATABASE,),
        DATABASE,
    )
    return int(rows[0][0])


def connections_used(pair, server, case, options, token):
    with Sampler(lambda: server_connections(pair)) as sampler:
        result = run.wrk(server.url, case, options.duration, token, connections=32)
    return {"rps": result["rps"], "p99_ms": result["p99_ms"], "server_connections_max": max(sampler.samples)}


def measure(pair, options):
    os.environ["PGHOST"], os.environ["PGPORT"] = "127.0.0.1", str(pair.primary.port)
    rows = int(options.rows.split(",")[0])
    load.prepare(rows, DATABASE)
    pair.primary.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", database=DATABASE)
    pair.wait_until_replayed(seconds=300)
    tenant, tenant_rows, position, cursor, token = run.fixtures(DATABASE, rows)
    item, listing = run.cases(tenant_rows, position, cursor)[:2]
    post = next(case for case in run.cases(tenant_rows, position, cursor) if case.name == "post")
    env = run.service_env(DATABASE)
    standby = {"DATABASE_REPLICA_URLS": pair.standby.url(DATABASE)}
    results = {"rows": rows, "workers": options.workers, "duration": options.duration}
    results["load_average_before"] = os.getloadavg()

    on_primary = run.start_server("primary-reads", "metadata_service.wsgi:application", env, options.workers)
    on_standby = run.start_server(
        "standby-reads", "metadata_service.wsgi:application", {**env, **standby}, options.workers
    )
    for server in (on_primary, on_standby):
        run.wrk(server.url, item, 1, token)  # warm up
    results["reads"] = {
        case.name: {
            "primary": reads(pair, on_primary, case, options, token),
            "standby": reads(pair, on_standby, case, options, token),
        }
        for case in (item, listing)
    }
    results["lag"] = lag_under_writes(pair, on_standby, post, options, token)
    run.stop_all()

    workers = options.workers * 2
    direct = run.start_server("direct", "metadata_service.wsgi:application", env, workers)
    run.wrk(direct.url, listing, 1, token)
    results["connections"] = {"workers": workers, "direct": connections_used(pair, direct, listing, options, token)}
    run.stop_all()
    with PgBouncer({DATABASE: ("127.0.0.1", pair.primary.port)}, pool_size=POOL_SIZE) as bouncer:
        pooled_env = {**env, "DATABASE_URL": bouncer.url(DATABASE), "DATABASE_POOL_MODE": "transaction"}
        pooled_env["DATABASE_DIRECT_URL"] = pair.primary.url(DATABASE)
        pooled = run.start_server("pgbouncer", "metadata_service.wsgi:application", pooled_env, workers)
        run.wrk(pooled.url, listing, 1, token)
        results["connections"]["pgbouncer"] = connections_used(pair, pooled, listing, options, token)
        results["connections"]["pgbouncer"]["pool_size"] = POOL_SIZE
        run.stop_all()
    results["load_average_after"] = os.getloadavg()
    return results


def main(options):
    started = datetime.now(UTC).isoformat(timespec="seconds")
    with ReplicaPair(durable=True) as pair:
        try:
            results = measure(pair, options)
        finally:
            run.stop_all()
    results["started"] = started
    (run.VAR / "replica.json").write_text(json.dumps(results, indent=2))
    (BENCH / "REPLICA.md").write_text(report(results))
    print(report(results))
    print(f"Wrote {BENCH / 'REPLICA.md'}")


def report(results):
    lines = [
        "# Replica and pgbouncer benchmark (`bench/run --replica`)",
        "",
        f"Run {results['started']}: {results['rows']} rows, {results['workers']} sync workers per server, "
        f"wrk -t2 -c16 for {results['duration']} s per figure; primary, standby, service and wrk on the same "
        f"{os.cpu_count()} cores; load average {fmt_load(results['load_average_before'])} before, "
        f"{fmt_load(results['load_average_after'])} after (the machine is shared).",
        "",
        "## Reads: on the primary, or on the standby",
        "",
        "| request | reads on | req/s | p99 ms | SELECTs run by the primary | by the standby |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, where in results["reads"].items():
        for side in ("primary", "standby"):
            row = where[side]
            figures = f"{row['rps']:.0f} | {row['p99_ms']:.1f} | {row['on_primary']} | {row['on_standby']}"
            lines.append(f"| {name} | {side} | {figures} |")
    lag = results["lag"]
    lines += [
        "",
        "## Replication lag under a write load",
        "",
        f"POST /metadatas at {lag['writes_per_second']:.0f} writes/s for {results['duration']} s; "
        f"{lag['samples']} samples of `pg_stat_replication` every 0.2 s:",
        "",
        "| | median | max |",
        "|---|---:|---:|",
        f"| replay lag (ms) | {lag['replay_lag_ms_median']} | {lag['replay_lag_ms_max']} |",
        f"| WAL not yet replayed (bytes) | {lag['lag_bytes_median']} | {lag['lag_bytes_max']} |",
        "",
        "## Server connections, with and without pgbouncer",
        "",
        f"GET /metadatas (list) with wrk -c32 against one instance of {results['connections']['workers']} workers:",
        "",
        "| set-up | req/s | p99 ms | PostgreSQL connections (max) |",
        "|---|---:|---:|---:|",
    ]
    direct, pooled = results["connections"]["direct"], results["connections"]["pgbouncer"]
    lines.append(f"| direct | {direct['rps']:.0f} | {direct['p99_ms']:.1f} | {direct['server_connections_max']} |")
    lines.append(
        f"| pgbouncer, transaction pooling, pool {pooled['pool_size']} | {pooled['rps']:.0f} | "
        f"{pooled['p99_ms']:.1f} | {pooled['server_connections_max']} |"
    )
    return "\n".join(lines) + "\n"


def fmt_load(values):
    return "/".join(f"{value:.1f}" for value in values)
